// layoutMap (gz/embedding_map.h): PCA, the neighbour graph, and its seeded stochastic layout.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <opencv2/core.hpp>
#include <random>

#include "explore/neighbour_graph.h"
#include "gz/embedding_map.h"
#include "gz/error.h"
#include "util/portable_random.h"

namespace gz {

namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// The low-dimensional similarity 1 / (1 + a d^(2b)) that UMAP fits for min_dist 0.1, spread 1.
constexpr double kA = 1.5769, kB = 0.8951;
constexpr int kNegativeSamples = 5;  // per positive sample, as UMAP
constexpr double kClip = 4.0;        // largest step of a coordinate, as UMAP
constexpr float kInitialScale = 10;  // the PCA start spans [-10, 10], as UMAP's

/// d^b in single precision: glibc's powf is several times faster than pow, and the layout's
/// steps are clipped and noisy far beyond its error.
double powB(double d) {
    return std::pow(static_cast<float>(d), static_cast<float>(kB));
}

double clip(double g) {
    return std::clamp(g, -kClip, kClip);
}

/// The rows of `embeddings` on their first `components` principal axes (n x m, row-major).
std::vector<float> principalComponents(const Embeddings& e, int components, std::size_t& m) {
    const cv::Mat data(static_cast<int>(e.size()), static_cast<int>(e.dim), CV_32F,
                       const_cast<float*>(e.values.data()));
    const int keep =
        std::max(2, std::min({components, static_cast<int>(e.dim), static_cast<int>(e.size())}));
    const cv::PCA pca(data, cv::noArray(), cv::PCA::DATA_AS_ROW, keep);
    cv::Mat projected = pca.project(data);
    if (projected.cols < 2) {  // fewer than two axes of any variance: pad with zeros
        cv::Mat padded = cv::Mat::zeros(projected.rows, 2, CV_32F);
        projected.copyTo(padded.colRange(0, projected.cols));
        projected = padded;
    }
    m = static_cast<std::size_t>(projected.cols);
    projected = projected.isContinuous() ? projected : projected.clone();
    return {projected.ptr<float>(), projected.ptr<float>() + projected.total()};
}

/// UMAP's optimize_layout_euclidean, one thread: every edge is sampled in proportion to its
/// weight, pulling its two ends together, and each sample pushes the head away from a few random
/// points; the step shrinks linearly to zero over the epochs.
void layOut(std::vector<double>& y, std::size_t n, const detail::FuzzyGraph& g, int epochs,
            std::uint64_t seed, const std::stop_token& stop, const ProgressFn& progress) {
    const float maxWeight = *std::max_element(g.weight.begin(), g.weight.end());
    std::vector<std::size_t> edges;  // UMAP drops the edges sampled less than once in all
    std::vector<double> perSample, nextSample, perNegative, nextNegative;
    for (std::size_t e = 0; e < g.weight.size(); ++e) {
        if (g.weight[e] < maxWeight / static_cast<float>(epochs)) continue;
        edges.push_back(e);
        const double every = static_cast<double>(maxWeight) / g.weight[e];
        perSample.push_back(every);
        nextSample.push_back(every);
        perNegative.push_back(every / kNegativeSamples);
        nextNegative.push_back(every / kNegativeSamples);
    }
    std::mt19937_64 gen(detail::mixSeed(seed, 7));
    for (int epoch = 0; epoch < epochs; ++epoch) {
        checkpoint(stop, progress, static_cast<std::size_t>(epoch),
                   static_cast<std::size_t>(epochs), "laying out the map");
        const double alpha = 1.0 - static_cast<double>(epoch) / epochs;
        for (std::size_t s = 0; s < edges.size(); ++s) {
            if (nextSample[s] > epoch) continue;
            const std::size_t e = edges[s];
            double* head = &y[2 * static_cast<std::size_t>(g.head[e])];
            double* tail = &y[2 * static_cast<std::size_t>(g.tail[e])];
            double dx = head[0] - tail[0], dy = head[1] - tail[1];
            double d2 = dx * dx + dy * dy;
            if (d2 > 0) {
                const double d2b = powB(d2);  // d2^(b-1) = d2^b / d2: one pow
                const double coeff = -2 * kA * kB * (d2b / d2) / (kA * d2b + 1);
                const double gx = clip(coeff * dx) * alpha, gy = clip(coeff * dy) * alpha;
                head[0] += gx;
                head[1] += gy;
                tail[0] -= gx;
                tail[1] -= gy;
            }
            nextSample[s] += perSample[s];
            const auto negatives = static_cast<int>((epoch - nextNegative[s]) / perNegative[s]);
            for (int p = 0; p < negatives; ++p) {
                // 32 random bits scaled to [0, n) without a division (n < 2^31; the bias,
                // under n / 2^32, is far below what the layout can notice).
                const auto other = static_cast<std::size_t>(((gen() >> 32) * n) >> 32);
                const double* far = &y[2 * other];
                dx = head[0] - far[0];
                dy = head[1] - far[1];
                d2 = dx * dx + dy * dy;
                if (d2 <= 0) continue;
                const double coeff = 2 * kB / ((0.001 + d2) * (kA * powB(d2) + 1));
                head[0] += clip(coeff * dx) * alpha;
                head[1] += clip(coeff * dy) * alpha;
            }
            nextNegative[s] += negatives * perNegative[s];
        }
    }
}

}  // namespace

