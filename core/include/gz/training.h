#pragma once
// Training, resuming, evaluating and predicting with a run folder (its files: gz/run_folder.h).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "gz/catalog.h"
#include "gz/constants.h"
#include "gz/evaluation.h"
#include "gz/fp32_peak.h"
#include "gz/image_pipeline.h"
#include "gz/labeling.h"
#include "gz/partition.h"
#include "gz/progress.h"
#include "gz/train_options.h"
#include "gz/vote_fit.h"
#include "gz/world.h"

namespace gz {

/// Every choice of a training run; saved as the run's config.json (the options by their keys in
/// gz/train_options.h).
struct TrainConfig {
    std::string model = "compact";
    int epochs = 0;      ///< stop after this many epochs in all (0: no epoch limit)
    double minutes = 0;  ///< stop when this much training time has passed in all (0: none)
    int batch = 64;
    double lr = 0.05;
    Schedule schedule = Schedule::Cosine;
    double warmupEpochs = 0;         ///< linear warm-up from lr/10
    std::int64_t stepEvery = 30000;  ///< Step: divide the rate by 10 every this many steps
    double momentum = 0.9;           ///< Nesterov
    double weightDecay = 1e-4;
    double labelSmoothing = 0;
    /// With a value above 0, the network also has a votes head predicting the 37 vote fractions
    /// of the Galaxy Zoo 2 decision tree (gz/vote_tree.h), and the loss adds this weight times
    /// their loss (votesLoss). 0 (and runs from before the option): no votes head. By default
    /// 30 with the per-question cross-entropy: in paired cross-validation at the 15-minute
    /// budget's epochs it was as accurate or better than weight 10 with the squared error and
    /// fitted the fractions better (README, the votes loss at the budget); only the head
    /// gives the fractions.
    double votesWeight = 30;
    /// The votes head's loss (runs from before the option: squared error).
    VotesLoss votesLoss = VotesLoss::CrossEntropy;
    /// How a network with a votes head decides the five classes (gz/train_options.h): by
    /// default the head's probabilities combined with the fractions the label rules read, which
    /// in paired cross-validation was right more often than the head alone (README, --decision);
    /// runs from before the option: the head.
    Decision decision = Decision::Combined;
    /// With a value above 0, validation, the checkpoints' weights and the final model are an
    /// exponential moving average of the trained weights, each step keeping this share of the
    /// average (less in the first steps: at most (1 + step) / (10 + step)). 0 (and runs from
    /// before the option): the trained weights themselves.
    double emaDecay = 0;
    Balance balance = Balance::Sqrt;
    int earlyStopPatience = 0;  ///< epochs without validation improvement (0: off)
    /// The run's model: the last epoch's weights, or the epoch best by a validation metric (the
    /// loss is the mean cross-entropy). The last by default: at the 15-minute budget the epoch a
    /// noisy validation curve picks did no better on unseen galaxies (README, --select last).
    SelectMetric selectMetric = SelectMetric::Last;
    bool tta = true;  ///< test-time augmentation (8 rotations/flips) for the final evaluation
    int threads = 0;  ///< LibTorch threads (0: every core)
    int loaderThreads = 1;
    Device device = Device::Auto;
    /// Of the forward pass (gz/precision.h). Auto by default, bfloat16 where the CPU has it:
    /// 1.6-1.8x the epochs of fp32 in the same time, which at the 15-minute budget fitted the
    /// vote fractions better at the same accuracy (README, --precision); runs from before the
    /// option: fp32.
    Precision precision = Precision::Auto;
    /// When the run computes in bfloat16, the last share of it (of its epochs, or of its
    /// minutes, as the learning rate's schedule measures it) computes in fp32: from the first
    /// epoch that starts past 1 - fp32Finish of the run; 1: fp32 throughout. A quarter by
    /// default: in paired cross-validation at the 15-minute budget it was more accurate than
    /// bfloat16 to the end and fitted the fractions as well (README, --fp32-finish); runs from
    /// before the option: 0, bfloat16 to the end.
    double fp32Finish = 0.25;
    std::uint64_t seed = kDefaultSeed;
    /// Ranks of the (last start or resume of the) run; each takes batch / worldSize images a step.
    int worldSize = 1;
    AugmentationParams augmentation;
    LabelRules rules = LabelRules::defaults();
    // Where the data came from (for resume and for the record).
    std::filesystem::path dataCsv;
    std::optional<std::filesystem::path> dataImages;

