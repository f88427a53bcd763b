#pragma once
// Private to core: how long a run trains and its learning rate at each step.

#include <cstddef>
#include <cstdint>

#include "gz/training.h"

namespace gz::detail {

/// A run's length in batches, steps and time, from its configuration and training set.
struct TrainingPlan {
    std::size_t batchSize = 0;        ///< the configured batch, at most the training set
    std::size_t batchesPerEpoch = 0;  ///< the last partial batch is dropped
    std::int64_t warmupSteps = 0;
    std::int64_t totalSteps = 0;  ///< 0 without an epoch limit
    double budgetSeconds = 0;     ///< 0 without a time limit

    TrainingPlan(const TrainConfig& config, std::size_t trainImages);
};

/// How far along the run is at step `step` (0-based) after `elapsedSeconds` of training, 0..1:
/// by steps and by time, whichever is further (0 without either limit).
double runFraction(const TrainingPlan& plan, std::int64_t step, double elapsedSeconds);

/// The learning rate of step `step` (0-based) after `elapsedSeconds` of training: a linear
/// warm-up from a tenth of the rate, then the configuration's schedule. Cosine anneals to 0
/// over the run, measured by steps and by time, whichever is further; Step divides the rate
/// by 10 every `stepEvery` steps; Constant keeps it.
double learningRate(const TrainConfig& config, const TrainingPlan& plan, std::int64_t step,
                    double elapsedSeconds);

}  // namespace gz::detail
