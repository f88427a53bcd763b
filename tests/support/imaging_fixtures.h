#pragma once
// Synthetic images and JPEG bytes made at test time, shared by the imaging and training tests.

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "gz/image_pipeline.h"

namespace gz::test {

/// A square image whose pixels say where they are: R = x, G = y (mod 256), B = (x + 2y) mod 256.
SourceImage positionImage(int size = 424);

/// A smooth image: each channel is linear in x and y (so bilinear sampling is exact).
SourceImage rampImage(int size = 424);

/// The largest absolute difference between two images; 1e30 when their sizes or types differ.
double maxAbsDiff(const cv::Mat& a, const cv::Mat& b);

/// `rgb` (8-bit RGB) encoded as a JPEG of quality 95.
std::vector<std::uint8_t> encodeJpeg(const cv::Mat& rgb);

/// Writes `bytes` to `file`, replacing it.
void writeBytes(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes);

/// The whole content of `file`; empty when it cannot be read.
std::string readBytes(const std::filesystem::path& file);

/// A 424x424 noise JPEG with 64 bytes in the middle of its entropy-coded data overwritten (no
/// 0xFF, so no marker is made up), every header and the end marker kept: libjpeg decodes it to
/// garbage with no more than a warning.
std::vector<std::uint8_t> scrambledNoiseJpeg();

/// The colour (RGB) of each class's blob in the blob images.
extern const cv::Scalar kBlobColours[5];

/// A 424x424 JPEG of a filled disc of `label`'s colour on a noisy dark sky, blurred with
/// `blurSigma` (the noise comes from OpenCV's global generator).
void writeBlobJpeg(const std::filesystem::path& file, int label, cv::Point centre, int radius,
                   double blurSigma);

}  // namespace gz::test
