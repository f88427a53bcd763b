#pragma once
// Private to core: the five-class decision of a network with a votes head (gz/train_options.h's
// Decision), from its classification head's probabilities and its predicted vote fractions.

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "gz/labeling.h"
#include "gz/train_options.h"

namespace gz::detail {

class ClassDecision {
public:
    /// The classification head alone.
    ClassDecision() = default;
    /// `how`, with the vote scores the enabled rules of `rules` read (a class without an enabled
    /// rule scores 0).
    ClassDecision(Decision how, const LabelRules& rules);

    /// The five-class probabilities (N, 5) for the head's `probabilities` (N, 5) and the
    /// predicted `fractions` (N, 37; undefined without a votes head, and then the probabilities
    /// as they are). A galaxy whose vote scores are all 0 keeps the head's probabilities.
    torch::Tensor apply(const torch::Tensor& probabilities, const torch::Tensor& fractions) const;

    /// The vote scores (N, 5) of `fractions` (N, 37): per class, the best of its rules' smallest
    /// predicted fraction among the columns the rule tests.
    torch::Tensor voteScores(const torch::Tensor& fractions) const;

private:
    struct RuleColumns {
        std::int64_t label = 0;
        torch::Tensor columns;  ///< indices into kVoteColumns (int64, on the CPU)
    };
    Decision how_ = Decision::Head;
    std::vector<RuleColumns> rules_;
};

}  // namespace gz::detail
