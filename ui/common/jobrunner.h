#pragma once
// Runs one core job at a time off the GUI thread, with progress and cancellation.

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <chrono>
#include <functional>
#include <stop_token>

#include "gz/progress.h"

namespace gz::ui {

/// How a job ended. `error` is the user-facing message when it failed.
struct JobOutcome {
    enum class Status { Succeeded, Failed, Cancelled };
    Status status = Status::Succeeded;
    QString error;
};

/// Wraps a core job (a function taking a stop token and a progress sink) in QtConcurrent on a
/// private one-thread pool. Progress reaches the GUI thread as queued, throttled signals; the
/// job's exceptions become a JobOutcome (gz::Cancelled -> Cancelled, anything else -> Failed).
/// The destructor requests a stop and waits, so a job never outlives its runner.
class JobRunner : public QObject {
    Q_OBJECT

public:
    /// Runs on the worker thread; hands its result back by writing to state it captured.
    using Work = std::function<void(const std::stop_token&, const ProgressFn&)>;
    /// Runs on the GUI thread once the job has ended.
    using Done = std::function<void(const JobOutcome&)>;

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    /// Starts `work` unless a job is running (then returns false and does nothing).
    bool start(const QString& title, Work work, Done done);
    bool isRunning() const { return running_; }
    /// The running job's title ("Opening data set"), empty when idle.
    QString title() const { return title_; }
    /// Asks the running job to stop; it ends at its next checkpoint with Cancelled.
    void requestStop();
    bool stopRequested() const { return running_ && stop_.stop_requested(); }
    /// Blocks until the running job has ended, without delivering its outcome (for shutdown).
    void waitForFinished();

    /// Minimum time between two progress signals (the last update of a job is never dropped).
    static constexpr std::chrono::milliseconds kProgressInterval{50};

signals:
    void started(const QString& title);
    /// `total` 0 means unknown. Emitted on the GUI thread.
    void progressed(qint64 done, qint64 total, const QString& message);
    void stopRequestedChanged(bool requested);
    /// Emitted after the job's Done callback ran.
    void finished(const gz::ui::JobOutcome& outcome);

private:
    void onWatcherFinished();

    QThreadPool pool_;
    QFutureWatcher<JobOutcome> watcher_;
    std::stop_source stop_;
    Done done_;
    QString title_;
    bool running_ = false;
    quint64 generation_ = 0;  // drops progress that arrives from an earlier job
};

}  // namespace gz::ui
