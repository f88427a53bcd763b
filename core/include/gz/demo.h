#pragma once
// A synthetic data set in the Kaggle layout: rendered galaxies of all five morphologies.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string_view>
#include <vector>

#include "gz/constants.h"
#include "gz/progress.h"

namespace gz {

/// File that marks a folder as demo output, so that regenerating may replace its contents.
inline constexpr std::string_view kDemoMarkerName = ".galaxy-studio-demo";

struct DemoOptions {
    std::size_t count = 600;  ///< galaxies in all
    std::uint64_t seed = 1;
    int imageSize = kKaggleImageSide;  ///< square JPEGs, like the Kaggle images
};

/// What the generator intended for one galaxy (also reflected in its vote fractions).
struct DemoGalaxyTruth {
    std::int64_t id = 0;
    int label = -1;        ///< 0-4, or -1 for galaxies made to match no rule
    double axisRatio = 1;  ///< b/a of the rendered light profile
};

/// Writes `out/images_training_rev1/<id>.jpg` and `out/training_solutions_rev1.csv`. Every
/// label appears; about a tenth of the galaxies match no rule. The vote fractions obey the
/// decision tree's sums. Deterministic for a seed. The CSV is written atomically last, so an
/// interrupted run never leaves a catalog that points at missing images. Refuses (DataError) a
/// non-empty folder that is not an earlier demo (no kDemoMarkerName file), so a user's data is
/// never overwritten. Throws DataError when `out` cannot be written and Cancelled on stop.
std::vector<DemoGalaxyTruth> writeDemoDataset(const std::filesystem::path& out,
                                              const DemoOptions& options,
                                              const std::stop_token& stop = {},
                                              const ProgressFn& progress = {});

}  // namespace gz
