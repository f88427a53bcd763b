#include "training/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gz::detail {

TrainingPlan::TrainingPlan(const TrainConfig& config, std::size_t trainImages)
    : batchSize(std::min(static_cast<std::size_t>(config.batch), trainImages)),
      batchesPerEpoch(trainImages / batchSize),
      warmupSteps(
          static_cast<std::int64_t>(config.warmupEpochs * static_cast<double>(batchesPerEpoch))),
      totalSteps(config.epochs > 0 ? config.epochs * static_cast<std::int64_t>(batchesPerEpoch)
                                   : 0),
      budgetSeconds(config.minutes * 60.0) {}

double runFraction(const TrainingPlan& plan, std::int64_t step, double elapsedSeconds) {
    double fraction = 0;
    if (plan.totalSteps > 0)
        fraction = static_cast<double>(step) / static_cast<double>(plan.totalSteps);
    if (plan.budgetSeconds > 0) fraction = std::max(fraction, elapsedSeconds / plan.budgetSeconds);
    return std::clamp(fraction, 0.0, 1.0);
}

double learningRate(const TrainConfig& config, const TrainingPlan& plan, std::int64_t step,
                    double elapsedSeconds) {
    if (step < plan.warmupSteps)
        return config.lr *
               (0.1 + 0.9 * static_cast<double>(step) / static_cast<double>(plan.warmupSteps));
    if (config.schedule == Schedule::Step)
        return config.lr * std::pow(0.1, static_cast<double>(step / config.stepEvery));
    if (config.schedule == Schedule::Constant) return config.lr;
    const double fraction = runFraction(plan, step, elapsedSeconds);
    return config.lr * 0.5 * (1.0 + std::cos(std::numbers::pi * fraction));
}

}  // namespace gz::detail
