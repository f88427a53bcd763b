#pragma once
// galaxy-cli's command groups, each registering its subcommands, and the commands main dispatches
// to once the command line is parsed.

#include <CLI/CLI.hpp>
#include <functional>
#include <stop_token>
#include <vector>

namespace gz::cli {

/// A command's work: returns the exit code; errors are thrown for main to report.
using Run = std::function<int(const std::stop_token& stop)>;

/// A subcommand (CLI11 owns it) and what it does. The Run owns, through what it captures, the
/// arguments CLI11 parses into.
struct Command {
    CLI::App* cmd = nullptr;
    Run run;
};

/// The commands registered on a command line, kept (with their arguments) for main to dispatch to
/// once it is parsed.
class Context {
public:
    void add(Command command);
    /// The first command in the order added that was given on the command line, not counting a
    /// group of commands (such as bench) when one of its own subcommands was given too; nullptr
    /// when no command was given.
    const Run* parsed() const;

private:
    std::vector<Command> commands_;
};

/// label, split, demo
void registerDatasetCommands(CLI::App& app, Context& ctx);
/// preprocess
void registerPreprocessCommands(CLI::App& app, Context& ctx);
/// train, resume
void registerTrainCommands(CLI::App& app, Context& ctx);
/// evaluate, predict
void registerEvaluateCommands(CLI::App& app, Context& ctx);
/// embed, map, similar
void registerExploreCommands(CLI::App& app, Context& ctx);
/// crossval
void registerCrossvalCommands(CLI::App& app, Context& ctx);
/// suspects
void registerSuspectsCommands(CLI::App& app, Context& ctx);
/// runs
void registerRunsCommands(CLI::App& app, Context& ctx);
/// workflow slurm, workflow pegasus
void registerWorkflowCommands(CLI::App& app, Context& ctx);
/// bench catalog, bench preprocess, bench train
void registerBenchCommands(CLI::App& app, Context& ctx);
/// completion (a shell completion script made from `app`'s commands and options)
void registerCompletionCommands(CLI::App& app, Context& ctx);

}  // namespace gz::cli
