#pragma once
// Private to core: writing a run's metrics.csv and timing.csv (readMetricsCsv in gz/training.h
// reads them back).

#include <string>
#include <vector>

#include "gz/run_folder.h"
#include "gz/training.h"

namespace gz::detail {

/// A number as the run's CSV files and its log write it: "%.6g", empty when not finite.
std::string formatNumber(double v);

/// Writes metrics.csv (only what a seeded single-thread run reproduces exactly) and timing.csv
/// (the timings, which never repeat) of `run`, each atomically.
void writeMetricsCsv(const RunFolder& run, const std::vector<EpochRecord>& rows);

}  // namespace gz::detail
