#include "gz/run_folder.h"

#include <ctime>
#include <system_error>

#include "util/file_io.h"

namespace gz {

namespace fs = std::filesystem;

fs::path RunFolder::config() const {
    return root / "config.json";
}

fs::path RunFolder::split() const {
    return root / "split.csv";
}

fs::path RunFolder::metrics() const {
    return root / "metrics.csv";
}

fs::path RunFolder::timing() const {
    return root / "timing.csv";
}

fs::path RunFolder::checkpoints() const {
    return root / "checkpoints";
}

fs::path RunFolder::lastCheckpoint() const {
    return checkpoints() / "last.pt";
}

fs::path RunFolder::bestCheckpoint() const {
    return checkpoints() / "best.pt";
}

fs::path RunFolder::predictions() const {
    return root / "predictions.csv";
}

fs::path RunFolder::confusion() const {
    return root / "confusion.json";
}

fs::path RunFolder::fractions() const {
    return root / "fractions.csv";
}

fs::path RunFolder::votesMean() const {
    return root / "votes-mean.csv";
}

fs::path RunFolder::log() const {
    return root / "log.txt";
}

fs::path RunFolder::marks() const {
    return root / "marks.csv";
}

fs::path RunFolder::lock() const {
    return detail::FolderLock::lockFile(root);
}

fs::path runsFolder(const fs::path& workspace) {
    return workspace / "runs";
}

fs::path newRunFolder(const fs::path& workspace, const std::string& model,
                      std::chrono::system_clock::time_point when) {
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm local{};
    localtime_r(&t, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S-", &local);
    const std::string base = stamp + model;
    const fs::path folder = runsFolder(workspace);
    fs::path dir = folder / base;
    std::error_code ec;
    for (int n = 2; fs::exists(dir, ec); ++n) dir = folder / (base + '-' + std::to_string(n));
    return dir;
}

}  // namespace gz
