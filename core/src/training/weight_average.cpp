#include "training/weight_average.h"

#include <algorithm>
#include <functional>

namespace gz::detail {

namespace {

// Calls f(a, b) for the parameters, then the buffers, of two networks of one architecture.
void forEachPair(GalaxyNetImpl& a, GalaxyNetImpl& b,
                 const std::function<void(torch::Tensor&, const torch::Tensor&)>& f) {
    torch::NoGradGuard noGrad;
    auto pa = a.parameters(), pb = b.parameters();
    TORCH_CHECK(pa.size() == pb.size(), "the networks' parameters differ");
    for (std::size_t i = 0; i < pa.size(); ++i) f(pa[i], pb[i]);
    auto ba = a.buffers(), bb = b.buffers();
    TORCH_CHECK(ba.size() == bb.size(), "the networks' buffers differ");
    for (std::size_t i = 0; i < ba.size(); ++i) f(ba[i], bb[i]);
}

}  // namespace

double averageDecay(double decay, std::int64_t step) {
    const auto s = static_cast<double>(std::max<std::int64_t>(step, 0));
    return std::min(decay, (1 + s) / (10 + s));
}

void updateAverage(GalaxyNetImpl& average, GalaxyNetImpl& net, double decay, std::int64_t step) {
    const double d = averageDecay(decay, step);
    forEachPair(average, net, [d](torch::Tensor& avg, const torch::Tensor& w) {
        if (avg.is_floating_point())
            avg.mul_(d).add_(w, 1 - d);
        else
            avg.copy_(w);
    });
}

void copyWeights(GalaxyNetImpl& to, GalaxyNetImpl& from) {
    forEachPair(to, from, [](torch::Tensor& t, const torch::Tensor& f) { t.copy_(f); });
}

}  // namespace gz::detail
