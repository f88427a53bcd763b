#pragma once
// Runs the newest of a stream of requests off the GUI thread and hands back only its result: what
// a view needs when the user moves on faster than its images decode.

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <functional>
#include <optional>
#include <stop_token>
#include <utility>

#include "gz/error.h"

namespace gz::ui {

/// One request at a time on a private one-thread pool. submit() while a request runs asks that
/// one to stop (through its stop token) and keeps the new one to run next; a later submit()
/// replaces the waiting one. Only the newest request's outcome reaches the GUI thread: its
/// result through `onResult`, an exception from the work as `onError(message)` (gz::Cancelled
/// is dropped silently). Superseded and cancelled requests deliver nothing. The destructor stops
/// the running request and waits for it, delivering nothing.
template <typename Request, typename Result>
class LatestOnlyWorker {
public:
    /// Runs on the worker thread; may throw, and should throw gz::Cancelled on stop.
    using Work = std::function<Result(const Request&, const std::stop_token&)>;
    using OnResult = std::function<void(Result)>;
    using OnError = std::function<void(const QString&)>;

    LatestOnlyWorker(Work work, OnResult onResult, OnError onError)
        : work_(std::move(work)), onResult_(std::move(onResult)), onError_(std::move(onError)) {
        pool_.setMaxThreadCount(1);
        QObject::connect(&watcher_, &QFutureWatcher<Outcome>::finished, &watcher_,
                         [this] { onFinished(); });
    }

    ~LatestOnlyWorker() {
        next_.reset();
        stop_.request_stop();
        watcher_.disconnect();
        watcher_.waitForFinished();
        pool_.waitForDone();
    }

    LatestOnlyWorker(const LatestOnlyWorker&) = delete;
    LatestOnlyWorker& operator=(const LatestOnlyWorker&) = delete;

    /// Makes `request` the newest: it runs now, or once the running (now stopped) one has ended.
    void submit(Request request) {
        if (running_) {
            next_ = std::move(request);
            stop_.request_stop();
            return;
        }
        start(std::move(request));
    }

    /// Drops the running and the waiting request: nothing is delivered until the next submit().
    void cancel() {
        next_.reset();
        if (!running_) return;
        stop_.request_stop();
        wanted_ = false;
    }

    /// Whether an outcome is still to be delivered.
    bool isBusy() const { return next_.has_value() || (running_ && wanted_); }

private:
    struct Outcome {
        std::optional<Result> result;
        QString error;
        bool cancelled = false;
    };

    void start(Request request) {
        running_ = true;
        wanted_ = true;
        stop_ = std::stop_source();
        watcher_.setFuture(QtConcurrent::run(
            &pool_, [this, request = std::move(request), stop = stop_.get_token()] {
                Outcome out;
                try {
                    out.result = work_(request, stop);
                } catch (const Cancelled&) {
                    out.cancelled = true;
                } catch (const std::exception& e) {
                    out.error = QString::fromUtf8(e.what());
                } catch (...) {
                    out.error = QStringLiteral("Unexpected unknown error");
                }
                return out;
            }));
    }

    void onFinished() {
        running_ = false;
        Outcome out = watcher_.result();
        if (next_) {
            Request request = std::move(*next_);
            next_.reset();
            start(std::move(request));
            return;
        }
        if (!wanted_ || out.cancelled) return;
        if (out.result)
            onResult_(std::move(*out.result));
        else
            onError_(out.error);
    }

    Work work_;
    OnResult onResult_;
    OnError onError_;
    QThreadPool pool_;
    QFutureWatcher<Outcome> watcher_;
    std::stop_source stop_;
    std::optional<Request> next_;
    bool running_ = false;  // from start() until onFinished() ran (not the future's state)
    bool wanted_ = false;   // the running request's outcome is to be delivered
};

}  // namespace gz::ui
