// core's private worker helpers, tested directly: parallelFor (util/parallel_for.h) and the
// BatchLoader (util/batch_loader.h) that feeds training and evaluation.

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "gz/error.h"
#include "util/batch_loader.h"
#include "util/parallel_for.h"

using gz::detail::BatchLoader;
using gz::detail::parallelFor;
using gz::detail::workerCount;
using namespace std::chrono_literals;

namespace {

struct ProgressCall {
    std::size_t done, total;
    std::thread::id thread;
};

// Everything a loader's consumer received, in order, until nullopt.
std::vector<std::size_t> drain(BatchLoader<std::size_t>& loader, const std::stop_token& stop = {}) {
    std::vector<std::size_t> got;
    while (auto b = loader.next(stop)) got.push_back(*b);
    return got;
}

std::vector<std::size_t> range(std::size_t first, std::size_t end) {
    std::vector<std::size_t> v;
    for (std::size_t i = first; i < end; ++i) v.push_back(i);
    return v;
}

}  // namespace

class TestConcurrency : public QObject {
    Q_OBJECT

private slots:
    // ---- parallelFor ---------------------------------------------------------------------------

    void workerCountFollowsTheRequestAndTheItems() {
        const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
        QCOMPARE(workerCount(3, 10), std::size_t(3));
        QCOMPARE(workerCount(8, 2), std::size_t(2));  // never more workers than items
        QCOMPARE(workerCount(0, 1000), std::min<std::size_t>(cores, 256));
        QCOMPARE(workerCount(-4, 1000), std::min<std::size_t>(cores, 256));
        QCOMPARE(workerCount(1000, 100000), std::size_t(256));
        QCOMPARE(workerCount(4, 0), std::size_t(1));  // at least one
    }

    void everyItemOnceWithItsWorkersNumber() {
        constexpr std::size_t kCount = 5000;
        std::vector<std::atomic<int>> seen(kCount);
        std::atomic<bool> badWorker{false};
        std::mutex mutex;
        std::vector<std::thread::id> threads;
        parallelFor(kCount, 4, {}, {}, "items", [&](std::size_t i, std::size_t worker) {
            seen[i].fetch_add(1);
            if (worker >= 4) badWorker = true;
            std::lock_guard lock(mutex);
            if (std::find(threads.begin(), threads.end(), std::this_thread::get_id()) ==
                threads.end())
                threads.push_back(std::this_thread::get_id());
        });
        for (std::size_t i = 0; i < kCount; ++i) QCOMPARE(seen[i].load(), 1);
        QVERIFY(!badWorker);
        QVERIFY(threads.size() <= 4);
        QVERIFY(std::find(threads.begin(), threads.end(), std::this_thread::get_id()) ==
                threads.end());  // the caller only watches
    }

    void progressComesFromTheCallersThreadAndEndsAtTheTotal() {
        std::vector<ProgressCall> calls;
        const gz::ProgressFn progress = [&](std::size_t done, std::size_t total,
                                            std::string_view message) {
            QCOMPARE(std::string(message), std::string("placing"));
            calls.push_back({done, total, std::this_thread::get_id()});
        };
        // Slow enough items that the caller reports progress in between.
        parallelFor(
            40, 2, {}, progress, "placing",
            [](std::size_t, std::size_t) { std::this_thread::sleep_for(5ms); }, 100, 1000);
        QVERIFY(calls.size() >= 2);
        QCOMPARE(calls.front().done, std::size_t(100));  // before any item
        QCOMPARE(calls.back().done, std::size_t(140));   // base + count
        for (std::size_t k = 0; k < calls.size(); ++k) {
            QCOMPARE(calls[k].total, std::size_t(1000));
            QVERIFY(calls[k].thread == std::this_thread::get_id());
            if (k > 0) QVERIFY(calls[k].done >= calls[k - 1].done);
        }
        // Without a total of its own, the loop's count is the total.
        calls.clear();
        parallelFor(3, 1, {}, progress, "placing", [](std::size_t, std::size_t) {});
        QCOMPARE(calls.back().done, std::size_t(3));
        QCOMPARE(calls.back().total, std::size_t(3));
    }

    void noItemsCallsNoWork() {
        int calls = 0, reports = 0;
        parallelFor(
            0, 4, {}, [&](std::size_t, std::size_t, std::string_view) { ++reports; }, "none",
            [&](std::size_t, std::size_t) { ++calls; });
        QCOMPARE(calls, 0);
        QCOMPARE(reports, 1);
    }

    void aWorkersExceptionStopsTheOthersAndIsRethrown() {
        constexpr std::size_t kCount = 1000000;
        std::atomic<std::size_t> done{0};
        try {
            parallelFor(kCount, 3, {}, {}, "failing", [&](std::size_t i, std::size_t) {
                if (i == 10) throw std::runtime_error("item 10 is bad");
                done.fetch_add(1);
            });
            QFAIL("the worker's exception was swallowed");
        } catch (const std::runtime_error& e) {
            QCOMPARE(std::string(e.what()), std::string("item 10 is bad"));
        }
        QVERIFY2(done.load() < kCount, qPrintable(QString::number(done.load())));
    }

    void aStopEndsTheWorkersAndThrowsCancelled() {
        std::stop_source early;
        early.request_stop();
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(gz::Cancelled,
                                 parallelFor(10, 2, early.get_token(), {}, "never",
                                             [&](std::size_t, std::size_t) { ++calls; }));
        QCOMPARE(calls, 0);

        constexpr std::size_t kCount = 1000000;
        std::stop_source source;
        std::atomic<std::size_t> done{0};
        QVERIFY_THROWS_EXCEPTION(gz::Cancelled,
                                 parallelFor(kCount, 2, source.get_token(), {}, "stopped",
                                             [&](std::size_t i, std::size_t) {
                                                 if (i == 50) source.request_stop();
                                                 done.fetch_add(1);
                                             }));
        QVERIFY(done.load() < kCount);
    }

