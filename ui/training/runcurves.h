#pragma once
// One run's curves as the plots draw them, the smoothing of per-batch curves and the colours
// that tell runs apart.

#include <QColor>
#include <QString>

#include <optional>
#include <ostream>
#include <vector>

#include "gz/training.h"

namespace gz::ui {

/// One run's curves, as they arrive (live) or from its metrics.csv.
struct RunCurves {
    QString name;
    // Per batch, as reported (smoothing is the view's); x = epoch - 1 + batch / batches.
    std::vector<double> batchX, batchLoss, batchAccuracy, batchLr;
    std::vector<EpochRecord> epochs;
    /// The epoch training chose as best (RunInfo::bestEpoch), marked on the curves.
    std::optional<int> bestEpoch;

    void addBatch(const BatchProgress& progress);
    /// Appends an epoch; a record for an epoch already present replaces it and drops later ones
    /// (a resumed run starts again from its checkpoint).
    void addEpoch(const EpochRecord& record);
    void clear();
    bool empty() const { return batchX.empty() && epochs.empty(); }
    /// The epochs' numbers, and one field of every epoch, for plotting.
    std::vector<double> epochX() const;
    std::vector<double> epochColumn(double EpochRecord::*field) const;
};

/// The exponential moving average TensorBoard draws: s_i = w s_{i-1} + (1 - w) x_i, divided by
/// 1 - w^i so that the first points are not pulled towards 0. `weight` is in [0, 1): 0 leaves
/// the values as they are. Non-finite values are passed through and skipped by the average.
std::vector<double> smoothCurve(const std::vector<double>& values, double weight);

/// Writes every point of `runs` as CSV: run,series,epoch,value (non-finite values left out);
/// per-batch losses both raw and smoothed with `smoothing` (see smoothCurve).
void writeCurvesCsv(std::ostream& out, const std::vector<RunCurves>& runs, double smoothing);

/// The colour of the i-th run drawn (distinct from the class colours, which mean classes).
QColor runColor(int index);

}  // namespace gz::ui
