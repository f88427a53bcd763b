#include "gz/run_info.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <system_error>

#include "gz/files.h"
#include "gz/run_folder.h"
#include "training/training_state.h"

namespace gz {
namespace fs = std::filesystem;

std::string RunInfo::stateText() const {
    switch (state) {
        case State::Finished:
            return "finished";
        case State::Resumable:
            return "stopped (resumable)";
        case State::NoCheckpoint:
            return "no checkpoint";
        case State::Unreadable:
            break;
    }
    return "unreadable";
}

std::optional<double> RunInfo::bestValAccuracy() const {
    std::optional<double> best;
    for (const EpochRecord& e : epochs)
        if (std::isfinite(e.valAccuracy) && !(best && *best >= e.valAccuracy)) best = e.valAccuracy;
    return best;
}

std::optional<int> RunInfo::bestEpoch() const {
    if (epochs.empty()) return std::nullopt;
    const SelectMetric metric = config ? config->selectMetric : SelectMetric::Loss;
    std::optional<int> best;
    double bestValue = 0;
    for (const EpochRecord& e : epochs) {
        const double value = detail::selectionValue(e, metric);
        if (std::isfinite(value) && (!best || value > bestValue)) {
            best = e.epoch;
            bestValue = value;
        }
    }
    return best ? best : std::optional(epochs.back().epoch);
}

namespace {

/// The "accuracy"" of confusion.json; nullopt when the file is no JSON object or has none.
std::optional<double> accuracyOf(const std::string& confusionJson) {
    const auto j = nlohmann::json::parse(confusionJson, nullptr, false);
    if (!j.is_object() || !j.contains("accuracy")) return std::nullopt;
    const auto& a = j.at("accuracy");
    return a.is_number() ? a.get<double>() : 0.0;
}

}  // namespace

RunInfo readRunInfo(const fs::path& dir) {
    const RunFolder run{dir};
    RunInfo info;
    info.dir = dir;
    info.name = dir.filename().string();
    std::error_code ec;
    try {
        info.configJson = readWholeFile(run.config());
        info.config = loadRunConfig(dir);
    } catch (const std::exception& e) {
        info.error = e.what();
        return info;
    }
    if (fs::exists(run.metrics(), ec)) {
        try {
            info.epochs = readMetricsCsv(run.metrics());
        } catch (const std::exception& e) {
            info.error = e.what();
        }
    }
    if (fs::exists(run.confusion(), ec)) {
        try {
            info.testAccuracy = accuracyOf(readWholeFile(run.confusion()));
        } catch (const std::exception& e) {
            info.error = e.what();
        }
    }
    const bool checkpoint = fs::exists(run.lastCheckpoint(), ec);
    const int limit = info.config->epochs;
    const bool done = info.testAccuracy.has_value() ||
                      (limit > 0 && static_cast<int>(info.epochs.size()) >= limit &&
                       fs::exists(run.predictions(), ec));
    info.state = done         ? RunInfo::State::Finished
                 : checkpoint ? RunInfo::State::Resumable
                              : RunInfo::State::NoCheckpoint;
    return info;
}

std::vector<RunInfo> listRuns(const fs::path& workspace) {
    std::vector<RunInfo> runs;
    std::error_code ec;
    const fs::path folder = runsFolder(workspace);
    if (!fs::is_directory(folder, ec)) return runs;
    for (const auto& entry : fs::directory_iterator(folder, ec))
        if (entry.is_directory(ec) && fs::exists(RunFolder{entry.path()}.config(), ec))
            runs.push_back(readRunInfo(entry.path()));
    std::sort(runs.begin(), runs.end(),
              [](const RunInfo& a, const RunInfo& b) { return a.name > b.name; });
    return runs;
}

}  // namespace gz
