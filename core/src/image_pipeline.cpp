#include "gz/image_pipeline.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "gz/error.h"
#include "gz/files.h"
#include "portable_random.h"

namespace gz {
namespace fs = std::filesystem;
using nlohmann::json;

// ---- parameters --------------------------------------------------------------------------

void AugmentationParams::validate() const {
    auto require = [](bool ok, const std::string& what) {
        if (!ok) throw DataError("augmentation parameters: " + what);
    };
    require(cropMin >= 1 && cropMin <= cropMax, "need 1 <= cropMin <= cropMax");
    require(cropMax <= 4096 && evalCrop >= 1 && evalCrop <= 4096, "crop sides must be 1..4096");
    require(resizeTo >= 1 && resizeTo <= 1024, "resizeTo must be 1..1024");
    require(outputSize >= 1 && outputSize <= resizeTo, "need 1 <= outputSize <= resizeTo");
    require(flipProbability >= 0 && flipProbability <= 1, "flipProbability must be in [0, 1]");
    require(brightnessDelta >= 0 && brightnessDelta <= 255, "brightnessDelta must be in [0, 255]");
    require(contrastMin >= 0 && contrastMin <= contrastMax && contrastMax <= 10,
            "need 0 <= contrastMin <= contrastMax <= 10");
    require(hueDelta >= 0 && hueDelta <= 0.5, "hueDelta must be in [0, 0.5]");
    require(saturationMin >= 0 && saturationMin <= saturationMax && saturationMax <= 10,
            "need 0 <= saturationMin <= saturationMax <= 10");
}

namespace {

// One table of every field, so that JSON reading and writing cannot drift apart.
template <typename F>
void forEachField(AugmentationParams& p, F&& f) {
    f("scale_jitter", p.scaleJitter);
    f("crop_min", p.cropMin);
    f("crop_max", p.cropMax);
    f("resize_to", p.resizeTo);
    f("random_crop", p.randomCrop);
    f("output_size", p.outputSize);
    f("rotate", p.rotate);
    f("flip", p.flip);
    f("flip_probability", p.flipProbability);
    f("brightness", p.brightness);
    f("brightness_delta", p.brightnessDelta);
    f("contrast", p.contrast);
    f("contrast_min", p.contrastMin);
    f("contrast_max", p.contrastMax);
    f("hue", p.hue);
    f("hue_delta", p.hueDelta);
    f("saturation", p.saturation);
    f("saturation_min", p.saturationMin);
    f("saturation_max", p.saturationMax);
    f("clip_photometric", p.clipPhotometric);
    f("standardize", p.standardize);
    f("eval_crop", p.evalCrop);
}

}  // namespace

std::string AugmentationParams::toJson() const {
    json j = json::object();
    AugmentationParams copy = *this;
    forEachField(copy, [&](const char* key, auto& value) { j[key] = value; });
    return json{{"format", "galaxy-studio-augmentation"}, {"version", 1}, {"params", j}}.dump(2);
}

AugmentationParams AugmentationParams::fromJson(const std::string& text, const fs::path& source) {
    const fs::path where = source.empty() ? fs::path("augmentation parameters") : source;
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw DataError(where, std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object() || !j.contains("params") || !j["params"].is_object())
        throw DataError(where, "expected an object with a \"params\" object");
    AugmentationParams p;
    std::size_t known = 0;
    forEachField(p, [&](const char* key, auto& value) {
        if (!j["params"].contains(key)) return;
        ++known;
        try {
            value = j["params"][key].get<std::remove_reference_t<decltype(value)>>();
        } catch (const json::exception&) {
            throw DataError(where, std::string("\"") + key + "\" has the wrong type");
        }
    });
    if (known != j["params"].size()) {
        for (const auto& [key, value] : j["params"].items()) {
            bool found = false;
            forEachField(p, [&](const char* k, auto&) { found |= key == k; });
            if (!found) throw DataError(where, "unknown parameter \"" + key + "\"");
        }
    }
    try {
        p.validate();
    } catch (const DataError& e) {
        throw DataError(where, e.what());
    }
    return p;
}

void AugmentationParams::save(const fs::path& file) const {
    const std::string text = toJson() + "\n";
    writeFileAtomically(file, [&](std::ostream& out) { out << text; });
}

AugmentationParams AugmentationParams::load(const fs::path& file) {
    return fromJson(readWholeFile(file), file);
}

// ---- random draws --------------------------------------------------------------------------

AugmentationDraw drawAugmentation(const AugmentationParams& p, std::uint64_t seed,
                                  std::uint64_t epoch, std::uint64_t index) {
    std::mt19937_64 gen(detail::mixSeed(detail::mixSeed(seed, epoch), index));
    // Every value is drawn, in a fixed order, whether its step is on or not: switching one step
    // off in the preview does not change what the others draw.
    AugmentationDraw d;
    const int maxOffset = p.resizeTo - p.outputSize;
    const auto side = static_cast<int>(detail::uniformInt(gen, p.cropMin, p.cropMax));
    const auto x = static_cast<int>(detail::uniformInt(gen, 0, maxOffset));
    const auto y = static_cast<int>(detail::uniformInt(gen, 0, maxOffset));
    const auto k = static_cast<int>(detail::uniformInt(gen, 0, 3));
    const bool flip = detail::uniformReal(gen, 0.0, 1.0) < p.flipProbability;
    const double brightness = detail::uniformReal(gen, -p.brightnessDelta, p.brightnessDelta);
    const double contrast = detail::uniformReal(gen, p.contrastMin, p.contrastMax);
    const double hue = detail::uniformReal(gen, -p.hueDelta, p.hueDelta);
    const double saturation = detail::uniformReal(gen, p.saturationMin, p.saturationMax);

    d.cropSide = p.scaleJitter ? side : p.evalCrop;
    d.offsetX = p.randomCrop ? x : maxOffset / 2;
    d.offsetY = p.randomCrop ? y : maxOffset / 2;
    d.rotation = p.rotate ? k : 0;
    d.flipped = p.flip && flip;
    d.brightness = p.brightness ? brightness : 0.0;
    d.contrast = p.contrast ? contrast : 1.0;
    d.hue = p.hue ? hue : 0.0;
    d.saturation = p.saturation ? saturation : 1.0;
    return d;
}

// ---- decoding ------------------------------------------------------------------------------

namespace {

// The frame size from a JPEG's SOF marker; nullopt when the stream is not a JPEG we can read.
std::optional<cv::Size> jpegFrameSize(const std::vector<std::uint8_t>& b) {
    std::size_t i = 2;
    while (i + 9 < b.size()) {
        if (b[i] != 0xFF) return std::nullopt;
        const std::uint8_t marker = b[i + 1];
        if (marker == 0xFF) {  // fill byte
            ++i;
            continue;
        }
        const std::size_t length = (std::size_t(b[i + 2]) << 8) | b[i + 3];
        const bool sof =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            const int height = (b[i + 5] << 8) | b[i + 6];
            const int width = (b[i + 7] << 8) | b[i + 8];
            return cv::Size(width, height);
        }
        if (length < 2) return std::nullopt;
        i += 2 + length;
    }
    return std::nullopt;
}

bool hasJpegEnd(const std::vector<std::uint8_t>& b) {
    // The EOI marker, allowing for a little padding after it (some encoders add zeros).
    const std::size_t from = b.size() > 1024 ? b.size() - 1024 : 0;
    for (std::size_t i = b.size(); i-- > from + 1;)
        if (b[i - 1] == 0xFF && b[i] == 0xD9) return true;
    return false;
}

}  // namespace

