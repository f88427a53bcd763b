#include "training/train_step.h"

#include <ATen/record_function.h>

namespace gz::detail {

StepResult trainStep(GalaxyNetImpl& net, torch::optim::Optimizer& optimizer, const torch::Tensor& x,
                     const torch::Tensor& y,
                     const torch::nn::functional::CrossEntropyFuncOptions& options) {
    {
        RECORD_USER_SCOPE(kOptimiserScope);  // bench train's profile; free when not profiling
        optimizer.zero_grad();
    }
    const torch::Tensor logits = net.forward(x);
    const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y, options);
    loss.backward();
    {
        RECORD_USER_SCOPE(kOptimiserScope);
        optimizer.step();
    }
    return {loss.item<double>(), logits.argmax(1).eq(y).sum().item<std::int64_t>()};
}

}  // namespace gz::detail
