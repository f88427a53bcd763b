#pragma once
// Decoding and the training / evaluation transforms of REFERENCE.md stages 3 and 4, one step at a
// time so the GUI can show the chain. Images are cv::Mat, RGB channel order throughout: uint8
// (CV_8UC3) after decoding, float32 (CV_32FC3, values on 0..255, not clipped unless asked) after
// the first resampling.

#include <array>
#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gz {

/// Every parameter of the training and evaluation transforms, each step switchable.
/// Defaults reproduce the original workflow (hue and saturation off, no clipping).
struct AugmentationParams {
    // 1. Scale jittering: centre crop of side S, S uniform in [cropMin, cropMax] (integers).
    bool scaleJitter = true;
    int cropMin = 170;
    int cropMax = 241;
    // 2. Bilinear resize (no antialiasing) to resizeTo x resizeTo.
    int resizeTo = 80;
    // 3. Random crop of outputSize; offsets uniform in [0, resizeTo - outputSize] inclusive.
    bool randomCrop = true;
    int outputSize = 64;
    // 4. Rotation by k * 90 degrees counter-clockwise, k uniform in {0, 1, 2, 3}.
    bool rotate = true;
    // 5. Horizontal flip with this probability.
    bool flip = true;
    double flipProbability = 0.5;
    // 6. Brightness: add one delta uniform in [-brightnessDelta, brightnessDelta].
    bool brightness = true;
    double brightnessDelta = 63.0;
    // 7. Contrast: scale each channel's deviation from its mean by a factor in [min, max].
    bool contrast = true;
    double contrastMin = 0.2;
    double contrastMax = 1.8;
    // 8. Hue shift (fraction of the hue circle, uniform in [-hueDelta, hueDelta]) and saturation
    //    factor (uniform in [saturationMin, saturationMax]). Off in the original code.
    bool hue = false;
    double hueDelta = 0.2;
    bool saturation = false;
    double saturationMin = 0.0;
    double saturationMax = 2.0;
    // Clip to 0..255 after each photometric step (what happens to 8-bit images). Off in the
    // original, where standardisation then cancels brightness and most of contrast.
    bool clipPhotometric = false;
    // 9. Per-image standardisation over all values.
    bool standardize = true;
    // Evaluation: centre crop evalCrop -> resize resizeTo -> centre crop outputSize.
    int evalCrop = 220;

    /// Throws DataError when a value is out of range (e.g. cropMin > cropMax, outputSize >
    /// resizeTo, a crop larger than the image).
    void validate() const;
    std::string toJson() const;
    /// Missing keys keep their defaults; unknown keys and bad values throw DataError.
    static AugmentationParams fromJson(const std::string& json,
                                       const std::filesystem::path& source = {});
    void save(const std::filesystem::path& file) const;  ///< atomic
    static AugmentationParams load(const std::filesystem::path& file);
    bool operator==(const AugmentationParams&) const = default;
};

/// The random values drawn for one image in one epoch (reported with the output).
struct AugmentationDraw {
    int cropSide = 0;  ///< S (full-resolution pixels)
    int offsetX = 0, offsetY = 0;
    int rotation = 0;  ///< k: k * 90 degrees counter-clockwise
    bool flipped = false;
    double brightness = 0.0;
    double contrast = 1.0;
    double hue = 0.0;
    double saturation = 1.0;
    bool operator==(const AugmentationDraw&) const = default;
};

/// The draws for image `index` in `epoch` of a run seeded with `seed`: independent of thread
/// count and of the order images are processed in. Switched-off steps draw their neutral value.
AugmentationDraw drawAugmentation(const AugmentationParams& params, std::uint64_t seed,
                                  std::uint64_t epoch, std::uint64_t index);

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

// ---- the steps, each callable alone ------------------------------------------------------

/// Steps 1-2: the centre crop of `side` original pixels (left = (width - side) / 2, integer
/// division, as PIL's centre crop), resized bilinearly without antialiasing (pixel centres
/// aligned, as OpenCV's INTER_LINEAR and TensorFlow 2) to out x out. Returns CV_32FC3.
cv::Mat centreCropResize(const SourceImage& source, int side, int out);
/// Step 3 (and the evaluation's centre crop): a size x size window at (x, y). Returns a copy.
cv::Mat cropWindow(const cv::Mat& image, int x, int y, int size);
/// Step 4: k * 90 degrees counter-clockwise (numpy.rot90(image, k)).
cv::Mat rotate90(const cv::Mat& image, int k);
/// Step 5: mirror left-right (image[:, ::-1]).
cv::Mat flipHorizontal(const cv::Mat& image);
/// Step 6: add delta to every value.
void adjustBrightness(cv::Mat& image, double delta, bool clip);
/// Step 7: (x - mean_c) * factor + mean_c per channel c.
void adjustContrast(cv::Mat& image, double factor, bool clip);
/// Step 8: rotate hue by delta of the full circle; multiply saturation by factor (HSV on 0..255
/// values; saturation clipped to [0, 1] as TensorFlow does).
void adjustHue(cv::Mat& image, double delta, bool clip);
void adjustSaturation(cv::Mat& image, double factor, bool clip);
/// Step 9: (x - mean) / max(std, 1 / sqrt(N)) over all N values.
void standardizeImage(cv::Mat& image);

/// One intermediate image of the chain, for the preview.
struct TransformStep {
    std::string name;   ///< "scale crop", "resize 80", "random crop", "rotate", ...
    std::string value;  ///< the value drawn, e.g. "S = 201", "k = 3 (270 deg)"
    cv::Mat image;      ///< CV_32FC3 (values as they are at that step)
};

/// The training transform with the given draws. When `steps` is given, every intermediate
/// image is appended to it. Returns CV_32FC3 outputSize x outputSize.
cv::Mat trainingTransform(const SourceImage& source, const AugmentationParams& params,
                          const AugmentationDraw& draw,
                          std::vector<TransformStep>* steps = nullptr);
/// The evaluation transform (deterministic).
cv::Mat evaluationTransform(const SourceImage& source, const AugmentationParams& params,
                            std::vector<TransformStep>* steps = nullptr);

/// A float image for display: min..max mapped to 0..255 (standardised values included).
cv::Mat toDisplayRgb8(const cv::Mat& image);

}  // namespace gz
