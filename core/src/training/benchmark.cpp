// benchmarkTraining (gz/training.h): training speed on random tensors and through the cache.

#include <torch/nn.h>
#include <torch/optim.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <memory>

#include "gz/decoded_cache.h"
#include "gz/error.h"
#include "gz/labeling.h"
#include "gz/training.h"
#include "training/batches.h"
#include "training/compute.h"
#include "training/memory_tuning.h"
#include "training/models.h"
#include "training/train_step.h"
#include "util/batch_loader.h"

namespace gz {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using detail::Batch;

TrainBenchmark benchmarkTraining(const std::string& model, int batch, int threads, double seconds,
                                 const Catalog* data, const fs::path& workspace,
                                 const std::stop_token& stop, const ProgressFn& progress) {
    const detail::TrainingMemory memory;
    TrainBenchmark b;
    b.model = model;
    b.batch = batch;
    b.threads = detail::threadCount(threads);
    torch::set_num_threads(b.threads);
    torch::manual_seed(0);
    detail::GalaxyNet net = detail::makeModel(model);
    net->train();
    b.parameters = detail::trainableParameters(*net);
    torch::optim::SGD optimizer(
        net->parameters(),
        torch::optim::SGDOptions(0.01).momentum(0.9).nesterov(true).weight_decay(1e-4));
    const auto options = torch::nn::functional::CrossEntropyFuncOptions();
    const AugmentationParams params;
    const int s = params.outputSize;

    // Times steps whose batches come from `next` until `seconds` have passed (after two warm-up
    // steps); returns the median images/s and the number of timed steps.
    auto measure = [&](const std::function<Batch()>& next, std::size_t& steps) {
        std::vector<double> times;
        double total = 0;
        for (int i = 0; total < seconds || times.size() < 3; ++i) {
            const auto t0 = Clock::now();
            const Batch bt = next();
            detail::trainStep(*net, optimizer, bt.images, bt.labels, options);
            const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
            if (i >= 2) {
                times.push_back(dt);
                total += dt;
            }
            checkpoint(stop, progress, static_cast<std::size_t>(std::min(total, seconds) * 1000),
                       static_cast<std::size_t>(seconds * 1000), "benchmarking " + model);
        }
        steps = times.size();
        std::sort(times.begin(), times.end());
        return static_cast<double>(batch) / times[times.size() / 2];
    };

    const Batch random{torch::randn({batch, 3, s, s}),
                       torch::randint(0, kMorphologyCount, {batch})};
    b.computeImagesPerSecond = measure([&] { return random; }, b.computeSteps);

    b.endToEndImagesPerSecond = std::numeric_limits<double>::quiet_NaN();
    if (data) {
        const Labeling labeling = labelCatalog(*data, LabelRules::defaults());
        std::vector<std::int64_t> ids;
        for (const LabeledGalaxy& g : labeledGalaxies(*data, labeling)) ids.push_back(g.id);
        const DecodedCache cache =
            DecodedCache::buildOrLoad(*data, ids, workspace, params, b.threads, stop);
        if (cache.size() < static_cast<std::size_t>(batch))
            throw DataError("fewer usable labeled images than one batch");
        std::vector<int> labels;
        for (std::size_t i = 0; i < cache.size(); ++i)
            labels.push_back(labeling.labels[*data->rowOf(cache.id(i))]);
        // Batches as training makes them, endlessly: one loader an epoch-sized pass at a time.
        const std::size_t perPass = cache.size() / static_cast<std::size_t>(batch);
        std::uint64_t pass = 0;
        std::unique_ptr<detail::BatchLoader<Batch>> loader;
        std::size_t taken = 0;
        auto makeLoader = [&] {
            const std::uint64_t e = pass++;
            loader = std::make_unique<detail::BatchLoader<Batch>>(
                0, perPass, 1, 4, [&, e](std::size_t bi) {
                    const auto n = static_cast<std::size_t>(batch);
                    return detail::trainingBatch(cache, params, 1, e, bi * n, n,
                                                 [&](std::size_t pos) {
                                                     const std::size_t k = pos % cache.size();
                                                     return std::pair(k, labels[k]);
                                                 });
                });
            taken = 0;
        };
        makeLoader();
        b.endToEndImagesPerSecond = measure(
            [&] {
                if (taken == perPass) makeLoader();
                ++taken;
                auto bt = loader->next(stop);
                if (!bt) throw Cancelled();
                return std::move(*bt);
            },
            b.endToEndSteps);
    }
    return b;
}

}  // namespace gz
