// galaxy-cli train and resume: a run folder trained, or continued from its last checkpoint.

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli_commands.h"
#include "cli_common.h"
#include "cli_report.h"
#include "cli_train_options.h"
#include "gz/catalog.h"
#include "gz/constants.h"
#include "gz/labeling.h"
#include "gz/partition.h"
#include "gz/training.h"

namespace gz::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Batch progress on a terminal; epoch lines (the log) always on stderr. The ranks of a
// data-parallel training other than 0 prefix their lines with their rank and show no progress.
TrainCallbacks consoleCallbacks(const World& world) {
    TrainCallbacks cb;
    const bool tty = ::isatty(STDERR_FILENO);
    if (!world.leader()) {
        cb.onLog = [prefix = "rank " + std::to_string(world.rank) + ": "](const std::string& l) {
            std::fprintf(stderr, "%s%s\n", prefix.c_str(), l.c_str());
        };
        return cb;
    }
    if (tty)
        cb.onBatch = [](const BatchProgress& p) {
            char votes[32] = "";  // the votes head's loss, with one
            if (std::isfinite(p.votesLoss))
                std::snprintf(votes, sizeof votes, "  votes %.4f", p.votesLoss);
            std::fprintf(stderr,
                         "\r\033[Kepoch %d%s batch %d/%d  loss %.3f%s  acc %.3f  lr %.4g  %.0f "
                         "img/s  ETA %s",
                         p.epoch, p.epochs ? ("/" + std::to_string(p.epochs)).c_str() : "", p.batch,
                         p.batches, p.loss, votes, p.accuracy, p.lr, p.imagesPerSecond,
                         formatDuration(p.etaSeconds).c_str());
            std::fflush(stderr);
        };
    cb.onLog = [tty](const std::string& line) {
        std::fprintf(stderr, "%s%s\n", tty ? "\r\033[K" : "", line.c_str());
    };
    cb.onPrepare = terminalProgress();
    return cb;
}

int reportOutcome(const TrainOutcome& o, const fs::path& run, bool asJson) {
    if (asJson) {
        json j = {{"status", o.status == TrainOutcome::Status::Finished ? "finished" : "stopped"},
                  {"epochs", o.epochsCompleted},
                  {"run", run.string()}};
        if (o.test) j["test"] = json::parse(o.test->toJson());
        if (o.votes) j["votes"] = json::parse(o.votes->toJson());
        std::cout << j.dump() << "\n";
    } else {
        std::printf("%s\n", o.summary.c_str());
        if (o.test) printEvaluation(*o.test);
        if (o.votes) printVoteFit(*o.votes);
    }
    if (o.status == TrainOutcome::Status::Stopped) {
        std::cerr << "galaxy-cli: training stopped; continue with: galaxy-cli resume --run "
                  << run.string() << "\n";
        return kExitCancelled;
    }
    return kExitOk;
}

// ---- train -------------------------------------------------------------------------------

struct TrainArgs {
    CatalogArgs catalog;
    std::string split, out, workspace;
    TrainOptionArgs train;
    WorldArgs world;
    bool json = false;
};

std::vector<SplitEntry> splitFor(const Catalog& catalog, const LabelRules& rules,
                                 const std::string& splitFile) {
    if (!splitFile.empty()) return readSplitCsv(splitFile);
    return partitionDataset(catalog, rules, SplitRatios{}, kDefaultSeed);
}

int runTrain(const TrainArgs& a, const std::stop_token& stop) {
    TrainConfig config = trainConfigFrom(a.train);
    const World world = resolveWorld(a.world);
    config.worldSize = world.size;
    config.validate();
    const Catalog catalog = openCatalog(a.catalog, stop);
    const auto split = splitFor(catalog, config.rules, a.split);
    config.validateSplit(split, a.split);
    const auto outcome =
        startTraining(a.out, config, catalog, split, workspaceOrDefault(a.workspace), stop,
                      consoleCallbacks(world), world);
    return reportOutcome(outcome, a.out, a.json && world.leader());
}

Command addTrain(CLI::App& app) {
    auto a = std::make_shared<TrainArgs>();
    auto* cmd = app.add_subcommand("train", "Train a network; writes a run folder");
    addCatalogOptions(cmd, a->catalog);
    cmd->add_option("--split", a->split,
                    "split.csv (default: label with the rules and split " +
                        SplitRatios{}.text('/') + ", seed " + std::to_string(kDefaultSeed) + ")");
    addTrainOptions(cmd, a->train);
    addWorkspaceOption(cmd, a->workspace);
    addWorldOptions(cmd, a->world);
    cmd->add_option("--out", a->out, "Run folder to create")->required();
    cmd->add_flag("--json", a->json, "Print the outcome as one JSON object");
    return {cmd, [a](const std::stop_token& stop) { return runTrain(*a, stop); }};
}

// ---- resume ------------------------------------------------------------------------------

struct ResumeArgs {
    std::string run, workspace;
    std::optional<int> epochs;
    std::optional<double> minutes;
    WorldArgs world;
    bool json = false;
};

int runResume(const ResumeArgs& a, const std::stop_token& stop) {
    const World world = resolveWorld(a.world);
    const auto outcome = resumeTraining(a.run, workspaceOrDefault(a.workspace), a.epochs, a.minutes,
                                        stop, consoleCallbacks(world), world);
    return reportOutcome(outcome, a.run, a.json && world.leader());
}

Command addResume(CLI::App& app) {
    auto a = std::make_shared<ResumeArgs>();
    auto* cmd =
        app.add_subcommand("resume", "Continue a stopped or killed run from its last checkpoint");
    addRunOption(cmd, a->run);
    cmd->add_option("--epochs", a->epochs, "New epoch limit, in all");
    cmd->add_option("--minutes", a->minutes, "New time budget, in all");
    addWorkspaceOption(cmd, a->workspace);
    addWorldOptions(cmd, a->world);
    cmd->add_flag("--json", a->json, "Print the outcome as one JSON object");
    return {cmd, [a](const std::stop_token& stop) { return runResume(*a, stop); }};
}

}  // namespace

void registerTrainCommands(CLI::App& app, Context& ctx) {
    ctx.add(addTrain(app));
    ctx.add(addResume(app));
}

}  // namespace gz::cli
