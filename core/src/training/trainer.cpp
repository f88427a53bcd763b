#include <torch/autograd.h>
#include <torch/cuda.h>
#include <torch/nn.h>
#include <torch/optim.h>
#include <torch/serialize.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "data/csv_reader.h"
#include "gz/decoded_cache.h"
#include "gz/error.h"
#include "gz/explain.h"
#include "gz/files.h"
#include "gz/models.h"
#include "gz/training.h"
#include "training/memory_tuning.h"
#include "training/models.h"
#include "util/batch_loader.h"
#include "util/file_io.h"
#include "util/parallel_for.h"
#include "util/portable_random.h"

namespace gz {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// ---- configuration ---------------------------------------------------------------------------

void TrainConfig::validate() const {
    auto require = [](bool ok, const std::string& what) {
        if (!ok) throw DataError("training configuration: " + what);
    };
    const auto models = availableModels();
    require(std::find(models.begin(), models.end(), model) != models.end(),
            "unknown model '" + model + "'");
    require(epochs >= 0 && minutes >= 0, "epochs and minutes cannot be negative");
    require(epochs > 0 || minutes > 0, "give a number of epochs or minutes");
    require(batch >= 2 && batch <= 4096, "batch must be 2..4096");
    require(lr > 0 && lr < 10, "learning rate must be in (0, 10)");
    require(schedule == "cosine" || schedule == "step" || schedule == "constant",
            "schedule must be cosine, step or constant");
    require(warmupEpochs >= 0, "warm-up cannot be negative");
    require(stepEvery >= 1, "step-every must be at least 1");
    require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1)");
    require(weightDecay >= 0 && weightDecay < 1, "weight decay must be in [0, 1)");
    require(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1)");
    require(balance == "none" || balance == "sample" || balance == "weight" || balance == "sqrt",
            "balance must be none, sample, weight or sqrt");
    require(earlyStopPatience >= 0, "patience cannot be negative");
    require(selectMetric == "macro_f1" || selectMetric == "accuracy" || selectMetric == "loss",
            "the selection metric must be macro_f1, accuracy or loss");
    require(threads >= 0 && threads <= 256 && loaderThreads >= 1 && loaderThreads <= 64,
            "thread counts out of range");
    require(device == "auto" || device == "cpu" || device == "cuda",
            "device must be auto, cpu or cuda");
    augmentation.validate();
}

std::string TrainConfig::toJson() const {
    json j = {{"model", model},
              {"epochs", epochs},
              {"minutes", minutes},
              {"batch", batch},
              {"lr", lr},
              {"schedule", schedule},
              {"warmup_epochs", warmupEpochs},
              {"step_every", stepEvery},
              {"momentum", momentum},
              {"weight_decay", weightDecay},
              {"label_smoothing", labelSmoothing},
              {"balance", balance},
              {"early_stop_patience", earlyStopPatience},
              {"select_metric", selectMetric},
              {"tta", tta},
              {"threads", threads},
              {"loader_threads", loaderThreads},
              {"device", device},
              {"seed", seed},
              {"augmentation", json::parse(augmentation.toJson())},
              {"rules", json::parse(rules.toJson())},
              {"data_csv", dataCsv.string()},
              {"data_images", dataImages ? json(dataImages->string()) : json(nullptr)}};
    return json{{"format", "galaxy-studio-run"}, {"version", 1}, {"config", j}}.dump(2);
}

TrainConfig TrainConfig::fromJson(const std::string& text, const fs::path& source) {
    const fs::path where = source.empty() ? fs::path("training configuration") : source;
    TrainConfig c;
    try {
        const json all = json::parse(text);
        const json& j = all.at("config");
        c.model = j.at("model");
        c.epochs = j.at("epochs");
        c.minutes = j.at("minutes");
        c.batch = j.at("batch");
        c.lr = j.at("lr");
        c.schedule = j.at("schedule");
        c.warmupEpochs = j.at("warmup_epochs");
        c.stepEvery = j.at("step_every");
        c.momentum = j.at("momentum");
        c.weightDecay = j.at("weight_decay");
        c.labelSmoothing = j.at("label_smoothing");
        c.balance = j.at("balance");
        c.earlyStopPatience = j.at("early_stop_patience");
        c.selectMetric = j.at("select_metric");
        c.tta = j.at("tta");
        c.threads = j.at("threads");
        c.loaderThreads = j.at("loader_threads");
        c.device = j.at("device");
        c.seed = j.at("seed");
        c.augmentation = AugmentationParams::fromJson(j.at("augmentation").dump(), where);
        c.rules = LabelRules::fromJson(j.at("rules").dump(), where);
        c.dataCsv = j.at("data_csv").get<std::string>();
        if (!j.at("data_images").is_null()) c.dataImages = j.at("data_images").get<std::string>();
    } catch (const json::exception& e) {
        throw DataError(where, std::string("not a run configuration: ") + e.what());
    }
    try {
        c.validate();
    } catch (const DataError& e) {
        throw DataError(where, e.what());
    }
    return c;
}

// ---- metrics.csv -------------------------------------------------------------------------------

