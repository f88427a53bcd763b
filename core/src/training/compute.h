#pragma once
// Private to core: where LibTorch computes and with how many threads.

#include <torch/types.h>

#include "gz/train_options.h"

namespace gz::detail {

/// The device of a configuration's choice; Auto is CUDA when available. Throws DataError for
/// Cuda without a CUDA device.
torch::Device chooseDevice(Device wanted);

/// The number of threads to use for `wanted` (0: every core).
int threadCount(int wanted);

}  // namespace gz::detail
