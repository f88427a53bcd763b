// crossValidate (gz/cross_validation.h): one training run per fold, the out-of-sample predictions
// gathered from their final evaluations.

#include <algorithm>
#include <numeric>

#include "gz/cross_validation.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/partition.h"
#include "gz/run_folder.h"
#include "util/file_io.h"
#include "util/portable_random.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

// Fold f's split: its galaxies to test, the others split for training and validation.
std::vector<SplitEntry> foldSplit(const std::vector<LabeledGalaxy>& galaxies,
                                  const std::vector<int>& fold, int f, double validationShare,
                                  std::uint64_t seed) {
    std::vector<LabeledGalaxy> rest;
    std::vector<SplitEntry> split;
    for (std::size_t i = 0; i < galaxies.size(); ++i) {
        if (fold[i] == f)
            split.push_back({galaxies[i].id, galaxies[i].label, Subset::Test});
        else
            rest.push_back(galaxies[i]);
    }
    for (const auto& e : stratifiedSplit(rest, {1 - validationShare, validationShare, 0},
                                         detail::mixSeed(seed, static_cast<unsigned>(f))))
        split.push_back(e);
    std::sort(split.begin(), split.end(),
              [](const SplitEntry& a, const SplitEntry& b) { return a.id < b.id; });
    return split;
}

// A finished fold run's test predictions: the labeled galaxies from predictions.csv, and with a
// votes head every test galaxy's fractions from fractions.csv (the unlabeled ones without class
// probabilities).
std::vector<Prediction> foldPredictions(const RunFolder& run, const std::vector<SplitEntry>& split,
                                        const Catalog& catalog, bool votes) {
    std::vector<Prediction> out = readPredictionsCsv(run.predictions());
    if (!votes) return out;
    const CatalogFractions fractions = readCatalogFractions(run.fractions(), catalog);
    const auto fractionsOf = [&](std::int64_t id) -> std::vector<float> {
        const auto row = catalog.rowOf(id);
        if (!row || !fractions.has(*row)) return {};
        const auto f = fractions.row(*row);
        return {f.begin(), f.end()};
    };
    for (auto& p : out) p.fractions = fractionsOf(p.id);
    for (const auto& e : split) {
        if (e.subset != Subset::Test || e.label != kUnlabeled) continue;
        auto f = fractionsOf(e.id);
        if (f.empty()) continue;  // no usable image: the run skipped it
        Prediction p;
        p.id = e.id;
        p.fractions = std::move(f);
        out.push_back(std::move(p));
    }
    return out;
}

// A share outside [0, 0.5], or none with a validation metric to watch (early stopping needs one
// too, TrainConfig::validate).
void requireValidationShare(const CrossValidationOptions& options) {
    const double share = options.validationShare;
    if (!(share >= 0 && share <= 0.5))
        throw DataError("cross-validation: the validation share must be in [0, 0.5]");
    if (share == 0 && options.training.watchesValidation())
        throw DataError(
            "cross-validation: a validation share of 0 leaves no galaxies to choose the epoch "
            "by or to stop early on: select the last epoch and set patience to 0");
}

}  // namespace

CrossValidation crossValidate(const Catalog& catalog, const std::vector<LabeledGalaxy>& given,
                              const fs::path& workspace, const fs::path& folder,
                              const CrossValidationOptions& options, const std::stop_token& stop,
                              const ProgressFn& progress) {
    const TrainConfig& cfg = options.training;
    requireValidationShare(options);
    const bool votes = cfg.hasVotesHead();
    std::vector<LabeledGalaxy> galaxies;  // the unlabeled ones teach only a votes head
    std::copy_if(
        given.begin(), given.end(), std::back_inserter(galaxies), [&](const LabeledGalaxy& g) {
            return (g.label >= 0 && g.label < kMorphologyCount) || (votes && g.label == kUnlabeled);
        });
    const int k = options.folds;
    const std::vector<int> fold = stratifiedFolds(galaxies, k, cfg.seed);
    detail::requireNewFolder(folder, "folder for the cross-validation");
    CrossValidation cv;
    cv.folder = folder;
    cv.folds = k;
    std::vector<Prediction> predicted;
    std::vector<double> meanSum;
    for (int f = 0; f < k; ++f) {
        const std::vector<SplitEntry> split =
            foldSplit(galaxies, fold, f, options.validationShare, cfg.seed);
        const std::string what = "fold " + std::to_string(f + 1) + " of " + std::to_string(k);
        TrainCallbacks callbacks;
        callbacks.onPrepare = progress;
        callbacks.onEpoch = [&](const EpochRecord& e) {
            if (progress)  // a stop is the trainer's to act on (it ends at its next step)
                progress(static_cast<std::size_t>(f), static_cast<std::size_t>(k),
                         "cross-validation: " + what + ", epoch " + std::to_string(e.epoch));
        };
        const RunFolder run{folder / ("fold-" + std::to_string(f + 1))};
        checkpoint(stop, progress, static_cast<std::size_t>(f), static_cast<std::size_t>(k),
                   "cross-validation: training " + what);
        const TrainOutcome outcome =
            startTraining(run.root, cfg, catalog, split, workspace, stop, callbacks);
        if (outcome.status == TrainOutcome::Status::Stopped) throw Cancelled();
        for (auto& p : foldPredictions(run, split, catalog, votes)) {
            predicted.push_back(std::move(p));
            cv.fold.push_back(f);
        }
        if (votes) {
            const std::vector<float> mean = readVotesMean(run.votesMean());
            meanSum.resize(mean.size());
            for (std::size_t c = 0; c < mean.size(); ++c) meanSum[c] += mean[c];
        }
    }
    checkpoint(stop, progress, static_cast<std::size_t>(k), static_cast<std::size_t>(k),
               "cross-validation: done");
    // By GalaxyID, each with its fold.
    std::vector<std::size_t> order(predicted.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return predicted[a].id < predicted[b].id; });
    std::vector<int> folds;
    for (const std::size_t i : order) {
        cv.outOfSample.push_back(std::move(predicted[i]));
        folds.push_back(cv.fold[i]);
    }
    cv.fold = std::move(folds);
    for (const double s : meanSum) cv.votesMean.push_back(static_cast<float>(s / k));

    writePredictionsCsv(outOfSampleFileIn(folder), labeledOnly(cv.outOfSample));
    if (votes) {
        std::vector<Prediction> withFractions;
        std::copy_if(cv.outOfSample.begin(), cv.outOfSample.end(),
                     std::back_inserter(withFractions),
                     [](const Prediction& p) { return !p.fractions.empty(); });
        writeFractionsCsv(outOfSampleFractionsFileIn(folder), withFractions);
    }
    const std::string summary = cv.toJson(catalog);
    writeFileAtomically(crossValidationSummaryFileIn(folder),
                        [&](std::ostream& out) { out << summary << '\n'; });
    return cv;
}

}  // namespace gz
