#pragma once
// What a trained model sees in a galaxy: its embedding, the pooled features the classifier head
// reads. Every galaxy of a data set through a run's model, kept in the workspace per run and data
// set; the map, "more like this" and the suspects are built on it.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "gz/catalog.h"
#include "gz/evaluation.h"
#include "gz/image_pipeline.h"
#include "gz/progress.h"
#include "gz/train_options.h"

namespace gz {

/// One embedding a galaxy, the rows in ascending GalaxyID.
struct Embeddings {
    std::vector<std::int64_t> ids;  ///< ascending, each once
    std::size_t dim = 0;
    std::vector<float> values;  ///< ids.size() x dim, row-major

    std::size_t size() const { return ids.size(); }
    std::span<const float> row(std::size_t i) const { return {values.data() + i * dim, dim}; }
    /// The row of `id`, or nullopt when it has none.
    std::optional<std::size_t> indexOf(std::int64_t id) const;
};

/// foo.npy -> foo.ids.csv: the GalaxyIDs of an embeddings file's rows.
std::filesystem::path embeddingIdsFile(const std::filesystem::path& npyFile);

/// foo.npy -> foo.probabilities.npy: the model's class probabilities of the same rows (N x 5).
std::filesystem::path embeddingProbabilitiesFile(const std::filesystem::path& npyFile);

/// Writes `npyFile` (float32, N x D, as numpy.save writes it) and its ids file ("GalaxyID" then one
/// id a line), each atomically, the ids first. DataError naming the file on failure.
void writeEmbeddings(const std::filesystem::path& npyFile, const Embeddings& embeddings);

/// Reads an embeddings file and its ids file. DataError naming the file when either is missing or
/// malformed, the ids are not ascending, or the two disagree on the number of rows.
Embeddings readEmbeddings(const std::filesystem::path& npyFile);

/// How embeddings are computed; unset choices are the run's own.
struct EmbedOptions {
    std::optional<bool> tta;             ///< the 8 rotations and flips averaged
    std::optional<Precision> precision;  ///< inferencePrecision (gz/precision.h)
    int threads = 0;                     ///< 0: every core
};

struct EmbedResult {
    Embeddings embeddings;
    /// The model's class probabilities of each row (averaged over the same views), from the same
    /// pass; kept beside the embeddings.
    std::vector<Probabilities> probabilities;
    std::filesystem::path file;        ///< the cached .npy in the workspace
    bool reused = false;               ///< loaded from the workspace, nothing computed
    std::vector<std::string> skipped;  ///< unusable images, one message each (naming the file)
};

/// The embedding of every galaxy of `catalog` that has a usable image, labeled or not, with the
/// run's model (best checkpoint, else last) and its evaluation transform, with its predicted
/// probabilities. Kept in <workspace>/embeddings/<key>.npy with its ids and probabilities files:
/// the key hashes the run's folder and the size and time of its checkpoints, the decoded cache of
/// the images (which changes with the image folder, the ids, the crop and any image's size or
/// time), TTA and the precision. A matching file is reused; a changed run or data set computes a
/// new one. Throws DataError on bad input and Cancelled on stop (leaving no partial file).
EmbedResult embedCatalog(const std::filesystem::path& runDir, const Catalog& catalog,
                         const std::filesystem::path& workspace, const EmbedOptions& options,
                         const std::stop_token& stop = {}, const ProgressFn& progress = {});

}  // namespace gz
