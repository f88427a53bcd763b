#include "cli_ranks.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "gz/error.h"

extern char** environ;

namespace gz::cli {

LocalRanks::LocalRanks(const std::vector<std::string>& args, int worldSize) {
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    for (int rank = 1; rank < worldSize; ++rank) {
        std::vector<std::string> words{self};
        words.insert(words.end(), args.begin(), args.end());
        words.push_back("--rank");
        words.push_back(std::to_string(rank));
        std::vector<char*> argv;
        for (auto& w : words) argv.push_back(w.data());
        argv.push_back(nullptr);
        pid_t pid = 0;
        const int rc = ::posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
        if (rc != 0) {
            posix_spawn_file_actions_destroy(&actions);
            throw DataError("cannot start rank " + std::to_string(rank) + ": " + std::strerror(rc));
        }
        pids_.push_back(pid);
    }
    posix_spawn_file_actions_destroy(&actions);
}

LocalRanks::~LocalRanks() {
    for (pid_t pid : pids_) {
        ::kill(pid, SIGTERM);
        ::waitpid(pid, nullptr, 0);
    }
}

void LocalRanks::wait() {
    std::string failed;
    for (std::size_t i = 0; i < pids_.size(); ++i) {
        int status = 0;
        while (::waitpid(pids_[i], &status, 0) < 0 && errno == EINTR) {
        }
        if (failed.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
            failed = "rank " + std::to_string(i + 1) + " failed (see its error above)";
    }
    pids_.clear();
    if (!failed.empty()) throw DataError(failed);
}

}  // namespace gz::cli