namespace {

// metrics.csv holds only what a seeded single-thread run reproduces exactly; the timings, which
// never repeat, go to timing.csv.
constexpr const char* kMetricsHeader =
    "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,lr,batches";
constexpr const char* kTimingHeader = "epoch,seconds,elapsed_seconds,images_per_s";

std::string number(double v) {
    if (!std::isfinite(v)) return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

void writeMetricsCsv(const fs::path& file, const std::vector<EpochRecord>& rows) {
    writeFileAtomically(file, [&](std::ostream& out) {
        out << kMetricsHeader << '\n';
        for (const auto& r : rows)
            out << r.epoch << ',' << number(r.trainLoss) << ',' << number(r.trainAccuracy) << ','
                << number(r.valLoss) << ',' << number(r.valAccuracy) << ',' << number(r.valMacroF1)
                << ',' << number(r.lr) << ',' << r.batches << '\n';
    });
    writeFileAtomically(file.parent_path() / "timing.csv", [&](std::ostream& out) {
        out << kTimingHeader << '\n';
        for (const auto& r : rows)
            out << r.epoch << ',' << number(r.seconds) << ',' << number(r.elapsedSeconds) << ','
                << number(r.imagesPerSecond) << '\n';
    });
}

json recordJson(const EpochRecord& r) {
    auto n = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    return {{"epoch", r.epoch},
            {"train_loss", n(r.trainLoss)},
            {"train_accuracy", n(r.trainAccuracy)},
            {"val_loss", n(r.valLoss)},
            {"val_accuracy", n(r.valAccuracy)},
            {"val_macro_f1", n(r.valMacroF1)},
            {"lr", n(r.lr)},
            {"images_per_s", n(r.imagesPerSecond)},
            {"seconds", n(r.seconds)},
            {"elapsed_seconds", n(r.elapsedSeconds)},
            {"batches", r.batches}};
}

EpochRecord recordFromJson(const json& j) {
    auto n = [&](const char* k) {
        return j.at(k).is_null() ? std::numeric_limits<double>::quiet_NaN() : j.at(k).get<double>();
    };
    EpochRecord r;
    r.epoch = j.at("epoch");
    r.trainLoss = n("train_loss");
    r.trainAccuracy = n("train_accuracy");
    r.valLoss = n("val_loss");
    r.valAccuracy = n("val_accuracy");
    r.valMacroF1 = n("val_macro_f1");
    r.lr = n("lr");
    r.imagesPerSecond = n("images_per_s");
    r.seconds = n("seconds");
    r.elapsedSeconds = n("elapsed_seconds");
    r.batches = j.at("batches");
    return r;
}

}  // namespace

std::vector<EpochRecord> readMetricsCsv(const fs::path& file) {
    const std::string text = readWholeFile(file);
    detail::CsvReader csv(text, file);
    std::vector<std::size_t> f;
    for (const char* name : {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
                             "val_macro_f1", "lr", "batches"})
        f.push_back(csv.require(name));
    auto value = [&](const detail::CsvReader& r, std::size_t field) {
        return r.field(field).empty() ? std::numeric_limits<double>::quiet_NaN() : r.number(field);
    };
    std::vector<EpochRecord> out;
    while (csv.next()) {
        EpochRecord r;
        r.epoch = static_cast<int>(csv.integer(f[0]));
        r.trainLoss = value(csv, f[1]);
        r.trainAccuracy = value(csv, f[2]);
        r.valLoss = value(csv, f[3]);
        r.valAccuracy = value(csv, f[4]);
        r.valMacroF1 = value(csv, f[5]);
        r.lr = value(csv, f[6]);
        r.batches = static_cast<int>(csv.integer(f[7]));
        out.push_back(r);
    }
    // Timings, when the run has them (matched by epoch).
    const fs::path timing = file.parent_path() / "timing.csv";
    std::error_code ec;
    if (fs::exists(timing, ec)) {
        const std::string ttext = readWholeFile(timing);
        detail::CsvReader t(ttext, timing);
        const std::size_t e = t.require("epoch"), sec = t.require("seconds"),
                          el = t.require("elapsed_seconds"), ips = t.require("images_per_s");
        while (t.next()) {
            const auto epoch = t.integer(e);
            for (auto& r : out)
                if (r.epoch == epoch) {
                    r.seconds = value(t, sec);
                    r.elapsedSeconds = value(t, el);
                    r.imagesPerSecond = value(t, ips);
                }
        }
    }
    return out;
}

// ---- the run
// ---------------------------------------------------------------------------------------

namespace {

struct RunFiles {
    fs::path dir;
    fs::path config() const { return dir / "config.json"; }
    fs::path split() const { return dir / "split.csv"; }
    fs::path metrics() const { return dir / "metrics.csv"; }
    fs::path last() const { return dir / "checkpoints" / "last.pt"; }
    fs::path best() const { return dir / "checkpoints" / "best.pt"; }
    fs::path predictions() const { return dir / "predictions.csv"; }
    fs::path confusion() const { return dir / "confusion.json"; }
    fs::path log() const { return dir / "log.txt"; }
};

// log.txt (appended, flushed line by line) and the log callback.
class RunLog {
public:
    RunLog(const fs::path& file, std::function<void(const std::string&)> sink)
        : out_(file, std::ios::app), sink_(std::move(sink)) {
        if (!out_) throw DataError(file, "cannot write the run log");
    }
    void operator()(const std::string& line) {
        const std::time_t now = std::time(nullptr);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
        out_ << stamp << "  " << line << std::endl;
        if (sink_) sink_(line);
    }

private:
    std::ofstream out_;
    std::function<void(const std::string&)> sink_;
};

torch::Device chooseDevice(const std::string& wanted) {
    const bool cuda = torch::cuda::is_available();
    if (wanted == "cuda" && !cuda)
        throw DataError("--device cuda: this LibTorch build has no CUDA device available");
    return (wanted != "cpu" && cuda) ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

int threadCount(int wanted) {
    return static_cast<int>(detail::workerCount(wanted, std::numeric_limits<std::size_t>::max()));
}

// Copies an HWC float image into one CHW slot of a batch.
void copyToChw(const cv::Mat& image, float* dst) {
    const int h = image.rows, w = image.cols, plane = h * w;
    for (int y = 0; y < h; ++y) {
        const float* row = image.ptr<float>(y);
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c) dst[c * plane + y * w + x] = row[3 * x + c];
    }
}

struct Batch {
    torch::Tensor images;  // N, 3, S, S
    torch::Tensor labels;  // N (int64)
};

// A training batch of `n` images at positions first..first+n-1 of an epoch, each augmented as
// drawn for (seed, epoch, position); `item(position)` gives its cache index and label.
template <typename Item>
Batch trainingBatch(const DecodedCache& cache, const AugmentationParams& params, std::uint64_t seed,
                    std::uint64_t epoch, std::size_t first, std::size_t n, Item&& item) {
    const int s = params.outputSize;
    const std::size_t imageFloats = 3 * static_cast<std::size_t>(s * s);
    Batch batch{torch::empty({static_cast<std::int64_t>(n), 3, s, s}),
                torch::empty({static_cast<std::int64_t>(n)}, torch::kInt64)};
    float* dst = batch.images.data_ptr<float>();
    auto* labels = batch.labels.data_ptr<std::int64_t>();
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t pos = first + i;
        const auto [index, label] = item(pos);
        copyToChw(trainingTransform(cache.image(index), params,
                                    drawAugmentation(params, seed, epoch, pos)),
                  dst + i * imageFloats);
        labels[i] = label;
    }
    return batch;
}

// The 8 rotations and flips of a batch (test-time augmentation): 8N images.
torch::Tensor dihedral(const torch::Tensor& x) {
    std::vector<torch::Tensor> views;
    for (int k = 0; k < 4; ++k) {
        const torch::Tensor r = torch::rot90(x, k, {2, 3});
        views.push_back(r);
        views.push_back(torch::flip(r, {3}));
    }
    return torch::cat(views, 0);
}

// Softmax probabilities of `images` (N, 3, S, S) in eval mode, averaged over the 8
// rotations/flips with TTA.
torch::Tensor probabilities(detail::GalaxyNetImpl& net, const torch::Tensor& images, bool tta,
                            const torch::Device& device) {
    torch::NoGradGuard noGrad;
    const torch::Tensor x = images.to(device);
    if (!tta) return torch::softmax(net.forward(x), 1).cpu();
    const auto n = x.size(0);
    return torch::softmax(net.forward(dihedral(x)), 1).view({8, n, -1}).mean(0).cpu();
}

// Evaluation batches from the cache: evaluation transform, in order.
std::vector<Prediction> predictIndices(detail::GalaxyNetImpl& net, const DecodedCache& cache,
                                       const std::vector<std::size_t>& indices,
                                       const std::vector<int>& labels,
                                       const AugmentationParams& params, bool tta, int batchSize,
                                       int workers, const torch::Device& device,
                                       const std::stop_token& stop, const ProgressFn& progress) {
    net.eval();
    const std::size_t bs = static_cast<std::size_t>(tta ? std::max(batchSize / 8, 1) : batchSize);
    const std::size_t batches = (indices.size() + bs - 1) / bs;
    const int s = params.outputSize;
    detail::BatchLoader<Batch> loader(0, batches, workers, 3, [&](std::size_t b) {
        const std::size_t from = b * bs, to = std::min(indices.size(), from + bs);
        Batch batch{torch::empty({static_cast<std::int64_t>(to - from), 3, s, s}), {}};
        float* dst = batch.images.data_ptr<float>();
        for (std::size_t i = from; i < to; ++i)
            copyToChw(evaluationTransform(cache.image(indices[i]), params),
                      dst + (i - from) * 3 * static_cast<std::size_t>(s * s));
        return batch;
    });
    std::vector<Prediction> out;
    out.reserve(indices.size());
    for (std::size_t b = 0; b < batches; ++b) {
        auto batch = loader.next(stop);
        if (!batch) throw Cancelled();
        const torch::Tensor p = probabilities(net, batch->images, tta, device).contiguous();
        const float* pp = p.data_ptr<float>();
        for (std::int64_t i = 0; i < p.size(0); ++i) {
            const std::size_t k = b * bs + static_cast<std::size_t>(i);
            Prediction pred;
            pred.id = cache.id(indices[k]);
            pred.trueLabel = labels[k];
            std::copy_n(pp + i * kMorphologyCount, kMorphologyCount, pred.probabilities.begin());
            out.push_back(pred);
        }
        checkpoint(stop, progress, out.size(), indices.size(), "predicting");
    }
    return out;
}

struct StepResult {
    double loss;
    std::int64_t correct;
};

// One optimisation step on a batch.
StepResult trainStep(detail::GalaxyNetImpl& net, torch::optim::Optimizer& optimizer,
                     const torch::Tensor& x, const torch::Tensor& y,
                     const torch::nn::functional::CrossEntropyFuncOptions& options) {
    optimizer.zero_grad();
    const torch::Tensor logits = net.forward(x);
    const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y, options);
    loss.backward();
    optimizer.step();
    return {loss.item<double>(), logits.argmax(1).eq(y).sum().item<std::int64_t>()};
}

