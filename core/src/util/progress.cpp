#include "gz/progress.h"

#include <cmath>
#include <cstdio>

#include "gz/error.h"

namespace gz {

void checkpoint(const std::stop_token& stop, const ProgressFn& progress, std::size_t done,
                std::size_t total, std::string_view message) {
    if (stop.stop_requested()) throw Cancelled();
    if (progress) progress(done, total, message);
}

std::string formatDuration(double seconds) {
    if (!(seconds >= 0)) return "?";
    const long s = std::lround(seconds);
    char text[32];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, s / 60 % 60);
    else
        std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
    return text;
}

}  // namespace gz
