#pragma once
// Private to core: one optimisation step, shared by the training loop and the benchmark.

#include <torch/nn.h>
#include <torch/optim.h>

#include <cstdint>

#include "gz/train_options.h"
#include "training/models.h"

namespace gz::detail {

struct StepResult {
    double loss = 0;  ///< the batch's loss, the sum of the two parts below (votes ones weighted)
    /// The five classes' part: the cross-entropy of the labeled images, their (weighted) mean
    /// (0 without a labeled image).
    double classesLoss = 0;
    /// The votes part before its weight: the votes loss over the batch's 37 x N fractions (0
    /// without a votes head).
    double votesLoss = 0;
    std::int64_t correct = 0;  ///< images whose largest logit is their label
    std::int64_t labeled = 0;  ///< images with a label (not kUnlabeled)
};

/// What a training step minimises: the cross-entropy of the labeled images with `classes`
/// (weighted mean; unlabeled images, label kUnlabeled, add nothing), plus, for a network with a
/// votes head, `votesWeight` times the votes loss of every image (votesLossSum) over 37.
struct LossSpec {
    torch::nn::functional::CrossEntropyFuncOptions classes;
    double votesWeight = 0;
    VotesLoss votesLoss = VotesLoss::SquaredError;
};

/// The sum over a batch of the squared errors of the predicted vote fractions (N, 37), the
/// square of Kaggle's RMSE times 37 N.
torch::Tensor votesSquaredError(const torch::Tensor& fractions, const torch::Tensor& target);

/// The sum over a batch and the 11 questions of the cross-entropy between the volunteers'
/// answers to a question and the predicted ones (each side's answers over their sum), times the
/// volunteers' fraction that reached the question: -sum t_a log(f_a / sum over a's question f).
/// It is smallest, the volunteers' own entropy, where the predicted answers are theirs.
torch::Tensor votesCrossEntropy(const torch::Tensor& fractions, const torch::Tensor& target);

/// votesSquaredError or votesCrossEntropy, as `loss` says.
torch::Tensor votesLossSum(const torch::Tensor& fractions, const torch::Tensor& target,
                           VotesLoss loss);

/// The cross-entropy of the labeled images of a batch, summed (each times its class weight).
torch::Tensor classesLossSum(const torch::Tensor& logits, const torch::Tensor& y,
                             const LossSpec& spec);

/// What classesLossSum divides by for a mean: the labels' total class weight (their count
/// without weights). Unlabeled images weigh nothing.
double labelsWeight(const torch::Tensor& y, const LossSpec& spec);

/// The loss of a batch or a rank's share of one and its parts.
struct StepLoss {
    torch::Tensor total;    ///< classes + votesWeight x votes: what backward differentiates
    torch::Tensor classes;  ///< classesLossSum / `classesDenominator` (0 when that is 0)
    torch::Tensor votes;    ///< votesLossSum / `votesDenominator` (undefined: no votes head)
};

/// stepLoss's parts: `classesDenominator` 0 means no labeled image.
StepLoss stepLoss(const torch::Tensor& logits, const torch::Tensor& fractions,
                  const torch::Tensor& y, const torch::Tensor& votes, const LossSpec& spec,
                  double classesDenominator, double votesDenominator);

/// The step's counts, correct and labeled images, with its loss and the loss's parts.
StepResult stepResult(const StepLoss& loss, const torch::Tensor& logits, const torch::Tensor& y);

/// The name of the record scope around the optimiser's zero_grad and step (in LibTorch's
/// profiler, for bench train's profile).
inline constexpr const char* kOptimiserScope = "gz::optimiser";

/// Forward, the loss of `spec`, backward and one optimiser step on the batch (x, labels y,
/// vote fractions `votes` (N, 37), undefined without a votes head).
StepResult trainStep(GalaxyNetImpl& net, torch::optim::Optimizer& optimizer, const torch::Tensor& x,
                     const torch::Tensor& y, const torch::Tensor& votes, const LossSpec& spec);

}  // namespace gz::detail
