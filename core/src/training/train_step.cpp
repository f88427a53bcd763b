#include "training/train_step.h"

#include <ATen/record_function.h>

#include "gz/morphology.h"
#include "gz/vote_tree.h"

namespace gz::detail {

torch::Tensor votesSquaredError(const torch::Tensor& fractions, const torch::Tensor& target) {
    return (fractions - target).square().sum();
}

torch::Tensor votesCrossEntropy(const torch::Tensor& fractions, const torch::Tensor& target) {
    // The predicted fractions are a softmax per question times the predicted reach, so a
    // question's answers over their sum are the softmax again. The floor keeps the logarithm
    // finite where a reach underflows; it is far below any fraction a volunteer count gives.
    constexpr double kFloor = 1e-30;
    torch::Tensor sum = fractions.new_zeros({});
    for (const auto& q : kVoteQuestions) {
        const auto first = static_cast<std::int64_t>(q.first);
        const auto count = static_cast<std::int64_t>(q.count);
        const torch::Tensor f = fractions.narrow(1, first, count);
        const torch::Tensor logShare =
            f.clamp_min(kFloor).log() - f.sum(1, true).clamp_min(kFloor).log();
        sum = sum - (target.narrow(1, first, count) * logShare).sum();
    }
    return sum;
}

torch::Tensor votesLossSum(const torch::Tensor& fractions, const torch::Tensor& target,
                           VotesLoss loss) {
    return loss == VotesLoss::CrossEntropy ? votesCrossEntropy(fractions, target)
                                           : votesSquaredError(fractions, target);
}

torch::Tensor classesLossSum(const torch::Tensor& logits, const torch::Tensor& y,
                             const LossSpec& spec) {
    auto options = spec.classes;
    options.reduction(torch::kSum).ignore_index(kUnlabeled);
    return torch::nn::functional::cross_entropy(logits, y, options);
}

double labelsWeight(const torch::Tensor& y, const LossSpec& spec) {
    const torch::Tensor labeled = y.ne(kUnlabeled);
    const torch::Tensor& weight = spec.classes.weight();
    if (!weight.defined()) return labeled.sum().item<double>();
    return weight.index_select(0, y.clamp_min(0)).mul(labeled).sum().item<double>();
}

StepLoss stepLoss(const torch::Tensor& logits, const torch::Tensor& fractions,
                  const torch::Tensor& y, const torch::Tensor& votes, const LossSpec& spec,
                  double classesDenominator, double votesDenominator) {
    StepLoss loss;
    loss.classes = classesDenominator > 0 ? classesLossSum(logits, y, spec) / classesDenominator
                                          : logits.sum() * 0.0;  // no labeled image
    loss.total = loss.classes;
    if (fractions.defined() && votes.defined()) {
        loss.votes = votesLossSum(fractions, votes, spec.votesLoss) / votesDenominator;
        loss.total = loss.total + spec.votesWeight * loss.votes;
    }
    return loss;
}

StepResult stepResult(const StepLoss& loss, const torch::Tensor& logits, const torch::Tensor& y) {
    StepResult r;
    r.loss = loss.total.item<double>();
    r.classesLoss = loss.classes.item<double>();
    r.votesLoss = loss.votes.defined() ? loss.votes.item<double>() : 0.0;
    r.correct = logits.argmax(1).eq(y).sum().item<std::int64_t>();
    r.labeled = y.ne(kUnlabeled).sum().item<std::int64_t>();
    return r;
}

StepResult trainStep(GalaxyNetImpl& net, torch::optim::Optimizer& optimizer, const torch::Tensor& x,
                     const torch::Tensor& y, const torch::Tensor& votes, const LossSpec& spec) {
    {
        RECORD_USER_SCOPE(kOptimiserScope);  // bench train's profile; free when not profiling
        optimizer.zero_grad();
    }
    const auto [logits, fractions] = net.forwardWithVotes(x);
    const StepLoss loss = stepLoss(logits, fractions, y, votes, spec, labelsWeight(y, spec),
                                   votes.defined() ? static_cast<double>(votes.numel()) : 1.0);
    loss.total.backward();
    {
        RECORD_USER_SCOPE(kOptimiserScope);
        optimizer.step();
    }
    return stepResult(loss, logits, y);
}

}  // namespace gz::detail
