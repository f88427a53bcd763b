#pragma once
// Private to the demo generator: light profiles painted onto a galaxy image. The image holds
// linear flux in units of the sky noise (per channel), BGR order, as CV_32FC3.

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/core.hpp>

#include "data/demo_rng.h"

namespace gz::demo {

using Colour = std::array<float, 3>;  // B, G, R

inline Colour colour(double r, double g, double b) {
    return {static_cast<float>(b), static_cast<float>(g), static_cast<float>(r)};
}
inline Colour yellowish(Rng& rng) {
    return colour(rng.uniform(1.15, 1.3), 1.0, rng.uniform(0.65, 0.8));
}
inline Colour bluish(Rng& rng) {
    return colour(rng.uniform(0.6, 0.8), 0.95, rng.uniform(1.25, 1.5));
}

struct Placement {
    double cx = 0, cy = 0;        // centre, pixels
    double cosPa = 1, sinPa = 0;  // direction of the major axis
};

inline Placement place(double cx, double cy, double angle) {
    return {cx, cy, std::cos(angle), std::sin(angle)};
}

// Adds colour * profile(u, v) within `radius` of the centre; u runs along the major axis, v
// along the minor one.
template <class Profile>
void paint(cv::Mat& img, const Placement& p, double radius, const Colour& c, Profile&& profile) {
    const int x0 = std::max(0, static_cast<int>(std::floor(p.cx - radius)));
    const int x1 = std::min(img.cols - 1, static_cast<int>(std::ceil(p.cx + radius)));
    const int y0 = std::max(0, static_cast<int>(std::floor(p.cy - radius)));
    const int y1 = std::min(img.rows - 1, static_cast<int>(std::ceil(p.cy + radius)));
    const auto cs = static_cast<float>(p.cosPa), sn = static_cast<float>(p.sinPa);
    for (int y = y0; y <= y1; ++y) {
        auto* row = img.ptr<cv::Vec3f>(y);
        const auto dy = static_cast<float>(y - p.cy);
        for (int x = x0; x <= x1; ++x) {
            const auto dx = static_cast<float>(x - p.cx);
            const float value = profile(dx * cs + dy * sn, dy * cs - dx * sn);
            row[x][0] += value * c[0];
            row[x][1] += value * c[1];
            row[x][2] += value * c[2];
        }
    }
}

/// Radius along the major axis where a Sersic profile falls to `level`.
double sersicReach(double re, double n, double mu, double level);

/// Sersic profile: surface brightness `mu` at the effective radius `re` (major axis), index n,
/// axis ratio q.
void addSersic(cv::Mat& img, const Placement& p, double re, double n, double q, double mu,
               const Colour& c);

/// An exponential disk: `amp` at the centre, scale length h along the major axis, axis ratio q.
void addExponentialDisk(cv::Mat& img, const Placement& p, double h, double q, double amp,
                        const Colour& c);

/// A Gaussian of the given widths along the major and minor axes and peak value.
void addGaussian(cv::Mat& img, const Placement& p, double sigmaMajor, double sigmaMinor,
                 double peak, const Colour& c);

}  // namespace gz::demo
