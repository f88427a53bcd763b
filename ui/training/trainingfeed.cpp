#include "training/trainingfeed.h"

#include <utility>

namespace gz::ui {

void TrainingFeed::addBatch(const BatchProgress& progress) {
    std::lock_guard lock(mutex_);
    pending_.batches.push_back(progress);
}

void TrainingFeed::addEpoch(const EpochRecord& record) {
    std::lock_guard lock(mutex_);
    pending_.epochs.push_back(record);
}

void TrainingFeed::addLog(const QString& line) {
    std::lock_guard lock(mutex_);
    pending_.log << line;
}

void TrainingFeed::setPrepare(std::size_t done, std::size_t total) {
    std::lock_guard lock(mutex_);
    pending_.prepare = std::pair(done, total);
}

TrainingFeed::Update TrainingFeed::take() {
    std::lock_guard lock(mutex_);
    return std::exchange(pending_, {});
}

}  // namespace gz::ui
