#pragma once
// The images the Augmentation panel shows, computed off the GUI thread: one galaxy through the
// training transform step by step, a grid of random augmentations and the evaluation transform.

#include <QImage>
#include <QString>

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <vector>

#include "gz/constants.h"
#include "gz/image_pipeline.h"

namespace gz::ui {

/// One image of the preview with what it shows.
struct PreviewTile {
    QImage image;         ///< RGB888
    QString name;         ///< the step ("rotate") or the copy ("#3")
    QString value;        ///< the value drawn ("k = 3 (270 deg CCW)")
    bool enabled = true;  ///< false when the step is switched off (the image passes unchanged)
    double minimum = 0, maximum = 0;  ///< the float values' range before display scaling
};

/// What to compute: the image file of a galaxy and the draws to use.
struct PreviewRequest {
    std::filesystem::path imageFile;
    std::int64_t galaxyId = 0;
    AugmentationParams params;
    std::uint64_t seed = kDefaultSeed;
    std::uint64_t roll = 0;  ///< the "epoch" of the draw; re-roll increments it
    int gridCount = 8;       ///< random augmentations in the grid
};

struct AugmentationPreview {
    std::int64_t galaxyId = 0;
    AugmentationDraw draw;                ///< the draws of the step-by-step chain
    std::vector<PreviewTile> steps;       ///< original ... standardised
    std::vector<PreviewTile> grid;        ///< final training images of gridCount other draws
    std::vector<PreviewTile> evaluation;  ///< the evaluation transform's steps
};

/// The draws of the chain: drawAugmentation(params, seed, roll, 0); grid copy i uses index
/// i + 1. The image is decoded at half size, as the training cache holds it. Images before
/// standardisation are shown as they are (values clipped to 0..255 for display only);
/// standardised ones rescaled min..max. Throws DataError naming the file when it cannot be
/// used, Cancelled on stop.
AugmentationPreview computeAugmentationPreview(const PreviewRequest& request,
                                               const std::stop_token& stop = {});

}  // namespace gz::ui
