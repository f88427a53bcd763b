#pragma once
// Private to core: a run's split, as positions in the image cache.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gz/decoded_cache.h"
#include "gz/partition.h"

namespace gz::detail {

/// The cache indices and true labels of a split's usable labeled images, per subset, in split
/// order, and the indices of its unlabeled training and test images (a votes head's).
struct SplitSubsets {
    std::vector<std::size_t> train, val, test;
    std::vector<int> trainLabels, valLabels, testLabels;
    std::vector<std::size_t> unlabeledTrain, unlabeledTest;
};

/// The split's galaxies in `cache`; those the cache skipped are left out.
SplitSubsets subsetsOf(const DecodedCache& cache, const std::vector<SplitEntry>& split);

/// The GalaxyIDs of a split, in its order.
std::vector<std::int64_t> idsOf(const std::vector<SplitEntry>& split);

}  // namespace gz::detail
