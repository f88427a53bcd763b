#pragma once
// Training curves of one or more runs: loss, accuracy and learning rate against epochs, per batch
// (smoothed) and per epoch. Each run has its own colour when several are drawn; the best epoch of
// each is marked. Legends sit below the plots (and can be hidden), never on the data; the axes fit
// every point; an empty plot says so instead of showing arbitrary axes. Zoom with the wheel, pan
// by dragging, double-click to fit; hovering reads out the nearest point; export as PNG and CSV.

#include <QString>
#include <QWidget>

#include <vector>

#include "training/runcurves.h"

class QCheckBox;
class QCPGraph;
class QCustomPlot;
class QLabel;
class QSlider;

namespace gz::ui {

class CurvesView : public QWidget {
    Q_OBJECT

public:
    explicit CurvesView(QWidget* parent = nullptr);

    /// Shows one run; redraws.
    void setCurves(const RunCurves& run);
    /// Shows every run of `runs` overlaid, the first one first; redraws.
    void setRuns(const std::vector<RunCurves>& runs);
    /// What an empty plot says ("No data yet" unless set; keep lines short, \n between them).
    void setEmptyText(const QString& text);

    int runCount() const { return static_cast<int>(runs_.size()); }
    /// Points drawn (for tests and the status line): batches and epochs of the first run, epochs
    /// of the second.
    int batchPointCount() const;
    int epochPointCount() const;
    int comparisonPointCount() const;
    /// The graph of run `run` for `series` ("batch", "train", "val" or "best"), or nullptr.
    QCPGraph* graphOf(QCustomPlot* plot, int run, const QString& series) const;
    /// Whether `plot` shows its "no data" state.
    bool showsNoData(QCustomPlot* plot) const;
    /// The hover read-out ("Validation loss, epoch 3: 0.412").
    QString readout() const;
    /// Back to the hint, no point marked (a new run is shown).
    void clearReadout();
    /// Shows the read-out of the point nearest to `pos` (widget coordinates of `plot`).
    void hoverAt(QCustomPlot* plot, const QPoint& pos);

    QCustomPlot* lossPlot() const { return loss_; }
    QCustomPlot* accuracyPlot() const { return accuracy_; }
    QCustomPlot* learningRatePlot() const { return lr_; }

    /// The weight of the moving average drawn over per-batch losses, in [0, 0.99].
    double smoothing() const;
    void setSmoothing(double weight);
    /// A logarithmic loss axis.
    void setLogLoss(bool on);
    void setLegendsVisible(bool on);

    /// Writes the three plots as one PNG; false when the file cannot be written.
    bool exportPng(const QString& file);
    /// Writes every point of every run as CSV: run,series,epoch,value (atomically). False and
    /// `error` set when the file cannot be written.
    bool exportCsv(const QString& file, QString* error = nullptr) const;
    /// Fits every axis to the data again (after zooming).
    void resetZoom();

private:
    void setUpPlot(QCustomPlot* plot, const QString& yLabel);
    void redraw();
    void addRunGraphs(int index);
    void showLegend(QCustomPlot* plot, bool on);
    void fitLegend(QCustomPlot* plot);
    void showEmptyState(QCustomPlot* plot, bool empty);
    void rescale();
    void chooseExportPng();
    void chooseExportCsv();

    QCustomPlot* loss_ = nullptr;
    QCustomPlot* accuracy_ = nullptr;
    QCustomPlot* lr_ = nullptr;
    QWidget* plots_ = nullptr;
    QLabel* readout_ = nullptr;
    QSlider* smoothing_ = nullptr;
    QLabel* smoothingValue_ = nullptr;
    QCheckBox* logLoss_ = nullptr;
    QCheckBox* legends_ = nullptr;
    QString emptyText_;
    std::vector<RunCurves> runs_;
    bool userZoomed_ = false;
    QPoint pressedAt_;
};

}  // namespace gz::ui
