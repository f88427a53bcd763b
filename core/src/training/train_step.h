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

/// What a training step minimises: the cross-entropy of the labels with `classes`, plus, for a
/// network with a votes head, `votesWeight` times the mean squared error of the 37 predicted
/// vote fractions (the square of Kaggle's RMSE).
struct LossSpec {
    torch::nn::functional::CrossEntropyFuncOptions classes;
    double votesWeight = 0;
};

/// The sum over a batch of the squared errors of the predicted vote fractions (N, 37).
torch::Tensor votesSquaredError(const torch::Tensor& fractions, const torch::Tensor& target);

/// The name of the record scope around the optimiser's zero_grad and step (in LibTorch's
/// profiler, for bench train's profile).
inline constexpr const char* kOptimiserScope = "gz::optimiser";

/// Forward, the loss of `spec`, backward and one optimiser step on the batch (x, labels y,
/// vote fractions `votes` (N, 37), undefined without a votes head).
StepResult trainStep(GalaxyNetImpl& net, torch::optim::Optimizer& optimizer, const torch::Tensor& x,
                     const torch::Tensor& y, const torch::Tensor& votes, const LossSpec& spec);

}  // namespace gz::detail
