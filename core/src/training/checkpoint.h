#pragma once
// Private to core: a run's checkpoints (checkpoints/last.pt and best.pt). A checkpoint is a
// LibTorch archive of three entries: "model" (the network's archive), "optimizer" (the
// optimiser's archive) and "state" (the training loop's state as a JSON string), and for a run
// with a weight average (TrainConfig::emaDecay) a fourth in last.pt, "average" (its network's
// archive; best.pt's "model" is the average itself).

#include <torch/optim.h>
#include <torch/types.h>

#include <filesystem>
#include <string>

#include "gz/run_folder.h"
#include "gz/training.h"
#include "training/models.h"

namespace gz::detail {

/// Writes a checkpoint atomically (a kill never leaves a half-written file under its name).
/// Throws DataError naming `file` when it cannot be written.
void saveCheckpoint(const std::filesystem::path& file, GalaxyNetImpl& net,
                    torch::optim::Optimizer& optimizer, const std::string& state,
                    GalaxyNetImpl* average = nullptr);

/// Loads a checkpoint's weights into `net` (then in the model layout) and, when given, its
/// optimiser state into `optimizer` and its weight average into `average` (a copy of the
/// weights when it has none: a checkpoint from before the average was on); returns its state.
/// Throws DataError naming `file` when it is absent or unreadable.
std::string loadCheckpoint(const std::filesystem::path& file, GalaxyNetImpl& net,
                           torch::optim::Optimizer* optimizer, const torch::Device& device,
                           GalaxyNetImpl* average = nullptr);

/// A fresh network (torch's global generator) for a run of `config`: its model, its votes head
/// when it has one, its decision.
GalaxyNet makeRunModel(const TrainConfig& config);

/// The network of a run's configuration with the weights of `checkpoint` (gz/train_options.h), on
/// `device`, in evaluation mode.
GalaxyNet loadRunModel(const RunFolder& run, const TrainConfig& config, const torch::Device& device,
                       CheckpointChoice checkpoint = CheckpointChoice::Best);

}  // namespace gz::detail
