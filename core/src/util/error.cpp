#include "gz/error.h"

#include "gz/progress.h"

namespace gz {

DataError::DataError(const std::filesystem::path& file, const std::string& message)
    : std::runtime_error(file.string() + ": " + message), file_(file) {}

DataError::DataError(const std::filesystem::path& file, std::size_t line,
                     const std::string& message)
    : std::runtime_error(file.string() + ":" + std::to_string(line) + ": " + message),
      file_(file),
      line_(line) {}

DataError::DataError(const std::filesystem::path& file, std::size_t line, const std::string& column,
                     const std::string& message)
    : std::runtime_error(file.string() + ":" + std::to_string(line) + ": column '" + column +
                         "': " + message),
      file_(file),
      line_(line),
      column_(column) {}

void checkpoint(const std::stop_token& stop, const ProgressFn& progress, std::size_t done,
                std::size_t total, std::string_view message) {
    if (stop.stop_requested()) throw Cancelled();
    if (progress) progress(done, total, message);
}

}  // namespace gz
