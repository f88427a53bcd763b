// What the model sees of an image of any size (gz/explain.h).

#include <algorithm>
#include <cmath>

#include "gz/decoded_cache.h"
#include "gz/explain.h"

namespace gz {

AugmentationParams evaluationParamsFor(const AugmentationParams& params, const SourceImage& image) {
    AugmentationParams p = params;
    const int side = std::min(image.fullWidth, image.fullHeight);
    p.evalCrop = std::max(1, static_cast<int>(std::lround(params.evalCrop * side /
                                                          static_cast<double>(kKaggleImageSide))));
    return p;
}

cv::Rect evaluationView(const AugmentationParams& params, const SourceImage& image) {
    // Centre crop evalCrop, resize to resizeTo, centre window outputSize (evaluationTransform).
    const double perPixel = params.evalCrop / static_cast<double>(params.resizeTo);
    const double offset = ((params.resizeTo - params.outputSize) / 2) * perPixel;
    const int side = static_cast<int>(std::lround(params.outputSize * perPixel));
    return {(image.fullWidth - params.evalCrop) / 2 + static_cast<int>(std::lround(offset)),
            (image.fullHeight - params.evalCrop) / 2 + static_cast<int>(std::lround(offset)), side,
            side};
}

}  // namespace gz
