// benchmarkTraining (gz/training.h): training speed on random tensors and through the cache.

#include <torch/nn.h>
#include <torch/optim.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <memory>

#include "distributed/communicator.h"
#include "distributed/data_parallel.h"
#include "gz/decoded_cache.h"
#include "gz/error.h"
#include "gz/labeling.h"
#include "gz/training.h"
#include "training/batches.h"
#include "training/compute.h"
#include "training/memory_tuning.h"
#include "training/models.h"
#include "training/step_profile.h"
#include "training/train_step.h"
#include "util/batch_loader.h"

namespace gz {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using detail::Batch;

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

TrainBenchmark benchmarkTraining(const std::string& model, int batch, int threads,
                                 Precision precision, double seconds, const Catalog* data,
                                 const fs::path& workspace, const std::stop_token& stop,
                                 const ProgressFn& progress, const World& world) {
    const detail::TrainingMemory memory;
    TrainBenchmark b;
    b.model = model;
    b.batch = batch;
    b.threads = detail::threadCount(threads);
    b.worldSize = world.size;
    world.validate();
    if (world.distributed() && data)
        throw DataError("bench train: --data is measured with a single process only");
    if (batch % world.size != 0)
        throw DataError("bench train: batch " + std::to_string(batch) +
                        " must be a multiple of the world size " + std::to_string(world.size));
    torch::set_num_threads(b.threads);
    b.bf16 = detail::useBf16(precision, torch::kCPU);
    torch::manual_seed(0);
    detail::GalaxyNet net = detail::makeModel(model);
    net->setBf16(b.bf16);
    net->train();
    b.parameters = detail::trainableParameters(*net);
    b.gradientBytes = b.parameters * static_cast<std::int64_t>(sizeof(float));
    std::unique_ptr<detail::Communicator> comm;
    if (world.distributed()) {
        comm = std::make_unique<detail::Communicator>(world);
        comm->broadcastModule(*net);
    }
    const int share = batch / world.size;
    torch::optim::SGD optimizer(
        net->parameters(),
        torch::optim::SGDOptions(0.01).momentum(0.9).nesterov(true).weight_decay(1e-4));
    const auto options = torch::nn::functional::CrossEntropyFuncOptions();
    const AugmentationParams params;
    const int s = params.outputSize;

    // Times steps whose batches come from `next` until `seconds` have passed (after two warm-up
    // steps); returns the median images/s and the number of timed steps. Data-parallel ranks
    // take every step together: rank 0's clock decides when enough are timed.
    std::vector<double> reduceTimes;
    auto measure = [&](const std::function<Batch()>& next, std::size_t& steps) {
        std::vector<double> times;
        double total = 0;
        for (int i = 0;; ++i) {
            const auto t0 = Clock::now();
            const Batch bt = next();
            const double reducedBefore = comm ? comm->reduceSeconds() : 0;
            if (comm)
                detail::dataParallelStep(*comm, *net, optimizer, bt.images, bt.labels, {},
                                         detail::LossSpec{options}, batch,
                                         static_cast<std::size_t>(batch));
            else
                detail::trainStep(*net, optimizer, bt.images, bt.labels, {},
                                  detail::LossSpec{options});
            const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
            if (i >= 2) {
                times.push_back(dt);
                total += dt;
                if (comm) reduceTimes.push_back(comm->reduceSeconds() - reducedBefore);
            }
            checkpoint(stop, progress, static_cast<std::size_t>(std::min(total, seconds) * 1000),
                       static_cast<std::size_t>(seconds * 1000), "benchmarking " + model);
            const bool enough = total >= seconds && times.size() >= 3;
            if (!comm && enough) break;
            if (comm && !detail::agreeOnStop(*comm, enough && world.leader()).empty()) break;
        }
        steps = times.size();
        return static_cast<double>(batch) / median(times);
    };

    const Batch random{
        torch::randn({share, 3, s, s}), torch::randint(0, kMorphologyCount, {share}), {}};
    b.computeImagesPerSecond = measure([&] { return random; }, b.computeSteps);
    // How much arithmetic that is, against what the cores can do; where a step's time goes.
    b.flopsPerImage = detail::trainingStepFlops(*net, random.images) / static_cast<double>(share);
    b.computeGflops = b.flopsPerImage * b.computeImagesPerSecond / 1e9;
    b.peak = fp32Peak(b.threads);
    if (!comm)
        b.profile =
            detail::profileTrainingSteps(*net, optimizer, random.images, random.labels, options, 3);
    if (comm) {
        b.allreduceMilliseconds = 1000 * median(reduceTimes);
        b.allreduceShare =
            b.allreduceMilliseconds / 1000 * b.computeImagesPerSecond / static_cast<double>(batch);
    }

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
