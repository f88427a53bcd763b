// galaxy-cli: the Galaxy Morphology Studio pipeline, headless, for scripts and clusters.
// Exit 0 on success; otherwise non-zero with a one-line reason on stderr (see cli_common.h).

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <exception>
#include <iostream>
#include <stop_token>
#include <string>
#include <thread>

#include "cli_commands.h"
#include "cli_common.h"
#include "gz/error.h"
#include "gz/versions.h"

using namespace gz::cli;

namespace {

// Ctrl-C and SIGTERM request a stop; jobs end at their next checkpoint without leaving
// half-written files (every output is written atomically).
std::atomic<bool> gInterrupted{false};
extern "C" void onSignal(int) {
    gInterrupted = true;
}

class StopOnSignal {
public:
    StopOnSignal() {
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        watcher_ = std::jthread([this](std::stop_token own) {
            while (!own.stop_requested()) {
                if (gInterrupted) {
                    source_.request_stop();
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        });
    }
    std::stop_token token() const { return source_.get_token(); }

private:
    std::stop_source source_;
    std::jthread watcher_;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"galaxy-cli: Galaxy Morphology Studio pipeline, headless"};
    app.set_version_flag("--version", gz::versionReport("galaxy-cli"));
    // No require_subcommand(): CLI11 would then report a missing command before an unknown word.
    // Usage errors are one line, like every other error of this tool.
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        return std::string("galaxy-cli: ") + e.what() + " (see --help)\n";
    });

    // In the order --help lists the commands.
    Context ctx;
    registerDatasetCommands(app, ctx);
    registerPreprocessCommands(app, ctx);
    registerTrainCommands(app, ctx);
    registerEvaluateCommands(app, ctx);
    registerExploreCommands(app, ctx);
    registerCrossvalCommands(app, ctx);
    registerSuspectsCommands(app, ctx);
    registerRunsCommands(app, ctx);
    registerWorkflowCommands(app, ctx);
    registerBenchCommands(app, ctx);
    registerCompletionCommands(app, ctx);

    CLI11_PARSE(app, argc, argv);

    StopOnSignal stopOnSignal;
    try {
        if (const Run* run = ctx.parsed()) return (*run)(stopOnSignal.token());
        return usageError("a command is required");
    } catch (const gz::Cancelled&) {
        std::cerr << "galaxy-cli: cancelled\n";
        return kExitCancelled;
    } catch (const CLI::Error& e) {
        std::cerr << "galaxy-cli: " << e.what() << "\n";
        return e.get_exit_code() ? e.get_exit_code() : kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "galaxy-cli: " << e.what() << "\n";
        return kExitDataError;
    }
}
