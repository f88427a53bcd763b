#pragma once
// A .npy file read back for checking: its header parsed by hand (not by core's writer code).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace gz::test {

struct NpyFile {
    std::string header;  ///< magic through '\n'
    std::string descr;   ///< e.g. "<f4"
    std::vector<std::size_t> shape;
    std::string data;

    /// The file's header and data; empty when it is not a version 1.0 .npy file.
    static NpyFile read(const std::filesystem::path& file);
    /// The number of values in one row (the product of the shape after the first axis).
    std::size_t rowFloats() const;
    /// Row `r` of an (N, h, w, 3) float32 array as CV_32FC3.
    cv::Mat image(std::size_t r) const;
    /// Row `r` of an int32 array.
    std::vector<std::int32_t> ints(std::size_t r) const;
};

}  // namespace gz::test
