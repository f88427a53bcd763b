#pragma once
// Private to core: one optimisation step, shared by the training loop and the benchmark.

#include <torch/nn.h>
#include <torch/optim.h>

#include <cstdint>

#include "training/models.h"

namespace gz::detail {

struct StepResult {
    double loss;           ///< the batch's mean loss
    std::int64_t correct;  ///< images whose largest logit is their label
};

/// The name of the record scope around the optimiser's zero_grad and step (in LibTorch's
/// profiler, for bench train's profile).
inline constexpr const char* kOptimiserScope = "gz::optimiser";

/// Forward, cross-entropy with `options`, backward and one optimiser step on the batch (x, y).
StepResult trainStep(GalaxyNetImpl& net, torch::optim::Optimizer& optimizer, const torch::Tensor& x,
                     const torch::Tensor& y,
                     const torch::nn::functional::CrossEntropyFuncOptions& options);

}  // namespace gz::detail