    /// Whether the run's network has the votes head (votesWeight above 0).
    bool hasVotesHead() const { return votesWeight > 0; }
    /// Whether the model is chosen by a validation metric (and may stop early on it): such a
    /// training needs labeled validation galaxies.
    bool watchesValidation() const { return selectMetric != SelectMetric::Last; }
    /// Throws DataError naming the bad field.
    void validate() const;
    /// Throws DataError (naming `source`, the split's file, when given) when the config watches a
    /// validation metric and `split` has no labeled validation galaxy: the run would otherwise
    /// keep its last epoch without a word.
    void validateSplit(const std::vector<SplitEntry>& split,
                       const std::filesystem::path& source = {}) const;
    /// Throws DataError naming the catalog's file when the config has a votes head and the
    /// catalog lacks one of the 37 vote columns the head learns.
    void validateCatalog(const Catalog& catalog) const;
    std::string toJson() const;
    static TrainConfig fromJson(const std::string& json, const std::filesystem::path& source = {});
};

/// Sent to the progress callback after every batch.
struct BatchProgress {
    int epoch = 0;   ///< 1-based
    int epochs = 0;  ///< 0 when only a time budget is set
    int batch = 0;   ///< 1-based within the epoch
    int batches = 0;
    /// The five classes' loss (EpochRecord::trainLoss), its running mean over the epoch so far.
    double loss = 0;
    double accuracy = 0;   ///< running training accuracy over the epoch so far
    double batchLoss = 0;  ///< the five classes' loss of this batch (NaN: no labeled image)
    /// The votes loss (EpochRecord::trainVotesLoss), running mean (NaN: no votes head).
    double votesLoss = std::numeric_limits<double>::quiet_NaN();
    double lr = 0;
    double imagesPerSecond = 0;
    double elapsedSeconds = 0;  ///< training time of the whole run
    double etaSeconds = -1;     ///< -1 when unknown
};

/// One row of metrics.csv (with its timing.csv row).
struct EpochRecord {
    int epoch = 0;  ///< 1-based
    /// The five classes' cross-entropy of the labeled training images (as val_loss is the
    /// validation images'; older runs with a votes head: plus the weighted
    /// votes loss), and their accuracy.
    double trainLoss = 0, trainAccuracy = 0;
    /// The votes loss of the training images, over their 37 fractions, before its weight (NaN:
    /// no votes head, or an older run).
    double trainVotesLoss = std::numeric_limits<double>::quiet_NaN();
    double valLoss = 0, valAccuracy = 0, valMacroF1 = 0;  ///< NaN without a validation split
    double lr = 0;
    double imagesPerSecond = 0;
    double seconds = 0;         ///< this epoch's training time
    double elapsedSeconds = 0;  ///< the run's training time so far
    int batches = 0;            ///< batches trained (fewer than an epoch when time ran out)
};

struct TrainCallbacks {
    std::function<void(const BatchProgress&)> onBatch;
    std::function<void(const EpochRecord&)> onEpoch;
    std::function<void(const std::string&)> onLog;  ///< every line also written to log.txt
    ProgressFn onPrepare;                           ///< decoding the images into the cache
};

struct TrainOutcome {
    enum class Status { Finished, Stopped };
    Status status = Status::Finished;
    int epochsCompleted = 0;
    std::vector<EpochRecord> history;
    std::optional<EvaluationResult> test;  ///< on the test split, when there is one
    /// A votes head's fractions on the same galaxies (gz/vote_fit.h), against the training mean.
    std::optional<VoteFit> votes;
    std::string summary;  ///< what happened, for the log and the CLI
};

/// Starts a new run in `runDir` (which must not exist or be empty): trains on the split's train
/// galaxies, validates on its val galaxies every epoch, and at the end evaluates the best
/// checkpoint on its test galaxies (predictions.csv, confusion.json). Images come from the
/// decoded cache in `workspace`. A stop request ends training after the current batch and
/// writes a checkpoint (Status::Stopped); resumeTraining continues from it. Throws DataError on
/// bad input and when the run folder cannot be written.
///
/// With a distributed `world`, every rank calls this with the same arguments: they meet (c10d
/// TCPStore and Gloo), start from rank 0's weights, each train on a disjoint share of every batch
/// with the gradients averaged, and evaluate a share each; rank 0 alone writes the run folder.
/// A stop request on any rank stops every rank at the same step. A rank that fails, dies or
/// never arrives makes the others throw DataError naming it.
TrainOutcome startTraining(const std::filesystem::path& runDir, const TrainConfig& config,
                           const Catalog& catalog, const std::vector<SplitEntry>& split,
                           const std::filesystem::path& workspace, const std::stop_token& stop = {},
                           const TrainCallbacks& callbacks = {}, const World& world = {});

/// Continues a run from checkpoints/last.pt, with the data named in its config.json and its
/// split.csv. `epochs`/`minutes`, when given, replace the run's limits (counted in all). A run
/// resumes with any world size (every rank reads the run folder, which must be visible to all).
TrainOutcome resumeTraining(const std::filesystem::path& runDir,
                            const std::filesystem::path& workspace,
                            std::optional<int> epochs = std::nullopt,
                            std::optional<double> minutes = std::nullopt,
                            const std::stop_token& stop = {}, const TrainCallbacks& callbacks = {},
                            const World& world = {});

/// Reads a run's config.json.
TrainConfig loadRunConfig(const std::filesystem::path& runDir);
/// Reads a run's metrics.csv, and its timing.csv when there is one.
std::vector<EpochRecord> readMetricsCsv(const std::filesystem::path& file);

/// Predicts galaxies of a catalog with a run's model (`checkpoint`), in `precision`
/// (inferencePrecision: nullopt is as the run trained), deciding the classes by `decision`
/// (nullopt: as the run's configuration says). `labels` gives the true label per id (-1
/// unknown). Images come from the decoded cache in `workspace`; unusable images are skipped and
/// reported through `skipped`.
std::vector<Prediction> predictCatalog(const std::filesystem::path& runDir, const Catalog& catalog,
                                       const std::vector<LabeledGalaxy>& galaxies,
                                       const std::filesystem::path& workspace, bool tta,
                                       std::optional<Precision> precision, int threads = 0,
                                       const std::stop_token& stop = {},
                                       const ProgressFn& progress = {},
                                       std::vector<std::string>* skipped = nullptr,
                                       CheckpointChoice checkpoint = CheckpointChoice::Best,
                                       std::optional<Decision> decision = std::nullopt);

/// Predicts every JPEG in a folder (any size: the evaluation crop scales with the image), in
/// `precision` and by `decision` as predictCatalog.
/// GalaxyID is the file name's number, or the row index when the name is not a number.
std::vector<Prediction> predictFolder(const std::filesystem::path& runDir,
                                      const std::filesystem::path& imageDir, bool tta,
                                      std::optional<Precision> precision, int threads = 0,
                                      const std::stop_token& stop = {},
                                      const ProgressFn& progress = {},
                                      std::vector<std::string>* skipped = nullptr,
                                      std::optional<Decision> decision = std::nullopt);

}  // namespace gz

