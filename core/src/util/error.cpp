#include "gz/error.h"

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

}  // namespace gz
