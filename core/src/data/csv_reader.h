#pragma once
// Private to core: a strict CSV reader for the project's own simple files (no quoted commas).
// Every error names the file, the line and the column.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gz::detail {

class CsvReader {
public:
    /// Checks that `text` is text (not binary), skips a UTF-8 BOM and reads the header (the first
    /// non-blank line). Accepts LF and CRLF. Throws DataError on binary data or no header.
    CsvReader(std::string_view text, std::filesystem::path file);

    const std::filesystem::path& file() const { return file_; }
    std::size_t headerLine() const { return headerLine_; }
    const std::vector<std::string_view>& header() const { return header_; }
    std::optional<std::size_t> find(std::string_view name) const;
    /// The field index of a column; DataError naming the file if it is absent.
    std::size_t require(std::string_view name) const;

    /// Advances to the next non-blank row; false at the end. Throws DataError when the row's
    /// field count differs from the header's.
    bool next();
    std::size_t line() const { return line_; }
    std::size_t bytesRead() const { return pos_; }
    std::string_view field(std::size_t i) const { return fields_[i]; }

    std::int64_t integer(std::size_t i) const;  ///< whole number, else DataError
    double number(std::size_t i) const;         ///< finite number, else DataError
    [[noreturn]] void fail(std::size_t i, const std::string& message) const;

private:
    std::string_view text_;
    std::filesystem::path file_;
    std::size_t pos_ = 0;
    std::size_t line_ = 0;
    std::size_t headerLine_ = 0;
    std::vector<std::string_view> header_;
    std::vector<std::string_view> fields_;

    bool nextLine(std::string_view& line);
};

/// A short quoted excerpt of a value for messages.
std::string quoted(std::string_view s);

}  // namespace gz::detail
