#pragma once
// Suspected label errors, found the way confident learning does (Northcutt et al. 2021): every
// labeled galaxy gets out-of-sample class probabilities from k-fold cross-validation training;
// each class's threshold is the mean probability of that class over the galaxies labeled with it;
// a galaxy whose given label's probability is under its class's threshold while another class's
// is at or over its own is a suspect. So is one whose out-of-sample prediction is another class.
// Suspects are ranked by the probability of their given label, lowest first (Cleanlab's
// "self-confidence"): on the sample with 5% of the labels flipped it put more flipped labels in
// the top K than ranking by the margin of the other class (README, "Suspected label errors").

#include <array>
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "gz/catalog.h"
#include "gz/cross_validation.h"
#include "gz/evaluation.h"
#include "gz/labeling.h"
#include "gz/morphology.h"
#include "gz/progress.h"
#include "gz/training.h"

namespace gz {

struct Suspect {
    std::int64_t id = 0;
    int given = 0;      ///< the label the galaxy has
    int suspected = 0;  ///< the class the model believes instead
    float pGiven = 0, pSuspected = 0;
    /// Whether the class thresholds flag it (else only its prediction is another class).
    bool overThreshold = false;
    float margin() const { return pSuspected - pGiven; }
};

using ClassThresholds = std::array<float, kMorphologyCount>;

/// Each class's threshold: the mean out-of-sample probability of the class over the galaxies
/// labeled with it (1 for a class no galaxy has: nothing is suspected of it).
ClassThresholds confidentThresholds(const std::vector<Prediction>& outOfSample);

/// The suspects among `outOfSample` (trueLabel is the given label), the lowest probability of the
/// given label first, ties by the larger margin, then by GalaxyID. The suspected class is the most
/// probable of the other classes at or over their thresholds, else the most probable other class.
std::vector<Suspect> rankSuspects(const std::vector<Prediction>& outOfSample,
                                  const ClassThresholds& thresholds);

struct SuspectOptions {
    int folds = 5;
    TrainConfig training;  ///< every fold's run; its `minutes` is the time of all folds together
};

struct SuspectSearch {
    std::vector<Prediction> outOfSample;  ///< every labeled galaxy with a usable image
    ClassThresholds thresholds{};
    std::vector<Suspect> suspects;
    std::filesystem::path folder;  ///< the fold runs, <workspace>/suspects/<time>/fold-<k>
};

/// Where a search keeps its results beside its fold runs: besides the cross-validation's files
/// (gz/cross_validation.h, among them every galaxy's out-of-sample probabilities), the ranked
/// suspects (suspects.csv) and the user's marks on them (marks.csv, gz/run_marks.h).
std::filesystem::path suspectsFileIn(const std::filesystem::path& searchFolder);

/// A finished search read back from its folder: the thresholds and the ranking are computed again
/// from out-of-sample.csv (they depend on nothing else). Throws DataError naming the file.
SuspectSearch readSuspectSearch(const std::filesystem::path& searchFolder);

/// The workspace's finished searches (<workspace>/suspects/<time> with an out-of-sample.csv),
/// newest first.
std::vector<std::filesystem::path> suspectSearches(const std::filesystem::path& workspace);

/// Trains one run per fold on the other folds (a tenth of them for validation), predicts the fold
/// with its best checkpoint, and ranks the suspects of all of them; the out-of-sample
/// probabilities and suspects.csv (by the rules of `options.training`) are saved in the search's
/// folder. `galaxies` are the labels
/// to check (from the rules or a labels.csv); the data set is never modified. Throws DataError on
/// bad input and Cancelled on stop.
SuspectSearch findSuspects(const Catalog& catalog, const std::vector<LabeledGalaxy>& galaxies,
                           const std::filesystem::path& workspace, const SuspectOptions& options,
                           const std::stop_token& stop = {}, const ProgressFn& progress = {});

/// suspects.csv: rank, GalaxyID, the given and suspected class with their probabilities, the
/// margin and whether the thresholds flag it, the label the rules give, and the vote fractions of
/// the rule that decided the given label with how far the closest was from its threshold (written
/// atomically).
void writeSuspectsCsv(const std::filesystem::path& file, const std::vector<Suspect>& suspects,
                      const Catalog& catalog, const LabelRules& rules);

}  // namespace gz
