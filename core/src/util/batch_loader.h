#pragma once
// Private to core: batches made ahead of the model by worker threads, handed out in order, with
// a bounded number in flight (memory does not grow with the data set).

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <vector>

namespace gz::detail {

template <typename Batch>
class BatchLoader {
public:
    using Make = std::function<Batch(std::size_t index)>;

    /// Makes batches first..count-1 with `workers` threads, at most `depth` ahead of next().
    BatchLoader(std::size_t first, std::size_t count, int workers, std::size_t depth, Make make)
        : next_(first),
          produce_(first),
          count_(count),
          depth_(std::max<std::size_t>(depth, 1)),
          make_(std::move(make)) {
        for (int w = 0; w < std::max(workers, 1); ++w)
            threads_.emplace_back([this](std::stop_token stop) { work(stop); });
    }
    ~BatchLoader() {
        {
            // Under the mutex, so that no worker checks its predicate between the stop and the
            // notification and then sleeps through it.
            std::lock_guard lock(mutex_);
            for (auto& t : threads_) t.request_stop();
        }
        cv_.notify_all();
    }
    BatchLoader(const BatchLoader&) = delete;
    BatchLoader& operator=(const BatchLoader&) = delete;

    /// The next batch in order; nullopt after the last one or when `stop` is requested. Rethrows
    /// a worker's exception.
    std::optional<Batch> next(const std::stop_token& stop) {
        std::unique_lock lock(mutex_);
        if (next_ >= count_) return std::nullopt;
        while (true) {
            if (error_) std::rethrow_exception(error_);
            if (auto it = ready_.find(next_); it != ready_.end()) {
                Batch b = std::move(it->second);
                ready_.erase(it);
                ++next_;
                cv_.notify_all();
                return b;
            }
            if (stop.stop_requested()) return std::nullopt;
            cv_.wait_for(lock, std::chrono::milliseconds(20));
        }
    }

private:
    void work(const std::stop_token& stop) {
        while (true) {
            std::size_t index;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [&] {
                    return stop.stop_requested() || error_ || produce_ >= count_ ||
                           produce_ < next_ + depth_;
                });
                if (stop.stop_requested() || error_ || produce_ >= count_) return;
                index = produce_++;
            }
            try {
                Batch b = make_(index);
                std::lock_guard lock(mutex_);
                ready_.emplace(index, std::move(b));
            } catch (...) {
                std::lock_guard lock(mutex_);
                if (!error_) error_ = std::current_exception();
            }
            cv_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::size_t next_, produce_, count_, depth_;
    Make make_;
    std::map<std::size_t, Batch> ready_;
    std::exception_ptr error_;
    std::vector<std::jthread> threads_;  // last: joined before the rest is destroyed
};

}  // namespace gz::detail
