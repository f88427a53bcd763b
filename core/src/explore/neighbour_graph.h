#pragma once
// Private to core: the neighbour graph of the map (gz/embedding_map.h): exact k nearest
// neighbours, and UMAP's fuzzy graph of them.

#include <cstddef>
#include <cstdint>
#include <stop_token>
#include <vector>

namespace gz::detail {

/// Each point's k nearest other points, nearest first.
struct Neighbours {
    std::size_t k = 0;
    std::vector<std::int32_t> index;  ///< n x k
    std::vector<float> distance;      ///< n x k, Euclidean, ascending along each row
};

/// Exact k nearest neighbours (Euclidean) of the n rows of `x` (n x d, row-major), each point
/// itself left out: squared distances by matrix products (LibTorch) over blocks of rows.
/// k < n. Throws Cancelled on stop between blocks.
Neighbours exactNeighbours(const std::vector<float>& x, std::size_t n, std::size_t d, std::size_t k,
                           int threads, const std::stop_token& stop);

/// A symmetric weighted graph as directed edges: both (i, j) and (j, i) appear, sorted by head
/// then tail.
struct FuzzyGraph {
    std::vector<std::int32_t> head, tail;
    std::vector<float> weight;  ///< 0..1
};

/// UMAP's fuzzy simplicial set of the neighbours: point i's edge to neighbour j weighs
/// exp(-(d_ij - rho_i) / sigma_i), rho_i the distance to its nearest neighbour and sigma_i chosen
/// so that i's weights sum to log2(k); the two directions are combined as a + b - a b.
FuzzyGraph fuzzyGraph(const Neighbours& neighbours);

}  // namespace gz::detail
