// The demo data set's images: their PIXELS show the intended morphology (axis ratios measured
// from second moments, spiral structure measured along ellipses, colours, off-centre objects).

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/morphology.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

// The data set test_demo checks the catalog of: enough galaxies of each class for the medians.
constexpr std::size_t kCount = 300;
constexpr std::uint64_t kSeed = 2024;

// What the pixels of one image show about its central object.
struct Shape {
    bool found = false;
    double axisRatio = 0;  // sqrt of the eigenvalue ratio of the intensity-weighted moments
    double azimuthal = 0;  // mean relative scatter of the light along ellipses (0 = smooth)
    double offset = 0;     // distance of the object's centroid from the image centre, pixels
    double redness = 0;    // (R - B) / (R + B) of the object's light
};

float median(std::vector<float> v) {
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

double median(std::vector<double> v) {
    if (v.empty()) return std::nan("");
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

float bilinear(const cv::Mat& img, double x, double y) {
    const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
    const auto fx = static_cast<float>(x - x0), fy = static_cast<float>(y - y0);
    const float a = img.at<float>(y0, x0), b = img.at<float>(y0, x0 + 1);
    const float c = img.at<float>(y0 + 1, x0), d = img.at<float>(y0 + 1, x0 + 1);
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
}

// Mean of `img` on a ring of radius r around (x, y); NaN when the ring leaves the image.
double ringMean(const cv::Mat& img, double x, double y, double r) {
    const int samples = std::max(8, static_cast<int>(2 * std::numbers::pi * r));
    double sum = 0;
    for (int k = 0; k < samples; ++k) {
        const double phi = 2 * std::numbers::pi * k / samples;
        const double px = x + r * std::cos(phi), py = y + r * std::sin(phi);
        if (px < 0 || py < 0 || px >= img.cols - 1 || py >= img.rows - 1) return std::nan("");
        sum += bilinear(img, px, py);
    }
    return sum / samples;
}

// Clears point sources (stars) from the mask: local peaks, other than the brightest point
// near the image centre (the galaxy's core), whose light falls off like the PSF. Each is
// masked out to the radius where its profile meets the background.
void maskStars(cv::Mat& mask, const cv::Mat& fine, float sigma) {
    const double centre = (fine.cols - 1) / 2.0;
    cv::Point core;
    double coreValue = -1;
    for (int y = 0; y < fine.rows; ++y)
        for (int x = 0; x < fine.cols; ++x)
            if (std::hypot(x - centre, y - centre) <= 30 && fine.at<float>(y, x) > coreValue) {
                coreValue = fine.at<float>(y, x);
                core = {x, y};
            }
    cv::Mat dilated;
    cv::dilate(fine, dilated, cv::Mat::ones(9, 9, CV_8U));
    for (int y = 0; y < fine.rows; ++y)
        for (int x = 0; x < fine.cols; ++x) {
            const float peak = fine.at<float>(y, x);
            if (peak < 8 * sigma || peak < dilated.at<float>(y, x)) continue;
            const double toCore = std::hypot(x - core.x, y - core.y);
            if (toCore < 8) continue;
            const double background = ringMean(fine, x, y, 10);
            const double near = ringMean(fine, x, y, 4.5);
            if (std::isnan(background) || std::isnan(near)) continue;
            if (peak - background < 2 * (near - background)) continue;  // extended: not a star
            int radius = 3;
            while (radius < 30) {
                const double inner = ringMean(fine, x, y, radius);
                const double outer = ringMean(fine, x, y, radius + 3);
                if (std::isnan(inner) || std::isnan(outer) || inner - outer < sigma) break;
                ++radius;
            }
            // Never over the galaxy's core (a knot in a spiral arm can look like a star).
            radius = std::min(radius + 2, static_cast<int>(toCore) - 5);
            cv::circle(mask, {x, y}, radius, cv::Scalar(0), cv::FILLED);
        }
}

// Segments the object nearest the image centre, with stars masked out, and measures it.
Shape measure(const fs::path& file) {
    Shape s;
    const cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR);
    if (bgr.empty()) return s;
    cv::Mat colour, gray;
    bgr.convertTo(colour, CV_32F);
    cv::transform(colour, gray, cv::Matx13f(1.f / 3, 1.f / 3, 1.f / 3));

    // Sky: the median; noise of the smoothed image: the median absolute deviation.
    gray -= median(std::vector<float>(gray.begin<float>(), gray.end<float>()));
    cv::Mat smooth, fine;
    cv::GaussianBlur(gray, smooth, cv::Size(0, 0), 2.0);
    cv::GaussianBlur(gray, fine, cv::Size(0, 0), 1.0);
    std::vector<float> dev;
    dev.reserve(smooth.total());
    for (auto it = smooth.begin<float>(); it != smooth.end<float>(); ++it)
        dev.push_back(std::abs(*it));
    const float sigma = std::max(1.4826f * median(dev), 0.3f);
    std::vector<float> devFine;
    devFine.reserve(fine.total());
    for (auto it = fine.begin<float>(); it != fine.end<float>(); ++it)
        devFine.push_back(std::abs(*it));
    const float sigmaFine = std::max(1.4826f * median(devFine), 0.3f);

    cv::Mat mask = smooth > 3 * sigma;
    maskStars(mask, fine, sigmaFine);
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
    const double centre = (gray.cols - 1) / 2.0;
    std::vector<double> nearest(static_cast<std::size_t>(n), 1e300);
    for (int y = 0; y < labels.rows; ++y)
        for (int x = 0; x < labels.cols; ++x)
            if (const int l = labels.at<int>(y, x); l > 0)
                nearest[l] = std::min(nearest[l], std::hypot(x - centre, y - centre));
    int best = 0;
    for (int l = 1; l < n; ++l)
        if (stats.at<int>(l, cv::CC_STAT_AREA) >= 30 && (best == 0 || nearest[l] < nearest[best]))
            best = l;
    if (best == 0 || nearest[best] > 40) return s;

    double sw = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, red = 0, blue = 0;
    for (int y = 0; y < labels.rows; ++y)
        for (int x = 0; x < labels.cols; ++x) {
            if (labels.at<int>(y, x) != best) continue;
            const double w = std::max(0.0f, gray.at<float>(y, x));
            sw += w;
            sx += w * x;
            sy += w * y;
            sxx += w * x * x;
            syy += w * y * y;
            sxy += w * x * y;
            const auto& c = colour.at<cv::Vec3f>(y, x);
            red += c[2];
            blue += c[0];
        }
    if (sw <= 0) return s;
    const double mx = sx / sw, my = sy / sw;
    const double cxx = sxx / sw - mx * mx, cyy = syy / sw - my * my, cxy = sxy / sw - mx * my;
    const double mean = (cxx + cyy) / 2;
    const double diff = std::sqrt((cxx - cyy) * (cxx - cyy) / 4 + cxy * cxy);
    const double major = mean + diff, minor = std::max(0.0, mean - diff);
    s.found = true;
    s.axisRatio = std::sqrt(minor / major);
    s.offset = std::hypot(mx - centre, my - centre);
    s.redness = (red - blue) / (red + blue);

    // Light along ellipses of the measured shape at a few radii: smooth profiles are flat
    // along them, spiral arms are not.
    const double angle = 0.5 * std::atan2(2 * cxy, cxx - cyy);
    const double ex = std::cos(angle), ey = std::sin(angle);
    const double a = std::sqrt(major), q = s.axisRatio;
    std::vector<double> scatter;
    for (double k : {0.75, 1.0, 1.25, 1.5}) {
        const double r = k * a;
        double sum = 0, sum2 = 0;
        int samples = 0;
        bool inside = true;
        for (int t = 0; t < 72 && inside; ++t) {
            const double phi = 2 * std::numbers::pi * t / 72;
            const double u = r * std::cos(phi), v = r * q * std::sin(phi);
            const double x = mx + u * ex - v * ey, y = my + u * ey + v * ex;
            if (x < 0 || y < 0 || x >= fine.cols - 1 || y >= fine.rows - 1)
                inside = false;
            else {
                const double value = bilinear(fine, x, y);
                sum += value;
                sum2 += value * value;
                ++samples;
            }
        }
        if (!inside || samples == 0) continue;
        const double m = sum / samples;
        if (m < 5 * sigmaFine) continue;  // too faint to tell structure from noise
        scatter.push_back(std::sqrt(std::max(0.0, sum2 / samples - m * m)) / m);
    }
    s.azimuthal = scatter.empty() ? 0.0 : [&] {
        double t = 0;
        for (double x : scatter) t += x;
        return t / static_cast<double>(scatter.size());
    }();
    return s;
}

}  // namespace

