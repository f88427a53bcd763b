#pragma once
// Private to the demo generator: the sky, its noise and the stretch to an 8-bit image.

#include <opencv2/core.hpp>

#include "data/demo_rng.h"

namespace gz::demo {

/// Adds sky and noise to `img` (linear flux, demo_paint.h) and maps it to 8-bit BGR with an asinh
/// stretch on the luminance (Lupton et al. 2004), keeping colours.
cv::Mat exposeSky(cv::Mat& img, Rng& rng);

}  // namespace gz::demo
