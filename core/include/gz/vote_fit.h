#pragma once
// How well a model's 37 predicted vote fractions fit the volunteers' (Kaggle's metric, the
// RMSE), and the file of predicted fractions.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "gz/catalog.h"
#include "gz/evaluation.h"

namespace gz {

struct VoteFit {
    /// The galaxies with predicted fractions whose 37 true ones the catalog has.
    std::size_t n = 0;
    /// Kaggle's metric: the root of the mean squared error over those galaxies and 37 columns.
    double rmse = std::numeric_limits<double>::quiet_NaN();
    /// Percentile bootstrap over the galaxies, 95%, from a fixed seed.
    Interval rmseInterval;
    /// The RMSE of predicting the same fractions (the training mean) for every galaxy; NaN
    /// without them.
    double baselineRmse = std::numeric_limits<double>::quiet_NaN();
    static constexpr int kBootstrapResamples = 2000;

    /// {"n", "rmse", "rmse_interval": [lo, hi], "baseline_rmse"}; unknown numbers are null.
    std::string toJson() const;
};

/// Compares the predictions' fractions with `truth`'s vote columns; predictions without
/// fractions, and galaxies `truth` lacks, are left out. `baseline`: 37 fractions, or empty.
VoteFit evaluateVotes(const std::vector<Prediction>& predictions, const Catalog& truth,
                      const std::vector<float>& baseline);

/// The first of the 37 vote columns `catalog` lacks, or nullopt when it has them all.
std::optional<std::string_view> missingVoteColumn(const Catalog& catalog);

/// The mean of each vote column over the galaxies `ids` of `catalog` (those it has).
std::vector<float> meanVotes(const Catalog& catalog, const std::vector<std::int64_t>& ids);

/// The predicted fractions in Kaggle's submission layout, `GalaxyID,Class1.1,...,Class11.6`
/// (the catalog's own: Catalog::open reads it back), one row a prediction, atomically. Throws
/// DataError naming the file when a prediction has no fractions (a model without a votes
/// head).
void writeFractionsCsv(const std::filesystem::path& file,
                       const std::vector<Prediction>& predictions);

/// A file of predicted fractions (writeFractionsCsv's layout) matched to a catalog's rows.
struct CatalogFractions {
    /// catalog.size() x 37, row-major; NaN for the galaxies the file does not have.
    std::vector<float> values;
    std::size_t matched = 0;       ///< catalog galaxies the file has
    std::size_t notInCatalog = 0;  ///< the file's galaxies the catalog does not have

    bool has(std::size_t row) const { return !std::isnan(values[row * kVoteColumnCount]); }
    /// The 37 fractions of a catalog row (NaN when !has(row)).
    std::span<const float> row(std::size_t r) const {
        return {values.data() + r * kVoteColumnCount, kVoteColumnCount};
    }
};

/// Reads `file` (all 37 vote columns, e.g. a run's fractions.csv or `predict --fractions`) and
/// matches its GalaxyIDs to `catalog`'s rows. Throws DataError naming the file when it cannot be
/// read, lacks a vote column or has no galaxy of the catalog; Cancelled on stop.
CatalogFractions readCatalogFractions(const std::filesystem::path& file, const Catalog& catalog,
                                      const std::stop_token& stop = {});

/// One galaxy's RMSE over the 37 columns (Kaggle's metric for it alone): `predicted` against
/// `truth`, both of 37.
double galaxyRmse(std::span<const float> predicted, std::span<const double> truth);

/// A run's training mean of the vote fractions (`Class1.1,...` then one row of numbers), which
/// evaluateVotes compares against; readVotesMean throws DataError naming a damaged file.
void writeVotesMean(const std::filesystem::path& file, const std::vector<float>& mean);
std::vector<float> readVotesMean(const std::filesystem::path& file);
/// readVotesMean of the file when there is one (a run with a votes head), else empty.
std::vector<float> readVotesMeanIfAny(const std::filesystem::path& file);

}  // namespace gz
