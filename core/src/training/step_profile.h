#pragma once
// Private to core: where a training step's time and arithmetic go, from LibTorch's profiler
// (galaxy-cli bench train).

#include <torch/nn.h>
#include <torch/optim.h>

#include <vector>

#include "gz/training.h"
#include "training/models.h"

namespace gz::detail {

/// Floating-point operations of one training step on `images` (a multiply-add counts two):
/// the forward pass's convolutions and matrix products as LibTorch's profiler counts them
/// (aten::conv2d, addmm, mm: nearly all of the arithmetic), three times over, since backward
/// computes a weight gradient and an input gradient of the same size for each, less the
/// first convolution's input gradient (the image needs none). Runs one forward pass without
/// gradients.
double trainingStepFlops(GalaxyNetImpl& net, const torch::Tensor& images);

/// Where `steps` training steps spend their time (trainStep on the batch (x, y), after one
/// unprofiled warm-up step): each operator's own time (its callees' excluded) summed by
/// part, in milliseconds per step, and the time outside any operator. The shares are of the
/// steps' wall-clock time.
std::vector<StepPart> profileTrainingSteps(
    GalaxyNetImpl& net, torch::optim::Optimizer& optimizer, const torch::Tensor& x,
    const torch::Tensor& y, const torch::nn::functional::CrossEntropyFuncOptions& options,
    int steps);

}  // namespace gz::detail
