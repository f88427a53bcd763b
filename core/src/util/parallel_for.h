#pragma once
// Private to core: runs work(i) for i in [0, count) on a few std::thread workers while the
// calling thread reports progress and watches the stop token (ProgressFn is always called from
// the caller's thread). The first exception of a worker stops the others and is rethrown; a
// stop request ends the workers after their current item and throws Cancelled.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <stop_token>
#include <string_view>
#include <thread>
#include <vector>

#include "gz/error.h"
#include "gz/progress.h"

namespace gz::detail {

/// Worker count for a user's choice: 0 or less means the core count; never more than `count`.
inline std::size_t workerCount(int requested, std::size_t count) {
    const std::size_t hardware = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t wanted = requested > 0 ? static_cast<std::size_t>(requested) : hardware;
    return std::max<std::size_t>(1, std::min({wanted, count, std::size_t{256}}));
}

/// `work(i, worker)` gets the item and the worker's number (0 .. workers - 1), so that workers
/// can keep scratch buffers. `progressBase`/`progressTotal` place this loop inside a longer job.
template <typename Work>
void parallelFor(std::size_t count, int threads, const std::stop_token& stop,
                 const ProgressFn& progress, std::string_view message, Work&& work,
                 std::size_t progressBase = 0, std::size_t progressTotal = 0) {
    if (progressTotal == 0) progressTotal = count;
    checkpoint(stop, progress, progressBase, progressTotal, message);
    if (count == 0) return;
    const std::size_t workers = workerCount(threads, count);
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> halt{false};
    std::mutex mutex;
    std::condition_variable finished;
    std::exception_ptr failure;
    std::size_t running = workers;
    {
        std::vector<std::jthread> pool;
        auto body = [&](std::size_t worker) {
            try {
                while (!halt.load(std::memory_order_relaxed) && !stop.stop_requested()) {
                    const std::size_t i = next.fetch_add(1);
                    if (i >= count) break;
                    work(i, worker);
                    done.fetch_add(1, std::memory_order_relaxed);
                }
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!failure) failure = std::current_exception();
                halt = true;
            }
            std::lock_guard lock(mutex);
            --running;
            finished.notify_all();
        };
        try {
            for (std::size_t t = 0; t < workers; ++t) pool.emplace_back(body, t);
        } catch (...) {
            halt = true;
            std::unique_lock lock(mutex);
            running -= workers - pool.size();
            finished.wait(lock, [&] { return running == 0; });
            throw;
        }
        std::unique_lock lock(mutex);
        while (running > 0 && !failure) {
            finished.wait_for(lock, std::chrono::milliseconds(50));
            if (running == 0 || failure) break;
            lock.unlock();
            try {
                checkpoint(stop, progress, progressBase + done.load(), progressTotal, message);
            } catch (...) {
                halt = true;  // a stop, or a progress callback that threw: the workers finish
                throw;        // their current item and are joined
            }
            lock.lock();
        }
        halt = true;
    }  // joins the workers
    if (failure) std::rethrow_exception(failure);
    checkpoint(stop, progress, progressBase + count, progressTotal, message);
}

}  // namespace gz::detail
