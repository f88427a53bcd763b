#include "data/demo_render.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <opencv2/imgproc.hpp>

#include "data/demo_paint.h"
#include "data/demo_sky.h"
#include "gz/constants.h"

namespace gz::demo {
namespace {

constexpr double kPi = std::numbers::pi;

// The galaxy drawn so far, and what the stars must keep clear of.
struct Rendered {
    double extent = 0;  // radius around the centre that stars avoid
};

struct Frame {
    int size;
    double scale;  // size / 424
    double cx, cy;
    double angle;
};

// The ranges a smooth galaxy's axis ratio q, effective radius (pixels at 424), Sersic index and
// surface brightness are drawn from.
struct SmoothRanges {
    double qLo, qHi, reLo, reHi, nLo, nHi, muLo, muHi;
};
constexpr std::array<SmoothRanges, 4> kSmoothRanges = {{
    {0.9, 1.0, 9, 20, 2.5, 4.0, 20, 50},     // round
    {0.58, 0.78, 10, 22, 2.0, 4.0, 20, 50},  // in between
    {0.22, 0.38, 14, 26, 1.0, 2.0, 20, 45},  // cigar
    {0.8, 0.9, 8, 18, 2.0, 4.0, 12, 40},     // ambiguous: between round and in-between
}};

void drawSmooth(cv::Mat& img, const Frame& f, const Plan& plan, Rng& rng, double& q,
                Rendered& out) {
    const SmoothRanges& r =
        kSmoothRanges[plan.label >= 0 && plan.label <= 2 ? static_cast<std::size_t>(plan.label)
                                                         : 3];
    q = rng.uniform(r.qLo, r.qHi);
    double re = rng.uniform(r.reLo, r.reHi);
    const double n = rng.uniform(r.nLo, r.nHi);
    const double mu = rng.uniform(r.muLo, r.muHi);
    re *= f.scale;
    addSersic(img, place(f.cx, f.cy, f.angle), re, n, q, mu, yellowish(rng));
    out.extent = sersicReach(re, n, mu, 0.3);
}

void drawEdgeOn(cv::Mat& img, const Frame& f, Plan& plan, Rng& rng, Rendered& out) {
    const double h = rng.uniform(15, 25) * f.scale;
    const double z0 = h * rng.uniform(0.14, 0.2);
    const double amp = rng.uniform(50, 110);
    const double core = 0.35 * h;
    // A dust lane: narrow, slightly off the mid-plane (the disk is not exactly edge-on).
    const double laneDepth = rng.uniform(0.6, 0.85);
    const double laneWidth = std::max(z0 * rng.uniform(0.3, 0.4), 1.1 * f.scale);
    const double laneOffset = z0 * rng.uniform(-0.25, 0.25);
    const double laneLength = h * rng.uniform(2.0, 3.5);
    const Placement p = place(f.cx, f.cy, f.angle);
    const Colour disk = colour(rng.uniform(1.1, 1.3), 1.0, rng.uniform(0.7, 0.9));
    const auto fh = static_cast<float>(1 / h), fz = static_cast<float>(2 / z0);
    const auto fcore2 = static_cast<float>(core * core), famp = static_cast<float>(amp);
    const auto fDepth = static_cast<float>(laneDepth), fOff = static_cast<float>(laneOffset);
    const auto fW = static_cast<float>(-0.5 / (laneWidth * laneWidth));
    const auto fL = static_cast<float>(-0.5 / (laneLength * laneLength));
    paint(img, p, 9 * h, disk, [=](float u, float v) {
        const float e = std::exp(-std::abs(v) * fz);
        const float sech2 = 4 * e / ((1 + e) * (1 + e));
        const float radial = std::exp(-std::sqrt(u * u + fcore2) * fh);
        const float dv = v - fOff;
        const float lane = 1 - fDepth * std::exp(fW * dv * dv + fL * u * u);
        return famp * radial * sech2 * lane;
    });
    // A small bulge (sometimes hardly any).
    plan.bulgeShare = rng.uniform(0.05, 0.25);
    const double reBulge = h * rng.uniform(0.2, 0.3);
    const double muBulge = amp * plan.bulgeShare * rng.uniform(0.5, 0.8);
    addSersic(img, p, reBulge, rng.uniform(1.5, 2.5), rng.uniform(0.65, 0.85), muBulge,
              yellowish(rng));
    out.extent = h * std::log(amp);
}

void drawSpiral(cv::Mat& img, const Frame& f, Plan& plan, Rng& rng, double& q, Rendered& out) {
    q = rng.uniform(0.55, 1.0);  // cos(inclination)
    const double h = rng.uniform(12, 19) * f.scale;
    const Placement p = place(f.cx, f.cy, f.angle);
    const auto invQ = static_cast<float>(1 / q);

    // Smooth underlying disk.
    addExponentialDisk(img, p, h, q, rng.uniform(12, 25), colour(1.0, 1.0, 0.95));

    // Two logarithmic arms, blue, starting outside the bulge.
    plan.pitchDeg = rng.uniform(12, 32);
    const double pitch = plan.pitchDeg * kPi / 180;
    const double rIn = h * rng.uniform(0.6, 1.0);
    const double phase = rng.uniform(0, 2 * kPi);
    const auto winding = static_cast<float>(1 / std::tan(pitch));
    const auto sharp = static_cast<float>(rng.uniform(2.5, 5.0));
    const auto armAmp = static_cast<float>(rng.uniform(40, 80));
    const auto invHArm = static_cast<float>(1 / (h * rng.uniform(1.1, 1.5)));
    const auto invRIn = static_cast<float>(1 / rIn), fPhase = static_cast<float>(phase);
    paint(img, p, 9 * h, bluish(rng), [=](float u, float v) {
        const float w = v * invQ;
        const float r = std::sqrt(u * u + w * w) + 1e-3f;
        const float phi = std::atan2(w, u);
        const float along = phi - winding * std::log(r * invRIn) - fPhase;
        const float c2 = 0.5f * (1 + std::cos(2 * along));  // cos^2: two arms
        const float x = r * invRIn;
        const float start = 1 - std::exp(-x * x * x);
        return armAmp * std::pow(c2, sharp) * start * std::exp(-r * invHArm);
    });

    // Star-forming knots along the arms.
    const Colour knot = colour(0.65, 0.9, 1.5);
    const std::size_t knots = 8 + rng.below(18);
    for (std::size_t k = 0; k < knots; ++k) {
        const double r = rIn * rng.uniform(1.0, 3.5);
        const double phi = std::log(r / rIn) / std::tan(pitch) + phase +
                           (rng.chance(0.5) ? kPi : 0.0) + rng.uniform(-0.15, 0.15);
        const double u = r * std::cos(phi), v = r * std::sin(phi) * q;
        const double x = f.cx + u * p.cosPa - v * p.sinPa;
        const double y = f.cy + u * p.sinPa + v * p.cosPa;
        const double sigma = rng.uniform(0.8, 1.6) * f.scale;
        addGaussian(img, place(x, y, 0), sigma, sigma, rng.uniform(15, 50) * std::exp(-r / h / 2),
                    knot);
    }

    // A bar along the start of the arms, in some.
    plan.barred = rng.chance(0.3);
    if (plan.barred) {
        const double angle = phase;  // disk-plane direction where the arms start
        const double bu = std::cos(angle), bv = std::sin(angle) * q;
        const double barAngle = f.angle + std::atan2(bv, bu);
        const double barLength = rIn * std::hypot(bu, bv);
        addGaussian(img, place(f.cx, f.cy, barAngle), 0.55 * barLength, 0.15 * rIn,
                    rng.uniform(30, 60), colour(1.2, 1.0, 0.75));
    }

    // Bulge.
    plan.bulgeShare = rng.uniform(0.1, 0.45);
    addSersic(img, p, h * rng.uniform(0.18, 0.3), rng.uniform(1.5, 3.0),
              std::min(1.0, q + rng.uniform(0.1, 0.3)), 60 + 300 * plan.bulgeShare, yellowish(rng));
    out.extent = 5.0 * h;
}

void drawIrregular(cv::Mat& img, const Frame& f, Rng& rng, Rendered& out) {
    // A faint diffuse body with a few clumps.
    const double re = rng.uniform(12, 22) * f.scale;
    addSersic(img, place(f.cx, f.cy, f.angle), re, rng.uniform(0.7, 1.2), rng.uniform(0.5, 1.0),
              rng.uniform(3, 8), colour(0.9, 0.95, 1.15));
    const std::size_t clumps = 3 + rng.below(5);
    for (std::size_t k = 0; k < clumps; ++k) {
        const double dx = rng.uniform(-1, 1) * re, dy = rng.uniform(-1, 1) * re;
        const double sigma = rng.uniform(2.5, 7) * f.scale;
        addGaussian(img, place(f.cx + dx, f.cy + dy, rng.uniform(0, kPi)), sigma,
                    sigma * rng.uniform(0.4, 1.0), rng.uniform(5, 15), bluish(rng));
    }
    out.extent = 3.5 * re;
}

void drawLenticular(cv::Mat& img, const Frame& f, Plan& plan, Rng& rng, double& q, Rendered& out) {
    q = rng.uniform(0.5, 1.0);
    const double h = rng.uniform(11, 17) * f.scale;
    const Placement p = place(f.cx, f.cy, f.angle);
    const auto invQ = static_cast<float>(1 / q);
    addExponentialDisk(img, p, h, q, rng.uniform(12, 25), colour(1.2, 1.0, 0.8));
    plan.ring = rng.chance(0.6);
    if (plan.ring) {
        const auto radius = static_cast<float>(h * rng.uniform(1.6, 2.4));
        const auto width = static_cast<float>(-0.5 / std::pow(h * 0.25, 2));
        const auto ringAmp = static_cast<float>(rng.uniform(8, 18));
        paint(img, p, 2 * radius + 3 * h, bluish(rng), [=](float u, float v) {
            const float w = v * invQ;
            const float d = std::sqrt(u * u + w * w) - radius;
            return ringAmp * std::exp(width * d * d);
        });
    }
    addSersic(img, p, h * rng.uniform(0.25, 0.4), rng.uniform(2, 4), std::min(1.0, q + 0.15),
              rng.uniform(60, 120), yellowish(rng));
    out.extent = 4.5 * h;
}

void drawPair(cv::Mat& img, const Frame& f, Rng& rng, Rendered& out) {
    const double separation = rng.uniform(18, 32) * f.scale;
    const double angle = rng.uniform(0, 2 * kPi);
    const double ux = std::cos(angle) * separation / 2, uy = std::sin(angle) * separation / 2;
    const double re1 = rng.uniform(7, 13) * f.scale, re2 = re1 * rng.uniform(0.5, 0.9);
    addSersic(img, place(f.cx + ux, f.cy + uy, f.angle), re1, rng.uniform(2, 4),
              rng.uniform(0.6, 1.0), rng.uniform(15, 40), yellowish(rng));
    addSersic(img, place(f.cx - ux, f.cy - uy, rng.uniform(0, kPi)), re2, rng.uniform(1.5, 4),
              rng.uniform(0.5, 1.0), rng.uniform(12, 35), yellowish(rng));
    // A faint tidal plume.
    addGaussian(img, place(f.cx - 1.5 * ux, f.cy - 1.5 * uy, angle + rng.uniform(-0.6, 0.6)),
                separation * 0.8, separation * 0.25, rng.uniform(3, 7), colour(1.0, 1.0, 0.95));
    out.extent = separation / 2 + 4.5 * re1;
}

// b/a from intensity-weighted second moments of the galaxy's (noise-free) light above
// `threshold`.
double momentAxisRatio(const cv::Mat& img, double threshold) {
    double sw = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (int y = 0; y < img.rows; ++y) {
        const auto* row = img.ptr<cv::Vec3f>(y);
        for (int x = 0; x < img.cols; ++x) {
            const double l = (static_cast<double>(row[x][0]) + row[x][1] + row[x][2]) / 3;
            if (l <= threshold) continue;
            sw += l;
            sx += l * x;
            sy += l * y;
            sxx += l * x * x;
            syy += l * y * y;
            sxy += l * x * y;
        }
    }
    if (sw <= 0) return 1;
    const double mx = sx / sw, my = sy / sw;
    const double cxx = sxx / sw - mx * mx, cyy = syy / sw - my * my, cxy = sxy / sw - mx * my;
    const double mean = (cxx + cyy) / 2;
    const double diff = std::sqrt(std::max(0.0, (cxx - cyy) * (cxx - cyy) / 4 + cxy * cxy));
    const double major = mean + diff, minor = std::max(0.0, mean - diff);
    return major > 0 ? std::sqrt(minor / major) : 1;
}

void addStars(cv::Mat& img, const Frame& f, double psf, double keepClear, Rng& rng) {
    const std::size_t count = 1 + rng.below(5);
    const double size = f.size;
    for (std::size_t k = 0; k < count; ++k) {
        for (int attempt = 0; attempt < 50; ++attempt) {
            const double x = rng.uniform(4, size - 4), y = rng.uniform(4, size - 4);
            if (std::hypot(x - f.cx, y - f.cy) < keepClear) continue;
            const double t = rng.uniform();  // colour: blue-white to red
            const Colour c = colour(0.8 + 0.6 * t, 0.95, 1.3 - 0.7 * t);
            const double peak = rng.logUniform(8, 1500);
            addGaussian(img, place(x, y, 0), psf, psf, peak, c);
            if (peak > 300)  // a faint halo around bright stars
                addGaussian(img, place(x, y, 0), 3 * psf, 3 * psf, peak * 0.02, c);
            break;
        }
    }
}

}  // namespace

Look chooseLook(int label, Rng& rng) {
    switch (label) {
        case 0:
        case 1:
        case 2:
            return Look::Smooth;
        case 3:
            return Look::EdgeOn;
        case 4:
            return Look::Spiral;
        default: {
            constexpr std::array<Look, 4> kinds = {Look::Irregular, Look::AmbiguousSmooth,
                                                   Look::Lenticular, Look::Pair};
            return kinds[rng.below(kinds.size())];
        }
    }
}

RenderedGalaxy renderGalaxy(Plan& plan, int size, Rng& rng) {
    Frame f{};
    f.size = size;
    f.scale = size / static_cast<double>(kKaggleImageSide);
    double dx = 0, dy = 0;
    do {
        dx = rng.uniform(-15, 15);
        dy = rng.uniform(-15, 15);
    } while (std::hypot(dx, dy) > 15);
    f.cx = (size - 1) / 2.0 + dx * f.scale;
    f.cy = (size - 1) / 2.0 + dy * f.scale;
    f.angle = rng.uniform(0, kPi);

    cv::Mat img(size, size, CV_32FC3, cv::Scalar::all(0));
    Rendered drawn;
    double q = 1;
    switch (plan.look) {
        case Look::Smooth:
        case Look::AmbiguousSmooth:
            drawSmooth(img, f, plan, rng, q, drawn);
            break;
        case Look::EdgeOn:
            drawEdgeOn(img, f, plan, rng, drawn);
            break;
        case Look::Spiral:
            drawSpiral(img, f, plan, rng, q, drawn);
            break;
        case Look::Irregular:
            drawIrregular(img, f, rng, drawn);
            break;
        case Look::Lenticular:
            drawLenticular(img, f, plan, rng, q, drawn);
            break;
        case Look::Pair:
            drawPair(img, f, rng, drawn);
            break;
    }
    const double psf = rng.uniform(1.2, 1.7) * f.scale;
    cv::GaussianBlur(img, img, cv::Size(0, 0), psf, psf, cv::BORDER_REPLICATE);

    RenderedGalaxy result;
    // Smooth galaxies have elliptical isophotes of ratio q; for the others measure the light.
    result.axisRatio = plan.look == Look::Smooth ? q : momentAxisRatio(img, 2.0);

    addStars(img, f, psf, drawn.extent + 25 * f.scale, rng);
    result.bgr = exposeSky(img, rng);
    return result;
}

}  // namespace gz::demo