class TestDemoImages : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::vector<DemoGalaxyTruth> truth_;
    std::vector<Shape> shapes_;

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        const fs::path demo = fs::path(tmp_.path().toStdString()) / "demo";
        DemoOptions options;
        options.count = kCount;
        options.seed = kSeed;
        truth_ = writeDemoDataset(demo, options);
        QCOMPARE(truth_.size(), kCount);
        for (const auto& t : truth_)
            shapes_.push_back(
                measure(demo / kKaggleImageDirName / (std::to_string(t.id) + ".jpg")));
    }

    void axisRatiosFromPixels() {
        struct Range {
            int label;
            double lo, hi;
        };
        const std::vector<Range> ranges = {
            {0, 0.85, 1.0}, {1, 0.5, 0.85}, {2, 0.0, 0.45}, {3, 0.0, 0.3}};
        for (const auto& range : ranges) {
            std::vector<double> ratios;
            std::size_t inside = 0, missing = 0;
            double truthLo = 1, truthHi = 0, worstDiff = 0;
            for (std::size_t i = 0; i < truth_.size(); ++i) {
                if (truth_[i].label != range.label) continue;
                truthLo = std::min(truthLo, truth_[i].axisRatio);
                truthHi = std::max(truthHi, truth_[i].axisRatio);
                QVERIFY(truth_[i].axisRatio >= range.lo && truth_[i].axisRatio <= range.hi);
                if (!shapes_[i].found) {
                    ++missing;
                    continue;
                }
                const double q = shapes_[i].axisRatio;
                ratios.push_back(q);
                worstDiff = std::max(worstDiff, std::abs(q - truth_[i].axisRatio));
                if (q >= range.lo && q <= range.hi)
                    ++inside;
                else
                    qWarning("galaxy %lld (%s): measured b/a %.3f, rendered %.3f",
                             static_cast<long long>(truth_[i].id),
                             std::string(morphologyKey(range.label)).c_str(), q,
                             truth_[i].axisRatio);
            }
            QVERIFY(!ratios.empty());
            const auto [lo, hi] = std::minmax_element(ratios.begin(), ratios.end());
            qInfo(
                "%-10s measured b/a %.3f..%.3f (median %.3f), %zu of %zu in [%.2f, %.2f]; "
                "truth %.3f..%.3f; largest |measured - truth| %.3f",
                std::string(morphologyKey(range.label)).c_str(), *lo, *hi, median(ratios), inside,
                ratios.size() + missing, range.lo, range.hi, truthLo, truthHi, worstDiff);
            QCOMPARE(missing, std::size_t(0));
            QCOMPARE(inside, ratios.size());
        }
    }

    void objectsAreNotAllCentred() {
        double largest = 0;
        std::size_t offCentre = 0;
        for (std::size_t i = 0; i < truth_.size(); ++i) {
            if (truth_[i].label < 0 || !shapes_[i].found) continue;
            largest = std::max(largest, shapes_[i].offset);
            if (shapes_[i].offset > 20)
                qWarning("galaxy %lld (%s) measured %.1f px from the centre",
                         static_cast<long long>(truth_[i].id),
                         std::string(morphologyKey(truth_[i].label)).c_str(), shapes_[i].offset);
            if (shapes_[i].offset > 3) ++offCentre;
        }
        qInfo("largest measured offset from the centre: %.1f px; %zu galaxies off by > 3 px",
              largest, offCentre);
        QVERIFY(largest < 25);
        QVERIFY(offCentre > truth_.size() / 4);
    }

    void spiralsHaveArmsAndBlueLight() {
        std::vector<double> smooth, spiral, edgeOn, smoothRed, spiralRed;
        for (std::size_t i = 0; i < truth_.size(); ++i) {
            if (!shapes_[i].found) continue;
            const int label = truth_[i].label;
            if (label >= 0 && label <= 2) {
                smooth.push_back(shapes_[i].azimuthal);
                smoothRed.push_back(shapes_[i].redness);
            } else if (label == 4) {
                spiral.push_back(shapes_[i].azimuthal);
                spiralRed.push_back(shapes_[i].redness);
            } else if (label == 3) {
                edgeOn.push_back(shapes_[i].azimuthal);
            }
        }
        std::sort(smooth.begin(), smooth.end());
        std::sort(spiral.begin(), spiral.end());
        const auto quantile = [](const std::vector<double>& v, double p) {
            return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
        };
        qInfo(
            "azimuthal scatter along ellipses: smooth median %.3f (90%% %.3f, max %.3f); "
            "spiral median %.3f (10%% %.3f, min %.3f); edge-on median %.3f",
            median(smooth), quantile(smooth, 0.9), smooth.back(), median(spiral),
            quantile(spiral, 0.1), spiral.front(), median(edgeOn));
        qInfo("colour (R-B)/(R+B): smooth median %.3f, spiral median %.3f", median(smoothRed),
              median(spiralRed));
        QVERIFY(median(spiral) > 3 * median(smooth));
        QVERIFY(quantile(spiral, 0.1) > quantile(smooth, 0.9));
        QVERIFY(median(smoothRed) > median(spiralRed));
        QVERIFY(median(smoothRed) > 0);
    }
};

QTEST_APPLESS_MAIN(TestDemoImages)
#include "test_demo_images.moc"
