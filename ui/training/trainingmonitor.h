#pragma once
// The live side of the Training panel: the status line, a progress bar with images/s and ETA,
// Cancel, the curves of the run being trained and the log. A training job reports into a
// TrainingFeed through callbacks(); the monitor shows what the feed received a few times a second.

#include <QWidget>

#include <memory>
#include <vector>

#include "gz/training.h"
#include "training/curvesview.h"

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTimer;

namespace gz::ui {

class JobRunner;
class TrainingFeed;

class TrainingMonitor : public QWidget {
    Q_OBJECT

public:
    /// `runner` runs the jobs followed (asked whether a stop was requested).
    explicit TrainingMonitor(const JobRunner* runner, QWidget* parent = nullptr);
    ~TrainingMonitor() override;

    /// The callbacks of a training job: everything into `feed`; batches also as `progress` (the
    /// status bar) in steps of the whole run.
    static TrainCallbacks callbacks(const std::shared_ptr<TrainingFeed>& feed,
                                    const ProgressFn& progress);

    /// Starts showing the job that reports into `feed`: the curves of run `name` (those shown so
    /// far are kept when `continuing`), with `earlier` epochs first, and a busy progress bar
    /// until the first report.
    void follow(std::shared_ptr<TrainingFeed> feed, const QString& name, bool continuing,
                const std::vector<EpochRecord>& earlier);
    /// The job ended: its last reports are shown and following stops; `finished` fills the bar.
    /// The rate and ETA are cleared.
    void jobEnded(bool finished);

    void setStatus(const QString& text, bool error = false);
    QString statusText() const;
    /// Appends a line with the time; follows the end unless the user scrolled up to read.
    void appendLog(const QString& line);
    void setCancelEnabled(bool enabled);

    const RunCurves& liveCurves() const { return live_; }
    CurvesView* curves() const { return curves_; }
    /// The images/s and ETA shown beside the progress bar ("" when no job runs).
    QString rateText() const;

signals:
    /// The Cancel button was clicked.
    void cancelRequested();
    /// Epochs were added to the live curves (the run's metrics grew).
    void epochsAdded();

private:
    void refresh();

    const JobRunner* runner_;
    std::shared_ptr<TrainingFeed> feed_;
    RunCurves live_;
    bool haveBatch_ = false;
    QTimer* refreshTimer_ = nullptr;

    QLabel* status_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* rate_ = nullptr;
    QLabel* eta_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    CurvesView* curves_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
};

}  // namespace gz::ui
