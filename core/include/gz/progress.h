#pragma once
// How long-running core jobs report progress and learn that they should stop.

#include <cstddef>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

namespace gz {

/// Called from the job's thread: units done, units in all (0 if unknown), a short message.
using ProgressFn = std::function<void(std::size_t done, std::size_t total, std::string_view)>;

/// Calls the progress function if there is one, and throws Cancelled when a stop was requested.
void checkpoint(const std::stop_token& stop, const ProgressFn& progress, std::size_t done,
                std::size_t total, std::string_view message = {});

/// A time left or taken as the CLI and the GUI show it: "1h02m" from an hour on, "2m05s" below
/// ("0m07s"); "?" when unknown (negative or NaN).
std::string formatDuration(double seconds);

}  // namespace gz
