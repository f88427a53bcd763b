#include "imaging_fixtures.h"

#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace gz::test {
namespace fs = std::filesystem;

SourceImage positionImage(int size) {
    SourceImage s;
    s.rgb.create(size, size, CV_8UC3);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            s.rgb.at<cv::Vec3b>(y, x) =
                cv::Vec3b(static_cast<uchar>(x % 256), static_cast<uchar>(y % 256),
                          static_cast<uchar>((x + 2 * y) % 256));
    s.fullWidth = s.fullHeight = size;
    return s;
}

SourceImage rampImage(int size) {
    SourceImage s;
    s.rgb.create(size, size, CV_8UC3);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            s.rgb.at<cv::Vec3b>(y, x) =
                cv::Vec3b(static_cast<uchar>(x / 2), static_cast<uchar>(y / 2),
                          static_cast<uchar>(40 + (x + y) / 4));
    s.fullWidth = s.fullHeight = size;
    return s;
}

double maxAbsDiff(const cv::Mat& a, const cv::Mat& b) {
    if (a.size() != b.size() || a.type() != b.type()) return 1e30;
    return cv::norm(a, b, cv::NORM_INF);
}

std::vector<std::uint8_t> encodeJpeg(const cv::Mat& rgb) {
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<std::uint8_t> bytes;
    cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, 95});
    return bytes;
}

void writeBytes(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

std::string readBytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::uint8_t> scrambledNoiseJpeg() {
    cv::Mat rgb(424, 424, CV_8UC3);
    cv::RNG(424).fill(rgb, cv::RNG::UNIFORM, 0, 256);
    std::vector<std::uint8_t> jpeg = encodeJpeg(rgb);
    std::size_t sos = 0;
    for (std::size_t i = 2; i + 3 < jpeg.size() && sos == 0; ++i)
        if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) sos = i;
    const std::size_t start = sos + 2 + ((std::size_t(jpeg[sos + 2]) << 8) | jpeg[sos + 3]);
    const std::size_t end = jpeg.size() - 2;  // the EOI marker
    if (sos == 0 || end < start + 256) throw std::logic_error("no scan data to scramble");
    const std::size_t at = start + (end - start) / 2;
    for (std::size_t k = 0; k < 64; ++k)
        jpeg[at + k] = static_cast<std::uint8_t>((k * 97 + 13) & 0x7F);
    return jpeg;
}

const cv::Scalar kBlobColours[5] = {
    {230, 60, 60}, {60, 230, 60}, {60, 60, 230}, {230, 230, 40}, {40, 220, 230}};

void writeBlobJpeg(const fs::path& file, int label, cv::Point centre, int radius,
                   double blurSigma) {
    cv::Mat rgb(424, 424, CV_8UC3);
    cv::randn(rgb, cv::Scalar::all(20), cv::Scalar::all(6));
    cv::circle(rgb, centre, radius, kBlobColours[label], cv::FILLED, cv::LINE_AA);
    cv::GaussianBlur(rgb, rgb, {0, 0}, blurSigma);
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    if (file.has_parent_path()) fs::create_directories(file.parent_path());
    if (!cv::imwrite(file.string(), bgr)) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace gz::test
