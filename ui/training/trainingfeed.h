#pragma once
// Hands training progress from the worker thread to the GUI: the training callbacks append under
// a mutex, the GUI takes everything new on a timer (so a fast batch rate never floods the event
// loop and plots redraw a few times a second at most).

#include <QString>
#include <QStringList>

#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

#include "gz/training.h"

namespace gz::ui {

class TrainingFeed {
public:
    struct Update {
        std::vector<BatchProgress> batches;
        std::vector<EpochRecord> epochs;
        QStringList log;
        /// Decoding images into the cache: done, total (the latest report).
        std::optional<std::pair<std::size_t, std::size_t>> prepare;
        bool empty() const {
            return batches.empty() && epochs.empty() && log.isEmpty() && !prepare;
        }
    };

    /// Thread-safe; called from the training thread.
    void addBatch(const BatchProgress& progress);
    void addEpoch(const EpochRecord& record);
    void addLog(const QString& line);
    void setPrepare(std::size_t done, std::size_t total);

    /// Everything added since the last call (GUI thread).
    Update take();

private:
    std::mutex mutex_;
    Update pending_;
};

}  // namespace gz::ui
