#pragma once
// Private to core: class probabilities from a network in evaluation mode, with or without
// test-time augmentation (the 8 rotations and flips).

#include <torch/types.h>

#include <cstddef>
#include <functional>
#include <stop_token>
#include <string_view>
#include <vector>

#include "gz/decoded_cache.h"
#include "gz/evaluation.h"
#include "gz/image_pipeline.h"
#include "gz/progress.h"
#include "training/models.h"

namespace gz::detail {

/// The 8 rotations and flips of a batch (N, C, H, W), as 8N images: for k = 0..3, the batch
/// turned by rot90 k times, then the same flipped left-right.
torch::Tensor dihedral(const torch::Tensor& x);

/// What a network predicts for a batch, on the CPU, contiguous: the five-class probabilities
/// (N, classes) of the network's decision (GalaxyNetImpl::decision(): the softmax of the
/// classification head, or combined with the vote fractions) and, from a network with a votes
/// head, the vote fractions (N, 37; else undefined).
struct BatchOutputs {
    torch::Tensor probabilities, fractions;
    /// Copies row `i` into `p` (its probabilities, and its fractions when there are some).
    void copyRow(std::int64_t i, Prediction& p) const;
};

/// The outputs of `images` (N, 3, S, S), averaged over the 8 rotations and flips with `tta`.
/// The network must be in evaluation mode.
BatchOutputs predictBatch(GalaxyNetImpl& net, const torch::Tensor& images, bool tta,
                          const torch::Device& device);

/// predictBatch's probabilities alone.
torch::Tensor probabilities(GalaxyNetImpl& net, const torch::Tensor& images, bool tta,
                            const torch::Device& device);

/// The embeddings (N, D, on the CPU) of `images`, averaged over the 8 rotations and flips with
/// `tta`. The network must be in evaluation mode.
torch::Tensor embeddings(GalaxyNetImpl& net, const torch::Tensor& images, bool tta,
                         const torch::Device& device);

/// embeddings() and probabilities() of `images` from one pass of the network's features.
std::pair<torch::Tensor, torch::Tensor> embeddingsAndProbabilities(GalaxyNetImpl& net,
                                                                   const torch::Tensor& images,
                                                                   bool tta,
                                                                   const torch::Device& device);

/// Calls `use(images, first)` for the cached images `indices` in order, `batchSize` at a time,
/// each batch (n, 3, S, S) made with the evaluation transform by `workers` threads ahead of the
/// caller; `first` is the batch's first position in `indices`. Tells `message` on `progress`
/// after each batch; throws Cancelled on stop.
void forEachEvaluationBatch(const DecodedCache& cache, const std::vector<std::size_t>& indices,
                            const AugmentationParams& params, std::size_t batchSize, int workers,
                            const std::stop_token& stop, const ProgressFn& progress,
                            std::string_view message,
                            const std::function<void(const torch::Tensor&, std::size_t)>& use);

/// Predicts the cached images `indices` (true labels `labels`, in the same order) with the
/// evaluation transform, `batchSize` images a batch (an eighth of it with TTA) prepared by
/// `workers` threads. Puts the network in evaluation mode; throws Cancelled on stop.
std::vector<Prediction> predictIndices(GalaxyNetImpl& net, const DecodedCache& cache,
                                       const std::vector<std::size_t>& indices,
                                       const std::vector<int>& labels,
                                       const AugmentationParams& params, bool tta, int batchSize,
                                       int workers, const torch::Device& device,
                                       const std::stop_token& stop, const ProgressFn& progress);

}  // namespace gz::detail
