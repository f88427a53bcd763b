#include "process_fixtures.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

namespace gz::test {

int runUntilKilled(const std::function<void()>& work) {
    const pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        try {
            work();
        } catch (...) {
        }
        ::_exit(0);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? static_cast<int>(pid) : -1;
}

void killSelf() {
    ::kill(::getpid(), SIGKILL);
    for (;;) ::pause();
}

int endedProcessId() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return static_cast<int>(pid);
}

}  // namespace gz::test
