// LatestOnlyWorker: only the newest request's outcome reaches the GUI thread; superseded,
// cancelled and destroyed-while-running requests deliver nothing; exceptions become errors.

#include <QCoreApplication>
#include <QSemaphore>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "common/latestonlyworker.h"
#include "gz/error.h"

namespace {

constexpr int kTimeoutMs = 10000;

using gz::ui::LatestOnlyWorker;

// What a worker delivered, and a gate that holds a request's work until the test opens it.
struct Probe {
    std::vector<int> results;
    QStringList errors;
    std::vector<int> started;  // requests whose work began (written on the worker thread)
    std::mutex mutex;
    QSemaphore running;  // released when a work starts
    QSemaphore gate;     // a work waits on it when the request is negative
    std::atomic_bool stopSeen{false};
    bool deliveredOffGuiThread = false;
    std::atomic_bool workedOnGuiThread{false};

    // Negative requests wait for the gate (or their stop token, then throw Cancelled when the
    // request is below -100); 7 throws a runtime_error; 8 throws a non-exception.
    int work(int request, const std::stop_token& stop) {
        if (QThread::currentThread() == QCoreApplication::instance()->thread())
            workedOnGuiThread = true;
        {
            std::lock_guard lock(mutex);
            started.push_back(request);
        }
        running.release();
        if (request < -100) {
            while (!stop.stop_requested()) QThread::msleep(1);
            stopSeen = true;
            throw gz::Cancelled();
        }
        if (request < 0) {
            gate.acquire();
            stopSeen = stop.stop_requested();
        }
        if (request == 7) throw std::runtime_error("seven is unlucky");
        if (request == 8) throw 8;
        return request * 10;
    }

    std::unique_ptr<LatestOnlyWorker<int, int>> makeWorker() {
        return std::make_unique<LatestOnlyWorker<int, int>>(
            [this](const int& r, const std::stop_token& stop) { return work(r, stop); },
            [this](int result) {
                if (QThread::currentThread() != QCoreApplication::instance()->thread())
                    deliveredOffGuiThread = true;
                results.push_back(result);
            },
            [this](const QString& error) { errors << error; });
    }

    std::vector<int> startedRequests() {
        std::lock_guard lock(mutex);
        return started;
    }
};

}  // namespace

class TestLatestOnlyWorker : public QObject {
    Q_OBJECT

private slots:
    void deliversTheResultOnTheGuiThread() {
        Probe probe;
        auto worker = probe.makeWorker();
        QVERIFY(!worker->isBusy());
        worker->submit(4);
        QVERIFY(worker->isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!worker->isBusy(), kTimeoutMs);
        QCOMPARE(probe.results, std::vector<int>{40});
        QVERIFY(probe.errors.isEmpty());
        QVERIFY(!probe.workedOnGuiThread);
        QVERIFY(!probe.deliveredOffGuiThread);
    }

    void staleResultsAreDroppedAndOnlyTheNewestIsDelivered() {
        Probe probe;
        auto worker = probe.makeWorker();
        worker->submit(-1);  // runs, held at the gate
        QVERIFY(probe.running.tryAcquire(1, kTimeoutMs));
        worker->submit(2);  // waits; replaced before it starts
        worker->submit(3);
        QVERIFY(worker->isBusy());
        probe.gate.release();
        QTRY_VERIFY_WITH_TIMEOUT(!worker->isBusy(), kTimeoutMs);
        QTest::qWait(50);  // nothing else arrives
        QCOMPARE(probe.results, std::vector<int>{30});
        QCOMPARE(probe.startedRequests(), (std::vector<int>{-1, 3}));
        QVERIFY(probe.stopSeen);  // the superseded request was asked to stop
        QVERIFY(probe.errors.isEmpty());
    }

    void aSupersededRequestThatStopsDeliversNothing() {
        Probe probe;
        auto worker = probe.makeWorker();
        worker->submit(-200);  // runs until stopped, then throws Cancelled
        QVERIFY(probe.running.tryAcquire(1, kTimeoutMs));
        worker->submit(5);
        QTRY_VERIFY_WITH_TIMEOUT(!worker->isBusy(), kTimeoutMs);
        QVERIFY(probe.stopSeen);
        QCOMPARE(probe.results, std::vector<int>{50});
        QVERIFY(probe.errors.isEmpty());
    }

    void cancelDropsTheRunningAndTheWaitingRequest() {
        Probe probe;
        auto worker = probe.makeWorker();
        worker->submit(-1);
        QVERIFY(probe.running.tryAcquire(1, kTimeoutMs));
        worker->submit(2);
        worker->cancel();
        QVERIFY(!worker->isBusy());
        probe.gate.release();
        QTest::qWait(100);
        QVERIFY(probe.results.empty());
        QVERIFY(probe.errors.isEmpty());
        QCOMPARE(probe.startedRequests(), std::vector<int>{-1});
        QVERIFY(probe.stopSeen);

        worker->submit(6);  // usable again after a cancel
        QTRY_COMPARE_WITH_TIMEOUT(probe.results, std::vector<int>{60}, kTimeoutMs);
    }

    void destructionWhileRunningStopsWaitsAndDeliversNothing() {
        Probe probe;
        auto worker = probe.makeWorker();
        worker->submit(-200);
        QVERIFY(probe.running.tryAcquire(1, kTimeoutMs));
        worker->submit(9);
        worker.reset();  // requests the stop and waits for the work
        QVERIFY(probe.stopSeen);
        QTest::qWait(50);
        QVERIFY(probe.results.empty());
        QVERIFY(probe.errors.isEmpty());
        QCOMPARE(probe.startedRequests(), std::vector<int>{-200});
    }

    void destructionOfAFinishedButUndeliveredRequestDeliversNothing() {
        Probe probe;
        auto worker = probe.makeWorker();
        worker->submit(1);
        QVERIFY(probe.running.tryAcquire(1, kTimeoutMs));
        QThread::msleep(50);  // the work ends; its delivery is still queued
        worker.reset();
        QCoreApplication::processEvents();
        QVERIFY(probe.results.empty());
    }

    void exceptionsBecomeErrors() {
        Probe probe;
        auto worker = probe.makeWorker();
        worker->submit(7);
        QTRY_COMPARE_WITH_TIMEOUT(probe.errors, QStringList{QStringLiteral("seven is unlucky")},
                                  kTimeoutMs);
        worker->submit(8);
        QTRY_COMPARE_WITH_TIMEOUT(probe.errors.size(), 2, kTimeoutMs);
        QCOMPARE(probe.errors.back(), QStringLiteral("Unexpected unknown error"));
        QVERIFY(probe.results.empty());
        QVERIFY(!worker->isBusy());
    }

    void anErrorOfASupersededRequestIsDropped() {
        Probe probe;
        auto worker = probe.makeWorker();
        worker->submit(-1);
        QVERIFY(probe.running.tryAcquire(1, kTimeoutMs));
        worker->submit(7);  // its error is superseded too
        worker->submit(2);
        probe.gate.release();
        QTRY_VERIFY_WITH_TIMEOUT(!worker->isBusy(), kTimeoutMs);
        QCOMPARE(probe.results, std::vector<int>{20});
        QVERIFY(probe.errors.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLatestOnlyWorker)
#include "test_latestonlyworker.moc"
