// embedCatalog (gz/embedding.h): every galaxy of a data set through a run's model, kept in the
// workspace.

#include <cstring>

#include "gz/decoded_cache.h"
#include "gz/embedding.h"
#include "gz/error.h"
#include "gz/files.h"
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
    if (fs::exists(result.file) && fs::exists(embeddingIdsFile(result.file))) {
        try {
            result.embeddings = readEmbeddings(result.file);
            if (result.embeddings.ids == cache.ids()) {
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
    detail::forEachEvaluationBatch(
        cache, indices, cfg.augmentation, tta ? kEmbedBatch / 8 : kEmbedBatch, cfg.loaderThreads,
        stop, progress, "embedding", [&](const torch::Tensor& images, std::size_t first) {
            const torch::Tensor f = detail::embeddings(*net, images, tta, device).contiguous();
            if (e.dim == 0) {
                e.dim = static_cast<std::size_t>(f.size(1));
                e.values.resize(e.ids.size() * e.dim);
            }
            std::memcpy(e.values.data() + first * e.dim, f.data_ptr<float>(),
                        static_cast<std::size_t>(f.numel()) * sizeof(float));
        });
    if (stop.stop_requested()) throw Cancelled();
    writeEmbeddings(result.file, e);
    return result;
}

}  // namespace gz
