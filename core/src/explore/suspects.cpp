// findSuspects (gz/suspects.h): out-of-sample probabilities by k-fold training, then confident
// learning.

#include <algorithm>
#include <iterator>

#include "gz/suspects.h"

namespace gz {

SuspectSearch findSuspects(const Catalog& catalog, const std::vector<LabeledGalaxy>& given,
                           const std::filesystem::path& workspace, const SuspectOptions& options,
                           const std::stop_token& stop, const ProgressFn& progress) {
    std::vector<LabeledGalaxy> galaxies;  // only the labeled ones are checked
    std::copy_if(given.begin(), given.end(), std::back_inserter(galaxies),
                 [](const LabeledGalaxy& g) { return g.label >= 0 && g.label < kMorphologyCount; });
    CrossValidationOptions cvOptions;
    cvOptions.folds = options.folds;
    cvOptions.training = options.training;
    if (options.folds > 0)  // the time of all folds together; a bad count is crossValidate's
        cvOptions.training.minutes = options.training.minutes / options.folds;
    CrossValidation cv =
        crossValidate(catalog, galaxies, workspace, newCrossValidationFolder(workspace, "suspects"),
                      cvOptions, stop, progress);
    SuspectSearch search;
    search.folder = cv.folder;
    search.outOfSample = std::move(cv.outOfSample);
    search.thresholds = confidentThresholds(search.outOfSample);
    search.suspects = rankSuspects(search.outOfSample, search.thresholds);
    writeSuspectsCsv(suspectsFileIn(search.folder), search.suspects, catalog,
                     options.training.rules);
    return search;
}

}  // namespace gz
