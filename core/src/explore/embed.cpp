// embedCatalog (gz/embedding.h): every galaxy of a data set through a run's model, kept in the
// workspace.

#include <cstring>

#include "gz/decoded_cache.h"
#include "gz/embedding.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/npy.h"
#include "gz/precision.h"
#include "gz/run_folder.h"
#include "gz/training.h"
#include "imaging/cache_file.h"
#include "training/checkpoint.h"
#include "training/compute.h"
#include "training/inference.h"
#include "training/memory_tuning.h"
#include "util/file_io.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

// Images a batch (an eighth of it with TTA), as predictCatalog.
constexpr std::size_t kEmbedBatch = 64;

/// <workspace>/embeddings/<key>.npy for the run's checkpoints, the decoded cache and the choices.
fs::path embeddingsFile(const fs::path& workspace, const RunFolder& run, const DecodedCache& cache,
                        bool tta, bool bf16) {
    detail::Hasher h;
    h.text("galaxy-studio embeddings 1");
    h.text(detail::absoluteClean(run.root).string());
    detail::hashFileStamp(h, run.bestCheckpoint());
    detail::hashFileStamp(h, run.lastCheckpoint());
    h.text(cache.file().string());
    detail::hashFileStamp(h, cache.file());
    h.value(tta);
    h.value(bf16);
    return workspace / "embeddings" / (detail::hex(h.digest()) + ".npy");
}

}  // namespace

EmbedResult embedCatalog(const fs::path& runDir, const Catalog& catalog, const fs::path& workspace,
                         const EmbedOptions& options, const std::stop_token& stop,
                         const ProgressFn& progress) {
    const detail::TrainingMemory memory;
    const RunFolder run{runDir};
    const TrainConfig cfg = loadRunConfig(runDir);
    const int threads = detail::threadCount(options.threads);
    torch::set_num_threads(threads);
    const torch::Device device = detail::chooseDevice(cfg.device);
    const bool bf16 = detail::useBf16(inferencePrecision(options.precision, cfg.precision), device);
    const bool tta = options.tta.value_or(cfg.tta);
    const DecodedCache cache = DecodedCache::buildOrLoad(catalog, catalog.ids(), workspace,
                                                         cfg.augmentation, threads, stop, progress);
    if (cache.size() == 0)
        throw DataError(catalog.csvPath(), "no galaxy of the catalog has a usable image");
    EmbedResult result;
    for (const auto& s : cache.skipped()) result.skipped.push_back(s.message);
    result.file = embeddingsFile(workspace, run, cache, tta, bf16);
    const fs::path probabilitiesFile = embeddingProbabilitiesFile(result.file);
    if (fs::exists(result.file) && fs::exists(embeddingIdsFile(result.file)) &&
        fs::exists(probabilitiesFile)) {
        try {
            result.embeddings = readEmbeddings(result.file);
            const NpyMatrix p = readNpyMatrix(probabilitiesFile);
            if (result.embeddings.ids == cache.ids() && p.rows == cache.size() &&
                p.cols == static_cast<std::size_t>(kMorphologyCount)) {
                result.probabilities.resize(p.rows);
                std::memcpy(result.probabilities.data(), p.values.data(),
                            p.values.size() * sizeof(float));
                result.reused = true;
                return result;
            }
        } catch (const DataError&) {
            // A damaged cached file is computed again below.
        }
    }
    auto net = detail::loadRunModel(run, cfg, device);
    net->setBf16(bf16);
    net->eval();
    std::vector<std::size_t> indices(cache.size());
    for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = i;
    Embeddings& e = result.embeddings;
    e = {};
    e.ids = cache.ids();
    result.probabilities.assign(e.ids.size(), Probabilities{});
    detail::forEachEvaluationBatch(
        cache, indices, cfg.augmentation, tta ? kEmbedBatch / 8 : kEmbedBatch, cfg.loaderThreads,
        stop, progress, "embedding", [&](const torch::Tensor& images, std::size_t first) {
            const auto [embedded, probabilities] =
                detail::embeddingsAndProbabilities(*net, images, tta, device);
            const torch::Tensor f = embedded.contiguous(), p = probabilities.contiguous();
            std::memcpy(result.probabilities.data() + first, p.data_ptr<float>(),
                        static_cast<std::size_t>(p.numel()) * sizeof(float));
            if (e.dim == 0) {
                e.dim = static_cast<std::size_t>(f.size(1));
                e.values.resize(e.ids.size() * e.dim);
            }
            std::memcpy(e.values.data() + first * e.dim, f.data_ptr<float>(),
                        static_cast<std::size_t>(f.numel()) * sizeof(float));
        });
    if (stop.stop_requested()) throw Cancelled();
    writeEmbeddings(result.file, e);
    // After the embeddings (whose writing makes the folder); a later call reuses the three files
    // only when all are there.
    static_assert(sizeof(Probabilities) == kMorphologyCount * sizeof(float));
    NpyWriter writer(probabilitiesFile, NpyType::Float32, {kMorphologyCount}, e.ids.size());
    writer.writeRows(0, result.probabilities.data(), e.ids.size());
    writer.finish();
    writer.commit();
    return result;
}

}  // namespace gz
