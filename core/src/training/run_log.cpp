#include "training/run_log.h"

#include <ctime>

#include "gz/error.h"

namespace gz::detail {

RunLog::RunLog(const std::filesystem::path& file, std::function<void(const std::string&)> sink)
    : file_(file), sink_(std::move(sink)) {
    if (file.empty()) return;
    out_.open(file, std::ios::app);
    if (!out_) throw DataError(file, "cannot write the run log");
}

void RunLog::operator()(const std::string& line) {
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    if (sink_) sink_(line);
    if (!out_.is_open()) return;
    out_ << stamp << "  " << line << std::endl;
    if (!out_) throw DataError(file_, "cannot write the run log (disk full?)");
}

}  // namespace gz::detail
