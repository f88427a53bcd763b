#pragma once
// Private to core: the training loop of a new or resumed run.

#include <torch/nn.h>
#include <torch/optim.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <vector>

#include "distributed/communicator.h"
#include "distributed/data_parallel.h"
#include "gz/catalog.h"
#include "gz/decoded_cache.h"
#include "gz/partition.h"
#include "gz/run_folder.h"
#include "gz/training.h"
#include "gz/vote_fit.h"
#include "training/batches.h"
#include "training/class_balance.h"
#include "training/memory_tuning.h"
#include "training/models.h"
#include "training/run_log.h"
#include "training/schedule.h"
#include "training/split_subsets.h"
#include "training/train_step.h"
#include "training/training_state.h"

namespace gz::detail {

/// Everything a training loop needs, for a new run or a resumed one.
struct Session {
    RunFolder run;
    TrainConfig config;
    std::vector<SplitEntry> split;
    const Catalog* catalog = nullptr;
    std::filesystem::path workspace;
    const TrainCallbacks* callbacks = nullptr;
    /// The other ranks of a data-parallel training; null for a single process.
    Communicator* comm = nullptr;
};

/// Trains a run's model epoch by epoch: every epoch ends with a validation, best.pt when it
/// improved, last.pt and metrics.csv; a stop request ends it after the current batch with
/// last.pt written. The run ends with the best checkpoint evaluated on the test split (else the
/// validation split). `session` must outlive the loop.
///
/// In a data-parallel training every rank runs a loop: each takes its share of every batch and
/// of every evaluation, every decision (stop, time, best epoch) is agreed, and rank 0 alone
/// writes the run folder (the log, checkpoints, metrics, predictions).
class TrainingLoop {
public:
    /// Opens the run log, decodes the images into the workspace cache and builds the model and
    /// its optimiser. Throws DataError with fewer than 2 usable training images.
    TrainingLoop(const Session& session, const std::stop_token& stop);

    /// Trains from the start or, with `resume`, from the run's last.pt, until the run's limits,
    /// early stopping or a stop request.
    TrainOutcome run(bool resume);

private:
    bool leader() const { return !comm_ || comm_->world().leader(); }
    /// Whether to stop now; agreed by every rank in a data-parallel training.
    bool agreeToStop();
    int useThreads() const;
    DecodedCache decodeImages();
    SplitSubsets usableSubsets() const;
    GalaxyNet buildModel() const;
    /// The weight average's network (a copy of net_), or an empty holder without one.
    GalaxyNet buildAverage() const;
    /// The weights validation, best.pt and the final evaluation use: the average, if any.
    GalaxyNetImpl& evaluatedNet() { return average_ ? *average_ : *net_; }
    LossSpec lossSpec() const;
    /// `t` on the training device; an undefined tensor stays undefined.
    torch::Tensor toDevice(const torch::Tensor& t) const;
    /// The vote fractions of every cached image for a votes head (kVoteColumnCount a cache
    /// index); empty without one. Throws DataError when the catalog lacks a vote column.
    std::vector<float> cachedVotes() const;
    void resumeFromCheckpoint();
    void logStart();
    /// A votes head's training mean of the vote fractions, into the run folder (rank 0).
    void writeVotesMean() const;
    std::vector<float> trainingVotesMean() const;

    bool stoppedEarly() const;
    bool finished() const;
    /// Trains and validates one epoch (or what is left of it); false when a stop ended it.
    bool runEpoch();
    /// Turns bfloat16 off for the rest of the run once `epoch` (0-based) starts in its last
    /// TrainConfig::fp32Finish.
    void finishInFp32(int epoch);
    /// Trains the epoch's remaining batches until its end, a stop or the time budget; returns the
    /// learning rate of the last batch.
    double trainBatches(int epoch);
    void reportBatch(int epoch, double batchLoss, double lr, double imagesPerSecond) const;
    /// The step of a data-parallel training on this rank's share of global batch `b` of an
    /// epoch in `order`; returns what the ranks agree on after it (rank 0's time from `start`).
    StepAgreement dataParallelBatch(const Batch& share, std::size_t b,
                                    const std::vector<std::size_t>& order,
                                    std::chrono::steady_clock::time_point start);
    /// Predicts cached images, shared out over the ranks in a data-parallel training.
    std::vector<Prediction> predict(const std::vector<std::size_t>& indices,
                                    const std::vector<int>& labels, bool tta);
    /// Fills in the validation metrics of `record`; false when a stop interrupted it.
    bool validate(EpochRecord& record);
    /// Adds a validated epoch to the history, updates the best epoch and writes the checkpoints
    /// and metrics.csv; returns whether the epoch is the best so far by a validation metric
    /// (never with the last epoch selected).
    bool recordEpoch(const EpochRecord& record);
    /// Moves the weight average, if any, towards the weights of the step just taken.
    void updateAverage();
    /// last.pt: the trained weights, the optimiser, the state and the weight average.
    void saveLast();
    /// best.pt: evaluatedNet()'s weights.
    void saveBest();
    /// What evaluateBest measured: nothing without a test or validation split; the vote fit
    /// with a votes head, on rank 0.
    struct FinalEvaluation {
        std::optional<EvaluationResult> test;
        std::optional<VoteFit> votes;
    };
    /// Predicts the test split (else the validation split) with the best checkpoint and writes
    /// predictions.csv and confusion.json (and with a votes head fractions.csv).
    FinalEvaluation evaluateBest();
    /// The vote fit of `predictions` (evaluateBest's) and, on the test split, of its unlabeled
    /// galaxies; writes fractions.csv. Rank 0's; nullopt on the others.
    std::optional<VoteFit> fitVotes(bool onTest, std::vector<Prediction> predictions);

    const Session& session_;
    const TrainConfig& config_;
    Communicator* comm_;
    std::stop_token stop_;
    std::vector<int> stopping_;  ///< the ranks that asked to stop (data-parallel)
    TrainingMemory memory_;
    RunLog log_;
    int threads_;
    torch::Device device_;
    bool bf16_;  // the forward pass in bfloat16 (resolved before any image is decoded)
    DecodedCache cache_;
    SplitSubsets sets_;
    TrainingPlan plan_;
    ClassBalance balance_;
    GalaxyNet net_;
    GalaxyNet average_;  ///< buildAverage()
    torch::optim::SGD optimizer_;
    LossSpec loss_;
    std::vector<float> votes_;  ///< cachedVotes()
    TrainingState state_;
};

}  // namespace gz::detail