// A training checkpoint: model, optimiser and the loop's state (as JSON).
void saveCheckpoint(const fs::path& file, detail::GalaxyNetImpl& net,
                    torch::optim::Optimizer& optimizer, const json& state) {
    torch::serialize::OutputArchive archive, modelArchive, optimizerArchive;
    net.save(modelArchive);
    optimizer.save(optimizerArchive);
    archive.write("model", modelArchive);
    archive.write("optimizer", optimizerArchive);
    archive.write("state", c10::IValue(state.dump()));
    // Through writeFileAtomically: a unique temporary, fsync, rename; a kill never leaves a
    // half-written checkpoint under the real name.
    writeFileAtomically(file, [&](std::ostream& out) {
        try {
            archive.save_to(out);
        } catch (const c10::Error& e) {
            throw DataError(file,
                            std::string("cannot write checkpoint: ") + e.what_without_backtrace());
        }
    });
}

json loadCheckpoint(const fs::path& file, detail::GalaxyNetImpl& net,
                    torch::optim::Optimizer* optimizer, const torch::Device& device) {
    std::error_code ec;
    if (!fs::exists(file, ec)) throw DataError(file, "checkpoint not found");
    try {
        torch::serialize::InputArchive archive, modelArchive, optimizerArchive;
        archive.load_from(file.string(), device);
        archive.read("model", modelArchive);
        net.load(modelArchive);
        detail::toModelLayout(net);
        if (optimizer) {
            archive.read("optimizer", optimizerArchive);
            optimizer->load(optimizerArchive);
        }
        c10::IValue state;
        archive.read("state", state);
        return json::parse(state.toStringRef());
    } catch (const DataError&) {
        throw;
    } catch (const std::exception& e) {
        throw DataError(file, std::string("cannot read checkpoint: ") + e.what());
    }
}

double selectValue(const EpochRecord& r, const std::string& metric) {
    if (metric == "accuracy") return r.valAccuracy;
    if (metric == "loss") return -r.valLoss;  // higher is better everywhere below
    return r.valMacroF1;
}

struct Subsets {
    std::vector<std::size_t> train, val, test;  // cache indices
    std::vector<int> trainLabels, valLabels, testLabels;
};

Subsets subsetsOf(const DecodedCache& cache, const std::vector<SplitEntry>& split) {
    Subsets s;
    for (const auto& e : split) {
        const auto i = cache.indexOf(e.id);
        if (!i) continue;  // skipped image
        switch (e.subset) {
            case Subset::Train:
                s.train.push_back(*i), s.trainLabels.push_back(e.label);
                break;
            case Subset::Val:
                s.val.push_back(*i), s.valLabels.push_back(e.label);
                break;
            case Subset::Test:
                s.test.push_back(*i), s.testLabels.push_back(e.label);
                break;
        }
    }
    return s;
}

