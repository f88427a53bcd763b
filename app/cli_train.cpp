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
#include "gz/catalog.h"
#include "gz/constants.h"
#include "gz/labeling.h"
#include "gz/models.h"
#include "gz/partition.h"
#include "gz/train_options.h"
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
            std::fprintf(
                stderr,
                "\r\033[Kepoch %d%s batch %d/%d  loss %.3f  acc %.3f  lr %.4g  %.0f img/s  ETA %s",
                p.epoch, p.epochs ? ("/" + std::to_string(p.epochs)).c_str() : "", p.batch,
                p.batches, p.loss, p.accuracy, p.lr, p.imagesPerSecond,
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
        std::cout << j.dump() << "\n";
    } else {
        std::printf("%s\n", o.summary.c_str());
        if (o.test) printEvaluation(*o.test);
    }
    if (o.status == TrainOutcome::Status::Stopped) {
        std::cerr << "galaxy-cli: training stopped; continue with: galaxy-cli resume --run "
                  << run.string() << "\n";
        return kExitCancelled;
    }
    return kExitOk;
}

// ---- train -------------------------------------------------------------------------------

// An option's keys as its help lists them: "cosine|step|constant".
template <class E>
std::string keysOf() {
    return joinOptionKeys(optionKeys<E>(), "|");
}

struct TrainArgs {
    CatalogArgs catalog;
    std::string split, rules, params, out, workspace;
    TrainConfig config;
    WorldArgs world;
    // The options' keys, read into `config` by runTrain.
    std::string schedule{optionKey(config.schedule)}, balance{optionKey(config.balance)},
        select{optionKey(config.selectMetric)}, device{optionKey(config.device)};
    bool json = false;
};

std::vector<SplitEntry> splitFor(const Catalog& catalog, const LabelRules& rules,
                                 const std::string& splitFile) {
    if (!splitFile.empty()) return readSplitCsv(splitFile);
    return partitionDataset(catalog, rules, SplitRatios{}, kDefaultSeed);
}

int runTrain(TrainArgs& a, const std::stop_token& stop) {
    if (a.config.epochs == 0 && a.config.minutes == 0) a.config.epochs = 30;
    if (!a.params.empty()) a.config.augmentation = AugmentationParams::load(a.params);
    if (!a.rules.empty()) a.config.rules = LabelRules::load(a.rules);
    a.config.schedule = requireOption<Schedule>(a.schedule);
    a.config.balance = requireOption<Balance>(a.balance);
    a.config.selectMetric = requireOption<SelectMetric>(a.select);
    a.config.device = requireOption<Device>(a.device);
    const World world = resolveWorld(a.world);
    a.config.worldSize = world.size;
    a.config.validate();
    const Catalog catalog = openCatalog(a.catalog, stop);
    const auto split = splitFor(catalog, a.config.rules, a.split);
    const auto outcome =
        startTraining(a.out, a.config, catalog, split, workspaceOrDefault(a.workspace), stop,
                      consoleCallbacks(world), world);
    return reportOutcome(outcome, a.out, a.json && world.leader());
}

Command addTrain(CLI::App& app) {
    auto a = std::make_shared<TrainArgs>();
    TrainConfig& c = a->config;

    auto* cmd = app.add_subcommand("train", "Train a network; writes a run folder");
    addCatalogOptions(cmd, a->catalog);
    cmd->add_option("--split", a->split,
                    "split.csv (default: label with the rules and split " +
                        SplitRatios{}.text('/') + ", seed " + std::to_string(kDefaultSeed) + ")");
    cmd->add_option("--model", c.model, joinOptionKeys(availableModels(), "|"))
        ->capture_default_str();
    cmd->add_option("--epochs", c.epochs, "Epochs in all");
    cmd->add_option("--minutes", c.minutes,
                    "Training time in all (the budget includes validation)");
    cmd->add_option("--batch", c.batch, "Batch size")->capture_default_str();
    cmd->add_option("--lr", c.lr, "Peak learning rate")->capture_default_str();
    cmd->add_option("--schedule", a->schedule, keysOf<Schedule>())->capture_default_str();
    cmd->add_option("--warmup", c.warmupEpochs, "Linear warm-up epochs")->capture_default_str();
    cmd->add_option("--step-every", c.stepEvery, "step schedule: divide by 10 every N steps")
        ->capture_default_str();
    cmd->add_option("--weight-decay", c.weightDecay, "L2 weight decay")->capture_default_str();
    cmd->add_option("--label-smoothing", c.labelSmoothing, "Label smoothing")
        ->capture_default_str();
    cmd->add_option("--balance", a->balance, keysOf<Balance>())->capture_default_str();
    cmd->add_option("--patience", c.earlyStopPatience, "Early stopping patience in epochs (0: off)")
        ->capture_default_str();
    cmd->add_option("--select", a->select,
                    "Validation metric for the best checkpoint: " + keysOf<SelectMetric>())
        ->capture_default_str();
    cmd->add_flag("--tta,!--no-tta", c.tta,
                  "Test-time augmentation (8 rotations and flips) in the final evaluation "
                  "(default: on)");
    cmd->add_option("--threads", c.threads, "LibTorch threads (default: every core)");
    cmd->add_option("--loader-threads", c.loaderThreads, "Batch-preparing threads")
        ->capture_default_str();
    cmd->add_option("--device", a->device, keysOf<Device>())->capture_default_str();
    cmd->add_option("--seed", c.seed, "Random seed")->capture_default_str();
    cmd->add_option("--params", a->params, "Augmentation parameters JSON")
        ->check(CLI::ExistingFile);
    cmd->add_option("--rules", a->rules, "Label rules JSON")->check(CLI::ExistingFile);
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