SourceImage decodeImage(const std::vector<std::uint8_t>& bytes, const fs::path& file,
                        DecodeScale scale, std::optional<cv::Size> expectedSize) {
    if (bytes.empty()) throw DataError(file, "empty image file");
    if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8 || bytes[2] != 0xFF)
        throw DataError(file, "not a JPEG image");
    const auto frame = jpegFrameSize(bytes);
    if (!frame) throw DataError(file, "corrupt JPEG (no readable frame header)");
    if (!hasJpegEnd(bytes)) throw DataError(file, "truncated JPEG (the end marker is missing)");
    if (expectedSize && *frame != *expectedSize)
        throw DataError(file, "image is " + std::to_string(frame->width) + "x" +
                                  std::to_string(frame->height) + ", expected " +
                                  std::to_string(expectedSize->width) + "x" +
                                  std::to_string(expectedSize->height));

    const int flags = (scale == DecodeScale::Half ? cv::IMREAD_REDUCED_COLOR_2 : cv::IMREAD_COLOR) |
                      cv::IMREAD_IGNORE_ORIENTATION;
    cv::Mat bgr;
    try {
        bgr = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1,
                                   const_cast<std::uint8_t*>(bytes.data())),
                           flags);
    } catch (const cv::Exception& e) {
        throw DataError(file, std::string("cannot decode JPEG: ") + e.what());
    }
    if (bgr.empty() || bgr.type() != CV_8UC3) throw DataError(file, "cannot decode JPEG");
    SourceImage s;
    cv::cvtColor(bgr, s.rgb, cv::COLOR_BGR2RGB);
    s.fullWidth = frame->width;
    s.fullHeight = frame->height;
    s.scale = static_cast<double>(frame->width) / s.rgb.cols;
    return s;
}

SourceImage decodeImage(const fs::path& file, DecodeScale scale,
                        std::optional<cv::Size> expectedSize) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) throw DataError(file, "image file not found");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(file, "cannot open image file");
    std::vector<std::uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
    return decodeImage(bytes, file, scale, expectedSize);
}

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
