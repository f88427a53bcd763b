// SimilarityIndex (gz/similarity.h): exact cosine neighbours by brute force.

#include "gz/similarity.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "gz/error.h"
#include "util/parallel_for.h"

namespace gz {

namespace {

float dot(const float* a, const float* b, std::size_t n) {
    // Four partial sums: lets the compiler vectorise without -ffast-math reassociation.
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; ++i) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

void normalise(float* row, std::size_t n) {
    const double length = std::sqrt(static_cast<double>(dot(row, row, n)));
    if (length > 0)
        for (std::size_t i = 0; i < n; ++i) row[i] = static_cast<float>(row[i] / length);
}

bool moreSimilar(const Neighbour& a, const Neighbour& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.id < b.id;
}

}  // namespace

SimilarityIndex::SimilarityIndex(const Embeddings& e, int threads)
    : ids_(e.ids), dim_(e.dim), unit_(e.values), threads_(threads) {
    if (unit_.size() != ids_.size() * dim_)
        throw DataError("embeddings of " + std::to_string(ids_.size()) + " galaxies have " +
                        std::to_string(unit_.size()) + " values, not " +
                        std::to_string(ids_.size() * dim_));
    for (std::size_t r = 0; r < ids_.size(); ++r) normalise(unit_.data() + r * dim_, dim_);
}

std::vector<Neighbour> SimilarityIndex::nearest(std::span<const float> query, std::size_t k,
                                                std::optional<std::int64_t> exclude) const {
    if (query.size() != dim_)
        throw DataError("the query has " + std::to_string(query.size()) +
                        " values where the embeddings have " + std::to_string(dim_));
    std::vector<float> q(query.begin(), query.end());
    normalise(q.data(), dim_);
    const std::size_t n = ids_.size();
    // Each worker keeps the best k of its own contiguous block; the blocks' bests are merged.
    const std::size_t workers = detail::workerCount(threads_, std::max<std::size_t>(n / 4096, 1));
    std::vector<std::vector<Neighbour>> best(workers);
    const auto scan = [&](std::size_t w) {
        const std::size_t from = n * w / workers, to = n * (w + 1) / workers;
        auto& mine = best[w];
        mine.reserve(k + 1);
        for (std::size_t r = from; r < to; ++r) {
            if (exclude && ids_[r] == *exclude) continue;
            const Neighbour c{ids_[r], dot(unit_.data() + r * dim_, q.data(), dim_)};
            if (mine.size() == k && !moreSimilar(c, mine.front())) continue;
            mine.push_back(c);
            std::push_heap(mine.begin(), mine.end(), moreSimilar);  // worst on top
            if (mine.size() > k) {
                std::pop_heap(mine.begin(), mine.end(), moreSimilar);
                mine.pop_back();
            }
        }
    };
    if (k > 0) {
        std::vector<std::jthread> pool;
        for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(scan, w);
        scan(0);
    }
    std::vector<Neighbour> all;
    for (auto& b : best) all.insert(all.end(), b.begin(), b.end());
    std::sort(all.begin(), all.end(), moreSimilar);
    if (all.size() > k) all.resize(k);
    return all;
}

std::vector<Neighbour> SimilarityIndex::nearestTo(std::int64_t id, std::size_t k) const {
    const auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
    if (it == ids_.end() || *it != id)
        throw DataError("galaxy " + std::to_string(id) + " has no embedding in this data set");
    const auto r = static_cast<std::size_t>(it - ids_.begin());
    const std::span<const float> row(unit_.data() + r * dim_, dim_);
    return nearest(row, k, id);
}

}  // namespace gz
