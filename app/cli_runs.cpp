// galaxy-cli runs: the run folders of a workspace, newest first, with the facts the GUI's Runs
// panel shows of each (gz/run_info.h).

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli_commands.h"
#include "cli_common.h"
#include "gz/run_folder.h"
#include "gz/run_info.h"

namespace gz::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct RunsArgs {
    std::string workspace;
    bool json = false;
};

json optionalJson(const std::optional<double>& x) {
    return x ? json(*x) : json(nullptr);
}

json runJson(const RunInfo& r) {
    json j = {{"name", r.name},
              {"dir", r.dir.string()},
              {"model", r.config ? json(r.config->model) : json(nullptr)},
              {"epochs", r.epochs.size()},
              {"epoch_limit", r.config ? json(r.config->epochs) : json(nullptr)},
              {"minutes", r.config ? json(r.config->minutes) : json(nullptr)},
              {"state", r.stateText()},
              {"best_val_accuracy", optionalJson(r.bestValAccuracy())},
              {"test_accuracy", optionalJson(r.testAccuracy)}};
    if (!r.error.empty()) j["error"] = r.error;
    return j;
}

std::string percent(const std::optional<double>& x) {
    if (!x || !std::isfinite(*x)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %%", 100 * *x);
    return buf;
}

/// Epochs done over the run's limit: "3/10", or "3/5 min" for a run limited by time.
std::string epochsText(const RunInfo& r) {
    if (!r.config) return "-";
    char limit[32];
    if (r.config->epochs > 0)
        std::snprintf(limit, sizeof limit, "%d", r.config->epochs);
    else
        std::snprintf(limit, sizeof limit, "%g min", r.config->minutes);
    return std::to_string(r.epochs.size()) + "/" + limit;
}

void printRuns(const std::vector<RunInfo>& runs) {
    std::printf("%-32s %-14s %-10s %-20s %9s %9s\n", "RUN", "MODEL", "EPOCHS", "STATE", "BEST VAL",
                "TEST");
    for (const RunInfo& r : runs)
        std::printf("%-32s %-14s %-10s %-20s %9s %9s\n", r.name.c_str(),
                    r.config ? r.config->model.c_str() : "-", epochsText(r).c_str(),
                    r.stateText().c_str(), percent(r.bestValAccuracy()).c_str(),
                    percent(r.testAccuracy).c_str());
}

int runRuns(const RunsArgs& a) {
    const fs::path workspace = workspaceOrDefault(a.workspace);
    const std::vector<RunInfo> runs = listRuns(workspace);
    if (a.json) {
        json list = json::array();
        for (const RunInfo& r : runs) list.push_back(runJson(r));
        std::cout << json{{"runs_folder", runsFolder(workspace).string()}, {"runs", list}}.dump()
                  << "\n";
    } else if (runs.empty()) {
        std::printf("no runs in %s\n", runsFolder(workspace).string().c_str());
    } else {
        printRuns(runs);
    }
    return kExitOk;
}

Command addRuns(CLI::App& app) {
    auto a = std::make_shared<RunsArgs>();
    auto* cmd = app.add_subcommand("runs", "List the runs of a workspace, newest first");
    addWorkspaceOption(cmd, a->workspace);
    cmd->add_flag("--json", a->json, "Print the runs as one JSON object");
    return {cmd, [a](const std::stop_token&) { return runRuns(*a); }};
}

}  // namespace

void registerRunsCommands(CLI::App& app, Context& ctx) {
    ctx.add(addRuns(app));
}

}  // namespace gz::cli
