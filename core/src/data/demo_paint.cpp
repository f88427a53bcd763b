#include "data/demo_paint.h"

namespace gz::demo {
namespace {

double sersicB(double n) {
    return 2 * n - 1.0 / 3 + 4 / (405 * n) + 46 / (25515 * n * n);
}

}  // namespace

double sersicReach(double re, double n, double mu, double level) {
    return re * std::pow(1 + std::log(std::max(mu, level) / level) / sersicB(n), n);
}

void addSersic(cv::Mat& img, const Placement& p, double re, double n, double q, double mu,
               const Colour& c) {
    const double b = sersicB(n);
    const double reach = sersicReach(re, n, mu, 0.02);
    const auto invRe2 = static_cast<float>(1 / (re * re)), invQ = static_cast<float>(1 / q);
    const auto halfInvN = static_cast<float>(0.5 / n), bf = static_cast<float>(b);
    const auto amp = static_cast<float>(mu * std::exp(b));
    paint(img, p, std::min(reach, 0.8 * img.cols), c, [=](float u, float v) {
        const float w = v * invQ;
        const float r2 = (u * u + w * w) * invRe2 + 1e-4f;
        return amp * std::exp(-bf * std::exp(std::log(r2) * halfInvN));
    });
}

void addExponentialDisk(cv::Mat& img, const Placement& p, double h, double q, double amp,
                        const Colour& c) {
    const auto invQ = static_cast<float>(1 / q), invH = static_cast<float>(1 / h);
    const auto famp = static_cast<float>(amp);
    paint(img, p, 9 * h, c, [=](float u, float v) {
        const float w = v * invQ;
        return famp * std::exp(-std::sqrt(u * u + w * w) * invH);
    });
}

void addGaussian(cv::Mat& img, const Placement& p, double sigmaMajor, double sigmaMinor,
                 double peak, const Colour& c) {
    const auto au = static_cast<float>(-0.5 / (sigmaMajor * sigmaMajor));
    const auto av = static_cast<float>(-0.5 / (sigmaMinor * sigmaMinor));
    const auto amp = static_cast<float>(peak);
    paint(img, p, 4.5 * sigmaMajor, c,
          [=](float u, float v) { return amp * std::exp(au * u * u + av * v * v); });
}

}  // namespace gz::demo
