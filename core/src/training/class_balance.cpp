#include "training/class_balance.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "util/portable_random.h"

namespace gz::detail {

namespace {

// The random stream of epoch orders ("prm"), apart from the augmentation's.
constexpr std::uint64_t kOrderStream = 0x70726d00u;

}  // namespace

ClassBalance::ClassBalance(Balance mode, std::vector<int> labels)
    : mode_(mode), labels_(std::move(labels)) {
    for (int l : labels_) {
        if (l == kUnlabeled)
            ++unlabeled_;
        else
            count_[static_cast<std::size_t>(l)] += 1;
    }
}

std::vector<float> ClassBalance::lossWeights() const {
    if (mode_ != Balance::Weight && mode_ != Balance::Sqrt) return {};
    const bool sqrtWeights = mode_ == Balance::Sqrt;
    std::vector<float> w(kMorphologyCount);
    double mass = 0;
    for (double count : count_) mass += sqrtWeights ? std::sqrt(count) : (count > 0);
    const double n = static_cast<double>(labels_.size() - unlabeled_);
    for (std::size_t c = 0; c < kMorphologyCount; ++c)
        if (count_[c] > 0)
            w[c] =
                static_cast<float>(n / (mass * (sqrtWeights ? std::sqrt(count_[c]) : count_[c])));
    return w;
}

std::vector<std::size_t> ClassBalance::epochOrder(std::uint64_t seed, int epoch) const {
    std::mt19937_64 gen(mixSeed(seed, kOrderStream + static_cast<std::uint64_t>(epoch)));
    const std::size_t n = labels_.size();
    std::vector<std::size_t> order(n);
    if (mode_ == Balance::Sample) {
        // Each class present has a mass of 1; the unlabeled images together keep their share of
        // the training set (classes x unlabeled / labeled).
        double classes = 0;
        for (double count : count_) classes += count > 0;
        const double labeled = static_cast<double>(n - unlabeled_);
        const double unlabeledEach = classes / labeled;
        std::vector<double> cumulative(n);
        double total = 0;
        for (std::size_t i = 0; i < n; ++i)
            cumulative[i] = total += labels_[i] == kUnlabeled
                                         ? unlabeledEach
                                         : 1.0 / count_[static_cast<std::size_t>(labels_[i])];
        for (auto& o : order) {
            const double u = uniformReal(gen, 0.0, total);
            o = static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), u) -
                                         cumulative.begin());
            o = std::min(o, n - 1);
        }
    } else {
        std::iota(order.begin(), order.end(), std::size_t{0});
        shuffle(order, gen);
    }
    return order;
}

}  // namespace gz::detail
