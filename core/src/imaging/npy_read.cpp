// readNpyMatrix (gz/npy.h): the one .npy layout the app reads back, its embeddings.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "gz/error.h"
#include "gz/files.h"
#include "gz/npy.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

/// The text after `'key': ` in a header dict, or nullopt.
std::optional<std::string_view> valueOf(std::string_view dict, std::string_view key) {
    const std::string quoted = "'" + std::string(key) + "':";
    const auto at = dict.find(quoted);
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view rest = dict.substr(at + quoted.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    return rest;
}

/// The axes of a shape tuple "(12, 34)" at the start of `text`; nullopt when malformed.
std::optional<std::vector<std::size_t>> parseShape(std::string_view text) {
    if (text.empty() || text.front() != '(') return std::nullopt;
    const auto close = text.find(')');
    if (close == std::string_view::npos) return std::nullopt;
    std::vector<std::size_t> axes;
    std::size_t value = 0;
    bool inNumber = false;
    for (const char c : text.substr(1, close - 1)) {
        if (c >= '0' && c <= '9') {
            const std::size_t digit = static_cast<std::size_t>(c - '0');
            if (value > (SIZE_MAX - digit) / 10) return std::nullopt;
            value = value * 10 + digit;
            inNumber = true;
        } else if (c == ',' || c == ' ') {
            if (inNumber) axes.push_back(value);
            value = 0;
            inNumber = false;
        } else {
            return std::nullopt;
        }
    }
    if (inNumber) axes.push_back(value);
    return axes;
}

}  // namespace

NpyMatrix readNpyMatrix(const fs::path& file) {
    const std::string bytes = readWholeFile(file);
    const auto fail = [&](const std::string& why) { return DataError(file, why); };
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
        throw fail("not a .npy file (no \\x93NUMPY magic)");
    const auto major = static_cast<unsigned char>(bytes[6]);
    std::size_t headerLength = 0, dictStart = 0;
    const auto byteAt = [&](std::size_t i) {
        return static_cast<std::size_t>(static_cast<unsigned char>(bytes[i]));
    };
    if (major == 1) {
        headerLength = byteAt(8) | byteAt(9) << 8;
        dictStart = 10;
    } else if (major == 2 && bytes.size() >= 12) {
        headerLength = byteAt(8) | byteAt(9) << 8 | byteAt(10) << 16 | byteAt(11) << 24;
        dictStart = 12;
    } else {
        throw fail(".npy format version " + std::to_string(major) + " is not supported");
    }
    if (bytes.size() < dictStart + headerLength) throw fail("the .npy header is truncated");
    const std::string_view dict(bytes.data() + dictStart, headerLength);
    const auto descr = valueOf(dict, "descr");
    if (!descr || (descr->substr(0, 5) != "'<f4'" && descr->substr(0, 5) != "'=f4'"))
        throw fail("not little-endian float32 ('<f4'): " + std::string(dict.substr(0, 80)));
    const auto order = valueOf(dict, "fortran_order");
    if (!order || order->substr(0, 5) != "False") throw fail("Fortran order is not supported");
    const auto shapeText = valueOf(dict, "shape");
    const auto shape = shapeText ? parseShape(*shapeText) : std::nullopt;
    if (!shape) throw fail("the .npy header has no readable shape");
    if (shape->size() != 2)
        throw fail("expected a matrix (2 axes), found " + std::to_string(shape->size()) + " axes");
    NpyMatrix m;
    m.rows = (*shape)[0];
    m.cols = (*shape)[1];
    const std::size_t dataBytes = bytes.size() - dictStart - headerLength;
    if (m.cols != 0 && m.rows > SIZE_MAX / sizeof(float) / m.cols)
        throw fail("the .npy shape is too large");
    if (dataBytes != m.rows * m.cols * sizeof(float))
        throw fail("holds " + std::to_string(dataBytes) + " bytes of data where its shape needs " +
                   std::to_string(m.rows * m.cols * sizeof(float)) + " (truncated?)");
    m.values.resize(m.rows * m.cols);
    if (dataBytes) std::memcpy(m.values.data(), bytes.data() + dictStart + headerLength, dataBytes);
    return m;
}

}  // namespace gz
