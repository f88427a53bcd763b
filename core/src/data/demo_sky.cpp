#include "data/demo_sky.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <opencv2/core.hpp>
#include <vector>

#include "data/demo_paint.h"

namespace gz::demo {
namespace {

constexpr float kFullScale = 3000;  // the luminance shown as 255

// Inverse of the standard normal distribution function (Acklam's rational approximation,
// relative error below 1.2e-9).
double inverseNormal(double p) {
    constexpr std::array<double, 6> a = {-3.969683028665376e+01, 2.209460984245205e+02,
                                         -2.759285104469687e+02, 1.383577518672690e+02,
                                         -3.066479806614716e+01, 2.506628277459239e+00};
    constexpr std::array<double, 5> b = {-5.447609879822406e+01, 1.615858368580409e+02,
                                         -1.556989798598866e+02, 6.680131188771972e+01,
                                         -1.328068155288572e+01};
    constexpr std::array<double, 6> c = {-7.784894002430293e-03, -3.223964580411365e-01,
                                         -2.400758277161838e+00, -2.549732539343734e+00,
                                         4.374664141464968e+00,  2.938163982698783e+00};
    constexpr std::array<double, 4> d = {7.784695709041462e-03, 3.224671290700398e-01,
                                         2.445134137142996e+00, 3.754408661907416e+00};
    constexpr double kLow = 0.02425;
    auto tail = [&](double t) {
        const double q = std::sqrt(-2 * std::log(t));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    };
    if (p < kLow) return tail(p);
    if (p > 1 - kLow) return -tail(1 - p);
    const double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

const std::vector<float>& normalTable() {
    static const std::vector<float> table = [] {
        std::vector<float> t(65536);
        for (std::size_t k = 0; k < t.size(); ++k)
            t[k] = static_cast<float>(inverseNormal((static_cast<double>(k) + 0.5) / 65536.0));
        return t;
    }();
    return table;
}

}  // namespace

cv::Mat exposeSky(cv::Mat& img, Rng& rng) {
    const Colour sky = colour(2.0 * rng.uniform(0.8, 1.2), 1.8 * rng.uniform(0.8, 1.2),
                              1.2 * rng.uniform(0.8, 1.2));
    const auto noise = static_cast<float>(rng.uniform(0.85, 1.15));
    CV_Assert(img.isContinuous());
    {
        // Four pixels (twelve values) at a time.
        auto* v = img.ptr<float>();
        const float* table = normalTable().data();
        const std::size_t n = img.total() * 3;
        std::array<float, 12> z{};
        for (std::size_t i = 0; i < n; i += 12) {
            rng.fourNormals(table, z.data());
            rng.fourNormals(table, z.data() + 4);
            rng.fourNormals(table, z.data() + 8);
            const std::size_t m = std::min<std::size_t>(12, n - i);
            for (std::size_t k = 0; k < m; ++k) v[i + k] += sky[k % 3] + noise * z[k];
        }
    }
    // Luminance x in units of the softening; the factor asinh(|x|)/|x| is the same for -x.
    constexpr float kSoft = 10;
    const float gain = 255.0f / std::asinh(kFullScale / kSoft);
    cv::Mat x;
    cv::transform(img, x, cv::Matx13f(1 / (3 * kSoft), 1 / (3 * kSoft), 1 / (3 * kSoft)));
    cv::Mat ax = cv::abs(x), root, lg;
    cv::magnitude(ax, cv::Mat::ones(ax.size(), CV_32F), root);  // sqrt(x^2 + 1)
    cv::log(ax + root, lg);                                     // asinh(|x|)
    cv::Mat out(img.rows, img.cols, CV_8UC3);
    for (int y = 0; y < img.rows; ++y) {
        const auto* in = img.ptr<cv::Vec3f>(y);
        const auto* a = ax.ptr<float>(y);
        const auto* l = lg.ptr<float>(y);
        auto* o = out.ptr<cv::Vec3b>(y);
        for (int xx = 0; xx < img.cols; ++xx) {
            const float factor = (a[xx] < 1e-3f ? 1.0f : l[xx] / a[xx]) * gain / kSoft;
            const float b = std::max(0.0f, in[xx][0] * factor);
            const float g = std::max(0.0f, in[xx][1] * factor);
            const float r = std::max(0.0f, in[xx][2] * factor);
            const float peak = std::max({b, g, r});
            const float fit = peak > 255 ? 255 / peak : 1.0f;
            o[xx] = cv::Vec3b(cv::saturate_cast<uchar>(b * fit), cv::saturate_cast<uchar>(g * fit),
                              cv::saturate_cast<uchar>(r * fit));
        }
    }
    return out;
}

}  // namespace gz::demo
