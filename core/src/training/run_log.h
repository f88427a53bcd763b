#pragma once
// Private to core: a run's log.txt and the log callback.

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace gz::detail {

/// Appends time-stamped lines to a run's log file (flushed line by line) and hands each line,
/// without its stamp, to `sink`. A line that cannot be written (a full disk) throws DataError
/// naming the file.
class RunLog {
public:
    /// Throws DataError naming `file` when it cannot be opened for appending; an empty `file`
    /// only hands the lines to `sink`.
    RunLog(const std::filesystem::path& file, std::function<void(const std::string&)> sink);
    void operator()(const std::string& line);

private:
    std::filesystem::path file_;
    std::ofstream out_;
    std::function<void(const std::string&)> sink_;
};

}  // namespace gz::detail
