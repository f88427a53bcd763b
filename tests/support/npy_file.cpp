#include "npy_file.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "imaging_fixtures.h"

namespace gz::test {

NpyFile NpyFile::read(const std::filesystem::path& file) {
    NpyFile n;
    const std::string bytes = readBytes(file);
    if (bytes.size() < 10 || bytes.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)) != 0)
        return n;
    const std::size_t length =
        static_cast<unsigned char>(bytes[8]) |
        (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    n.header = bytes.substr(0, 10 + length);
    n.data = bytes.substr(10 + length);
    const auto d = n.header.find("'descr': '");
    if (d != std::string::npos) n.descr = n.header.substr(d + 10, 3);
    const auto s = n.header.find("'shape': (");
    const auto e = n.header.find(')', s);
    std::string dims = n.header.substr(s + 10, e - s - 10);
    std::replace(dims.begin(), dims.end(), ',', ' ');
    std::istringstream in(dims);
    for (std::size_t v; in >> v;) n.shape.push_back(v);
    return n;
}

std::size_t NpyFile::rowFloats() const {
    std::size_t p = 1;
    for (std::size_t i = 1; i < shape.size(); ++i) p *= shape[i];
    return p;
}

cv::Mat NpyFile::image(std::size_t r) const {
    cv::Mat m(static_cast<int>(shape[1]), static_cast<int>(shape[2]), CV_32FC3);
    std::memcpy(m.data, data.data() + r * rowFloats() * 4, rowFloats() * 4);
    return m;
}

std::vector<std::int32_t> NpyFile::ints(std::size_t r) const {
    std::vector<std::int32_t> v(rowFloats());
    std::memcpy(v.data(), data.data() + r * rowFloats() * 4, rowFloats() * 4);
    return v;
}

}  // namespace gz::test
