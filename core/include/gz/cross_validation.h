#pragma once
// k-fold cross-validation: one training run per fold on the other folds, so that every galaxy is
// predicted by a model that never saw it. `galaxy-cli crossval` reports the accuracy over all the
// labeled galaxies this way (1,440 of the sample against a 145-galaxy test split), and the
// suspected-label search (gz/suspects.h) ranks the same out-of-sample probabilities.

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "gz/catalog.h"
#include "gz/evaluation.h"
#include "gz/labeling.h"
#include "gz/progress.h"
#include "gz/training.h"
#include "gz/vote_fit.h"

namespace gz {

/// Each galaxy's fold (0 .. folds-1): class by class (the unlabeled ones as one more group),
/// shuffled with `seed` and dealt in turn, so every fold holds each class's share. Depends only on
/// the set of (id, label) pairs, the fold count and the seed. Throws DataError for fewer than 2
/// folds or more folds than galaxies.
std::vector<int> stratifiedFolds(const std::vector<LabeledGalaxy>& galaxies, int folds,
                                 std::uint64_t seed);

struct CrossValidationOptions {
    int folds = 5;
    /// Of each fold's training galaxies, the share kept (stratified) for its validation curve and
    /// for choosing its epoch by a validation metric; in [0, 0.5]. 0 trains on all of them, and
    /// then needs the last epoch selected and no early stopping (nothing to watch).
    double validationShare = 0.1;
    /// Every fold's run, as `galaxy-cli train` would make it: its limits (`minutes`, `epochs`)
    /// are each fold's, its `seed` also deals the folds.
    TrainConfig training;
};

struct CrossValidation {
    /// Every labeled galaxy with a usable image, predicted by the fold run that did not train on
    /// it, by GalaxyID; with a votes head each has its 37 fractions, and the unlabeled galaxies
    /// follow the same way (trueLabel kUnlabeled, no class probabilities).
    std::vector<Prediction> outOfSample;
    /// The fold (0-based) of each prediction of outOfSample.
    std::vector<int> fold;
    /// With a votes head, the mean of the folds' training means of the vote fractions (the
    /// baseline evaluateVotes compares against); else empty.
    std::vector<float> votesMean;
    std::filesystem::path folder;  ///< the fold runs, <folder>/fold-<k>, and the files below
    int folds = 0;

    /// The class metrics over every labeled galaxy (evaluate()), or over one fold's.
    EvaluationResult metrics() const;
    EvaluationResult metricsOfFold(int f) const;
    /// The vote fractions' fit over every galaxy (unlabeled too), or one fold's; an empty fit
    /// without a votes head.
    VoteFit voteFit(const Catalog& truth) const;
    VoteFit voteFitOfFold(const Catalog& truth, int f) const;
    /// {"folds", "metrics": EvaluationResult::toJson, "votes": VoteFit::toJson or null,
    ///  "per_fold": [{"fold", "n", "accuracy", "macro_f1", "rmse"}]}.
    std::string toJson(const Catalog& truth) const;
};

/// The files a cross-validation leaves in its folder beside the fold runs: the labeled galaxies'
/// out-of-sample predictions (predictions.csv's format), with a votes head every galaxy's
/// fractions (Kaggle's layout), and toJson's summary.
std::filesystem::path outOfSampleFileIn(const std::filesystem::path& folder);
std::filesystem::path outOfSampleFractionsFileIn(const std::filesystem::path& folder);
std::filesystem::path crossValidationSummaryFileIn(const std::filesystem::path& folder);

/// A new, not yet existing folder for a cross-validation of `kind` ("crossval", "suspects")
/// started now: <workspace>/<kind>/20261203-061500-<kind>, with -2, -3, ... when that is taken.
std::filesystem::path newCrossValidationFolder(const std::filesystem::path& workspace,
                                               std::string_view kind);

/// Trains one run per fold in `folder`, which must be new or empty (the images cached in
/// `workspace`), on the other folds (validationShare of them, stratified, for validation),
/// collects each fold's predictions from its run's final evaluation, and writes the three files
/// above into `folder`. Of `galaxies`, the labeled ones take part, and the unlabeled ones only when
/// the training has a votes head (they teach it their votes and are predicted like the others). The
/// data set is never modified. Throws DataError on bad input and Cancelled on stop.
CrossValidation crossValidate(const Catalog& catalog, const std::vector<LabeledGalaxy>& galaxies,
                              const std::filesystem::path& workspace,
                              const std::filesystem::path& folder,
                              const CrossValidationOptions& options,
                              const std::stop_token& stop = {}, const ProgressFn& progress = {});

}  // namespace gz
