#pragma once
// The options of a training (model, epochs, minutes, batch, lr, ..., seed, params, rules),
// declared once for `galaxy-cli train` and `galaxy-cli workflow`, which forwards the ones given
// to its training job.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "gz/train_options.h"
#include "gz/training.h"

namespace gz::cli {

/// What the options parse into.
struct TrainOptionArgs {
    TrainConfig config;
    // The options' keys and files, read into a TrainConfig by trainConfigFrom.
    std::string schedule{optionKey(config.schedule)}, balance{optionKey(config.balance)},
        select{optionKey(config.selectMetric)}, device{optionKey(config.device)},
        precision{optionKey(config.precision)}, votesLoss{optionKey(config.votesLoss)},
        decision{optionKey(config.decision)};
    std::string params, rules;
    /// Every option added, in --help order; the two that name files.
    std::vector<CLI::Option*> options;
    CLI::Option* paramsOption = nullptr;
    CLI::Option* rulesOption = nullptr;
};

/// Adds the training options to `cmd`.
void addTrainOptions(CLI::App* cmd, TrainOptionArgs& args);

/// The configuration the options give: keys resolved, files loaded, 30 epochs when neither
/// --epochs nor --minutes was given; validated (DataError naming the field otherwise).
TrainConfig trainConfigFrom(const TrainOptionArgs& args);

/// The options given on the command line, as arguments for `galaxy-cli train` ("--epochs",
/// "3", "--no-tta", ...), in --help order, with --params and --rules made absolute.
std::vector<std::string> givenTrainArguments(const TrainOptionArgs& args);

}  // namespace gz::cli
