#include "cli_train.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "gz/error.h"
#include "gz/evaluation.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/models.h"
#include "gz/partition.h"
#include "gz/training.h"

namespace gz::cli {
namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kExitStopped = 130;

struct TrainingCommands::Args {
    CLI::App* train = nullptr;
    CLI::App* resume = nullptr;
    CLI::App* evaluate = nullptr;
    CLI::App* predict = nullptr;

    // train
    CatalogArgs catalog;
    std::string split, rules, params, out, workspace;
    TrainConfig config;
    bool json = false;
    // resume
    std::string run;
    std::optional<int> epochs;
    std::optional<double> minutes;
    // evaluate / predict
    std::string subset = "test", images, evalOut, predictionsOut;
    /// --tta +1, --no-tta -1 (the last given wins), 0 when neither: as the run was trained. An
    /// int, because CLI11 (2.3) sets an optional<bool> flag to false when it is absent.
    int tta = 0;
    int threads = 0;

    bool ttaFor(const fs::path& runDir) const {
        return tta != 0 ? tta > 0 : loadRunConfig(runDir).tta;
    }
};

namespace {

std::string duration(double seconds) {
    if (seconds < 0) return "?";
    const int s = static_cast<int>(std::lround(seconds));
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%dh%02dm", s / 3600, s / 60 % 60);
    else
        std::snprintf(buf, sizeof buf, "%dm%02ds", s / 60, s % 60);
    return buf;
}

// Batch progress on a terminal; epoch lines (the log) always on stderr.
TrainCallbacks consoleCallbacks() {
    TrainCallbacks cb;
    const bool tty = ::isatty(STDERR_FILENO);
    if (tty)
        cb.onBatch = [](const BatchProgress& p) {
            std::fprintf(
                stderr,
                "\r\033[Kepoch %d%s batch %d/%d  loss %.3f  acc %.3f  lr %.4g  %.0f img/s  ETA %s",
                p.epoch, p.epochs ? ("/" + std::to_string(p.epochs)).c_str() : "", p.batch,
                p.batches, p.loss, p.accuracy, p.lr, p.imagesPerSecond,
                duration(p.etaSeconds).c_str());
            std::fflush(stderr);
        };
    cb.onLog = [tty](const std::string& line) {
        std::fprintf(stderr, "%s%s\n", tty ? "\r\033[K" : "", line.c_str());
    };
    cb.onPrepare = terminalProgress();
    return cb;
}

void printEvaluation(const EvaluationResult& r) {
    std::printf("%zu galaxies: accuracy %.4f [%.3f, %.3f], macro F1 %.4f [%.3f, %.3f]\n", r.n,
                r.accuracy, r.accuracyInterval.low, r.accuracyInterval.high, r.macroF1,
                r.macroF1Interval.low, r.macroF1Interval.high);
    std::printf(
        "(95%% intervals: Wilson for accuracy and recall, bootstrap of %d resamples for "
        "macro F1)\n",
        EvaluationResult::kBootstrapResamples);
    std::printf("%-12s %9s %9s %15s %9s %9s %9s\n", "", "precision", "recall", "recall 95%", "f1",
                "auc", "support");
    for (std::size_t c = 0; c < kMorphologyCount; ++c) {
        const auto& m = r.perClass[c];
        std::printf("%-12s %9.4f %9.4f  [%5.3f, %5.3f] %9.4f %9.4f %9zu\n",
                    std::string(kMorphologyKeys[c]).c_str(), m.precision, m.recall,
                    m.recallInterval.low, m.recallInterval.high, m.f1, m.auc, m.support);
    }
    std::printf("confusion (rows true, columns predicted):\n");
    for (std::size_t t = 0; t < kMorphologyCount; ++t) {
        std::printf("%-12s", std::string(kMorphologyKeys[t]).c_str());
        for (std::size_t p = 0; p < kMorphologyCount; ++p) std::printf(" %6zu", r.confusion[t][p]);
        std::printf("\n");
    }
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
        return kExitStopped;
    }
    return 0;
}

std::vector<SplitEntry> splitFor(const Catalog& catalog, const LabelRules& rules,
                                 const std::string& splitFile) {
    if (!splitFile.empty()) return readSplitCsv(splitFile);
    return stratifiedSplit(labeledGalaxies(catalog, labelCatalog(catalog, rules)), SplitRatios{},
                           42);
}

}  // namespace

