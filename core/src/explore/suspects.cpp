// findSuspects (gz/suspects.h): out-of-sample probabilities by k-fold training, then confident
// learning.

#include <algorithm>
#include <iterator>

#include "gz/error.h"
#include "gz/partition.h"
#include "gz/run_folder.h"
#include "gz/suspects.h"
#include "util/portable_random.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

// Of each fold's training galaxies, the share kept for validation (choosing the best epoch).
constexpr double kValidationShare = 0.1;

}  // namespace

SuspectSearch findSuspects(const Catalog& catalog, const std::vector<LabeledGalaxy>& given,
                           const fs::path& workspace, const SuspectOptions& options,
                           const std::stop_token& stop, const ProgressFn& progress) {
    std::vector<LabeledGalaxy> galaxies;  // only the labeled ones are checked
    std::copy_if(given.begin(), given.end(), std::back_inserter(galaxies),
                 [](const LabeledGalaxy& g) { return g.label >= 0 && g.label < kMorphologyCount; });
    const int k = options.folds;
    const std::vector<int> fold = stratifiedFolds(galaxies, k, options.training.seed);
    SuspectSearch search;
    // A new time-stamped folder, -2, -3, ... when a search of the same second has it.
    const std::string stamp = newRunFolder(workspace, "suspects").filename().string();
    search.folder = workspace / "suspects" / stamp;
    for (int n = 2; fs::exists(search.folder); ++n)
        search.folder = workspace / "suspects" / (stamp + "-" + std::to_string(n));
    TrainConfig cfg = options.training;
    cfg.minutes = options.training.minutes / k;
    for (int f = 0; f < k; ++f) {
        std::vector<LabeledGalaxy> rest;
        std::vector<SplitEntry> split;
        for (std::size_t i = 0; i < galaxies.size(); ++i) {
            if (fold[i] == f)
                split.push_back({galaxies[i].id, galaxies[i].label, Subset::Test});
            else
                rest.push_back(galaxies[i]);
        }
        for (const auto& e : stratifiedSplit(rest, {1 - kValidationShare, kValidationShare, 0},
                                             detail::mixSeed(cfg.seed, static_cast<unsigned>(f))))
            split.push_back(e);
        std::sort(split.begin(), split.end(),
                  [](const SplitEntry& a, const SplitEntry& b) { return a.id < b.id; });
        const std::string what = "fold " + std::to_string(f + 1) + " of " + std::to_string(k);
        TrainCallbacks callbacks;
        callbacks.onPrepare = progress;
        callbacks.onEpoch = [&](const EpochRecord& e) {
            if (progress)  // a stop is the trainer's to act on (it ends at its next step)
                progress(static_cast<std::size_t>(f), static_cast<std::size_t>(k),
                         "cross-validation: " + what + ", epoch " + std::to_string(e.epoch));
        };
        const fs::path runDir = search.folder / ("fold-" + std::to_string(f + 1));
        checkpoint(stop, progress, static_cast<std::size_t>(f), static_cast<std::size_t>(k),
                   "cross-validation: training " + what);
        const TrainOutcome outcome =
            startTraining(runDir, cfg, catalog, split, workspace, stop, callbacks);
        if (outcome.status == TrainOutcome::Status::Stopped) throw Cancelled();
        const auto predicted = readPredictionsCsv(RunFolder{runDir}.predictions());
        search.outOfSample.insert(search.outOfSample.end(), predicted.begin(), predicted.end());
    }
    checkpoint(stop, progress, static_cast<std::size_t>(k), static_cast<std::size_t>(k),
               "cross-validation: done");
    std::sort(search.outOfSample.begin(), search.outOfSample.end(),
              [](const Prediction& a, const Prediction& b) { return a.id < b.id; });
    writePredictionsCsv(outOfSampleFileIn(search.folder), search.outOfSample);
    search.thresholds = confidentThresholds(search.outOfSample);
    search.suspects = rankSuspects(search.outOfSample, search.thresholds);
    writeSuspectsCsv(suspectsFileIn(search.folder), search.suspects, catalog,
                     options.training.rules);
    return search;
}

}  // namespace gz
