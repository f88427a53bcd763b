#pragma once
// Private to the demo generator: what it decides for one galaxy. The rendering fills in the
// details it draws (bar, ring, pitch, bulge); the vote fractions follow them.

#include "gz/morphology.h"

namespace gz::demo {

// How a galaxy is drawn.
enum class Look { Smooth, EdgeOn, Spiral, Irregular, AmbiguousSmooth, Lenticular, Pair };

struct Plan {
    int label = kUnlabeled;
    Look look = Look::Smooth;
    bool barred = false;
    bool ring = false;
    double pitchDeg = 20;
    double bulgeShare = 0.2;  // bulge's share of the light, for Q5 and Q9
};

}  // namespace gz::demo
