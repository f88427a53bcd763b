#pragma once
// Private to core: how a list is shared out over the ranks of a data-parallel training.

#include <cstddef>
#include <utility>

namespace gz::detail {

/// Rank `rank`'s share [first, last) of `n` items in contiguous blocks whose sizes differ by at
/// most one; the shares of all ranks cover 0..n-1 once.
inline std::pair<std::size_t, std::size_t> shareOf(std::size_t n, int rank, int size) {
    const auto r = static_cast<std::size_t>(rank), s = static_cast<std::size_t>(size);
    return {n * r / s, n * (r + 1) / s};
}

/// The epoch positions rank `rank` trains in global batch `b` of `batchSize` images: `count`
/// positions from `first`. Every rank takes batchSize / size; together they take the batch once.
struct BatchShare {
    std::size_t first = 0, count = 0;
};
inline BatchShare batchShareOf(std::size_t b, std::size_t batchSize, int rank, int size) {
    const std::size_t count = batchSize / static_cast<std::size_t>(size);
    return {b * batchSize + count * static_cast<std::size_t>(rank), count};
}

}  // namespace gz::detail
