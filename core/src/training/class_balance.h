#pragma once
// Private to core: how a run evens out its classes (TrainConfig::balance): loss weights for
// Balance::Weight and Balance::Sqrt, class-balanced sampling for Balance::Sample, plain shuffling
// otherwise.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "gz/morphology.h"
#include "gz/train_options.h"

namespace gz::detail {

class ClassBalance {
public:
    /// `labels`: the class of each training image, in training-set order; kUnlabeled for an
    /// image only a votes head learns from (it has no class weight and is never a class's).
    ClassBalance(Balance mode, std::vector<int> labels);

    /// The cross-entropy weight per class; empty unless the mode is Weight (inverse
    /// frequency: each class weighs as much in all as any other) or Sqrt (inverse square root
    /// of the frequency: a rare class counts more without swamping the common ones). Either way
    /// the mean weight over the training images is 1; an absent class weighs 0.
    std::vector<float> lossWeights() const;

    /// The training-set positions of an epoch (0-based `epoch`), from the run's seed: draws with
    /// replacement, each class equally likely and the unlabeled images as often as their share
    /// of the set, for Sample; else a permutation.
    std::vector<std::size_t> epochOrder(std::uint64_t seed, int epoch) const;

private:
    Balance mode_;
    std::vector<int> labels_;
    std::array<double, kMorphologyCount> count_{};
    std::size_t unlabeled_ = 0;
};

}  // namespace gz::detail
