#pragma once
// Private to the demo generator: drawing one galaxy of a planned look, with stars, sky and noise.

#include <opencv2/core.hpp>

#include "data/demo_plan.h"
#include "data/demo_rng.h"

namespace gz::demo {

/// How a galaxy of `label` is drawn; for the unlabeled ones one of four looks is drawn.
Look chooseLook(int label, Rng& rng);

struct RenderedGalaxy {
    cv::Mat bgr;           ///< CV_8UC3, size x size
    double axisRatio = 1;  ///< b/a of the rendered light profile
};

/// Draws the galaxy `plan` describes on a size x size image and fills in the details drawn
/// (bar, ring, pitch, bulge share).
RenderedGalaxy renderGalaxy(Plan& plan, int size, Rng& rng);

}  // namespace gz::demo
