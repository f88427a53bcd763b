#include "common/jobrunner.h"

#include <QMetaObject>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <memory>
#include <mutex>
#include <utility>

#include "gz/error.h"

namespace gz::ui {

namespace {

// Shared by the worker's progress calls: the time of the last update that was forwarded.
struct ProgressThrottle {
    std::mutex mutex;
    std::chrono::steady_clock::time_point last{};
    bool due(std::size_t done, std::size_t total) {
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard lock(mutex);
        const bool final = total > 0 && done >= total;
        if (!final && now - last < JobRunner::kProgressInterval) return false;
        last = now;
        return true;
    }
};

}  // namespace

JobRunner::JobRunner(QObject* parent) : QObject(parent) {
    pool_.setMaxThreadCount(1);
    connect(&watcher_, &QFutureWatcher<JobOutcome>::finished, this, &JobRunner::onWatcherFinished);
}

JobRunner::~JobRunner() {
    if (running_) {
        stop_.request_stop();
        watcher_.disconnect(this);
        waitForFinished();
    }
    pool_.waitForDone();
}

bool JobRunner::start(const QString& title, Work work, Done done) {
    if (running_) return false;
    running_ = true;
    title_ = title;
    done_ = std::move(done);
    stop_ = std::stop_source();
    const quint64 generation = ++generation_;
    auto throttle = std::make_shared<ProgressThrottle>();

    // Called on the worker thread: forwards (some of) the updates as queued calls. Posted calls
    // to `this` are dropped by Qt if the runner is gone, and the destructor waits for the job.
    ProgressFn progress = [this, generation, throttle](std::size_t unitsDone, std::size_t total,
                                                       std::string_view message) {
        if (!throttle->due(unitsDone, total)) return;
        QMetaObject::invokeMethod(
            this,
            [this, generation, d = static_cast<qint64>(unitsDone), t = static_cast<qint64>(total),
             m = QString::fromUtf8(message.data(), static_cast<qsizetype>(message.size()))] {
                if (running_ && generation == generation_) emit progressed(d, t, m);
            },
            Qt::QueuedConnection);
    };

    watcher_.setFuture(QtConcurrent::run(
        &pool_, [work = std::move(work), stop = stop_.get_token(), progress]() -> JobOutcome {
            try {
                work(stop, progress);
                return {};
            } catch (const Cancelled&) {
                return {JobOutcome::Status::Cancelled, {}};
            } catch (const DataError& e) {
                return {JobOutcome::Status::Failed, QString::fromStdString(e.what())};
            } catch (const std::exception& e) {
                return {
                    JobOutcome::Status::Failed,
                    QStringLiteral("Unexpected error: %1").arg(QString::fromStdString(e.what()))};
            } catch (...) {
                return {JobOutcome::Status::Failed, QStringLiteral("Unexpected unknown error")};
            }
        }));
    emit started(title_);
    return true;
}

void JobRunner::requestStop() {
    if (!running_ || stop_.stop_requested()) return;
    stop_.request_stop();
    emit stopRequestedChanged(true);
}

void JobRunner::waitForFinished() {
    watcher_.waitForFinished();
}

void JobRunner::onWatcherFinished() {
    if (!running_) return;
    const JobOutcome outcome = watcher_.result();
    running_ = false;
    title_.clear();
    Done done = std::exchange(done_, {});
    if (done) done(outcome);
    emit finished(outcome);
}

}  // namespace gz::ui