namespace gz {

/// One part of a training step's time (galaxy-cli bench train's profile).
struct StepPart {
    std::string part;         ///< "convolutions, backward", "optimiser (zero_grad, step)", ...
    double milliseconds = 0;  ///< a step's time in the part's operators (their callees' excluded)
    double share = 0;         ///< of the profiled steps' wall-clock time
};

/// Training speed of a network (galaxy-cli bench train).
struct TrainBenchmark {
    std::string model;
    int batch = 0;  ///< the global batch (each of worldSize ranks takes batch / worldSize)
    int threads = 0;
    int worldSize = 1;
    bool bf16 = false;  ///< the forward pass in bfloat16 (the precision resolved on this machine)
    std::int64_t parameters = 0;
    double computeImagesPerSecond = 0;   ///< random tensors: forward, backward, SGD step
    double endToEndImagesPerSecond = 0;  ///< through the cache and the loader; NaN without data
    std::size_t computeSteps = 0, endToEndSteps = 0;
    /// Data-parallel only: the median milliseconds a step spends summing the gradients over the
    /// ranks (flat-buffer allreduce, with its copies), its share of the median step, and the
    /// gradient bytes each step moves.
    double allreduceMilliseconds = 0, allreduceShare = 0;
    std::int64_t gradientBytes = 0;
    /// Floating-point operations of one image's training step: the forward pass's convolutions
    /// and matrix products counted by LibTorch's profiler, three times over (backward computes
    /// a weight and an input gradient of the same size), less the first convolution's input
    /// gradient. computeGflops is that at computeImagesPerSecond (all ranks together).
    double flopsPerImage = 0, computeGflops = 0;
    Fp32Peak peak;  ///< of the `threads` cores of one rank (fp32Peak)
    /// Where a single process's step spends its time, largest first (empty when distributed).
    std::vector<StepPart> profile;
};

/// Median images/s over at least `seconds` of steps after two warm-up steps, on random tensors
/// and, with `data`, on the labeled galaxies through the decoded cache and the batch loader with
/// the default augmentation (as training does). With a distributed `world` (every rank calls
/// this), each rank trains on batch / size images a step with the gradients averaged as in
/// training, rank 0 decides when enough steps are timed, and `data` must be null. The forward
/// pass runs in `precision` as training would (throws DataError for Bf16 where the CPU lacks it).
TrainBenchmark benchmarkTraining(const std::string& model, int batch, int threads,
                                 Precision precision, double seconds, const Catalog* data,
                                 const std::filesystem::path& workspace,
                                 const std::stop_token& stop = {}, const ProgressFn& progress = {},
                                 const World& world = {});

}  // namespace gz
