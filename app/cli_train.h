#pragma once
// galaxy-cli train, resume, evaluate and predict.

#include <CLI/CLI.hpp>
#include <optional>
#include <stop_token>

namespace gz::cli {

class TrainingCommands {
public:
    /// Adds the four subcommands to `app`.
    explicit TrainingCommands(CLI::App& app);
    ~TrainingCommands();
    /// Runs the one that was parsed; nullopt when none of them was.
    std::optional<int> run(const std::stop_token& stop);

private:
    struct Args;
    Args* args_;
};

}  // namespace gz::cli
