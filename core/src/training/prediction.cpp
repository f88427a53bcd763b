// predictCatalog and predictFolder (gz/training.h): a run's model on galaxies of a catalog or on
// a folder of JPEGs.

#include <algorithm>

#include "gz/decoded_cache.h"
#include "gz/error.h"
#include "gz/explain.h"
#include "gz/files.h"
#include "gz/precision.h"
#include "gz/run_folder.h"
#include "gz/training.h"
#include "training/batches.h"
#include "training/checkpoint.h"
#include "training/compute.h"
#include "training/inference.h"
#include "training/memory_tuning.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

// Images a batch when predicting a catalog (an eighth of it with TTA) and a folder.
constexpr int kCatalogBatch = 64;
constexpr std::size_t kFolderBatch = 32;

// The run's configuration, deciding by `decision` when given (the network built from it then
// decides so).
TrainConfig runConfigDecidingBy(const fs::path& runDir, std::optional<Decision> decision) {
    TrainConfig cfg = loadRunConfig(runDir);
    if (decision) cfg.decision = *decision;
    return cfg;
}

}  // namespace

std::vector<Prediction> predictCatalog(
    const fs::path& runDir, const Catalog& catalog, const std::vector<LabeledGalaxy>& galaxies,
    const fs::path& workspace, bool tta, std::optional<Precision> precision, int threads,
    const std::stop_token& stop, const ProgressFn& progress, std::vector<std::string>* skipped,
    CheckpointChoice checkpoint, std::optional<Decision> decision) {
    const detail::TrainingMemory memory;
    const TrainConfig cfg = runConfigDecidingBy(runDir, decision);
    torch::set_num_threads(detail::threadCount(threads));
    const torch::Device device = detail::chooseDevice(cfg.device);
    const bool bf16 = detail::useBf16(inferencePrecision(precision, cfg.precision), device);
    std::vector<std::int64_t> ids;
    for (const auto& g : galaxies) ids.push_back(g.id);
    const DecodedCache cache = DecodedCache::buildOrLoad(catalog, ids, workspace, cfg.augmentation,
                                                         detail::threadCount(threads), stop, {});
    if (skipped)
        for (const auto& sk : cache.skipped()) skipped->push_back(sk.message);
    std::vector<std::size_t> indices;
    std::vector<int> labels;
    for (const auto& g : galaxies)
        if (auto i = cache.indexOf(g.id)) {
            indices.push_back(*i);
            labels.push_back(g.label);
        }
    auto net = detail::loadRunModel(RunFolder{runDir}, cfg, device, checkpoint);
    net->setBf16(bf16);
    return detail::predictIndices(*net, cache, indices, labels, cfg.augmentation, tta,
                                  kCatalogBatch, cfg.loaderThreads, device, stop, progress);
}

std::vector<Prediction> predictFolder(const fs::path& runDir, const fs::path& imageDir, bool tta,
                                      std::optional<Precision> precision, int threads,
                                      const std::stop_token& stop, const ProgressFn& progress,
                                      std::vector<std::string>* skipped,
                                      std::optional<Decision> decision) {
    const detail::TrainingMemory memory;
    const TrainConfig cfg = runConfigDecidingBy(runDir, decision);
    torch::set_num_threads(detail::threadCount(threads));
    const torch::Device device = detail::chooseDevice(cfg.device);
    const bool bf16 = detail::useBf16(inferencePrecision(precision, cfg.precision), device);
    const std::vector<JpegFile> files = listJpegs(imageDir);
    auto net = detail::loadRunModel(RunFolder{runDir}, cfg, device);
    net->setBf16(bf16);
    const int s = cfg.augmentation.outputSize;
    std::vector<Prediction> out;
    for (std::size_t from = 0; from < files.size(); from += kFolderBatch) {
        std::vector<cv::Mat> inputs;
        std::vector<std::int64_t> ids;
        for (std::size_t i = from; i < std::min(files.size(), from + kFolderBatch); ++i) {
            try {
                const SourceImage img = decodeImage(files[i].path, DecodeScale::Half);
                inputs.push_back(
                    evaluationTransform(img, evaluationParamsFor(cfg.augmentation, img)));
                ids.push_back(files[i].id);
            } catch (const DataError& e) {
                if (skipped) skipped->push_back(e.what());
            }
        }
        if (!inputs.empty()) {
            torch::Tensor batch = torch::empty({static_cast<std::int64_t>(inputs.size()), 3, s, s});
            for (std::size_t i = 0; i < inputs.size(); ++i)
                detail::copyToChw(
                    inputs[i], batch.data_ptr<float>() + i * 3 * static_cast<std::size_t>(s * s));
            const detail::BatchOutputs o = detail::predictBatch(*net, batch, tta, device);
            for (std::size_t i = 0; i < inputs.size(); ++i) {
                Prediction pred;
                pred.id = ids[i];
                o.copyRow(static_cast<std::int64_t>(i), pred);
                out.push_back(std::move(pred));
            }
        }
        checkpoint(stop, progress, std::min(files.size(), from + kFolderBatch), files.size(),
                   "predicting");
    }
    return out;
}

}  // namespace gz
