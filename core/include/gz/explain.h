#pragma once
// A run's model loaded once, for looking at single galaxies: the class probabilities and where
// the model looked (Grad-CAM). The GUI's misclassified-galaxy inspector is built on it.

#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <vector>

#include "gz/evaluation.h"
#include "gz/image_pipeline.h"
#include "gz/training.h"

namespace gz {

/// Grad-CAM (Selvaraju et al. 2017) on the network's last convolutional stage: the stage's
/// feature maps weighted by the mean gradient of the class's logit over each map, summed, ReLU,
/// (averaged over the rotations and flips), divided by its maximum, then resized bilinearly onto
/// the part of the image the model sees.
struct SaliencyMap {
    cv::Mat map;    ///< CV_32F, the image's full size (fullHeight x fullWidth), 0..1; 0 outside
                    ///< `view`; all 0 when no feature raises the class's logit
    cv::Rect view;  ///< what the model sees of the image (the evaluation crop), original pixels
    cv::Size grid;  ///< the stage's own resolution (4 x 4 for `compact` at 64 px)
    int targetClass = 0;            ///< the class explained
    Probabilities probabilities{};  ///< the model's prediction for the image (no TTA)
};

/// A run's model (best checkpoint, else last) in evaluation mode. Calls are serialised, so one
/// object may be shared between threads; loading and each call belong off the GUI thread.
class RunModel {
public:
    /// Throws DataError when the run folder or its checkpoint cannot be read.
    explicit RunModel(const std::filesystem::path& runDir, int threads = 0);
    ~RunModel();
    RunModel(RunModel&&) noexcept;
    RunModel& operator=(RunModel&&) noexcept;

    const TrainConfig& config() const;
    /// The evaluation transform, then softmax (averaged over the 8 rotations/flips with TTA).
    Probabilities predict(const SourceImage& image, bool tta = false) const;
    /// The image's embedding (gz/embedding.h) after the evaluation transform, averaged over the 8
    /// rotations/flips with TTA: what "more like this" compares for an image of no data set.
    std::vector<float> embed(const SourceImage& image, bool tta = false) const;
    /// Grad-CAM for `targetClass` (-1: the predicted class). With `dihedralAverage`, the map is
    /// the mean of the maps of the image's 8 rotations and flips, each turned back: what is tied
    /// to the object survives, what is tied to the frame (padding, a fixed cell) is spread out.
    SaliencyMap gradCam(const SourceImage& image, int targetClass = -1,
                        bool dihedralAverage = true) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The evaluation parameters for an image of any size: the evaluation crop keeps its share of
/// the 424-pixel Kaggle frame.
AugmentationParams evaluationParamsFor(const AugmentationParams& params, const SourceImage& image);

/// The rectangle of the original image the evaluation transform feeds to the model.
cv::Rect evaluationView(const AugmentationParams& params, const SourceImage& image);

}  // namespace gz