std::vector<std::int64_t> idsOf(const std::vector<SplitEntry>& split) {
    std::vector<std::int64_t> ids;
    ids.reserve(split.size());
    for (const auto& e : split) ids.push_back(e.id);
    return ids;
}

// Everything a training loop needs, for a new run or a resumed one.
struct Session {
    RunFiles files;
    TrainConfig config;
    std::vector<SplitEntry> split;
    const Catalog* catalog;
    fs::path workspace;
    const TrainCallbacks* callbacks;
};

TrainOutcome runTraining(const Session& session, bool resume, const std::stop_token& stop) {
    const detail::TrainingMemory memory;
    const Session& s = session;
    const TrainConfig& cfg = s.config;
    RunLog log(s.files.log(), s.callbacks->onLog);
    const int threads = threadCount(cfg.threads);
    torch::set_num_threads(threads);
    const torch::Device device = chooseDevice(cfg.device);

    // Images: decoded once into the workspace cache.
    const DecodedCache cache =
        DecodedCache::buildOrLoad(*s.catalog, idsOf(s.split), s.workspace, cfg.augmentation,
                                  threads, stop, s.callbacks->onPrepare);
    log(std::string(cache.reused() ? "reused" : "built") + " image cache " + cache.file().string() +
        ": " + cache.summary().text());
    const Subsets sets = subsetsOf(cache, s.split);
    if (sets.train.size() < 2) throw DataError("fewer than 2 usable training images");

    torch::manual_seed(cfg.seed);
    detail::GalaxyNet net = detail::makeModel(cfg.model);
    net->to(device);
    torch::optim::SGD optimizer(net->parameters(), torch::optim::SGDOptions(cfg.lr)
                                                       .momentum(cfg.momentum)
                                                       .nesterov(cfg.momentum > 0)
                                                       .weight_decay(cfg.weightDecay));

    // The loop's state; a checkpoint holds all of it.
    int epoch = 0;  // completed epochs
    std::size_t batchInEpoch = 0;
    std::int64_t step = 0;
    double elapsed = 0;
    double bestValue = -std::numeric_limits<double>::infinity();
    int bestEpoch = 0, badEpochs = 0;
    std::vector<EpochRecord> history;
    double partLoss = 0, partSeconds = 0;
    std::size_t partCorrect = 0, partSeen = 0;

    if (resume) {
        const json st = loadCheckpoint(s.files.last(), *net, &optimizer, device);
        epoch = st.at("epoch");
        batchInEpoch = st.at("batch_in_epoch");
        step = st.at("step");
        elapsed = st.at("elapsed");
        bestValue = st.at("best_value").is_null() ? -std::numeric_limits<double>::infinity()
                                                  : st.at("best_value").get<double>();
        bestEpoch = st.at("best_epoch");
        badEpochs = st.at("bad_epochs");
        for (const auto& r : st.at("history")) history.push_back(recordFromJson(r));
        partLoss = st.at("part_loss");
        partCorrect = st.at("part_correct");
        partSeen = st.at("part_seen");
        partSeconds = st.at("part_seconds");
        // metrics.csv follows the checkpoint (a kill may have come between the two writes).
        writeMetricsCsv(s.files.metrics(), history);
        log("resumed at epoch " + std::to_string(epoch + 1) + ", batch " +
            std::to_string(batchInEpoch + 1) + " after " + number(elapsed) + " s");
    }

    auto stateJson = [&] {
        json h = json::array();
        for (const auto& r : history) h.push_back(recordJson(r));
        return json{{"epoch", epoch},
                    {"batch_in_epoch", batchInEpoch},
                    {"step", step},
                    {"elapsed", elapsed},
                    {"best_value", std::isfinite(bestValue) ? json(bestValue) : json(nullptr)},
                    {"best_epoch", bestEpoch},
                    {"bad_epochs", badEpochs},
                    {"history", h},
                    {"part_loss", partLoss},
                    {"part_correct", partCorrect},
                    {"part_seen", partSeen},
                    {"part_seconds", partSeconds},
                    {"seed", cfg.seed}};
    };

    // Class weights for the loss ("weight") and sampling weights ("sample").
    std::array<double, kMorphologyCount> classCount{};
    for (int l : sets.trainLabels) classCount[static_cast<std::size_t>(l)] += 1;
    torch::Tensor lossWeights;
    if (cfg.balance == "weight" || cfg.balance == "sqrt") {
        // "weight": each class weighs as much in all as any other (inverse frequency);
        // "sqrt": inverse square root of the frequency, a rare class counts more without
        // swamping the common ones. Either way the mean weight over the training images is 1.
        const bool sqrtWeights = cfg.balance == "sqrt";
        std::vector<float> w(kMorphologyCount);
        double mass = 0;
        for (double count : classCount) mass += sqrtWeights ? std::sqrt(count) : (count > 0);
        const double n = static_cast<double>(sets.train.size());
        for (std::size_t c = 0; c < kMorphologyCount; ++c)
            if (classCount[c] > 0)
                w[c] = static_cast<float>(
                    n / (mass * (sqrtWeights ? std::sqrt(classCount[c]) : classCount[c])));
        lossWeights = torch::tensor(w).to(device);
    }

    auto lossOptions =
        torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(cfg.labelSmoothing);
    if (lossWeights.defined()) lossOptions.weight(lossWeights);

    const std::size_t n = sets.train.size();
    const std::size_t bs = std::min<std::size_t>(static_cast<std::size_t>(cfg.batch), n);
    const std::size_t batchesPerEpoch = n / bs;  // the last partial batch is dropped
    const std::int64_t warmupSteps =
        static_cast<std::int64_t>(cfg.warmupEpochs * static_cast<double>(batchesPerEpoch));
    const double budget = cfg.minutes * 60.0;
    const std::int64_t totalSteps =
        cfg.epochs > 0 ? cfg.epochs * static_cast<std::int64_t>(batchesPerEpoch) : 0;

    auto learningRate = [&](std::int64_t atStep) {
        if (atStep < warmupSteps)
            return cfg.lr *
                   (0.1 + 0.9 * static_cast<double>(atStep) / static_cast<double>(warmupSteps));
        if (cfg.schedule == "step")
            return cfg.lr * std::pow(0.1, static_cast<double>(atStep / cfg.stepEvery));
        if (cfg.schedule == "constant") return cfg.lr;
        double fraction = 0;  // of the run done: by steps and/or by time
        if (totalSteps > 0)
            fraction = static_cast<double>(atStep) / static_cast<double>(totalSteps);
        if (budget > 0) fraction = std::max(fraction, elapsed / budget);
        fraction = std::clamp(fraction, 0.0, 1.0);
        return cfg.lr * 0.5 * (1.0 + std::cos(3.14159265358979323846 * fraction));
    };

    // The order of an epoch: a seeded permutation, or class-balanced draws with replacement.
    auto epochOrder = [&](int e) {
        std::mt19937_64 gen(detail::mixSeed(cfg.seed, 0x70726d00u + static_cast<std::uint64_t>(e)));
        std::vector<std::size_t> order(n);
        if (cfg.balance == "sample") {
            std::vector<double> cumulative(n);
            double total = 0;
            for (std::size_t i = 0; i < n; ++i)
                cumulative[i] = total +=
                    1.0 / classCount[static_cast<std::size_t>(sets.trainLabels[i])];
            for (auto& o : order) {
                const double u = detail::uniformReal(gen, 0.0, total);
                o = static_cast<std::size_t>(
                    std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
                o = std::min(o, n - 1);
            }
        } else {
            std::iota(order.begin(), order.end(), std::size_t{0});
            detail::shuffle(order, gen);
        }
        return order;
    };

    // Early stopping is part of the state (badEpochs), so a resumed early-stopped run stays done.
    auto stoppedEarly = [&] {
        return cfg.earlyStopPatience > 0 && badEpochs >= cfg.earlyStopPatience && !sets.val.empty();
    };
    auto finished = [&] {
        return (cfg.epochs > 0 && epoch >= cfg.epochs) || (budget > 0 && elapsed >= budget) ||
               stoppedEarly();
    };
    if (!resume)
        log("training " + cfg.model + " (" + std::to_string(detail::trainableParameters(*net)) +
            " parameters) on " + std::to_string(n) + " images, " + std::to_string(sets.val.size()) +
            " validation, " + std::to_string(sets.test.size()) + " test; " +
            std::to_string(threads) + " threads on " + device.str());

    bool stopped = false;
    while (!finished() && !stopped) {
        const int e = epoch;  // 0-based epoch being trained
        const std::vector<std::size_t> order = epochOrder(e);
        detail::BatchLoader<Batch> loader(
            batchInEpoch, batchesPerEpoch, cfg.loaderThreads, 4, [&](std::size_t b) {
                return trainingBatch(cache, cfg.augmentation, cfg.seed,
                                     static_cast<std::uint64_t>(e), b * bs, bs,
                                     [&](std::size_t pos) {
                                         const std::size_t k = order[pos];
                                         return std::pair(sets.train[k], sets.trainLabels[k]);
                                     });
            });

        net->train();
        const double elapsedAtStart = elapsed, secondsBefore = partSeconds;
        double lastLr = learningRate(step);
        double rate = 0;  // smoothed images/s
        while (batchInEpoch < batchesPerEpoch) {
            const auto t0 = Clock::now();
            std::optional<Batch> batch = loader.next(stop);
            if (!batch) break;  // stop requested while waiting
            lastLr = learningRate(step);
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::SGDOptions&>(group.options()).lr(lastLr);
            const StepResult result = trainStep(*net, optimizer, batch->images.to(device),
                                                batch->labels.to(device), lossOptions);
            const double batchLoss = result.loss;
            if (!std::isfinite(batchLoss))
                throw DataError("training diverged (loss is " + number(batchLoss) +
                                "); try a lower learning rate");
            partLoss += batchLoss * static_cast<double>(bs);
            partCorrect += static_cast<std::size_t>(result.correct);
            partSeen += bs;
            ++step;
            ++batchInEpoch;
            const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
            elapsed += dt;
            partSeconds += dt;
            rate = rate == 0 ? static_cast<double>(bs) / dt
                             : 0.8 * rate + 0.2 * static_cast<double>(bs) / dt;

            if (s.callbacks->onBatch) {
                BatchProgress p;
                p.epoch = e + 1;
                p.epochs = cfg.epochs;
                p.batch = static_cast<int>(batchInEpoch);
                p.batches = static_cast<int>(batchesPerEpoch);
                p.loss = partLoss / static_cast<double>(partSeen);
                p.accuracy = static_cast<double>(partCorrect) / static_cast<double>(partSeen);
                p.batchLoss = batchLoss;
                p.lr = lastLr;
                p.imagesPerSecond = rate;
                p.elapsedSeconds = elapsed;
                double eta = -1;
                if (cfg.epochs > 0)
                    eta = static_cast<double>(totalSteps - step) * static_cast<double>(bs) / rate;
                if (budget > 0) eta = eta < 0 ? budget - elapsed : std::min(eta, budget - elapsed);
                p.etaSeconds = std::max(eta, -1.0);
                s.callbacks->onBatch(p);
            }
            if (stop.stop_requested()) break;
            if (budget > 0 && elapsed >= budget) break;
        }

        if (stop.stop_requested()) {
            saveCheckpoint(s.files.last(), *net, optimizer, stateJson());
            log("stopped at epoch " + std::to_string(e + 1) + ", batch " +
                std::to_string(batchInEpoch) + "; checkpoint written");
            stopped = true;
            break;
        }

        // The epoch is over (or time ran out in it): validate, record, checkpoint.
        const auto v0 = Clock::now();
        EpochRecord r;
        r.epoch = e + 1;
        r.batches = static_cast<int>(batchInEpoch);
        r.trainLoss = partSeen ? partLoss / static_cast<double>(partSeen) : std::nan("");
        r.trainAccuracy = partSeen
                              ? static_cast<double>(partCorrect) / static_cast<double>(partSeen)
                              : std::nan("");
        r.lr = lastLr;
        r.valLoss = r.valAccuracy = r.valMacroF1 = std::numeric_limits<double>::quiet_NaN();
        if (!sets.val.empty()) {
            std::vector<Prediction> preds;
            try {
                preds =
                    predictIndices(*net, cache, sets.val, sets.valLabels, cfg.augmentation, false,
                                   static_cast<int>(bs), cfg.loaderThreads, device, stop, {});
            } catch (const Cancelled&) {
                // The epoch is trained: keep it; resume validates it.
                saveCheckpoint(s.files.last(), *net, optimizer, stateJson());
                log("stopped during validation of epoch " + std::to_string(e + 1) +
                    "; checkpoint written");
                stopped = true;
                break;
            }
            const EvaluationResult ev = evaluate(preds);
            r.valLoss = ev.meanLoss;
            r.valAccuracy = ev.accuracy;
            r.valMacroF1 = ev.macroF1;
        }
        elapsed += std::chrono::duration<double>(Clock::now() - v0).count();
        r.seconds = secondsBefore + (elapsed - elapsedAtStart);  // with a resumed part
        r.elapsedSeconds = elapsed;
        r.imagesPerSecond = partSeconds > 0 ? static_cast<double>(partSeen) / partSeconds : 0;
        history.push_back(r);
        epoch = e + 1;
        batchInEpoch = 0;
        partLoss = partSeconds = 0;
        partCorrect = partSeen = 0;

        const double value =
            sets.val.empty() ? static_cast<double>(epoch) : selectValue(r, cfg.selectMetric);
        bool improved = false;
        if (value > bestValue) {
            bestValue = value;
            bestEpoch = epoch;
            badEpochs = 0;
            improved = true;
        } else {
            ++badEpochs;
        }
        // last.pt first: if killed before metrics.csv, resume rewrites it from the checkpoint.
        // best.pt before last.pt: last.pt's record of the best epoch never runs ahead of it.
        if (improved) saveCheckpoint(s.files.best(), *net, optimizer, stateJson());
        saveCheckpoint(s.files.last(), *net, optimizer, stateJson());
        writeMetricsCsv(s.files.metrics(), history);
        log("epoch " + std::to_string(epoch) + ": train loss " + number(r.trainLoss) +
            ", accuracy " + number(r.trainAccuracy) + "; val loss " + number(r.valLoss) +
            ", accuracy " + number(r.valAccuracy) + ", macro F1 " + number(r.valMacroF1) + "; " +
            number(r.imagesPerSecond) + " images/s" + (improved ? " (best)" : ""));
        if (s.callbacks->onEpoch) s.callbacks->onEpoch(r);
        if (stoppedEarly()) {
            log("early stop: no validation improvement for " + std::to_string(badEpochs) +
                " epochs");
            break;
        }
        if (stop.stop_requested()) {
            log("stopped after epoch " + std::to_string(epoch) + "; checkpoint written");
            stopped = true;
        }
    }

    TrainOutcome outcome;
    outcome.epochsCompleted = epoch;
    outcome.history = history;
    if (stopped) {
        outcome.status = TrainOutcome::Status::Stopped;
        outcome.summary =
            "stopped after " + std::to_string(epoch) + " complete epochs; resume to continue";
        return outcome;
    }

    // Final evaluation with the best checkpoint, on the test split (else validation).
    std::error_code ec;
    if (fs::exists(s.files.best(), ec)) loadCheckpoint(s.files.best(), *net, nullptr, device);
    const bool onTest = !sets.test.empty();
    const auto& idx = onTest ? sets.test : sets.val;
    const auto& lab = onTest ? sets.testLabels : sets.valLabels;
    if (!idx.empty()) {
        const auto preds =
            predictIndices(*net, cache, idx, lab, cfg.augmentation, cfg.tta, static_cast<int>(bs),
                           cfg.loaderThreads, device, stop, {});
        writePredictionsCsv(s.files.predictions(), preds);
        const EvaluationResult ev = evaluate(preds);
        const std::string text = ev.toJson();
        writeFileAtomically(s.files.confusion(), [&](std::ostream& out) { out << text << '\n'; });
        outcome.test = ev;
        log(std::string(onTest ? "test" : "validation") + " (best epoch " +
            std::to_string(bestEpoch) + (cfg.tta ? ", TTA" : "") + "): accuracy " +
            number(ev.accuracy) + " [" + number(ev.accuracyInterval.low) + ", " +
            number(ev.accuracyInterval.high) + "], macro F1 " + number(ev.macroF1) + " [" +
            number(ev.macroF1Interval.low) + ", " + number(ev.macroF1Interval.high) + "] on " +
            std::to_string(ev.n) + " galaxies (95% intervals)");
    }
    outcome.summary =
        "finished " + std::to_string(epoch) + " epochs in " + number(elapsed) + " s" +
        (outcome.test ? "; accuracy " + number(outcome.test->accuracy) : std::string());
    return outcome;
}

// Makes the run folder (it must be absent or empty) and locks it; a second start into the same
// folder at the same moment finds the lock or, once the first has written its config, the file.
std::unique_ptr<detail::FolderLock> lockNewRunDir(const fs::path& dir) {
    std::error_code ec;
    auto refuse = [&] {
        return DataError(
            dir, "run folder already exists and is not empty (use resume, or another --out)");
    };
    if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec)))
        throw refuse();
    fs::create_directories(dir, ec);
    if (ec) throw DataError(dir, "cannot create the run folder: " + ec.message());
    auto lock = std::make_unique<detail::FolderLock>(dir);
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().filename() != ".lock") throw refuse();
    fs::create_directories(dir / "checkpoints", ec);
    if (ec) throw DataError(dir, "cannot create the run folder: " + ec.message());
    return lock;
}

