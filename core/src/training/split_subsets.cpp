#include "training/split_subsets.h"

namespace gz::detail {

SplitSubsets subsetsOf(const DecodedCache& cache, const std::vector<SplitEntry>& split) {
    SplitSubsets s;
    for (const auto& e : split) {
        const auto i = cache.indexOf(e.id);
        if (!i) continue;
        if (e.label == kUnlabeled) {
            if (e.subset == Subset::Train) s.unlabeledTrain.push_back(*i);
            if (e.subset == Subset::Test) s.unlabeledTest.push_back(*i);
            continue;
        }
        switch (e.subset) {
            case Subset::Train:
                s.train.push_back(*i), s.trainLabels.push_back(e.label);
                break;
            case Subset::Val:
                s.val.push_back(*i), s.valLabels.push_back(e.label);
                break;
            case Subset::Test:
                s.test.push_back(*i), s.testLabels.push_back(e.label);
                break;
        }
    }
    return s;
}

std::vector<std::int64_t> idsOf(const std::vector<SplitEntry>& split) {
    std::vector<std::int64_t> ids;
    ids.reserve(split.size());
    for (const auto& e : split) ids.push_back(e.id);
    return ids;
}

}  // namespace gz::detail
