#pragma once
// The training and evaluation transforms, one step at a time so the GUI can show the chain.
// Images are cv::Mat, RGB channel order throughout: uint8 (CV_8UC3) after decoding, float32
// (CV_32FC3, values on 0..255, not clipped unless asked) after the first resampling.

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "gz/augmentation.h"
#include "gz/jpeg_decoder.h"

namespace gz {

// ---- the steps, each callable alone ------------------------------------------------------

/// Steps 1-2: the centre crop of `side` original pixels (left = (width - side) / 2, integer
/// division, as PIL's centre crop), resized bilinearly without antialiasing (pixel centres
/// aligned, as OpenCV's INTER_LINEAR and TensorFlow 2) to out x out. Returns CV_32FC3.
cv::Mat centreCropResize(const SourceImage& source, int side, int out);
/// Step 3 (and the evaluation's centre crop): a size x size window at (x, y). Returns a copy.
cv::Mat cropWindow(const cv::Mat& image, int x, int y, int size);
/// Step 4: k * 90 degrees counter-clockwise (numpy.rot90(image, k)).
cv::Mat rotate90(const cv::Mat& image, int k);
/// Step 2b: `degrees` counter-clockwise about the centre, bilinear, corners filled by mirroring
/// (BORDER_REFLECT_101). Same size as `image`.
cv::Mat rotateAngle(const cv::Mat& image, double degrees);
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
