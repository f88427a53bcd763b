#pragma once
// Private to core: the percentile interval of a bootstrap's values.

#include <algorithm>
#include <cstddef>
#include <vector>

#include "gz/evaluation.h"

namespace gz::detail {

/// The 2.5th and 97.5th percentiles of `values` (sorted in place): a 95% percentile-bootstrap
/// interval. NaN bounds when there are none.
inline Interval percentileInterval95(std::vector<double>& values) {
    if (values.empty()) return {};
    std::sort(values.begin(), values.end());
    const auto at = [&](double q) {
        return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5)];
    };
    return {at(0.025), at(0.975)};
}

}  // namespace gz::detail
