// The image path: a JPEG decoded whole or by region at each scale (as the cache, the browser and
// prediction decode), then the evaluation transform (prediction on any folder reaches it with
// any image size) and, for 424x424 images as the cache guarantees, the training transform.
// The last 6 bytes of the input choose the scale and the region; the rest is the file.
#include <optional>
#include <vector>

#include "fuzz_support.h"
#include "gz/augmentation.h"
#include "gz/constants.h"
#include "gz/explain.h"
#include "gz/jpeg_decoder.h"
#include "gz/transforms.h"

namespace {

constexpr std::size_t kChoiceBytes = 6;

void checkTransforms(const gz::SourceImage& image, std::uint8_t seed) {
    const gz::AugmentationParams defaults;
    const cv::Mat eval = gz::evaluationTransform(image, gz::evaluationParamsFor(defaults, image));
    if (eval.rows != defaults.outputSize || eval.cols != defaults.outputSize)
        gz::fuzz::fail("the evaluation transform gave the wrong size");
    if (image.fullWidth != gz::kKaggleImageSide || image.fullHeight != gz::kKaggleImageSide ||
        image.originX != 0 || image.originY != 0)
        return;
    const cv::Mat train =
        gz::trainingTransform(image, defaults, gz::drawAugmentation(defaults, seed, 0, seed));
    if (train.rows != defaults.outputSize || train.cols != defaults.outputSize)
        gz::fuzz::fail("the training transform gave the wrong size");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < kChoiceBytes) return 0;
    const std::uint8_t* choice = data + size - kChoiceBytes;
    const std::vector<std::uint8_t> bytes(data, data + size - kChoiceBytes);
    const auto scale = static_cast<gz::DecodeScale>(choice[0] % 4);
    std::optional<gz::SourceImage> whole;
    gz::fuzz::parsesOrRejects("galaxy.jpg",
                              [&] { whole = gz::decodeImage(bytes, "galaxy.jpg", scale); });
    if (!whole) return 0;
    if (whole->rgb.type() != CV_8UC3 || whole->rgb.empty())
        gz::fuzz::fail("a decoded image is not 8-bit RGB");
    checkTransforms(*whole, choice[1]);

    // A region inside the frame: its pixels must be those of the whole decode there.
    const int w = whole->fullWidth, h = whole->fullHeight;
    const int x = choice[2] % w, y = choice[3] % h;
    const cv::Rect region(x, y, 1 + choice[4] % (w - x), 1 + choice[5] % (h - y));
    std::optional<gz::SourceImage> part;
    gz::fuzz::parsesOrRejects("galaxy.jpg", [&] {
        part = gz::decodeImage(bytes, "galaxy.jpg", scale, cv::Size(w, h), region);
    });
    if (!part) gz::fuzz::fail("a region of a decodable image was refused");
    const int px = static_cast<int>((part->originX - whole->originX) / whole->scale);
    const int py = static_cast<int>((part->originY - whole->originY) / whole->scale);
    const cv::Rect inWhole(px, py, part->rgb.cols, part->rgb.rows);
    if ((inWhole & cv::Rect(0, 0, whole->rgb.cols, whole->rgb.rows)) != inWhole)
        gz::fuzz::fail("a region decode lies outside the whole image");
    if (cv::norm(part->rgb, whole->rgb(inWhole), cv::NORM_INF) != 0)
        gz::fuzz::fail("a region decode differs from the whole decode");
    checkTransforms(*part, choice[1]);
    return 0;
}
