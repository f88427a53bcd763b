#pragma once
// A 2-D map of a data set's embeddings (gz/embedding.h): PCA (OpenCV's cv::PCA) to a few dozen
// components, then a neighbour-graph layout in the manner of UMAP (McInnes et al. 2018): exact
// k nearest neighbours, a fuzzy graph from their distances, and a seeded, single-threaded
// stochastic layout of that graph, so that a seed always gives the same map. No UMAP or t-SNE
// is packaged for C++ in Debian 12; this is written for the app.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <vector>

#include "gz/embedding.h"
#include "gz/progress.h"

namespace gz {

struct MapOptions {
    int pcaComponents = 50;  ///< PCA to at most this many components first
    int neighbours = 15;     ///< k of the neighbour graph
    int epochs = 0;          ///< layout passes; 0: 500 up to 10,000 galaxies, else 200 (as UMAP)
    std::uint64_t seed = 1;
    int threads = 0;  ///< for PCA and the neighbours (the layout itself is one thread)
};

struct MapPoint {
    float x = 0, y = 0;
    bool operator==(const MapPoint&) const = default;
};

/// The map: one point a galaxy, in the embeddings' order (ascending GalaxyID).
struct EmbeddingMap {
    std::vector<std::int64_t> ids;
    std::vector<MapPoint> points;
    /// Seconds of each stage (PCA, neighbours, graph, layout), for galaxy-cli bench map.
    double pcaSeconds = 0, neighbourSeconds = 0, graphSeconds = 0, layoutSeconds = 0;
};

/// Lays out `embeddings`. Needs at least 3 galaxies (DataError otherwise); throws Cancelled on
/// stop.
EmbeddingMap layoutMap(const Embeddings& embeddings, const MapOptions& options = {},
                       const std::stop_token& stop = {}, const ProgressFn& progress = {});

/// The map of a data set's embeddings (embedCatalog) with `options`: read from
/// mapFileFor(embedded.file, options) when it is there and holds the same galaxies, else laid out
/// and saved there (atomically). `reused` says which.
EmbeddingMap mapOfEmbeddings(const EmbedResult& embedded, const MapOptions& options, bool& reused,
                             const std::stop_token& stop = {}, const ProgressFn& progress = {});

/// The map's file beside an embeddings file: <name>.map-<key of the options>.csv.
std::filesystem::path mapFileFor(const std::filesystem::path& embeddingsFile,
                                 const MapOptions& options);

/// `GalaxyID,x,y`, written atomically.
void writeMapCsv(const std::filesystem::path& file, const EmbeddingMap& map);
/// Reads it back; DataError naming the file and line on anything malformed.
EmbeddingMap readMapCsv(const std::filesystem::path& file);

}  // namespace gz
