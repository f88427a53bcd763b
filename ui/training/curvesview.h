#pragma once
// Training curves: loss, accuracy and learning rate against epochs, per batch (smoothed) and per
// epoch, optionally with a second run's curves overlaid. Zoom with the wheel, pan by dragging,
// double-click to fit; hovering reads out the nearest point; export as PNG and CSV.

#include <QString>
#include <QWidget>

#include <vector>

#include "gz/training.h"

class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace gz::ui {

/// One run's curves, as they arrive (live) or from its metrics.csv.
struct RunCurves {
    QString name;
    // Per batch; x = epoch - 1 + batch / batches.
    std::vector<double> batchX, batchLoss, batchAccuracy, batchLr;
    std::vector<EpochRecord> epochs;

    /// Appends a batch; the loss is an exponential moving average of the batch losses.
    void addBatch(const BatchProgress& progress);
    /// Appends an epoch; a record for an epoch already present replaces it and drops later ones
    /// (a resumed run starts again from its checkpoint).
    void addEpoch(const EpochRecord& record);
    void clear();
    bool empty() const { return batchX.empty() && epochs.empty(); }

    static constexpr double kSmoothing = 0.1;  ///< weight of the newest batch in the average
};

class CurvesView : public QWidget {
    Q_OBJECT

public:
    explicit CurvesView(QWidget* parent = nullptr);

    /// Shows `primary`, and `comparison` dashed when given; redraws.
    void setCurves(const RunCurves& primary, const RunCurves* comparison = nullptr);

    /// Points drawn (for tests and the status line).
    int batchPointCount() const;
    int epochPointCount() const;
    int comparisonPointCount() const;
    /// The hover read-out ("Validation loss, epoch 3: 0.412").
    QString readout() const;
    /// Back to the hint, no point marked (a new run is shown).
    void clearReadout();
    /// Shows the read-out of the point nearest to `pos` (widget coordinates of `plot`).
    void hoverAt(QCustomPlot* plot, const QPoint& pos);

    QCustomPlot* lossPlot() const { return loss_; }

    /// Writes the three plots as one PNG; false when the file cannot be written.
    bool exportPng(const QString& file);
    /// Writes every point as CSV: run,series,epoch,value (atomically). False and `error` set
    /// when the file cannot be written.
    bool exportCsv(const QString& file, QString* error = nullptr) const;
    /// Fits every axis to the data again (after zooming).
    void resetZoom();

private:
    void setUpPlot(QCustomPlot* plot, const QString& yLabel);
    void rescale();
    void chooseExportPng();
    void chooseExportCsv();

    QCustomPlot* loss_ = nullptr;
    QCustomPlot* accuracy_ = nullptr;
    QCustomPlot* lr_ = nullptr;
    QWidget* plots_ = nullptr;
    QLabel* readout_ = nullptr;
    RunCurves primary_;
    RunCurves comparison_;
    bool hasComparison_ = false;
    bool userZoomed_ = false;
};

}  // namespace gz::ui
