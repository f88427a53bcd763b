#pragma once
// Errors the pipeline reports to users: always naming the file, and the line and column if any.

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace gz {

/// A user-facing error: what() is one line that names the file (and line/column when known).
class DataError : public std::runtime_error {
public:
    explicit DataError(const std::string& message) : std::runtime_error(message) {}
    DataError(const std::filesystem::path& file, const std::string& message);
    DataError(const std::filesystem::path& file, std::size_t line, const std::string& message);
    DataError(const std::filesystem::path& file, std::size_t line, const std::string& column,
              const std::string& message);

    const std::filesystem::path& file() const { return file_; }
    std::size_t line() const { return line_; }  ///< 1-based; 0 when not about a line
    const std::string& column() const { return column_; }

private:
    std::filesystem::path file_;
    std::size_t line_ = 0;
    std::string column_;
};

/// Thrown by a job whose stop token was triggered.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace gz
