#pragma once
// The votes head's per-question cross-entropy (core/src/training/train_step.h) on random
// tree-consistent vote fractions, with LibTorch inside; plain C++ so that a Qt Test file can
// include it (LibTorch's headers cannot meet Qt's keywords).

namespace gz::test {

struct VotesCrossEntropyValues {
    double loss = 0;        ///< votesCrossEntropy of 8 galaxies' predicted fractions
    double byHand = 0;      ///< the same: -sum t_a log(f_a / sum of a's question's f), in double
    double atTheVotes = 0;  ///< votesCrossEntropy of the volunteers' own fractions
    /// The volunteers' entropy, -sum t_a log(t_a / the fraction that reached a's question)
    double volunteersEntropy = 0;
    /// The largest |d loss / d logit| where the head's logits give the volunteers' fractions
    double gradientAtTheVotes = 0;
    /// How much the loss moves when a question that no volunteer of a galaxy reached (its Q2)
    /// is predicted differently
    double unreachedQuestionMoves = 0;
};

VotesCrossEntropyValues votesCrossEntropyValues();

}  // namespace gz::test
