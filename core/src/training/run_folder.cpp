#include "gz/run_folder.h"

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

fs::path RunFolder::log() const {
    return root / "log.txt";
}

fs::path RunFolder::marks() const {
    return root / "marks.csv";
}

fs::path RunFolder::lock() const {
    return root / ".lock";
}

}  // namespace gz
