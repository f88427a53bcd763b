#include "gz/image_pipeline.h"

#include <cstdio>  // before jpeglib.h, which uses FILE and size_t without including them

#include <jerror.h>
#include <jpeglib.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstring>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "gz/error.h"
#include "gz/files.h"
#include "util/file_io.h"
#include "util/portable_random.h"

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
//
// libjpeg(-turbo) is called directly rather than through cv::imdecode, for two reasons:
//  - damaged compressed data only makes libjpeg print a warning ("Corrupt JPEG data: premature
//    end of data segment") and carry on with made-up pixels; here a warning refuses the image;
//  - speed: no BGR -> RGB pass (libjpeg writes RGB), and for the decoded cache only a window
//    is decoded: jpeg_crop_scanline skips the inverse DCT, upsampling and colour conversion of
//    the columns outside, jpeg_skip_scanlines those of the rows outside.
// The settings are the library defaults, as OpenCV 4.6's (slow integer IDCT, fancy upsampling,
// scale 1/2 for the reduced decode), so the pixels are those of cv::imdecode with IMREAD_COLOR /
// IMREAD_REDUCED_COLOR_2 (Debian's OpenCV uses the same libjpeg62-turbo).

namespace {

bool hasJpegEnd(const std::vector<std::uint8_t>& b) {
    // The EOI marker, allowing for a little padding after it (some encoders add zeros).
    const std::size_t from = b.size() > 1024 ? b.size() - 1024 : 0;
    for (std::size_t i = b.size(); i-- > from + 1;)
        if (b[i - 1] == 0xFF && b[i] == 0xD9) return true;
    return false;
}

// Images larger than this are refused before any pixel memory is allocated (OpenCV's default
// limit, CV_IO_MAX_IMAGE_PIXELS).
constexpr std::uint64_t kMaxPixels = std::uint64_t(1) << 30;

// libjpeg reports problems through these callbacks. Fatal errors and warnings both jump back
// to the guarded call with libjpeg's message; nothing is ever printed.
struct JpegErrors {
    jpeg_error_mgr pub;  // first member: libjpeg hands back a pointer to it
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jpegFail(j_common_ptr info) {
    auto* errors = reinterpret_cast<JpegErrors*>(info->err);
    (*info->err->format_message)(info, errors->message);
    std::longjmp(errors->jump, 1);
}

void jpegMessage(j_common_ptr info, int level) {
    if (level >= 0) return;  // trace messages (libjpeg shows them only when asked to)
    // A warning: the data is damaged and libjpeg would go on with made-up pixels. Only an
    // unknown JFIF revision number says nothing about the pixels.
    if (info->err->msg_code == JWRN_JFIF_MAJOR) return;
    jpegFail(info);
}

void jpegOutputNothing(j_common_ptr) {}

// A decompressor whose destructor always releases libjpeg's memory (jpeg_destroy_decompress
// is safe on a zeroed struct and after any failure).
struct JpegDecompressor {
    jpeg_decompress_struct info{};
    JpegErrors errors{};
    JpegDecompressor() {
        info.err = jpeg_std_error(&errors.pub);
        errors.pub.error_exit = jpegFail;
        errors.pub.emit_message = jpegMessage;
        errors.pub.output_message = jpegOutputNothing;
    }
    JpegDecompressor(const JpegDecompressor&) = delete;
    JpegDecompressor& operator=(const JpegDecompressor&) = delete;
    ~JpegDecompressor() { jpeg_destroy_decompress(&info); }
};

// Runs `step`, which calls libjpeg, with the jump target armed: false (and the message in
// errors.message) when libjpeg failed or warned. Nothing in `step` may own an object with a
// destructor: longjmp would skip it.
template <typename Step>
bool guarded(JpegErrors& errors, Step&& step) {
    if (setjmp(errors.jump) != 0) return false;
    step();
    return true;
}

[[noreturn]] void throwCorrupt(const fs::path& file, const JpegErrors& errors) {
    throw DataError(file, std::string("corrupt JPEG: ") + errors.message);
}

const char* colourSpaceName(J_COLOR_SPACE space) {
    switch (space) {
        case JCS_CMYK:
            return "CMYK";
        case JCS_YCCK:
            return "CMYK (YCCK-coded)";
        default:
            return "an unknown colour space";
    }
}

}  // namespace

SourceImage decodeImage(const std::vector<std::uint8_t>& bytes, const fs::path& file,
                        DecodeScale scale, std::optional<cv::Size> expectedSize,
                        std::optional<cv::Rect> region) {
    if (bytes.empty()) throw DataError(file, "empty image file");
    if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8 || bytes[2] != 0xFF)
        throw DataError(file, "not a JPEG image");

    JpegDecompressor d;
    jpeg_decompress_struct& info = d.info;
    if (!guarded(d.errors, [&] {
            jpeg_create_decompress(&info);
            jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
            jpeg_read_header(&info, TRUE);
        }))
        throwCorrupt(file, d.errors);
    const cv::Size frame(static_cast<int>(info.image_width), static_cast<int>(info.image_height));