Catalog catalogFor(const TrainConfig& c) {
    return Catalog::open(CatalogSource{c.dataCsv, c.dataImages});
}

}  // namespace

TrainConfig loadRunConfig(const fs::path& runDir) {
    const RunFiles files{runDir};
    return TrainConfig::fromJson(readWholeFile(files.config()), files.config());
}

TrainOutcome startTraining(const fs::path& runDir, const TrainConfig& config,
                           const Catalog& catalog, const std::vector<SplitEntry>& split,
                           const fs::path& workspace, const std::stop_token& stop,
                           const TrainCallbacks& callbacks) {
    TrainConfig cfg = config;
    cfg.dataCsv = fs::absolute(catalog.csvPath());
    if (catalog.imageDir()) cfg.dataImages = fs::absolute(*catalog.imageDir());
    cfg.validate();
    if (!catalog.imageDir()) throw DataError(catalog.csvPath(), "training needs the image folder");
    if (catalog.containsPath(runDir))
        throw DataError(runDir,
                        "is inside the data set; nothing is ever written there: choose "
                        "another run folder");
    const auto lock = lockNewRunDir(runDir);
    const RunFiles files{runDir};
    const std::string text = cfg.toJson() + "\n";
    writeFileAtomically(files.config(), [&](std::ostream& out) { out << text; });
    writeSplitCsv(files.split(), split);
    return runTraining({files, cfg, split, &catalog, workspace, &callbacks}, false, stop);
}

