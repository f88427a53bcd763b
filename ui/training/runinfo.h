#pragma once
// Run folders in the workspace as the GUI lists them: <workspace>/runs/<yyyyMMdd-HHmmss>-<model>,
// each holding what the training engine writes (config.json, metrics.csv, checkpoints/, ...).

#include <QDateTime>
#include <QString>

#include <filesystem>
#include <optional>
#include <vector>

#include "gz/training.h"

namespace gz::ui {

/// <workspace>/runs
std::filesystem::path runsFolder(const std::filesystem::path& workspace);

/// A new, not yet existing folder for a run of `model` started at `when`:
/// <workspace>/runs/20261124-013502-compact (with -2, -3, ... when taken).
std::filesystem::path newRunFolder(const std::filesystem::path& workspace, const QString& model,
                                   const QDateTime& when = QDateTime::currentDateTime());

/// What a run folder holds, read from its files.
struct RunInfo {
    enum class State {
        Finished,      ///< trained to its limit and evaluated
        Resumable,     ///< stopped (or killed) with a checkpoint: Resume continues
        NoCheckpoint,  ///< stopped before its first checkpoint: nothing to resume
        Unreadable,    ///< config.json missing or invalid (error says why)
    };
    std::filesystem::path dir;
    QString name;  ///< the folder's name
    State state = State::Unreadable;
    std::optional<TrainConfig> config;
    QString configJson;  ///< config.json as written
    std::vector<EpochRecord> epochs;
    std::optional<double> testAccuracy;  ///< from confusion.json
    QString error;                       ///< why it is unreadable, or why metrics.csv is

    QString stateText() const;
};

/// Reads a run folder (never throws: problems go to RunInfo::error).
RunInfo readRunInfo(const std::filesystem::path& dir);

/// Every folder of <workspace>/runs with a config.json, newest name first.
std::vector<RunInfo> listRuns(const std::filesystem::path& workspace);

}  // namespace gz::ui
