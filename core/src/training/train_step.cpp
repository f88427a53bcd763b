#include "training/train_step.h"

#include <ATen/record_function.h>

namespace gz::detail {

torch::Tensor votesSquaredError(const torch::Tensor& fractions, const torch::Tensor& target) {
    return (fractions - target).square().sum();
}

StepResult trainStep(GalaxyNetImpl& net, torch::optim::Optimizer& optimizer, const torch::Tensor& x,
                     const torch::Tensor& y, const torch::Tensor& votes, const LossSpec& spec) {
    {
        RECORD_USER_SCOPE(kOptimiserScope);  // bench train's profile; free when not profiling
        optimizer.zero_grad();
    }
    const auto [logits, fractions] = net.forwardWithVotes(x);
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y, spec.classes);
    if (fractions.defined() && votes.defined())
        loss = loss + spec.votesWeight * votesSquaredError(fractions, votes) /
                          static_cast<double>(votes.numel());
    loss.backward();
    {
        RECORD_USER_SCOPE(kOptimiserScope);
        optimizer.step();
    }
    return {loss.item<double>(), logits.argmax(1).eq(y).sum().item<std::int64_t>()};
}

}  // namespace gz::detail