    if (!hasJpegEnd(bytes)) throw DataError(file, "truncated JPEG (the end marker is missing)");
    if (expectedSize && frame != *expectedSize)
        throw DataError(file, "image is " + std::to_string(frame.width) + "x" +
                                  std::to_string(frame.height) + ", expected " +
                                  std::to_string(expectedSize->width) + "x" +
                                  std::to_string(expectedSize->height));
    if (static_cast<std::uint64_t>(frame.width) * static_cast<std::uint64_t>(frame.height) >
        kMaxPixels)
        throw DataError(file, "image is " + std::to_string(frame.width) + "x" +
                                  std::to_string(frame.height) + ", too large to decode");
    if (info.jpeg_color_space != JCS_GRAYSCALE && info.jpeg_color_space != JCS_YCbCr &&
        info.jpeg_color_space != JCS_RGB)
        throw DataError(file, std::string("JPEG in ") + colourSpaceName(info.jpeg_color_space) +
                                  " is not supported (convert it to RGB)");
    const cv::Rect frameRect({0, 0}, frame);
    if (region && (region->empty() || (*region & frameRect) != *region))
        throw DataError(file, "decode region " + std::to_string(region->width) + "x" +
                                  std::to_string(region->height) + " at (" +
                                  std::to_string(region->x) + ", " + std::to_string(region->y) +
                                  ") is not inside the " + std::to_string(frame.width) + "x" +
                                  std::to_string(frame.height) + " image");

    const int denom = scale == DecodeScale::Eighth    ? 8
                      : scale == DecodeScale::Quarter ? 4
                      : scale == DecodeScale::Half    ? 2
                                                      : 1;
    if (!guarded(d.errors, [&] {
            info.scale_num = 1;
            info.scale_denom = static_cast<unsigned int>(denom);
            info.out_color_space = JCS_RGB;  // grayscale is expanded to three equal channels
            jpeg_start_decompress(&info);
        }))
        throwCorrupt(file, d.errors);

    // The output pixels wanted: output pixel i covers original pixels [denom i, denom (i + 1)).
    const int outWidth = static_cast<int>(info.output_width);
    const int outHeight = static_cast<int>(info.output_height);
    int x0 = 0, y0 = 0, x1 = outWidth, y1 = outHeight;
    if (region) {
        x0 = region->x / denom;
        y0 = region->y / denom;
        x1 = std::min(outWidth, (region->x + region->width + denom - 1) / denom);
        y1 = std::min(outHeight, (region->y + region->height + denom - 1) / denom);
    }

    // Columns: jpeg_crop_scanline widens the window to whole iMCU columns on the left. A margin
    // keeps the wanted columns off the decoded window's edges, where upsampled chroma (full-size
    // decodes of subsampled images) would see the window's edge instead of the real neighbours.
    JDIMENSION cropX = 0, cropWidth = info.output_width;
    if (x0 > 0 || x1 < outWidth) {
        constexpr int kMargin = 2;
        cropX = static_cast<JDIMENSION>(std::max(0, x0 - kMargin));
        cropWidth = static_cast<JDIMENSION>(std::min(outWidth, x1 + kMargin)) - cropX;
        if (!guarded(d.errors, [&] { jpeg_crop_scanline(&info, &cropX, &cropWidth); }))
            throwCorrupt(file, d.errors);
        if (static_cast<int>(cropX) > x0 || static_cast<int>(cropX + cropWidth) < x1)
            throw std::logic_error("jpeg_crop_scanline gave a window without the wanted columns");
    }
    const auto skipColumns = static_cast<std::size_t>(x0) - cropX;
    const bool direct = skipColumns == 0 && static_cast<int>(cropWidth) == x1 - x0;

    SourceImage s;
    s.rgb.create(y1 - y0, x1 - x0, CV_8UC3);
    // A scanline of the cropped width: for the columns kept and for the last row of the image.
    std::vector<std::uint8_t> row(direct && y1 == outHeight ? 0 : std::size_t(3) * cropWidth);
    const std::size_t rowBytes = std::size_t(3) * static_cast<std::size_t>(x1 - x0);
    bool complete = true;
    if (!guarded(d.errors, [&] {
            if (y0 > 0) jpeg_skip_scanlines(&info, static_cast<JDIMENSION>(y0));
            for (int y = y0; y < y1; ++y) {
                JSAMPROW target = direct ? s.rgb.ptr<JSAMPLE>(y - y0) : row.data();
                if (jpeg_read_scanlines(&info, &target, 1) != 1) {  // only a suspending source
                    complete = false;
                    return;
                }
                if (!direct) std::memcpy(s.rgb.ptr(y - y0), row.data() + 3 * skipColumns, rowBytes);
            }
            // The rest of the stream must still be read: damaged data rarely makes a bad Huffman
            // code; more often the decoder resynchronises and only the count of bytes left
            // before the end marker tells. Skipping to the very end would stop reading
            // (libjpeg-turbo then just marks the end reached), so all rows but the last are
            // skipped (entropy-decoded, no IDCT) and the last one read.
            if (y1 < outHeight) {
                if (y1 < outHeight - 1)
                    jpeg_skip_scanlines(&info, static_cast<JDIMENSION>(outHeight - 1 - y1));
                JSAMPROW target = row.data();
                if (jpeg_read_scanlines(&info, &target, 1) != 1) {
                    complete = false;
                    return;
                }
            }
            jpeg_finish_decompress(&info);
        }))
        throwCorrupt(file, d.errors);
    if (!complete) throw DataError(file, "corrupt JPEG: the decoder stopped early");

    s.scale = denom;
    s.originX = static_cast<double>(x0) * denom;
    s.originY = static_cast<double>(y0) * denom;
    s.fullWidth = frame.width;
    s.fullHeight = frame.height;
    return s;
}

SourceImage decodeImage(const fs::path& file, DecodeScale scale,
                        std::optional<cv::Size> expectedSize, std::optional<cv::Rect> region) {
    std::vector<std::uint8_t> bytes;
    detail::readImageBytes(file, bytes);
    return decodeImage(bytes, file, scale, expectedSize, region);
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