TrainOutcome resumeTraining(const fs::path& runDir, const fs::path& workspace,
                            std::optional<int> epochs, std::optional<double> minutes,
                            const std::stop_token& stop, const TrainCallbacks& callbacks) {
    const RunFiles files{runDir};
    TrainConfig cfg = loadRunConfig(runDir);
    const detail::FolderLock lock(runDir);
    std::error_code ec;
    if (!fs::exists(files.last(), ec))
        throw DataError(files.last(),
                        "no checkpoint to resume from (the run never finished an epoch)");
    if (epochs || minutes) {
        cfg.epochs = epochs.value_or(0);
        cfg.minutes = minutes.value_or(0);
        cfg.validate();
        const std::string text = cfg.toJson() + "\n";
        writeFileAtomically(files.config(), [&](std::ostream& out) { out << text; });
    }
    const Catalog catalog = catalogFor(cfg);
    const auto split = readSplitCsv(files.split());
    return runTraining({files, cfg, split, &catalog, workspace, &callbacks}, true, stop);
}

namespace {

// A run's model with its best (else last) weights, in eval mode.
detail::GalaxyNet loadRunModel(const fs::path& runDir, const TrainConfig& cfg,
                               const torch::Device& device) {
    const RunFiles files{runDir};
    detail::GalaxyNet net = detail::makeModel(cfg.model);
    net->to(device);
    std::error_code ec;
    loadCheckpoint(fs::exists(files.best(), ec) ? files.best() : files.last(), *net, nullptr,
                   device);
    net->eval();
    return net;
}

}  // namespace

