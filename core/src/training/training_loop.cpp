#include "training/training_loop.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "distributed/data_parallel.h"
#include "gz/error.h"
#include "gz/evaluation.h"
#include "gz/files.h"
#include "gz/vote_fit.h"
#include "training/batches.h"
#include "training/checkpoint.h"
#include "training/compute.h"
#include "training/inference.h"
#include "training/metrics_csv.h"
#include "training/train_step.h"
#include "training/weight_average.h"
#include "util/batch_loader.h"

namespace gz::detail {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace

torch::Tensor TrainingLoop::toDevice(const torch::Tensor& t) const {
    return t.defined() ? t.to(device_) : t;
}

TrainingLoop::TrainingLoop(const Session& session, const std::stop_token& stop)
    : session_(session),
      config_(session.config),
      comm_(session.comm),
      stop_(stop),
      log_(leader() ? session.run.log() : fs::path(), session.callbacks->onLog),
      threads_(useThreads()),
      device_(chooseDevice(config_.device)),
      bf16_(useBf16(config_.precision, device_)),
      cache_(decodeImages()),
      sets_(usableSubsets()),
      plan_(config_, sets_.train.size()),
      balance_(config_.balance, sets_.trainLabels),
      net_(buildModel()),
      average_(buildAverage()),
      optimizer_(net_->parameters(), torch::optim::SGDOptions(config_.lr)
                                         .momentum(config_.momentum)
                                         .nesterov(config_.momentum > 0)
                                         .weight_decay(config_.weightDecay)),
      loss_(lossSpec()),
      votes_(cachedVotes()) {}

int TrainingLoop::useThreads() const {
    const int threads = threadCount(config_.threads);
    torch::set_num_threads(threads);
    return threads;
}

DecodedCache TrainingLoop::decodeImages() {
    const auto build = [&] {
        return DecodedCache::buildOrLoad(*session_.catalog, idsOf(session_.split),
                                         session_.workspace, config_.augmentation, threads_, stop_,
                                         session_.callbacks->onPrepare);
    };
    // Rank 0 decodes first; the others then load its file (or decode their own when the
    // workspace is not shared), and nobody goes on before everyone has the images.
    if (comm_ && !leader()) comm_->waitForAll("images decoded by rank 0");
    DecodedCache cache = build();
    if (comm_ && leader()) comm_->waitForAll("images decoded by rank 0");
    if (comm_) comm_->waitForAll("images loaded by every rank");
    log_(std::string(cacheOriginKey(cache.origin())) + " image cache " + cache.file().string() +
         ": " + cache.summary().text());
    if (!cache.partsNote().empty()) log_("image cache: " + cache.partsNote());
    return cache;
}

SplitSubsets TrainingLoop::usableSubsets() const {
    SplitSubsets s = subsetsOf(cache_, session_.split);
    if (s.train.size() < 2) throw DataError("fewer than 2 usable labeled training images");
    // A votes head learns from the unlabeled training galaxies too: they join the training set
    // with no label (their cross-entropy is nothing, their vote fractions count).
    if (config_.hasVotesHead()) {
        s.train.insert(s.train.end(), s.unlabeledTrain.begin(), s.unlabeledTrain.end());
        s.trainLabels.resize(s.train.size(), kUnlabeled);
    }
    return s;
}

GalaxyNet TrainingLoop::buildModel() const {
    torch::manual_seed(config_.seed);
    GalaxyNet net = makeRunModel(config_);
    net->to(device_);
    net->setBf16(bf16_);
    return net;
}

GalaxyNet TrainingLoop::buildAverage() const {
    if (config_.emaDecay <= 0) return GalaxyNet(nullptr);
    GalaxyNet average = makeRunModel(config_);
    average->to(device_);
    average->setBf16(bf16_);
    copyWeights(*average, *net_);
    return average;
}

LossSpec TrainingLoop::lossSpec() const {
    auto options =
        torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(config_.labelSmoothing);
    if (const std::vector<float> weights = balance_.lossWeights(); !weights.empty())
        options.weight(torch::tensor(weights).to(device_));
    return {options, config_.votesWeight, config_.votesLoss};
}

std::vector<float> TrainingLoop::cachedVotes() const {
    if (!config_.hasVotesHead()) return {};
    const Catalog& catalog = *session_.catalog;
    std::vector<float> votes(cache_.size() * kVoteColumnCount);
    for (std::size_t i = 0; i < cache_.size(); ++i) {
        const auto row = catalog.rowOf(cache_.id(i));
        if (!row)
            throw DataError("galaxy " + std::to_string(cache_.id(i)) + " is not in the catalog");
        const auto fractions = catalog.row(*row);
        std::transform(fractions.begin(), fractions.end(),
                       votes.begin() + static_cast<long>(i * kVoteColumnCount),
                       [](double v) { return static_cast<float>(v); });
    }
    return votes;
}

void TrainingLoop::resumeFromCheckpoint() {
    const fs::path last = session_.run.lastCheckpoint();
    state_ = TrainingState::fromJson(
        loadCheckpoint(last, *net_, &optimizer_, device_, average_.get()), last);
    // metrics.csv follows the checkpoint (a kill may have come between the two writes).
    if (leader()) writeMetricsCsv(session_.run, state_.history);
    log_("resumed at epoch " + std::to_string(state_.epoch + 1) + ", batch " +
         std::to_string(state_.batchInEpoch + 1) + " after " + formatNumber(state_.elapsed) + " s");
}

std::vector<float> TrainingLoop::trainingVotesMean() const {
    std::vector<std::int64_t> ids;
    for (std::size_t i : sets_.train) ids.push_back(cache_.id(i));
    return meanVotes(*session_.catalog, ids);
}

void TrainingLoop::writeVotesMean() const {
    if (!votes_.empty() && leader())
        gz::writeVotesMean(session_.run.votesMean(), trainingVotesMean());
}

void TrainingLoop::logStart() {
    log_("training " + config_.model + " (" + std::to_string(trainableParameters(*net_)) +
         " parameters) on " + std::to_string(sets_.train.size()) + " images" +
         (config_.hasVotesHead()
              ? " (" + std::to_string(sets_.unlabeledTrain.size()) + " of them unlabeled)"
              : std::string()) +
         ", " + std::to_string(sets_.val.size()) + " validation, " +
         std::to_string(sets_.test.size()) + " test; " + std::to_string(threads_) + " threads on " +
         device_.str() + (bf16_ ? " in bfloat16" : " in fp32") +
         (comm_ ? "; " + std::to_string(comm_->size()) + " ranks, " +
                      std::to_string(plan_.batchSize / static_cast<std::size_t>(comm_->size())) +
                      " images each a step"
                : std::string()));
}

bool TrainingLoop::agreeToStop() {
    if (!comm_) return stop_.stop_requested();
    stopping_ = agreeOnStop(*comm_, stop_.stop_requested());
    return !stopping_.empty();
}

// Early stopping is part of the state (badEpochs), so a resumed early-stopped run stays done.
bool TrainingLoop::stoppedEarly() const {
    return config_.earlyStopPatience > 0 && state_.badEpochs >= config_.earlyStopPatience &&
           !sets_.val.empty();
}

bool TrainingLoop::finished() const {
    return (config_.epochs > 0 && state_.epoch >= config_.epochs) ||
           (plan_.budgetSeconds > 0 && state_.elapsed >= plan_.budgetSeconds) || stoppedEarly();
}

TrainOutcome TrainingLoop::run(bool resume) {
    if (resume)
        resumeFromCheckpoint();
    else
        logStart(), writeVotesMean();
    if (comm_) comm_->broadcastModule(*net_);  // every rank starts from rank 0's weights
    if (average_) {
        if (!resume) copyWeights(*average_, *net_);
        if (comm_) comm_->broadcastModule(*average_);
    }
    bool stopped = false;
    while (!finished() && !stopped) stopped = !runEpoch();

    TrainOutcome outcome;
    outcome.epochsCompleted = state_.epoch;
    outcome.history = state_.history;
    if (stopped) {
        outcome.status = TrainOutcome::Status::Stopped;
        outcome.summary = "stopped after " + std::to_string(state_.epoch) +
                          " complete epochs; resume to continue";
        if (!stopping_.empty())
            outcome.summary += " (asked by rank " + std::to_string(stopping_.front()) + ")";
        return outcome;
    }
    auto [test, votes] = evaluateBest();
    outcome.test = std::move(test);
    outcome.votes = std::move(votes);
    outcome.summary =
        "finished " + std::to_string(state_.epoch) + " epochs in " + formatNumber(state_.elapsed) +
        " s" +
        (outcome.test ? "; accuracy " + formatNumber(outcome.test->accuracy) : std::string());
    return outcome;
}

bool TrainingLoop::runEpoch() {
    const int e = state_.epoch;  // 0-based epoch being trained
    finishInFp32(e);
    const double elapsedAtStart = state_.elapsed, secondsBefore = state_.partSeconds;
    const double lastLr = trainBatches(e);
    if (comm_ ? !stopping_.empty() : stop_.stop_requested()) {
        saveLast();
        log_("stopped at epoch " + std::to_string(e + 1) + ", batch " +
             std::to_string(state_.batchInEpoch) + "; checkpoint written");
        return false;
    }

    // The epoch is over (or time ran out in it): validate, record, checkpoint.
    const auto validationStart = Clock::now();
    EpochRecord r;
    r.epoch = e + 1;
    r.batches = static_cast<int>(state_.batchInEpoch);
    const double seen = static_cast<double>(state_.partSeen);
    const double labeled = static_cast<double>(state_.partLabeled);
    r.trainLoss = state_.partLabeled ? state_.partClassesLoss / labeled : std::nan("");
    r.trainAccuracy =
        state_.partLabeled ? static_cast<double>(state_.partCorrect) / labeled : std::nan("");
    r.trainVotesLoss =
        config_.hasVotesHead() && state_.partSeen ? state_.partVotesLoss / seen : std::nan("");
    r.lr = lastLr;
    if (!validate(r)) {
        // The epoch is trained: keep it; resume validates it.
        saveLast();
        log_("stopped during validation of epoch " + std::to_string(e + 1) +
             "; checkpoint written");
        return false;
    }
    state_.elapsed +=
        comm_ ? leaderValue(*comm_, seconds(validationStart)) : seconds(validationStart);
    r.seconds = secondsBefore + (state_.elapsed - elapsedAtStart);  // with a resumed part
    r.elapsedSeconds = state_.elapsed;
    r.imagesPerSecond = state_.partSeconds > 0 ? seen / state_.partSeconds : 0;
    const bool improved = recordEpoch(r);
    log_("epoch " + std::to_string(state_.epoch) + ": train loss " + formatNumber(r.trainLoss) +
         ", accuracy " + formatNumber(r.trainAccuracy) +
         (config_.hasVotesHead() ? ", votes loss " + formatNumber(r.trainVotesLoss) : "") +
         "; val loss " + formatNumber(r.valLoss) + ", accuracy " + formatNumber(r.valAccuracy) +
         ", macro F1 " + formatNumber(r.valMacroF1) + "; " + formatNumber(r.imagesPerSecond) +
         " images/s" + (improved ? " (best)" : ""));
    if (session_.callbacks->onEpoch) session_.callbacks->onEpoch(r);
    if (stoppedEarly()) {
        log_("early stop: no validation improvement for " + std::to_string(state_.badEpochs) +
             " epochs");
        return true;
    }
    if (agreeToStop()) {
        log_("stopped after epoch " + std::to_string(state_.epoch) + "; checkpoint written");
        return false;
    }
    return true;
}

void TrainingLoop::finishInFp32(int epoch) {
    if (!net_->bf16() || config_.fp32Finish <= 0) return;
    // Where the epoch started, also when a resumed run starts inside it: the switch falls on the
    // same epoch however often the run was stopped.
    const auto stepAtStart = state_.step - static_cast<std::int64_t>(state_.batchInEpoch);
    const double elapsedAtStart = state_.elapsed - state_.partSeconds;
    if (runFraction(plan_, stepAtStart, elapsedAtStart) < 1 - config_.fp32Finish) return;
    net_->setBf16(false);
    if (average_) average_->setBf16(false);
    log_("fp32 from epoch " + std::to_string(epoch + 1) + " (the run's last " +
         formatNumber(config_.fp32Finish) + ")");
}

double TrainingLoop::trainBatches(int epoch) {
    const std::vector<std::size_t> order = balance_.epochOrder(config_.seed, epoch);
    const std::size_t bs = plan_.batchSize;
    // A data-parallel rank takes its share of every batch: positions are those of the epoch's
    // order, so every rank draws the same augmentation for a galaxy as a single process would.
    const int rank = comm_ ? comm_->rank() : 0, ranks = comm_ ? comm_->size() : 1;
    BatchLoader<Batch> loader(state_.batchInEpoch, plan_.batchesPerEpoch, config_.loaderThreads, 4,
                              [&](std::size_t b) {
                                  const BatchShare share = batchShareOf(b, bs, rank, ranks);
                                  return trainingBatch(
                                      cache_, config_.augmentation, config_.seed,
                                      static_cast<std::uint64_t>(epoch), share.first, share.count,
                                      [&](std::size_t pos) {
                                          const std::size_t k = order[pos];
                                          return std::pair(sets_.train[k], sets_.trainLabels[k]);
                                      },
                                      votes_.empty() ? nullptr : &votes_);
                              });
    // Every rank takes every step: a stop is agreed after a step, never while waiting.
    const std::stop_token waitStop = comm_ ? std::stop_token() : stop_;

    net_->train();
    double lr = learningRate(config_, plan_, state_.step, state_.elapsed);
    double rate = 0;  // smoothed images/s
    while (state_.batchInEpoch < plan_.batchesPerEpoch) {
        const auto start = Clock::now();
        std::optional<Batch> batch = loader.next(waitStop);
        if (!batch) break;  // stop requested while waiting
        lr = learningRate(config_, plan_, state_.step, state_.elapsed);
        for (auto& group : optimizer_.param_groups())
            static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
        StepResult result;
        double dt = 0;
        if (comm_) {
            const StepAgreement agreed =
                dataParallelBatch(*batch, state_.batchInEpoch, order, start);
            result = agreed.step;
            dt = agreed.seconds;
        } else {
            result = trainStep(*net_, optimizer_, batch->images.to(device_),
                               batch->labels.to(device_), toDevice(batch->votes), loss_);
            updateAverage();
            dt = seconds(start);
        }
        if (!std::isfinite(result.loss))
            throw DataError("training diverged (loss is " + formatNumber(result.loss) +
                            "); try a lower learning rate");
        state_.partClassesLoss += result.classesLoss * static_cast<double>(result.labeled);
        state_.partVotesLoss += result.votesLoss * static_cast<double>(bs);
        state_.partCorrect += static_cast<std::size_t>(result.correct);
        state_.partLabeled += static_cast<std::size_t>(result.labeled);
        state_.partSeen += bs;
        ++state_.step;
        ++state_.batchInEpoch;
        state_.elapsed += dt;
        state_.partSeconds += dt;
        rate = rate == 0 ? static_cast<double>(bs) / dt
                         : 0.8 * rate + 0.2 * static_cast<double>(bs) / dt;
        reportBatch(epoch, result.labeled ? result.classesLoss : std::nan(""), lr, rate);
        if (comm_ ? !stopping_.empty() : stop_.stop_requested()) break;
        if (plan_.budgetSeconds > 0 && state_.elapsed >= plan_.budgetSeconds) break;
    }
    return lr;
}

StepAgreement TrainingLoop::dataParallelBatch(const Batch& share, std::size_t b,
                                              const std::vector<std::size_t>& order,
                                              Clock::time_point start) {
    // Every rank divides its share's loss by the global batch's labelsWeight.
    std::vector<std::int64_t> labels;
    labels.reserve(plan_.batchSize);
    for (std::size_t pos = b * plan_.batchSize; pos < (b + 1) * plan_.batchSize; ++pos)
        labels.push_back(sets_.trainLabels[order[pos]]);
    const double denominator = labelsWeight(torch::tensor(labels).to(device_), loss_);
    const StepResult part = dataParallelStep(*comm_, *net_, optimizer_, share.images.to(device_),
                                             share.labels.to(device_), toDevice(share.votes), loss_,
                                             denominator, plan_.batchSize);
    updateAverage();
    StepAgreement agreed = agreeOnStep(*comm_, part, seconds(start), stop_.stop_requested());
    stopping_ = agreed.stopping;
    return agreed;
}

std::vector<Prediction> TrainingLoop::predict(const std::vector<std::size_t>& indices,
                                              const std::vector<int>& labels, bool tta) {
    if (comm_) {
        comm_->broadcastBuffers(evaluatedNet());  // rank 0's BatchNorm statistics, as saved
        return predictShared(*comm_, evaluatedNet(), cache_, indices, labels, config_.augmentation,
                             tta, static_cast<int>(plan_.batchSize), config_.loaderThreads,
                             device_);
    }
    return predictIndices(evaluatedNet(), cache_, indices, labels, config_.augmentation, tta,
                          static_cast<int>(plan_.batchSize), config_.loaderThreads, device_, stop_,
                          {});
}

void TrainingLoop::reportBatch(int epoch, double batchLoss, double lr,
                               double imagesPerSecond) const {
    if (!session_.callbacks->onBatch) return;
    BatchProgress p;
    p.epoch = epoch + 1;
    p.epochs = config_.epochs;
    p.batch = static_cast<int>(state_.batchInEpoch);
    p.batches = static_cast<int>(plan_.batchesPerEpoch);
    const double labeled = static_cast<double>(std::max<std::size_t>(state_.partLabeled, 1));
    p.loss = state_.partClassesLoss / labeled;
    p.accuracy = static_cast<double>(state_.partCorrect) / labeled;
    if (config_.hasVotesHead())
        p.votesLoss = state_.partVotesLoss / static_cast<double>(state_.partSeen);
    p.batchLoss = batchLoss;
    p.lr = lr;
    p.imagesPerSecond = imagesPerSecond;
    p.elapsedSeconds = state_.elapsed;
    const double budget = plan_.budgetSeconds, left = budget - state_.elapsed;
    double eta = -1;
    if (config_.epochs > 0)
        eta = static_cast<double>(plan_.totalSteps - state_.step) *
              static_cast<double>(plan_.batchSize) / imagesPerSecond;
    if (budget > 0) eta = eta < 0 ? left : std::min(eta, left);
    p.etaSeconds = std::max(eta, -1.0);
    session_.callbacks->onBatch(p);
}

bool TrainingLoop::validate(EpochRecord& record) {
    record.valLoss = record.valAccuracy = record.valMacroF1 =
        std::numeric_limits<double>::quiet_NaN();
    if (sets_.val.empty()) return true;
    std::vector<Prediction> predictions;
    try {
        predictions = predict(sets_.val, sets_.valLabels, false);
    } catch (const Cancelled&) {
        return false;
    }
    const EvaluationResult ev = evaluate(predictions);
    record.valLoss = ev.meanLoss;
    record.valAccuracy = ev.accuracy;
    record.valMacroF1 = ev.macroF1;
    return true;
}

bool TrainingLoop::recordEpoch(const EpochRecord& record) {
    state_.history.push_back(record);
    state_.epoch = record.epoch;
    state_.batchInEpoch = 0;
    state_.partClassesLoss = state_.partVotesLoss = state_.partSeconds = 0;
    state_.partCorrect = state_.partSeen = state_.partLabeled = 0;

    const double value = sets_.val.empty() ? static_cast<double>(state_.epoch)
                                           : selectionValue(record, config_.selectMetric);
    const bool improved = value > state_.bestValue;
    if (improved) {
        state_.bestValue = value;
        state_.bestEpoch = state_.epoch;
        state_.badEpochs = 0;
    } else {
        ++state_.badEpochs;
    }
    // With the last epoch selected every epoch improves; best.pt is written once, at the end
    // (evaluateBest), not a second 10 MB file synced every epoch.
    const bool selecting = config_.watchesValidation();
    // last.pt first: if killed before metrics.csv, resume rewrites it from the checkpoint.
    // best.pt before last.pt: last.pt's record of the best epoch never runs ahead of it.
    if (leader()) {
        if (improved && selecting) saveBest();
        saveLast();
        writeMetricsCsv(session_.run, state_.history);
    }
    return improved && selecting;
}

void TrainingLoop::updateAverage() {
    if (average_) detail::updateAverage(*average_, *net_, config_.emaDecay, state_.step);
}

void TrainingLoop::saveLast() {
    if (!leader()) return;
    saveCheckpoint(session_.run.lastCheckpoint(), *net_, optimizer_, state_.toJson(config_.seed),
                   average_.get());
}

void TrainingLoop::saveBest() {
    if (!leader()) return;
    saveCheckpoint(session_.run.bestCheckpoint(), evaluatedNet(), optimizer_,
                   state_.toJson(config_.seed));
}

TrainingLoop::FinalEvaluation TrainingLoop::evaluateBest() {
    const RunFolder& run = session_.run;
    const bool last = config_.selectMetric == SelectMetric::Last;
    std::error_code ec;
    if (last)
        saveBest();  // the weights trained last are the run's model
    else if (leader() && fs::exists(run.bestCheckpoint(), ec))
        loadCheckpoint(run.bestCheckpoint(), evaluatedNet(), nullptr, device_);
    if (comm_) comm_->broadcastModule(evaluatedNet());  // rank 0's best weights
    // In the run's precision, as evaluate and predict compute later (an fp32 finish ends in fp32).
    evaluatedNet().setBf16(bf16_);
    const bool onTest = !sets_.test.empty();
    const auto& indices = onTest ? sets_.test : sets_.val;
    const auto& labels = onTest ? sets_.testLabels : sets_.valLabels;
    if (indices.empty()) return {};
    const auto predictions = predict(indices, labels, config_.tta);
    const EvaluationResult ev = evaluate(predictions);
    if (leader()) {
        writePredictionsCsv(run.predictions(), predictions);
        const std::string text = ev.toJson();
        writeFileAtomically(run.confusion(), [&](std::ostream& out) { out << text << '\n'; });
    }
    log_(std::string(onTest ? "test" : "validation") + (last ? " (last epoch " : " (best epoch ") +
         std::to_string(state_.bestEpoch) + (config_.tta ? ", TTA" : "") + "): accuracy " +
         formatNumber(ev.accuracy) + " [" + formatNumber(ev.accuracyInterval.low) + ", " +
         formatNumber(ev.accuracyInterval.high) + "], macro F1 " + formatNumber(ev.macroF1) + " [" +
         formatNumber(ev.macroF1Interval.low) + ", " + formatNumber(ev.macroF1Interval.high) +
         "] on " + std::to_string(ev.n) + " galaxies (95% intervals)");
    return {ev, votes_.empty() ? std::nullopt : fitVotes(onTest, predictions)};
}

std::optional<VoteFit> TrainingLoop::fitVotes(bool onTest, std::vector<Prediction> predictions) {
    // The unlabeled test galaxies have vote fractions too: the fit is over all of them.
    if (onTest && !sets_.unlabeledTest.empty()) {
        auto unlabeled =
            predict(sets_.unlabeledTest, std::vector<int>(sets_.unlabeledTest.size(), kUnlabeled),
                    config_.tta);
        predictions.insert(predictions.end(), std::make_move_iterator(unlabeled.begin()),
                           std::make_move_iterator(unlabeled.end()));
    }
    if (!leader()) return std::nullopt;
    writeFractionsCsv(session_.run.fractions(), predictions);
    const VoteFit fit = evaluateVotes(predictions, *session_.catalog, trainingVotesMean());
    log_("vote fractions: RMSE " + formatNumber(fit.rmse) + " [" +
         formatNumber(fit.rmseInterval.low) + ", " + formatNumber(fit.rmseInterval.high) + "] on " +
         std::to_string(fit.n) + " galaxies; the training mean's " +
         formatNumber(fit.baselineRmse));
    return fit;
}

}  // namespace gz::detail
