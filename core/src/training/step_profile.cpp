#include "training/step_profile.h"

#include <torch/csrc/autograd/profiler_kineto.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "training/train_step.h"

namespace gz::detail {
namespace {

namespace prof = torch::autograd::profiler;
namespace impl = torch::profiler::impl;

// Runs `work` with LibTorch's profiler recording CPU operators (with their FLOPs when asked).
template <typename Work>
std::unique_ptr<prof::ProfilerResult> profiled(bool withFlops, Work&& work) {
    const impl::ProfilerConfig config(impl::ProfilerState::KINETO,
                                      /*report_input_shapes=*/withFlops,
                                      /*profile_memory=*/false, /*with_stack=*/false, withFlops);
    const std::set<impl::ActivityType> activities{impl::ActivityType::CPU};
    prof::prepareProfiler(config, activities);
    prof::enableProfiler(config, activities);
    try {
        work();
    } catch (...) {
        prof::disableProfiler();
        throw;
    }
    return prof::disableProfiler();
}

bool has(std::string_view name, std::string_view part) {
    return name.find(part) != std::string_view::npos;
}

// The part of the step an operator belongs to, from its name (forward operators are aten::*,
// backward ones *_backward or *Backward0) or the optimiser's scope around it.
const char* partOf(std::string_view name, bool inOptimiser) {
    if (inOptimiser) return "optimiser (zero_grad, step)";
    if (has(name, "convolution_backward") || has(name, "ConvolutionBackward"))
        return "convolutions, backward";
    if (has(name, "conv")) return "convolutions, forward";
    if (has(name, "batch_norm_backward") || has(name, "BatchNormBackward"))
        return "batch norm, backward";
    if (has(name, "batch_norm")) return "batch norm, forward";
    if (has(name, "relu") || has(name, "Relu") || has(name, "threshold_backward") ||
        has(name, "clamp_min"))
        return "ReLU, forward and backward";
    if (has(name, "_to_copy") || has(name, "ToCopyBackward") || has(name, "copy_"))
        return "type and layout copies (bfloat16 casts)";
    return "other operators (pooling, linear, loss, autograd)";
}

}  // namespace

double trainingStepFlops(GalaxyNetImpl& net, const torch::Tensor& images) {
    torch::NoGradGuard noGradients;
    // In fp32: the arithmetic is the same in bfloat16, but autocast's layer would show each
    // convolution twice (its own conv2d around the one it calls).
    const bool bf16 = net.bf16();
    net.setBf16(false);
    const auto result = profiled(true, [&] { net.forward(images); });
    net.setBf16(bf16);
    double forward = 0, firstConvolution = -1;
    std::uint64_t firstStart = 0;
    for (const auto& e : result->events()) {
        // The profiler also counts element-wise additions and products (the residual sums):
        // a forward-only figure, as backward passes a sum's gradient on without arithmetic.
        const std::string name = e.name();
        if (has(name, "conv") || has(name, "mm")) forward += static_cast<double>(e.flops());
        if (name == "aten::conv2d" && (firstConvolution < 0 || e.startUs() < firstStart)) {
            firstConvolution = static_cast<double>(e.flops());
            firstStart = e.startUs();
        }
    }
    return 3 * forward - std::max(0.0, firstConvolution);
}

std::vector<StepPart> profileTrainingSteps(
    GalaxyNetImpl& net, torch::optim::Optimizer& optimizer, const torch::Tensor& x,
    const torch::Tensor& y, const torch::nn::functional::CrossEntropyFuncOptions& options,
    int steps) {
    steps = std::max(1, steps);
    trainStep(net, optimizer, x, y, {}, LossSpec{options});
    const auto t0 = std::chrono::steady_clock::now();
    const auto result = profiled(false, [&] {
        for (int i = 0; i < steps; ++i) trainStep(net, optimizer, x, y, {}, LossSpec{options});
    });
    const double wallUs =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();

    // Each thread's operators nest: sorted by start (the longer first on a tie), an operator's
    // parent is the innermost open one; its own time is its duration less its children's.
    struct Op {
        std::uint64_t thread, start, end;
        std::string name;
        double self;
        bool inOptimiser = false;
    };
    std::vector<Op> ops;
    for (const auto& e : result->events()) {
        if (e.isAsync()) continue;
        ops.push_back({e.startThreadId(), e.startUs(), e.startUs() + e.durationUs(), e.name(),
                       static_cast<double>(e.durationUs())});
    }
    std::sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) {
        return a.thread != b.thread ? a.thread < b.thread
               : a.start != b.start ? a.start < b.start
                                    : a.end > b.end;
    });
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        while (!open.empty() &&
               (ops[open.back()].thread != ops[i].thread || ops[open.back()].end <= ops[i].start))
            open.pop_back();
        if (!open.empty()) {
            Op& parent = ops[open.back()];
            parent.self -= static_cast<double>(ops[i].end - ops[i].start);
            ops[i].inOptimiser = parent.inOptimiser || parent.name == kOptimiserScope;
        }
        open.push_back(i);
    }
    std::map<std::string, double> byPart;
    double inOperators = 0;
    for (const Op& op : ops) {
        const double self = std::max(0.0, op.self);
        byPart[partOf(op.name, op.inOptimiser || op.name == kOptimiserScope)] += self;
        inOperators += self;
    }
    std::vector<StepPart> parts;
    for (const auto& [part, us] : byPart)
        parts.push_back({part, us / 1000 / steps, wallUs > 0 ? us / wallUs : 0});
    std::sort(parts.begin(), parts.end(),
              [](const StepPart& a, const StepPart& b) { return a.milliseconds > b.milliseconds; });
    const double outside = std::max(0.0, wallUs - inOperators);
    StepPart rest;  // filled field by field: GCC 12 warns falsely on a braced literal here
    rest.part = std::string("outside operators (the app's own code, waits)");
    rest.milliseconds = outside / 1000 / steps;
    rest.share = wallUs > 0 ? outside / wallUs : 0;
    parts.push_back(std::move(rest));
    return parts;
}

}  // namespace gz::detail
