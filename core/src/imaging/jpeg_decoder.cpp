#include "gz/jpeg_decoder.h"

#include <cstdio>  // before jpeglib.h, which uses FILE and size_t without including them

#include <jerror.h>
#include <jpeglib.h>

#include <algorithm>
#include <csetjmp>
#include <cstring>
#include <stdexcept>
#include <string>

#include "gz/error.h"
#include "util/file_io.h"

namespace gz {
namespace fs = std::filesystem;

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

    // A progressive image whose later scans are missing is smoothed across blocks (libjpeg's
    // interblock smoothing), and at a cropped or skipped window's edge the smoothing sees the
    // window's edge instead of the neighbouring blocks: such images are decoded from the first
    // row at full width and the window cut out. Other images decode only the window.
    const bool decodeWindowOnly = !info.progressive_mode;

    // Columns: jpeg_crop_scanline widens the window to whole iMCU columns on the left. A margin
    // keeps the wanted columns off the decoded window's edges, where upsampled chroma (full-size
    // decodes of subsampled images) would see the window's edge instead of the real neighbours.
    JDIMENSION cropX = 0, cropWidth = info.output_width;
    if (decodeWindowOnly && (x0 > 0 || x1 < outWidth)) {
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
    const bool readLeadingRows = y0 > 0 && !decodeWindowOnly;
    // A scanline of the cropped width: for the columns kept, the rows read before the window and
    // the last row of the image.
    std::vector<std::uint8_t> row(
        direct && y1 == outHeight && !readLeadingRows ? 0 : std::size_t(3) * cropWidth);
    const std::size_t rowBytes = std::size_t(3) * static_cast<std::size_t>(x1 - x0);
    // Reads one scanline into `target`; false only with a suspending source (never here).
    const auto readRow = [&info](JSAMPROW target) {
        return jpeg_read_scanlines(&info, &target, 1) == 1;
    };
    bool complete = true;
    if (!guarded(d.errors, [&] {
            for (int y = 0; y < y0 && readLeadingRows; ++y)
                if (!(complete = readRow(row.data()))) return;
            if (y0 > 0 && !readLeadingRows) jpeg_skip_scanlines(&info, static_cast<JDIMENSION>(y0));
            for (int y = y0; y < y1; ++y) {
                if (!(complete = readRow(direct ? s.rgb.ptr<JSAMPLE>(y - y0) : row.data()))) return;
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
                if (!(complete = readRow(row.data()))) return;
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

}  // namespace gz
