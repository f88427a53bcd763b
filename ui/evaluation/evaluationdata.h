#pragma once
// What the Evaluation panel shows of a set of predictions: the metrics, a confusion-matrix cell's
// galaxies (most confident mistakes first), and the titles of the user's marks on galaxies (the
// marks themselves are kept in the run folder, gz/run_marks.h).

#include <QString>

#include <vector>

#include "gz/evaluation.h"
#include "gz/run_marks.h"

namespace gz::ui {

/// The predictions of confusion cell (trueClass row, predicted column): exactly those whose true
/// label is `trueClass` and whose arg max is `predicted`, by descending confidence (the
/// probability of the predicted class), ties by GalaxyID.
std::vector<Prediction> cellPredictions(const std::vector<Prediction>& predictions, int trueClass,
                                        int predicted);

/// Share of row `trueClass` in cell (trueClass, predicted), in percent (0 for an empty row).
double rowPercent(const EvaluationResult& result, int trueClass, int predicted);

/// "Label looks wrong" / "Model wrong" / "".
QString markTitle(GalaxyMark mark);

}  // namespace gz::ui