EmbeddingMap layoutMap(const Embeddings& embeddings, const MapOptions& options,
                       const std::stop_token& stop, const ProgressFn& progress) {
    const std::size_t n = embeddings.size();
    if (n < 3) throw DataError("a map needs at least 3 galaxies, not " + std::to_string(n));
    if (options.neighbours < 2 || options.pcaComponents < 2)
        throw DataError("a map needs at least 2 neighbours and 2 PCA components");
    EmbeddingMap map;
    map.ids = embeddings.ids;

    auto t = Clock::now();
    checkpoint(stop, progress, 0, 2, "map: principal components");
    std::size_t m = 0;
    const std::vector<float> x = principalComponents(embeddings, options.pcaComponents, m);
    map.pcaSeconds = secondsSince(t);

    t = Clock::now();
    checkpoint(stop, progress, 1, 2, "map: nearest neighbours");
    const auto k = std::min(static_cast<std::size_t>(options.neighbours), n - 1);
    const detail::Neighbours nb = detail::exactNeighbours(x, n, m, k, options.threads, stop);
    map.neighbourSeconds = secondsSince(t);

    t = Clock::now();
    const detail::FuzzyGraph graph = detail::fuzzyGraph(nb);
    map.graphSeconds = secondsSince(t);

    // The start: the first two principal components, spanning [-10, 10], with a seeded
    // jitter a hundred-thousandth of that so that equal points can part.
    t = Clock::now();
    float largest = 0;
    for (std::size_t i = 0; i < n; ++i)
        largest = std::max({largest, std::abs(x[i * m]), std::abs(x[i * m + 1])});
    const double scale = largest > 0 ? kInitialScale / largest : 1.0;
    std::mt19937_64 gen(detail::mixSeed(options.seed, 3));
    std::vector<double> y(2 * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < 2; ++c)
            y[2 * i + c] = x[i * m + c] * scale + detail::uniformReal(gen, -1e-4, 1e-4);
    const int epochs = options.epochs > 0 ? options.epochs : (n <= 10000 ? 500 : 200);
    if (!graph.weight.empty()) layOut(y, n, graph, epochs, options.seed, stop, progress);
    map.layoutSeconds = secondsSince(t);

    map.points.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        map.points[i] = {static_cast<float>(y[2 * i]), static_cast<float>(y[2 * i + 1])};
    return map;
}

EmbeddingMap mapOfEmbeddings(const EmbedResult& embedded, const MapOptions& options, bool& reused,
                             const std::stop_token& stop, const ProgressFn& progress) {
    const std::filesystem::path file = mapFileFor(embedded.file, options);
    if (std::filesystem::exists(file)) {
        try {
            EmbeddingMap map = readMapCsv(file);
            if (map.ids == embedded.embeddings.ids) {
                reused = true;
                return map;
            }
        } catch (const DataError&) {
            // A damaged file is laid out again.
        }
    }
    reused = false;
    EmbeddingMap map = layoutMap(embedded.embeddings, options, stop, progress);
    writeMapCsv(file, map);
    return map;
}

}  // namespace gz
