#pragma once
// Private to core: the pieces of a data-parallel training that differ from a single process:
// one optimisation step on a share of a batch, the agreement after it, and prediction shared
// out over the ranks.

#include <torch/nn.h>
#include <torch/optim.h>

#include <cstddef>
#include <utility>
#include <vector>

#include "distributed/communicator.h"
#include "distributed/shares.h"
#include "gz/decoded_cache.h"
#include "gz/evaluation.h"
#include "gz/image_pipeline.h"
#include "training/models.h"
#include "training/train_step.h"

namespace gz::detail {

/// One step on this rank's share (x, y, `votes`) of a global batch of `batchSize` images: the
/// loss is the share's summed cross-entropy divided by `denominator` (the global batch's
/// labelsWeight), plus with a votes head the weight times its summed votes loss over the global
/// batch's 37 x batchSize fractions, so that the gradients summed over the ranks are exactly the
/// gradient of the global batch's loss (trainStep's). Returns this rank's part of the batch
/// loss, of the loss's two parts and of the counts: their sums over the ranks are the global
/// batch's.
StepResult dataParallelStep(Communicator& comm, GalaxyNetImpl& net,
                            torch::optim::Optimizer& optimizer, const torch::Tensor& x,
                            const torch::Tensor& y, const torch::Tensor& votes,
                            const LossSpec& spec, double denominator, std::size_t batchSize);

/// What every rank knows after a step: the global batch's loss and counts, rank 0's step time
/// (the clock every rank's schedule follows), and the ranks asked to stop.
struct StepAgreement {
    StepResult step;
    double seconds = 0;
    std::vector<int> stopping;
};

/// Sums the ranks' parts of a step (one small allreduce); `stop`: this rank was asked to stop.
StepAgreement agreeOnStep(Communicator& comm, const StepResult& part, double seconds, bool stop);

/// The ranks asked to stop (empty: go on), agreed by all.
std::vector<int> agreeOnStop(Communicator& comm, bool stop);

/// Rank 0's value on every rank.
double leaderValue(Communicator& comm, double value);

/// predictIndices shared out over the ranks: each predicts its share of `indices`, and every
/// rank returns all the predictions, in order, with the same bits as its own share's.
std::vector<Prediction> predictShared(Communicator& comm, GalaxyNetImpl& net,
                                      const DecodedCache& cache,
                                      const std::vector<std::size_t>& indices,
                                      const std::vector<int>& labels,
                                      const AugmentationParams& params, bool tta, int batchSize,
                                      int workers, const torch::Device& device);

}  // namespace gz::detail
