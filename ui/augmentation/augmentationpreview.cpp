#include "augmentation/augmentationpreview.h"

#include <opencv2/core.hpp>

#include <string>

#include "common/cvimage.h"
#include "gz/decoded_cache.h"
#include "gz/error.h"

namespace gz::ui {

namespace {

bool stepEnabled(const std::string& name, const AugmentationParams& p) {
    if (name == "scale crop") return p.scaleJitter;
    if (name == "random crop") return p.randomCrop;
    if (name == "rotate by an angle") return p.rotateAngle;
    if (name == "rotate") return p.rotate;
    if (name == "flip") return p.flip;
    if (name == "brightness") return p.brightness;
    if (name == "contrast") return p.contrast;
    if (name == "hue / saturation") return p.hue || p.saturation;
    if (name == "standardise") return p.standardize;
    return true;
}

PreviewTile tileOf(const cv::Mat& image, bool standardised, QString name, QString value,
                   bool enabled) {
    PreviewTile tile;
    cv::minMaxLoc(image.reshape(1), &tile.minimum, &tile.maximum);
    cv::Mat rgb8;
    if (standardised)
        rgb8 = toDisplayRgb8(image);
    else
        image.convertTo(rgb8, CV_8UC3);  // saturates: values outside 0..255 show clipped
    tile.image = toQImage(rgb8);
    tile.name = std::move(name);
    tile.value = std::move(value);
    tile.enabled = enabled;
    return tile;
}

}  // namespace

AugmentationPreview computeAugmentationPreview(const PreviewRequest& r,
                                               const std::stop_token& stop) {
    r.params.validate();
    if (stop.stop_requested()) throw Cancelled();
    const SourceImage source =
        decodeImage(r.imageFile, DecodeScale::Half, cv::Size(kKaggleImageSide, kKaggleImageSide));
    AugmentationPreview out;
    out.galaxyId = r.galaxyId;
    out.draw = drawAugmentation(r.params, r.seed, r.roll, 0);

    std::vector<TransformStep> steps;
    trainingTransform(source, r.params, out.draw, &steps);
    for (const TransformStep& s : steps) {
        const bool standardised = s.name == "standardise" && r.params.standardize;
        out.steps.push_back(tileOf(s.image, standardised, QString::fromStdString(s.name),
                                   QString::fromStdString(s.value), stepEnabled(s.name, r.params)));
    }
    for (int i = 0; i < r.gridCount; ++i) {
        if (stop.stop_requested()) throw Cancelled();
        const AugmentationDraw d =
            drawAugmentation(r.params, r.seed, r.roll, static_cast<std::uint64_t>(i) + 1);
        const cv::Mat x = trainingTransform(source, r.params, d);
        QString value = QStringLiteral("S %1, k %2%3")
                            .arg(d.cropSide)
                            .arg(d.rotation)
                            .arg(d.flipped ? QStringLiteral(", flip") : QString());
        out.grid.push_back(
            tileOf(x, r.params.standardize, QStringLiteral("#%1").arg(i + 1), value, true));
    }
    steps.clear();
    evaluationTransform(source, r.params, &steps);
    for (const TransformStep& s : steps) {
        const bool standardised = s.name == "standardise" && r.params.standardize;
        out.evaluation.push_back(tileOf(s.image, standardised, QString::fromStdString(s.name),
                                        QString::fromStdString(s.value),
                                        s.name != "standardise" || r.params.standardize));
    }
    return out;
}

}  // namespace gz::ui