    void aThrowingProgressCallbackEndsTheLoop() {
        int reports = 0;
        std::atomic<bool> running{false};
        try {
            parallelFor(
                400, 2, {},
                [&](std::size_t, std::size_t, std::string_view) {
                    if (++reports == 2) throw std::logic_error("progress failed");
                },
                "items",
                [&](std::size_t, std::size_t) {
                    running = true;
                    std::this_thread::sleep_for(2ms);
                });
            QFAIL("the progress callback's exception was swallowed");
        } catch (const std::logic_error& e) {
            QCOMPARE(std::string(e.what()), std::string("progress failed"));
        }
        QVERIFY(running);  // the workers had started, and were joined before the throw
    }

    // ---- BatchLoader ---------------------------------------------------------------------------

    void batchesComeInOrderWhateverTheirSpeed() {
        // Later batches are made faster than earlier ones: they are ready first, handed out later.
        BatchLoader<std::size_t> loader(0, 40, 4, 8, [](std::size_t i) {
            std::this_thread::sleep_for(std::chrono::microseconds(200 * ((40 - i) % 7)));
            return i * 10;
        });
        std::vector<std::size_t> want;
        for (std::size_t i = 0; i < 40; ++i) want.push_back(i * 10);
        QCOMPARE(drain(loader), want);
        QVERIFY(!loader.next({}));  // stays at the end
    }

    void firstAndCountSelectTheRange() {
        std::vector<std::size_t> made;
        std::mutex mutex;
        auto make = [&](std::size_t i) {
            std::lock_guard lock(mutex);
            made.push_back(i);
            return i;
        };
        {
            BatchLoader<std::size_t> loader(3, 8, 2, 2, make);
            QCOMPARE(drain(loader), range(3, 8));
        }
        std::sort(made.begin(), made.end());
        QCOMPARE(made, range(3, 8));
        // Nothing to make: at the end from the start.
        made.clear();
        {
            BatchLoader<std::size_t> empty(5, 5, 2, 2, make);
            QVERIFY(!empty.next({}));
        }
        QVERIFY(made.empty());
    }

    void atMostDepthBatchesAreMadeAhead() {
        constexpr std::size_t kDepth = 3;
        std::atomic<std::size_t> made{0}, highest{0};
        BatchLoader<std::size_t> loader(0, 100, 4, kDepth, [&](std::size_t i) {
            made.fetch_add(1);
            std::size_t h = highest.load();
            while (i > h && !highest.compare_exchange_weak(h, i)) {
            }
            return i;
        });
        // Nobody consumes: the workers make batches 0 .. depth - 1, then wait.
        QTRY_COMPARE(made.load(), kDepth);
        std::this_thread::sleep_for(100ms);
        QCOMPARE(made.load(), kDepth);
        QCOMPARE(highest.load(), kDepth - 1);
        // Each batch taken lets one more be made.
        for (std::size_t taken = 1; taken <= 5; ++taken) {
            QCOMPARE(*loader.next({}), taken - 1);
            QTRY_COMPARE(made.load(), kDepth + taken);
            std::this_thread::sleep_for(20ms);
            QCOMPARE(made.load(), kDepth + taken);
            QCOMPARE(highest.load(), kDepth + taken - 1);
        }
    }

    void aWorkersExceptionReachesTheConsumer() {
        BatchLoader<std::size_t> loader(0, 20, 3, 4, [](std::size_t i) {
            if (i == 2) throw std::runtime_error("batch 2 failed");
            return i;
        });
        std::vector<std::size_t> got;
        try {
            while (auto b = loader.next({})) got.push_back(*b);
            QFAIL("the worker's exception was swallowed");
        } catch (const std::runtime_error& e) {
            QCOMPARE(std::string(e.what()), std::string("batch 2 failed"));
        }
        // Whatever came before the failure came in order, and nothing after batch 1.
        QVERIFY(got.size() <= 2);
        QCOMPARE(got, range(0, got.size()));
    }

    void aStopEndsTheWaitForABatch() {
        std::atomic<bool> release{false};
        std::stop_source source;
        std::vector<std::size_t> got;
        {
            BatchLoader<std::size_t> loader(0, 10, 2, 4, [&](std::size_t i) {
                while (i >= 2 && !release) std::this_thread::sleep_for(1ms);
                return i;
            });
            // Batches 0 and 1 arrive; batch 2 never does until released: the stop ends the wait.
            got.push_back(*loader.next(source.get_token()));
            got.push_back(*loader.next(source.get_token()));
            std::jthread stopper([&] {
                std::this_thread::sleep_for(50ms);
                source.request_stop();
            });
            QVERIFY(!loader.next(source.get_token()));
            QVERIFY(!release);
            release = true;  // lets the blocked workers finish so that they can be joined
        }
        QCOMPARE(got, range(0, 2));
    }

    void destroyingTheLoaderEndsWaitingWorkers() {
        std::atomic<std::size_t> made{0};
        {
            BatchLoader<std::size_t> loader(0, 1000, 4, 2, [&](std::size_t i) {
                made.fetch_add(1);
                return i;
            });
            QCOMPARE(*loader.next({}), std::size_t(0));
            QTRY_COMPARE(made.load(), std::size_t(3));
        }  // the workers, waiting for room, are stopped and joined here
        QCOMPARE(made.load(), std::size_t(3));
    }
};

QTEST_GUILESS_MAIN(TestConcurrency)
#include "test_concurrency.moc"
