// galaxy-cli bench map and bench similar: the map and "more like this" on a generated set of
// embeddings the size of the full Kaggle catalogue.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "cli_bench_explore.h"
#include "cli_common.h"
#include "gz/embedding.h"
#include "gz/embedding_map.h"
#include "gz/similarity.h"

namespace gz::cli {
namespace {

using nlohmann::json;

struct GeneratedSet {
    std::size_t galaxies = 61578;
    std::size_t dim = 256;  // compact's embedding
    std::size_t clusters = 8;
    std::uint64_t seed = 1;
};

void addSetOptions(CLI::App* cmd, GeneratedSet& s) {
    cmd->add_option("--galaxies", s.galaxies, "Generated galaxies")
        ->capture_default_str()
        ->check(CLI::Range(3, 2000000));
    cmd->add_option("--dim", s.dim, "Values an embedding (compact: 256, resnet26: 4096)")
        ->capture_default_str()
        ->check(CLI::Range(2, 8192));
    cmd->add_option("--clusters", s.clusters, "Gaussian clusters the points are drawn around")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--set-seed", s.seed, "Seed of the generated set")->capture_default_str();
}

/// Non-negative points (as pooled ReLU features are) around `clusters` random centres.
Embeddings generate(const GeneratedSet& s) {
    std::mt19937_64 gen(s.seed);
    std::normal_distribution<float> normal;
    std::vector<float> centres(s.clusters * s.dim);
    for (auto& c : centres) c = std::abs(normal(gen)) * 2;
    Embeddings e;
    e.dim = s.dim;
    e.values.resize(s.galaxies * s.dim);
    for (std::size_t i = 0; i < s.galaxies; ++i) {
        e.ids.push_back(100008 + static_cast<std::int64_t>(i) * 16);
        const float* c = centres.data() + (i % s.clusters) * s.dim;
        for (std::size_t d = 0; d < s.dim; ++d)
            e.values[i * s.dim + d] = std::max(0.0f, c[d] + normal(gen));
    }
    return e;
}

double msSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// ---- bench map ---------------------------------------------------------------------------

struct BenchMapArgs {
    GeneratedSet set;
    MapOptions map;
    bool json = false;
};

int runBenchMap(const BenchMapArgs& a, const std::stop_token& stop) {
    const Embeddings e = generate(a.set);
    const auto t0 = std::chrono::steady_clock::now();
    const EmbeddingMap m = layoutMap(e, a.map, stop, terminalProgress());
    const double total = msSince(t0) / 1000;
    if (a.json) {
        std::cout << json{{"galaxies", a.set.galaxies},         {"dim", a.set.dim},
                          {"threads", a.map.threads},           {"pca_s", m.pcaSeconds},
                          {"neighbours_s", m.neighbourSeconds}, {"graph_s", m.graphSeconds},
                          {"layout_s", m.layoutSeconds},        {"total_s", total}}
                         .dump()
                  << "\n";
        return kExitOk;
    }
    std::printf("map of %zu generated galaxies, %zu values each\n", a.set.galaxies, a.set.dim);
    std::printf("  PCA to %d components: %8.2f s\n", a.map.pcaComponents, m.pcaSeconds);
    std::printf("  %d nearest neighbours: %8.2f s\n", a.map.neighbours, m.neighbourSeconds);
    std::printf("  fuzzy graph:           %8.2f s\n", m.graphSeconds);
    std::printf("  layout:                %8.2f s\n", m.layoutSeconds);
    std::printf("  total:                 %8.2f s\n", total);
    return kExitOk;
}

Command addBenchMap(CLI::App& bench) {
    auto a = std::make_shared<BenchMapArgs>();
    auto* cmd = bench.add_subcommand("map", "Lay out the map of a generated set of embeddings");
    addSetOptions(cmd, a->set);
    addMapOptions(cmd, a->map);
    addThreadsOption(cmd, a->map.threads);
    cmd->add_flag("--json", a->json, "Print one JSON object");
    return {cmd, [a](const std::stop_token& stop) { return runBenchMap(*a, stop); }};
}

// ---- bench similar -----------------------------------------------------------------------

struct BenchSimilarArgs {
    GeneratedSet set;
    int queries = 200;
    std::size_t k = 20;
    int threads = 0;
    bool json = false;
};

int runBenchSimilar(const BenchSimilarArgs& a) {
    const Embeddings e = generate(a.set);
    auto t = std::chrono::steady_clock::now();
    const SimilarityIndex index(e, a.threads);
    const double buildMs = msSince(t);
    std::mt19937_64 gen(a.set.seed + 1);
    std::vector<double> ms;
    for (int q = 0; q < a.queries; ++q) {
        const std::int64_t id = e.ids[gen() % e.size()];
        t = std::chrono::steady_clock::now();
        const auto found = index.nearestTo(id, a.k);
        ms.push_back(msSince(t));
        if (found.size() != std::min(a.k, e.size() - 1))
            throw std::runtime_error("bench similar: a query found too few neighbours");
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2], p95 = ms[ms.size() * 95 / 100], worst = ms.back();
    if (a.json) {
        std::cout
            << json{{"galaxies", a.set.galaxies}, {"dim", a.set.dim},     {"k", a.k},
                    {"threads", a.threads},       {"queries", a.queries}, {"index_ms", buildMs},
                    {"median_ms", median},        {"p95_ms", p95},        {"max_ms", worst}}
                   .dump()
            << "\n";
        return kExitOk;
    }
    std::printf("similar: %zu generated galaxies, %zu values each, k = %zu, %d queries\n",
                a.set.galaxies, a.set.dim, a.k, a.queries);
    std::printf("  normalising the matrix: %8.2f ms\n", buildMs);
    std::printf("  query median:           %8.2f ms\n", median);
    std::printf("  query 95th percentile:  %8.2f ms\n", p95);
    std::printf("  query slowest:          %8.2f ms\n", worst);
    return kExitOk;
}

Command addBenchSimilar(CLI::App& bench) {
    auto a = std::make_shared<BenchSimilarArgs>();
    auto* cmd =
        bench.add_subcommand("similar", "Nearest-neighbour queries on generated embeddings");
    addSetOptions(cmd, a->set);
    cmd->add_option("--queries", a->queries, "Timed queries")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    cmd->add_option("-k", a->k, "Neighbours a query")->capture_default_str();
    addThreadsOption(cmd, a->threads);
    cmd->add_flag("--json", a->json, "Print one JSON object");
    return {cmd, [a](const std::stop_token&) { return runBenchSimilar(*a); }};
}

}  // namespace

void addBenchExploreCommands(CLI::App& bench, Context& ctx) {
    ctx.add(addBenchMap(bench));
    ctx.add(addBenchSimilar(bench));
}

}  // namespace gz::cli