std::vector<Prediction> predictCatalog(const fs::path& runDir, const Catalog& catalog,
                                       const std::vector<LabeledGalaxy>& galaxies,
                                       const fs::path& workspace, bool tta, int threads,
                                       const std::stop_token& stop, const ProgressFn& progress,
                                       std::vector<std::string>* skipped) {
    const detail::TrainingMemory memory;
    const TrainConfig cfg = loadRunConfig(runDir);
    torch::set_num_threads(threadCount(threads));
    const torch::Device device = chooseDevice(cfg.device);
    std::vector<std::int64_t> ids;
    for (const auto& g : galaxies) ids.push_back(g.id);
    const DecodedCache cache = DecodedCache::buildOrLoad(catalog, ids, workspace, cfg.augmentation,
                                                         threadCount(threads), stop, {});
    if (skipped)
        for (const auto& sk : cache.skipped()) skipped->push_back(sk.message);
    std::vector<std::size_t> indices;
    std::vector<int> labels;
    for (const auto& g : galaxies)
        if (auto i = cache.indexOf(g.id)) {
            indices.push_back(*i);
            labels.push_back(g.label);
        }
    auto net = loadRunModel(runDir, cfg, device);
    return predictIndices(*net, cache, indices, labels, cfg.augmentation, tta, 64,
                          cfg.loaderThreads, device, stop, progress);
}

std::vector<Prediction> predictFolder(const fs::path& runDir, const fs::path& imageDir, bool tta,
                                      int threads, const std::stop_token& stop,
                                      const ProgressFn& progress,
                                      std::vector<std::string>* skipped) {
    const detail::TrainingMemory memory;
    const TrainConfig cfg = loadRunConfig(runDir);
    torch::set_num_threads(threadCount(threads));
    const torch::Device device = chooseDevice(cfg.device);
    std::error_code ec;
    if (!fs::is_directory(imageDir, ec)) throw DataError(imageDir, "image folder not found");
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(imageDir, ec)) {
        std::string ext = e.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (e.is_regular_file() && (ext == ".jpg" || ext == ".jpeg")) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    auto net = loadRunModel(runDir, cfg, device);
    const int s = cfg.augmentation.outputSize;
    std::vector<Prediction> out;
    constexpr std::size_t kBatch = 32;
    for (std::size_t from = 0; from < files.size(); from += kBatch) {
        std::vector<cv::Mat> inputs;
        std::vector<std::int64_t> ids;
        for (std::size_t i = from; i < std::min(files.size(), from + kBatch); ++i) {
            try {
                const SourceImage img = decodeImage(files[i], DecodeScale::Half);
                inputs.push_back(
                    evaluationTransform(img, evaluationParamsFor(cfg.augmentation, img)));
                const std::string stem = files[i].stem().string();
                std::int64_t id = static_cast<std::int64_t>(i);
                std::int64_t parsed = 0;
                const auto [ptr, err] =
                    std::from_chars(stem.data(), stem.data() + stem.size(), parsed);
                if (err == std::errc() && ptr == stem.data() + stem.size() && parsed >= 0)
                    id = parsed;
                ids.push_back(id);
            } catch (const DataError& e) {
                if (skipped) skipped->push_back(e.what());
            }
        }
        if (!inputs.empty()) {
            torch::Tensor batch = torch::empty({static_cast<std::int64_t>(inputs.size()), 3, s, s});
            for (std::size_t i = 0; i < inputs.size(); ++i)
                copyToChw(inputs[i],
                          batch.data_ptr<float>() + i * 3 * static_cast<std::size_t>(s * s));
            const torch::Tensor p = probabilities(*net, batch, tta, device).contiguous();
            for (std::size_t i = 0; i < inputs.size(); ++i) {
                Prediction pred;
                pred.id = ids[i];
                std::copy_n(p.data_ptr<float>() + i * kMorphologyCount, kMorphologyCount,
                            pred.probabilities.begin());
                out.push_back(pred);
            }
        }
        checkpoint(stop, progress, std::min(files.size(), from + kBatch), files.size(),
                   "predicting");
    }
    return out;
}

}  // namespace gz

