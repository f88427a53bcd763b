#pragma once
// How long the GUI thread stays busy: the gaps between successive runs of a 0 ms timer, for the
// GUI benchmarks (header-only).

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace gz::test {

class StallMeter : public QObject {
public:
    StallMeter() {
        connect(&timer_, &QTimer::timeout, this, [this] {
            const qint64 now = clock_.nsecsElapsed();
            if (last_ >= 0) gaps_.push_back(static_cast<double>(now - last_) / 1e6);
            last_ = now;
        });
        timer_.setInterval(0);
    }
    void start() {
        gaps_.clear();
        last_ = -1;
        clock_.start();
        timer_.start();
    }
    void stop() { timer_.stop(); }
    double max() const { return gaps_.empty() ? 0 : *std::max_element(gaps_.begin(), gaps_.end()); }
    double percentile(double p) const {
        if (gaps_.empty()) return 0;
        std::vector<double> s = gaps_;
        std::sort(s.begin(), s.end());
        return s[std::min(s.size() - 1,
                          static_cast<std::size_t>(p * static_cast<double>(s.size())))];
    }
    std::size_t samples() const { return gaps_.size(); }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = -1;
    std::vector<double> gaps_;
};

}  // namespace gz::test
