#pragma once
// Private to core: where LibTorch computes and with how many threads.

#include <torch/types.h>

#include <string>

namespace gz::detail {

/// The device of a configuration's "auto", "cpu" or "cuda"; "auto" is CUDA when available.
/// Throws DataError for "cuda" without a CUDA device.
torch::Device chooseDevice(const std::string& wanted);

/// The number of threads to use for `wanted` (0: every core).
int threadCount(int wanted);

}  // namespace gz::detail
