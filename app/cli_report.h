#pragma once
// The evaluation table galaxy-cli prints after a training and for evaluate.

#include "gz/evaluation.h"
#include "gz/vote_fit.h"

namespace gz::cli {

/// Accuracy and macro F1 with their intervals, the per-class metrics and the confusion matrix,
/// on stdout.
void printEvaluation(const EvaluationResult& r);

/// The vote fractions' RMSE with its interval and the training mean's, on stdout.
void printVoteFit(const VoteFit& f);

}  // namespace gz::cli
