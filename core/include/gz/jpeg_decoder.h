#pragma once
// Decoding JPEG files to RGB images that know where they sit in the original frame.

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <optional>
#include <vector>

namespace gz {

/// A decoded image and where it sits in the original full-resolution frame, so that crops are
/// always given in original (424x424) pixels whatever the decode scale or cache.
struct SourceImage {
    cv::Mat rgb;           ///< CV_8UC3, RGB
    double scale = 1.0;    ///< original pixels per pixel of `rgb`, both axes: exactly 2 after a
                           ///< half-size decode (pixel i covers originals 2i and 2i + 1; for an
                           ///< odd size the last one covers only the last original pixel)
    double originX = 0.0;  ///< original-frame position of rgb's left edge
    double originY = 0.0;  ///< original-frame position of rgb's top edge
    int fullWidth = 0;     ///< the original image's size
    int fullHeight = 0;
};

/// How much of the original resolution decoding keeps.
enum class DecodeScale {
    Full,     ///< every pixel (bit-faithful to the reference resize)
    Half,     ///< JPEG DCT-domain half-size decode (IMREAD_REDUCED_COLOR_2): about twice as fast; a
              ///< 220-pixel crop resized to 80 keeps its detail (the resize drops more than half)
    Quarter,  ///< 1/4 size in the DCT domain (IMREAD_REDUCED_COLOR_4): thumbnails (424 -> 106)
    Eighth,   ///< 1/8 size in the DCT domain (IMREAD_REDUCED_COLOR_8): icons (424 -> 53)
};

/// Decodes a JPEG (libjpeg-turbo, the pixels of cv::imdecode) to RGB; grayscale JPEGs give three
/// equal channels. Throws DataError naming the file when it is missing, empty, not a JPEG,
/// truncated, corrupt (any libjpeg error or warning, e.g. "Corrupt JPEG data: bad Huffman code",
/// quoted; nothing is printed), CMYK, or not of `expectedSize` (when given). JPEG has no
/// checksum: damage after which the data still decodes cleanly (e.g. one changed byte, or a
/// scrambled stretch the Huffman decoder resynchronises after exactly) cannot be seen.
///
/// `region`, in original-frame pixels and inside the frame, decodes only the pixels covering it
/// (rounded outwards to whole decoded pixels): the result's originX / originY say where it
/// starts, and its pixels are exactly those of the whole decode there. The rest of the stream is
/// still checked for damage. Faster: the columns and rows outside skip the inverse DCT.
SourceImage decodeImage(const std::filesystem::path& file, DecodeScale scale = DecodeScale::Full,
                        std::optional<cv::Size> expectedSize = std::nullopt,
                        std::optional<cv::Rect> region = std::nullopt);
/// The same from encoded bytes in memory; `file` is for messages.
SourceImage decodeImage(const std::vector<std::uint8_t>& bytes, const std::filesystem::path& file,
                        DecodeScale scale = DecodeScale::Full,
                        std::optional<cv::Size> expectedSize = std::nullopt,
                        std::optional<cv::Rect> region = std::nullopt);

}  // namespace gz
