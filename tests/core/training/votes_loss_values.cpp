#include "votes_loss_values.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "gz/vote_tree.h"
#include "training/models.h"
#include "training/train_step.h"

namespace gz::test {

VotesCrossEntropyValues votesCrossEntropyValues() {
    using detail::treeFractions;
    using detail::votesCrossEntropy;
    constexpr int kGalaxies = 8;
    torch::manual_seed(17);
    torch::Tensor volunteersLogits = torch::randn({kGalaxies, 37});
    volunteersLogits[0][1] = -1e4;  // galaxy 0: nobody answers 1.2, so nobody reaches Q2
    const torch::Tensor volunteers = treeFractions(volunteersLogits);
    const torch::Tensor predictedLogits = torch::randn({kGalaxies, 37});
    const torch::Tensor predicted = treeFractions(predictedLogits);

    VotesCrossEntropyValues v;
    v.loss = votesCrossEntropy(predicted, volunteers).item<double>();
    const auto t = volunteers.accessor<float, 2>();
    const auto f = predicted.accessor<float, 2>();
    for (int g = 0; g < kGalaxies; ++g) {
        for (const auto& q : kVoteQuestions) {
            const auto first = static_cast<int>(q.first), end = first + static_cast<int>(q.count);
            double predictedSum = 0, reached = 0;
            for (int a = first; a < end; ++a) {
                predictedSum += f[g][a];
                reached += t[g][a];
            }
            for (int a = first; a < end; ++a) {
                if (t[g][a] <= 0) continue;
                v.byHand -= t[g][a] * std::log(f[g][a] / predictedSum);
                v.volunteersEntropy -= t[g][a] * std::log(t[g][a] / reached);
            }
        }
    }

    const torch::Tensor logits = volunteersLogits.clone().requires_grad_(true);
    const torch::Tensor atTheVotes = votesCrossEntropy(treeFractions(logits), volunteers);
    atTheVotes.backward();
    v.atTheVotes = atTheVotes.item<double>();
    v.gradientAtTheVotes = logits.grad().abs().max().item<double>();

    torch::Tensor otherQ2 = predictedLogits.clone();
    const auto q2 = kVoteQuestions[1];
    otherQ2[0]
        .narrow(0, static_cast<std::int64_t>(q2.first), static_cast<std::int64_t>(q2.count))
        .add_(3.0);
    otherQ2[0][static_cast<std::int64_t>(q2.first)] = -2.0;
    v.unreachedQuestionMoves =
        std::abs(votesCrossEntropy(treeFractions(otherQ2), volunteers).item<double>() - v.loss);
    return v;
}

}  // namespace gz::test
