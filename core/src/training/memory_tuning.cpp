#include "training/memory_tuning.h"

#include <climits>
#include <cstdlib>
#include <mutex>
#include <string_view>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace gz::detail {
namespace {

// Whether GZ_TRAINING_TUNING (default all) names `tuning`: "all", or a comma-separated list.
bool tuningEnabled(std::string_view tuning) {
    const char* v = std::getenv("GZ_TRAINING_TUNING");
    std::string_view list = v && *v ? std::string_view(v) : std::string_view("all");
    if (list == "all") return true;
    while (!list.empty()) {
        const auto comma = list.find(',');
        if (list.substr(0, comma) == tuning) return true;
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    return false;
}

std::mutex mutex;
int users = 0;

}  // namespace

bool mallocTuningEnabled() {
    return tuningEnabled("malloc");
}

bool channelsLastEnabled() {
    return tuningEnabled("channels-last");
}

bool foldBatchNormEnabled() {
    return tuningEnabled("fold-bn");
}

TrainingMemory::TrainingMemory() {
#if defined(__GLIBC__)
    if (!mallocTuningEnabled()) return;
    const std::lock_guard lock(mutex);
    if (users++ == 0) {
        mallopt(M_MMAP_MAX, 0);              // large blocks from the heap, not fresh mmaps
        mallopt(M_TRIM_THRESHOLD, INT_MAX);  // and freed memory kept for the next step
    }
    active_ = true;
#endif
}

TrainingMemory::~TrainingMemory() {
#if defined(__GLIBC__)
    if (!active_) return;
    const std::lock_guard lock(mutex);
    if (--users == 0) {
        mallopt(M_MMAP_MAX, 65536);  // glibc's defaults
        mallopt(M_TRIM_THRESHOLD, 128 * 1024);
        malloc_trim(0);  // hand the training's memory back to the system
    }
#endif
}

}  // namespace gz::detail
