#pragma once
// Text the panels show for values: durations, counts, and file paths as QStrings.

#include <QString>

#include <cstddef>
#include <filesystem>

namespace gz::ui {

/// "1h02m" from an hour on, "2m05s" below ("0m07s"); "?" when unknown (negative or NaN).
QString formatDuration(double seconds);

/// A count in the user's locale ("61,578").
QString formatCount(std::size_t n);

/// QString <-> path without losing non-ASCII names.
QString toQString(const std::filesystem::path& path);
std::filesystem::path toPath(const QString& path);

}  // namespace gz::ui
