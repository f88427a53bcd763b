// The map's neighbour graph (neighbour_graph.h).

#include "explore/neighbour_graph.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "gz/error.h"
#include "training/compute.h"

namespace gz::detail {

namespace {

// Rows a block: a block's distance matrix is kBlock x n floats (126 MB at n = 61,578).
constexpr std::int64_t kBlock = 512;

}  // namespace

Neighbours exactNeighbours(const std::vector<float>& x, std::size_t n, std::size_t d, std::size_t k,
                           int threads, const std::stop_token& stop) {
    if (k >= n) throw DataError("a map needs more galaxies than neighbours");
    torch::set_num_threads(threadCount(threads));
    c10::InferenceMode inference;
    const auto rows = static_cast<std::int64_t>(n), cols = static_cast<std::int64_t>(d);
    const torch::Tensor all =
        torch::from_blob(const_cast<float*>(x.data()), {rows, cols}, torch::kFloat);
    const torch::Tensor squares = all.square().sum(1).unsqueeze(0);
    Neighbours out;
    out.k = k;
    out.index.resize(n * k);
    out.distance.resize(n * k);
    // One buffer for every block's distances, values and indices: no page faults per block.
    torch::Tensor d2 = torch::empty({std::min(rows, kBlock), rows});
    torch::Tensor values = torch::empty({0}), indices = torch::empty({0}, torch::kLong);
    for (std::int64_t from = 0; from < rows; from += kBlock) {
        if (stop.stop_requested()) throw Cancelled();
        const std::int64_t to = std::min(rows, from + kBlock);
        torch::Tensor block = d2.slice(0, 0, to - from);
        // |a - b|^2 = |b|^2 - 2 a.b + |a|^2; each point kept off its own list.
        torch::addmm_out(block, squares, all.slice(0, from, to), all.t(), 1.0, -2.0);
        block.add_(squares.slice(1, from, to).t());
        block.diagonal(from).fill_(std::numeric_limits<float>::infinity());
        values.resize_({0});  // the last block is smaller: resized without a warning
        indices.resize_({0});
        torch::topk_out(values, indices, block, static_cast<std::int64_t>(k), 1,
                        /*largest=*/false, /*sorted=*/true);
        const torch::Tensor dist = values.clamp_min(0).sqrt_().contiguous();
        const torch::Tensor idx = indices.to(torch::kInt).contiguous();
        const auto at = static_cast<std::ptrdiff_t>(from) * static_cast<std::ptrdiff_t>(k);
        std::copy_n(dist.data_ptr<float>(), dist.numel(), out.distance.begin() + at);
        std::copy_n(idx.data_ptr<std::int32_t>(), idx.numel(), out.index.begin() + at);
    }
    return out;
}

FuzzyGraph fuzzyGraph(const Neighbours& nb) {
    const std::size_t k = nb.k;
    const std::size_t n = k ? nb.index.size() / k : 0;
    const double target = std::log2(static_cast<double>(k));
    // Directed memberships, each also entered as its reverse, then joined pairwise.
    struct Entry {
        std::int32_t a, b;
        bool reverse;  // b's membership of a, entered under (a, b)
        float w;
    };
    std::vector<Entry> edges;
    edges.reserve(2 * n * k);
    for (std::size_t i = 0; i < n; ++i) {
        const float* dist = nb.distance.data() + i * k;
        double rho = 0;
        for (std::size_t j = 0; j < k; ++j)
            if (dist[j] > 0) {
                rho = dist[j];
                break;
            }
        // Binary search of sigma (as UMAP's smooth_knn_dist, 64 steps).
        double lo = 0, hi = std::numeric_limits<double>::infinity(), sigma = 1;
        for (int step = 0; step < 64; ++step) {
            double sum = 0;
            for (std::size_t j = 0; j < k; ++j)
                sum += std::exp(-std::max(0.0, dist[j] - rho) / sigma);
            if (std::abs(sum - target) < 1e-5) break;
            if (sum > target) {
                hi = sigma;
                sigma = (lo + hi) / 2;
            } else {
                lo = sigma;
                sigma = std::isinf(hi) ? sigma * 2 : (lo + hi) / 2;
            }
        }
        // UMAP's floor: a thousandth of the mean distance, so that sigma never vanishes.
        double mean = 0;
        for (std::size_t j = 0; j < k; ++j) mean += dist[j];
        sigma = std::max(sigma, 1e-3 * mean / static_cast<double>(k));
        for (std::size_t j = 0; j < k; ++j) {
            const auto w = static_cast<float>(std::exp(-std::max(0.0, dist[j] - rho) / sigma));
            const auto a = static_cast<std::int32_t>(i), b = nb.index[i * k + j];
            edges.push_back({a, b, false, w});
            edges.push_back({b, a, true, w});
        }
    }
    std::sort(edges.begin(), edges.end(), [](const Entry& p, const Entry& q) {
        return std::tie(p.a, p.b, p.reverse) < std::tie(q.a, q.b, q.reverse);
    });
    FuzzyGraph g;
    for (std::size_t e = 0; e < edges.size();) {
        const std::int32_t a = edges[e].a, b = edges[e].b;
        // Up to two entries for (a, b): a's own membership of b and b's of a.
        float own = 0, reverse = 0;
        for (; e < edges.size() && edges[e].a == a && edges[e].b == b; ++e)
            (edges[e].reverse ? reverse : own) = edges[e].w;
        const float combined = own + reverse - own * reverse;
        if (combined <= 0) continue;
        g.head.push_back(a);
        g.tail.push_back(b);
        g.weight.push_back(combined);
    }
    return g;
}

}  // namespace gz::detail
