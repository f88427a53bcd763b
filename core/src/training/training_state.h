#pragma once
// Private to core: the training loop's state between two batches. A checkpoint holds all of it,
// so a stopped or killed run continues exactly where its last checkpoint was written.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "gz/training.h"

namespace gz::detail {

struct TrainingState {
    int epoch = 0;                 ///< completed epochs
    std::size_t batchInEpoch = 0;  ///< batches trained of the epoch in progress
    std::int64_t step = 0;         ///< optimisation steps in all
    double elapsed = 0;            ///< training time in all, seconds
    /// The best validation value so far (higher is better; see selectionValue).
    double bestValue = -std::numeric_limits<double>::infinity();
    int bestEpoch = 0;
    int badEpochs = 0;  ///< epochs since the last improvement (early stopping)
    std::vector<EpochRecord> history;
    // The sums of the epoch in progress (kept across a stop within it).
    double partClassesLoss = 0;  ///< sum of batch classes loss x labeled images (NaN: unknown)
    double partVotesLoss = 0;    ///< sum of batch votes loss x batch size (NaN: unknown)
    std::size_t partCorrect = 0, partSeen = 0;
    std::size_t partLabeled = 0;  ///< images of partSeen with a label (train accuracy's base)
    double partSeconds = 0;

    /// The JSON object checkpoints store (with the run's seed, for the record).
    std::string toJson(std::uint64_t seed) const;
    /// Reads toJson's text; throws DataError naming `checkpoint` when it is not such a state.
    static TrainingState fromJson(const std::string& text, const std::filesystem::path& checkpoint);
};

/// The value of an epoch's validation by a selection metric, higher being better (the loss is
/// negated; Last: the epoch's number, so that every epoch is the best so far).
double selectionValue(const EpochRecord& record, SelectMetric metric);

}  // namespace gz::detail
