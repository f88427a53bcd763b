#pragma once
// The files of a training run's folder, and where a workspace keeps its runs. Every name inside a
// run folder is spelled here and only here; the training engine, the command line and the GUI
// find a run's files through RunFolder.

#include <chrono>
#include <filesystem>
#include <string>

namespace gz {

/// A run folder and the paths of its files. Nothing is read or created: the paths only.
struct RunFolder {
    std::filesystem::path root;

    /// Every choice of the run (TrainConfig::toJson).
    std::filesystem::path config() const;
    /// The galaxies of each subset (`GalaxyID,label,split`).
    std::filesystem::path split() const;
    /// The per-epoch metrics a seeded run reproduces exactly.
    std::filesystem::path metrics() const;
    /// The per-epoch timings (never reproducible), matched to metrics.csv by epoch.
    std::filesystem::path timing() const;
    /// The folder of the two checkpoints.
    std::filesystem::path checkpoints() const;
    /// The latest state: resume continues from it.
    std::filesystem::path lastCheckpoint() const;
    /// The weights of the best epoch by the selection metric.
    std::filesystem::path bestCheckpoint() const;
    /// The final evaluation's predictions (gz/evaluation.h, writePredictionsCsv).
    std::filesystem::path predictions() const;
    /// The final evaluation's metrics (EvaluationResult::toJson).
    std::filesystem::path confusion() const;
    /// A votes head's predicted fractions in the final evaluation (gz/vote_fit.h, Kaggle's
    /// layout).
    std::filesystem::path fractions() const;
    /// A votes head's training mean of the vote fractions: the baseline of evaluateVotes.
    std::filesystem::path votesMean() const;
    /// Every log line of every training and resume, time-stamped.
    std::filesystem::path log() const;
    /// The galaxies marked in the Evaluation panel.
    std::filesystem::path marks() const;
    /// The lock file held while a training or resume writes the folder.
    std::filesystem::path lock() const;
};

/// <workspace>/runs: where the GUI starts its runs.
std::filesystem::path runsFolder(const std::filesystem::path& workspace);

/// A new, not yet existing folder for a run of `model` started at `when` (local time):
/// <workspace>/runs/20261124-013502-compact, with -2, -3, ... appended when that is taken.
std::filesystem::path newRunFolder(
    const std::filesystem::path& workspace, const std::string& model,
    std::chrono::system_clock::time_point when = std::chrono::system_clock::now());

}  // namespace gz