namespace gz {

TrainBenchmark benchmarkTraining(const std::string& model, int batch, int threads, double seconds,
                                 const Catalog* data, const fs::path& workspace,
                                 const std::stop_token& stop, const ProgressFn& progress) {
    const detail::TrainingMemory memory;
    TrainBenchmark b;
    b.model = model;
    b.batch = batch;
    b.threads = threadCount(threads);
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
            trainStep(*net, optimizer, bt.images, bt.labels, options);
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
                    return trainingBatch(cache, params, 1, e, bi * n, n, [&](std::size_t pos) {
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

// ---- one galaxy at a time: RunModel (gz/explain.h) ----------------------------------------

namespace gz {

AugmentationParams evaluationParamsFor(const AugmentationParams& params, const SourceImage& image) {
    AugmentationParams p = params;
    const int side = std::min(image.fullWidth, image.fullHeight);
    p.evalCrop = std::max(1, static_cast<int>(std::lround(params.evalCrop * side /
                                                          static_cast<double>(kKaggleImageSide))));
    return p;
}

cv::Rect evaluationView(const AugmentationParams& params, const SourceImage& image) {
    // Centre crop evalCrop, resize to resizeTo, centre window outputSize (evaluationTransform).
    const double perPixel = params.evalCrop / static_cast<double>(params.resizeTo);
    const double offset = ((params.resizeTo - params.outputSize) / 2) * perPixel;
    const int side = static_cast<int>(std::lround(params.outputSize * perPixel));
    return {(image.fullWidth - params.evalCrop) / 2 + static_cast<int>(std::lround(offset)),
            (image.fullHeight - params.evalCrop) / 2 + static_cast<int>(std::lround(offset)), side,
            side};
}

struct RunModel::Impl {
    TrainConfig config;
    int threads = 1;
    torch::Device device{torch::kCPU};
    detail::GalaxyNet net;
    std::mutex mutex;

    // The evaluation transform of one image as a 1 x 3 x S x S batch.
    torch::Tensor input(const SourceImage& image, AugmentationParams* used = nullptr) const {
        const AugmentationParams p = evaluationParamsFor(config.augmentation, image);
        const int s = p.outputSize;
        torch::Tensor x = torch::empty({1, 3, s, s});
        copyToChw(evaluationTransform(image, p), x.data_ptr<float>());
        if (used) *used = p;
        return x;
    }
};

RunModel::RunModel(const fs::path& runDir, int threads) : impl_(std::make_unique<Impl>()) {
    impl_->config = loadRunConfig(runDir);
    impl_->threads = threadCount(threads);
    torch::set_num_threads(impl_->threads);
    impl_->device = chooseDevice(impl_->config.device);
    impl_->net = loadRunModel(runDir, impl_->config, impl_->device);
}

RunModel::~RunModel() = default;
RunModel::RunModel(RunModel&&) noexcept = default;
RunModel& RunModel::operator=(RunModel&&) noexcept = default;

const TrainConfig& RunModel::config() const {
    return impl_->config;
}

Probabilities RunModel::predict(const SourceImage& image, bool tta) const {
    const std::lock_guard lock(impl_->mutex);
    torch::set_num_threads(impl_->threads);
    const torch::Tensor p =
        probabilities(*impl_->net, impl_->input(image), tta, impl_->device).contiguous();
    Probabilities out{};
    std::copy_n(p.data_ptr<float>(), kMorphologyCount, out.begin());
    return out;
}

SaliencyMap RunModel::gradCam(const SourceImage& image, int targetClass,
                              bool dihedralAverage) const {
    if (targetClass < -1 || targetClass >= kMorphologyCount)
        throw DataError("Grad-CAM: no class " + std::to_string(targetClass));
    const std::lock_guard lock(impl_->mutex);
    torch::set_num_threads(impl_->threads);
    torch::AutoGradMode withGradients(true);
    AugmentationParams params;
    const torch::Tensor x = impl_->input(image, &params).to(impl_->device);
    detail::GalaxyNetImpl& net = *impl_->net;

    // The 8 views in one batch (eval-mode batch norm keeps them independent); each view's map
    // is turned back into the image's orientation before they are averaged. View 0 is the
    // image itself: its logits are the prediction.
    const torch::Tensor views = dihedralAverage ? dihedral(x) : x;
    const torch::Tensor features = net.features(detail::inModelLayout(views));
    const torch::Tensor logits = net.classify(features);

    SaliencyMap out;
    const torch::Tensor p = torch::softmax(logits.detach()[0], 0).cpu().contiguous();
    std::copy_n(p.data_ptr<float>(), kMorphologyCount, out.probabilities.begin());
    Prediction predicted;
    predicted.probabilities = out.probabilities;
    out.targetClass = targetClass >= 0 ? targetClass : predicted.predicted();
    const torch::Tensor gradient =
        torch::autograd::grad({logits.select(1, out.targetClass).sum()}, {features})[0];
    const torch::Tensor weights = gradient.mean({2, 3}, /*keepdim=*/true);
    torch::Tensor maps = torch::relu((weights * features.detach()).sum(1));  // V x h x w
    if (dihedralAverage) {
        std::vector<torch::Tensor> back;
        for (int k = 0; k < 4; ++k) {  // dihedral(): rot90 by k, then the same flipped
            back.push_back(torch::rot90(maps[2 * k], -k, {0, 1}));
            back.push_back(torch::rot90(torch::flip(maps[2 * k + 1], {1}), -k, {0, 1}));
        }
        maps = torch::stack(back);
    }
    torch::Tensor cam = maps.mean(0);
    const float peak = cam.max().item<float>();
    if (peak > 0) cam = cam / peak;
    cam = cam.to(torch::kCPU, torch::kFloat).contiguous();
    const int gh = static_cast<int>(cam.size(0)), gw = static_cast<int>(cam.size(1));
    const cv::Mat grid(gh, gw, CV_32F, cam.data_ptr<float>());
    out.grid = {gw, gh};
    out.view = evaluationView(params, image);
    out.map = cv::Mat::zeros(image.fullHeight, image.fullWidth, CV_32F);
    cv::Mat resized;
    cv::resize(grid, resized, out.view.size(), 0, 0, cv::INTER_LINEAR);
    const cv::Rect inside = out.view & cv::Rect(0, 0, image.fullWidth, image.fullHeight);
    resized(inside - out.view.tl()).copyTo(out.map(inside));
    return out;
}

}  // namespace gz