TrainingCommands::TrainingCommands(CLI::App& app) : args_(new Args) {
    Args& a = *args_;
    TrainConfig& c = a.config;
    std::string models;
    for (const auto& m : availableModels()) models += (models.empty() ? "" : "|") + m;

    a.train = app.add_subcommand("train", "Train a network; writes a run folder");
    addCatalogOptions(a.train, a.catalog);
    a.train->add_option("--split", a.split,
                        "split.csv (default: label with the rules and split 0.8/0.1/0.1, seed 42)");
    a.train->add_option("--model", c.model, models)->capture_default_str();
    auto* epochs = a.train->add_option("--epochs", c.epochs, "Epochs in all");
    a.train->add_option("--minutes", c.minutes,
                        "Training time in all (the budget includes validation)");
    a.train->add_option("--batch", c.batch, "Batch size")->capture_default_str();
    a.train->add_option("--lr", c.lr, "Peak learning rate")->capture_default_str();
    a.train->add_option("--schedule", c.schedule, "cosine|step|constant")->capture_default_str();
    a.train->add_option("--warmup", c.warmupEpochs, "Linear warm-up epochs")->capture_default_str();
    a.train->add_option("--step-every", c.stepEvery, "step schedule: divide by 10 every N steps")
        ->capture_default_str();
    a.train->add_option("--weight-decay", c.weightDecay, "L2 weight decay")->capture_default_str();
    a.train->add_option("--label-smoothing", c.labelSmoothing, "Label smoothing")
        ->capture_default_str();
    a.train->add_option("--balance", c.balance, "none|sample|weight|sqrt")->capture_default_str();
    a.train
        ->add_option("--patience", c.earlyStopPatience,
                     "Early stopping patience in epochs (0: off)")
        ->capture_default_str();
    a.train
        ->add_option("--select", c.selectMetric,
                     "Validation metric for the best checkpoint: loss|accuracy|macro_f1")
        ->capture_default_str();
    a.train->add_flag("--tta,!--no-tta", c.tta,
                      "Test-time augmentation (8 rotations and flips) in the final evaluation "
                      "(default: on)");
    a.train->add_option("--threads", c.threads, "LibTorch threads (default: every core)");
    a.train->add_option("--loader-threads", c.loaderThreads, "Batch-preparing threads")
        ->capture_default_str();
    a.train->add_option("--device", c.device, "auto|cpu|cuda")->capture_default_str();
    a.train->add_option("--seed", c.seed, "Random seed")->capture_default_str();
    a.train->add_option("--params", a.params, "Augmentation parameters JSON")
        ->check(CLI::ExistingFile);
    a.train->add_option("--rules", a.rules, "Label rules JSON")->check(CLI::ExistingFile);
    addWorkspaceOption(a.train, a.workspace);
    a.train->add_option("--out", a.out, "Run folder to create")->required();
    a.train->add_flag("--json", a.json, "Print the outcome as one JSON object");
    (void)epochs;

    a.resume =
        app.add_subcommand("resume", "Continue a stopped or killed run from its last checkpoint");
    a.resume->add_option("--run", a.run, "Run folder")->required()->check(CLI::ExistingDirectory);
    a.resume->add_option("--epochs", a.epochs, "New epoch limit, in all");
    a.resume->add_option("--minutes", a.minutes, "New time budget, in all");
    addWorkspaceOption(a.resume, a.workspace);
    a.resume->add_flag("--json", a.json, "Print the outcome as one JSON object");

    a.evaluate = app.add_subcommand("evaluate", "Evaluate a run's model on labeled galaxies");
    a.evaluate->add_option("--run", a.run, "Run folder")->required()->check(CLI::ExistingDirectory);
    addCatalogOptions(a.evaluate, a.catalog);
    auto* split =
        a.evaluate->add_option("--split", a.split, "split.csv (default: every labeled galaxy)");
    a.evaluate->add_option("--subset", a.subset, "val|test (with --split)")
        ->needs(split)
        ->capture_default_str();
    a.evaluate
        ->add_flag("--tta,!--no-tta", a.tta,
                   "Average over the 8 rotations and flips (default: as the run's config)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    a.evaluate->add_option("--threads", a.threads, "Threads (default: every core)");
    addWorkspaceOption(a.evaluate, a.workspace);
    a.evaluate->add_option("--out", a.evalOut, "Folder for predictions.csv and confusion.json");
    a.evaluate->add_flag("--json", a.json, "Print the metrics as one JSON object");

    a.predict = app.add_subcommand("predict", "Predict the morphology of every JPEG in a folder");
    a.predict->add_option("--run", a.run, "Run folder")->required()->check(CLI::ExistingDirectory);
    a.predict->add_option("--images", a.images, "Folder of JPEGs")->required();
    a.predict->add_option("--out", a.predictionsOut, "predictions.csv to write")->required();
    a.predict
        ->add_flag("--tta,!--no-tta", a.tta,
                   "Average over the 8 rotations and flips (default: as the run's config)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    a.predict->add_option("--threads", a.threads, "Threads (default: every core)");
}

TrainingCommands::~TrainingCommands() {
    delete args_;
}

std::optional<int> TrainingCommands::run(const std::stop_token& stop) {
    Args& a = *args_;
    const fs::path workspace = workspaceOrDefault(a.workspace);
    if (a.train->parsed()) {
        if (a.config.epochs == 0 && a.config.minutes == 0) a.config.epochs = 30;
        if (!a.params.empty()) a.config.augmentation = AugmentationParams::load(a.params);
        if (!a.rules.empty()) a.config.rules = LabelRules::load(a.rules);
        a.config.validate();
        const Catalog catalog = openCatalog(a.catalog, stop);
        const auto split = splitFor(catalog, a.config.rules, a.split);
        const auto outcome =
            startTraining(a.out, a.config, catalog, split, workspace, stop, consoleCallbacks());
        return reportOutcome(outcome, a.out, a.json);
    }
    if (a.resume->parsed()) {
        const auto outcome =
            resumeTraining(a.run, workspace, a.epochs, a.minutes, stop, consoleCallbacks());
        return reportOutcome(outcome, a.run, a.json);
    }
    if (a.evaluate->parsed()) {
        const TrainConfig cfg = loadRunConfig(a.run);
        const Catalog catalog = openCatalog(a.catalog, stop);
        if (!a.evalOut.empty()) {
            // Neither into the data nor over the run's own test results.
            refuseWritingIntoData(a.evalOut, &catalog);
            if (isInsideFolder(a.run, a.evalOut) || isInsideFolder(a.evalOut, a.run))
                throw DataError(a.evalOut,
                                "would write over the run's own results; choose "
                                "another --out");
        }
        std::vector<LabeledGalaxy> galaxies;
        if (!a.split.empty()) {
            const auto subset = subsetFromKey(a.subset);
            if (!subset || *subset == Subset::Train)
                throw DataError("--subset must be val or test");
            for (const auto& e : readSplitCsv(a.split))
                if (e.subset == *subset) galaxies.push_back({e.id, e.label});
        } else {
            galaxies = labeledGalaxies(catalog, labelCatalog(catalog, cfg.rules));
        }
        std::vector<std::string> skipped;
        const auto predictions =
            predictCatalog(a.run, catalog, galaxies, workspace, a.ttaFor(a.run), a.threads, stop,
                           terminalProgress(), &skipped);
        for (std::size_t i = 0; i < std::min<std::size_t>(skipped.size(), 5); ++i)
            std::cerr << "skipped: " << skipped[i] << "\n";
        if (skipped.size() > 5) std::cerr << "skipped " << skipped.size() << " images in all\n";
        const EvaluationResult result = evaluate(predictions);
        if (!a.evalOut.empty()) {
            writePredictionsCsv(fs::path(a.evalOut) / "predictions.csv", predictions);
            const std::string text = result.toJson();
            writeFileAtomically(fs::path(a.evalOut) / "confusion.json",
                                [&](std::ostream& out) { out << text << '\n'; });
        }
        if (a.json)
            std::cout << result.toJson() << "\n";
        else
            printEvaluation(result);
        return 0;
    }
    if (a.predict->parsed()) {
        refuseWritingIntoData(a.predictionsOut, nullptr, {a.images});
        std::vector<std::string> skipped;
        const auto predictions = predictFolder(a.run, a.images, a.ttaFor(a.run), a.threads, stop,
                                               terminalProgress(), &skipped);
        for (const auto& s : skipped) std::cerr << "skipped: " << s << "\n";
        writePredictionsCsv(a.predictionsOut, predictions);
        std::array<std::size_t, kMorphologyCount> counts{};
        for (const auto& p : predictions) ++counts[static_cast<std::size_t>(p.predicted())];
        std::printf("predicted %zu images (%zu skipped) into %s\n", predictions.size(),
                    skipped.size(), a.predictionsOut.c_str());
        for (std::size_t c = 0; c < kMorphologyCount; ++c)
            std::printf("%-12s %7zu\n", std::string(kMorphologyKeys[c]).c_str(), counts[c]);
        return 0;
    }
    return std::nullopt;
}

}  // namespace gz::cli
