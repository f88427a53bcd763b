#pragma once
// The evaluation table galaxy-cli prints after a training and for evaluate.

#include "gz/evaluation.h"

namespace gz::cli {

/// Accuracy and macro F1 with their intervals, the per-class metrics and the confusion matrix,
/// on stdout.
void printEvaluation(const EvaluationResult& r);

}  // namespace gz::cli
