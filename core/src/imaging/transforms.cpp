#include "gz/transforms.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "gz/error.h"

namespace gz {

// ---- the steps -------------------------------------------------------------------------------

namespace {

// Source index pair and weight of a bilinear tap along one axis.
struct Tap {
    int i0, i1;
    float w1;
};

// Taps for `out` samples of a crop [start, start + side) of the original frame, in the
// coordinates of a source of `n` pixels, each `scale` original pixels wide, whose edge sits at
// `origin`. Pixel centres are aligned (OpenCV INTER_LINEAR); edges are replicated.
std::vector<Tap> bilinearTaps(int start, int side, int out, double scale, double origin, int n) {
    std::vector<Tap> taps(static_cast<std::size_t>(out));
    const double step = static_cast<double>(side) / out;
    for (int u = 0; u < out; ++u) {
        const double full = start + (u + 0.5) * step;    // original frame, edge coordinates
        const double s = (full - origin) / scale - 0.5;  // source index coordinates
        const double f = std::floor(s);
        const int i0 = static_cast<int>(f);
        taps[static_cast<std::size_t>(u)] = {std::clamp(i0, 0, n - 1), std::clamp(i0 + 1, 0, n - 1),
                                             static_cast<float>(s - f)};
    }
    return taps;
}

void clip255(cv::Mat& image) {
    cv::max(image, 0.0, image);
    cv::min(image, 255.0, image);
}

}  // namespace

cv::Mat centreCropResize(const SourceImage& source, int side, int out) {
    const int left = (source.fullWidth - side) / 2;
    const int top = (source.fullHeight - side) / 2;
    const auto xs = bilinearTaps(left, side, out, source.scale, source.originX, source.rgb.cols);
    const auto ys = bilinearTaps(top, side, out, source.scale, source.originY, source.rgb.rows);
    cv::Mat result(out, out, CV_32FC3);
    for (int v = 0; v < out; ++v) {
        const Tap ty = ys[static_cast<std::size_t>(v)];
        const auto* r0 = source.rgb.ptr<std::uint8_t>(ty.i0);
        const auto* r1 = source.rgb.ptr<std::uint8_t>(ty.i1);
        auto* dst = result.ptr<float>(v);
        for (int u = 0; u < out; ++u) {
            const Tap tx = xs[static_cast<std::size_t>(u)];
            const int a = 3 * tx.i0, b = 3 * tx.i1;
            for (int c = 0; c < 3; ++c) {
                const float top0 = r0[a + c] + tx.w1 * (float(r0[b + c]) - float(r0[a + c]));
                const float bot0 = r1[a + c] + tx.w1 * (float(r1[b + c]) - float(r1[a + c]));
                dst[3 * u + c] = top0 + ty.w1 * (bot0 - top0);
            }
        }
    }
    return result;
}

cv::Mat cropWindow(const cv::Mat& image, int x, int y, int size) {
    if (x < 0 || y < 0 || x + size > image.cols || y + size > image.rows)
        throw DataError("crop window outside the image");
    return image(cv::Rect(x, y, size, size)).clone();
}

cv::Mat rotate90(const cv::Mat& image, int k) {
    k = ((k % 4) + 4) % 4;
    if (k == 0) return image.clone();
    cv::Mat out;
    static constexpr cv::RotateFlags kFlags[] = {cv::ROTATE_90_COUNTERCLOCKWISE, cv::ROTATE_180,
                                                 cv::ROTATE_90_CLOCKWISE};
    cv::rotate(image, out, kFlags[k - 1]);
    return out;
}

cv::Mat rotateAngle(const cv::Mat& image, double degrees) {
    if (degrees == 0.0) return image.clone();
    const cv::Point2f centre(static_cast<float>(image.cols - 1) / 2.0f,
                             static_cast<float>(image.rows - 1) / 2.0f);
    cv::Mat out;
    cv::warpAffine(image, out, cv::getRotationMatrix2D(centre, degrees, 1.0), image.size(),
                   cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
    return out;
}

cv::Mat flipHorizontal(const cv::Mat& image) {
    cv::Mat out;
    cv::flip(image, out, 1);
    return out;
}

void adjustBrightness(cv::Mat& image, double delta, bool clip) {
    image += cv::Scalar::all(delta);
    if (clip) clip255(image);
}

void adjustContrast(cv::Mat& image, double factor, bool clip) {
    const cv::Scalar mean = cv::mean(image);
    // x * f + m * (1 - f) == (x - m) * f + m, per channel.
    image.convertTo(image, -1, factor);
    image += mean * (1.0 - factor);
    if (clip) clip255(image);
}

namespace {

// Runs `edit` on the image as HSV (H in degrees, S and V in 0..1) and converts back.
template <typename Edit>
void editHsv(cv::Mat& image, bool clip, Edit&& edit) {
    cv::Mat hsv;
    cv::cvtColor(image * (1.0 / 255.0), hsv, cv::COLOR_RGB2HSV);
    edit(hsv);
    cv::cvtColor(hsv, image, cv::COLOR_HSV2RGB);
    image *= 255.0;
    if (clip) clip255(image);
}

}  // namespace

void adjustHue(cv::Mat& image, double delta, bool clip) {
    editHsv(image, clip, [delta](cv::Mat& hsv) {
        hsv.forEach<cv::Vec3f>([delta](cv::Vec3f& p, const int*) {
            float h = p[0] + static_cast<float>(delta * 360.0);
            h -= 360.0f * std::floor(h / 360.0f);
            p[0] = h;
        });
    });
}

void adjustSaturation(cv::Mat& image, double factor, bool clip) {
    editHsv(image, clip, [factor](cv::Mat& hsv) {
        hsv.forEach<cv::Vec3f>([factor](cv::Vec3f& p, const int*) {
            p[1] = std::clamp(p[1] * static_cast<float>(factor), 0.0f, 1.0f);
        });
    });
}

void standardizeImage(cv::Mat& image) {
    cv::Scalar mean, stddev;
    cv::meanStdDev(image.reshape(1), mean, stddev);
    const double n = static_cast<double>(image.total() * image.channels());
    const double scale = 1.0 / std::max(stddev[0], 1.0 / std::sqrt(n));
    // Subtract first, then scale: a flat image becomes exactly zero.
    image -= cv::Scalar::all(mean[0]);
    image *= scale;
}

// ---- the transforms --------------------------------------------------------------------------

namespace {

std::string fmt(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

void record(std::vector<TransformStep>* steps, std::string name, std::string value,
            const cv::Mat& image) {
    if (steps) steps->push_back({std::move(name), std::move(value), image.clone()});
}

}  // namespace

cv::Mat trainingTransform(const SourceImage& source, const AugmentationParams& p,
                          const AugmentationDraw& d, std::vector<TransformStep>* steps) {
    if (steps) {
        cv::Mat original;
        source.rgb.convertTo(original, CV_32FC3);
        record(steps, "original",
               std::to_string(source.fullWidth) + "x" + std::to_string(source.fullHeight),
               original);
        // The crop alone, at its own resolution, before the resize.
        record(steps, "scale crop", "S = " + std::to_string(d.cropSide),
               centreCropResize(source, d.cropSide,
                                static_cast<int>(std::lround(d.cropSide / source.scale))));
    }
    cv::Mat x = centreCropResize(source, d.cropSide, p.resizeTo);
    record(steps, "resize", std::to_string(p.resizeTo) + "x" + std::to_string(p.resizeTo), x);
    if (p.rotateAngle) x = rotateAngle(x, d.angle);
    record(steps, "rotate by an angle", p.rotateAngle ? fmt("%+.1f deg CCW", d.angle) : "off", x);
    x = cropWindow(x, d.offsetX, d.offsetY, p.outputSize);
    record(steps, "random crop",
           "x = " + std::to_string(d.offsetX) + ", y = " + std::to_string(d.offsetY), x);
    if (d.rotation) x = rotate90(x, d.rotation);
    record(
        steps, "rotate",
        "k = " + std::to_string(d.rotation) + " (" + std::to_string(90 * d.rotation) + " deg CCW)",
        x);
    if (d.flipped) x = flipHorizontal(x);
    record(steps, "flip", d.flipped ? "flipped" : "not flipped", x);
    if (p.brightness) adjustBrightness(x, d.brightness, p.clipPhotometric);
    record(steps, "brightness", fmt("%+.1f", d.brightness), x);
    if (p.contrast) adjustContrast(x, d.contrast, p.clipPhotometric);
    record(steps, "contrast", fmt("x %.3f", d.contrast), x);
    if (p.hue) adjustHue(x, d.hue, p.clipPhotometric);
    if (p.saturation) adjustSaturation(x, d.saturation, p.clipPhotometric);
    record(steps, "hue / saturation",
           (p.hue ? fmt("hue %+.3f", d.hue) : std::string("hue off")) + ", " +
               (p.saturation ? fmt("sat x %.3f", d.saturation) : std::string("sat off")),
           x);
    if (p.standardize) standardizeImage(x);
    record(steps, "standardise", p.standardize ? "mean 0, std 1" : "off", x);
    return x;
}

cv::Mat evaluationTransform(const SourceImage& source, const AugmentationParams& p,
                            std::vector<TransformStep>* steps) {
    cv::Mat x = centreCropResize(source, p.evalCrop, p.resizeTo);
    record(steps, "centre crop + resize",
           "S = " + std::to_string(p.evalCrop) + " -> " + std::to_string(p.resizeTo), x);
    const int offset = (p.resizeTo - p.outputSize) / 2;
    x = cropWindow(x, offset, offset, p.outputSize);
    record(steps, "centre crop", std::to_string(p.outputSize) + "x" + std::to_string(p.outputSize),
           x);
    if (p.standardize) standardizeImage(x);
    record(steps, "standardise", p.standardize ? "mean 0, std 1" : "off", x);
    return x;
}

cv::Mat toDisplayRgb8(const cv::Mat& image) {
    double lo = 0, hi = 0;
    cv::minMaxLoc(image.reshape(1), &lo, &hi);
    cv::Mat out;
    const double scale = hi > lo ? 255.0 / (hi - lo) : 1.0;
    image.convertTo(out, CV_8UC3, scale, -lo * scale);
    return out;
}

}  // namespace gz
