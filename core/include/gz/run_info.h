#pragma once
// What a run folder holds, read from its files: the facts the GUI's Runs panel and
// `galaxy-cli runs` show of every run in a workspace.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gz/training.h"

namespace gz {

/// A run folder's summary (gz/run_folder.h names its files).
struct RunInfo {
    enum class State {
        Finished,      ///< trained to its limit and evaluated
        Resumable,     ///< stopped (or killed) with a checkpoint: resume continues
        NoCheckpoint,  ///< stopped before its first checkpoint: nothing to resume
        Unreadable,    ///< config.json missing or invalid (error says why)
    };
    std::filesystem::path dir;
    std::string name;  ///< the folder's name
    State state = State::Unreadable;
    std::optional<TrainConfig> config;
    std::string configJson;  ///< config.json as written
    std::vector<EpochRecord> epochs;
    std::optional<double> testAccuracy;  ///< from confusion.json
    std::string error;                   ///< why it is unreadable, or why metrics.csv is

    /// "finished", "stopped (resumable)", "no checkpoint" or "unreadable".
    std::string stateText() const;
    /// The highest finite validation accuracy of its epochs; nullopt when none has one.
    std::optional<double> bestValAccuracy() const;
    /// The epoch training chose as best (its best checkpoint): the best value of the run's
    /// selection metric on validation, else the last epoch when no epoch was validated;
    /// nullopt without epochs.
    std::optional<int> bestEpoch() const;
};

/// Reads a run folder (never throws: problems go to RunInfo::error).
RunInfo readRunInfo(const std::filesystem::path& dir);

/// Every folder of <workspace>/runs with a config.json, newest name first.
std::vector<RunInfo> listRuns(const std::filesystem::path& workspace);

}  // namespace gz
