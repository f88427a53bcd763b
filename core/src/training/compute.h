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

/// Whether the forward pass runs in bfloat16 for `wanted` on `device`: resolveBf16 on the CPU;
/// fp32 on CUDA for Auto, and DataError for Bf16 (this app's bfloat16 is the CPU's).
bool useBf16(Precision wanted, const torch::Device& device);

/// While alive, and when constructed with true, LibTorch's CPU autocast runs this thread's
/// convolutions and matrix products in bfloat16 (their inputs and weights cast, the casts of
/// weights kept for the scope); restores the previous state and frees the casts on exit. Wrap
/// the forward pass only: backward follows the forward's types by itself.
class Bf16Autocast {
public:
    explicit Bf16Autocast(bool enabled);
    ~Bf16Autocast();
    Bf16Autocast(const Bf16Autocast&) = delete;
    Bf16Autocast& operator=(const Bf16Autocast&) = delete;

private:
    bool enabled_;
    bool previous_ = false;
    at::ScalarType previousType_ = at::kBFloat16;
};

}  // namespace gz::detail
