#include "data/csv_reader.h"

#include <charconv>
#include <cmath>

#include "gz/error.h"

namespace gz::detail {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
}

void splitFields(std::string_view line, std::vector<std::string_view>& fields) {
    fields.clear();
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        if (comma == std::string_view::npos) {
            fields.push_back(trim(line.substr(start)));
            return;
        }
        fields.push_back(trim(line.substr(start, comma - start)));
        start = comma + 1;
    }
}

// CSV is text: control bytes other than tab, CR and LF mean the file is binary (an image, an
// archive, a spreadsheet).
void requireText(std::string_view text, const std::filesystem::path& file) {
    constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
            throw DataError(file, std::string("not a CSV text file (binary byte 0x") +
                                      kHex[c >> 4] + kHex[c & 15] + " at offset " +
                                      std::to_string(i) + ")");
    }
}

}  // namespace

std::string quoted(std::string_view s) {
    constexpr std::size_t kMax = 40;
    return "'" + std::string(s.substr(0, kMax)) + (s.size() > kMax ? "...'" : "'");
}

CsvReader::CsvReader(std::string_view text, std::filesystem::path file)
    : text_(text), file_(std::move(file)) {
    requireText(text_, file_);
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    std::string_view line;
    while (nextLine(line)) {
        if (trim(line).empty()) continue;
        headerLine_ = line_;
        splitFields(line, header_);
        return;
    }
    throw DataError(file_, "empty file: no header line");
}

bool CsvReader::nextLine(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++line_;
    return true;
}

std::optional<std::size_t> CsvReader::find(std::string_view name) const {
    for (std::size_t i = 0; i < header_.size(); ++i)
        if (header_[i] == name) return i;
    return std::nullopt;
}

std::size_t CsvReader::require(std::string_view name) const {
    if (auto i = find(name)) return *i;
    throw DataError(file_, headerLine_,
                    "no '" + std::string(name) + "' column in the header (it has " +
                        std::to_string(header_.size()) + " columns, the first " +
                        quoted(header_.empty() ? std::string_view{} : header_[0]) + ")");
}

bool CsvReader::next() {
    std::string_view line;
    while (nextLine(line)) {
        if (trim(line).empty()) continue;  // blank lines (e.g. at the end) hold no row
        splitFields(line, fields_);
        if (fields_.size() != header_.size())
            throw DataError(file_, line_,
                            "row has " + std::to_string(fields_.size()) +
                                " fields, the header has " + std::to_string(header_.size()));
        return true;
    }
    return false;
}

void CsvReader::fail(std::size_t i, const std::string& message) const {
    throw DataError(file_, line_, std::string(header_[i]), message);
}

std::int64_t CsvReader::integer(std::size_t i) const {
    const std::string_view s = fields_[i];
    if (s.empty()) fail(i, "empty value");
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        fail(i, "value " + quoted(s) + " is not a whole number");
    return v;
}

double CsvReader::number(std::size_t i) const {
    const std::string_view s = fields_[i];
    if (s.empty()) fail(i, "empty value");
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && !std::isfinite(v)))
        fail(i, "value " + quoted(s) + " is not a finite number");
    if (ec != std::errc() || p != s.data() + s.size())
        fail(i, "value " + quoted(s) + " is not a number");
    return v;
}

}  // namespace gz::detail
