#pragma once
// Private to core: an exponential moving average of a network's weights (TrainConfig::emaDecay),
// kept in a second network of the same architecture.

#include <cstdint>

#include "training/models.h"

namespace gz::detail {

/// The share of the average an update keeps at optimiser step `step` (0-based): `decay`, but
/// at most (1 + step) / (10 + step), so that the first steps' weights do not linger.
double averageDecay(double decay, std::int64_t step);

/// average = d x average + (1 - d) x weights for every parameter and floating-point buffer
/// (BatchNorm's running statistics), d = averageDecay(decay, step); other buffers are copied.
void updateAverage(GalaxyNetImpl& average, GalaxyNetImpl& net, double decay, std::int64_t step);

/// Copies every parameter and buffer of `from` into `to` (the same architecture).
void copyWeights(GalaxyNetImpl& to, GalaxyNetImpl& from);

}  // namespace gz::detail
