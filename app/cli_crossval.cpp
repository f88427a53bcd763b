// galaxy-cli crossval: what a training's options give on galaxies it never saw, measured over
// every labeled galaxy by k-fold cross-validation (gz/cross_validation.h).

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli_commands.h"
#include "cli_common.h"
#include "cli_report.h"
#include "cli_train_options.h"
#include "gz/catalog.h"
#include "gz/cross_validation.h"
#include "gz/labeling.h"

namespace gz::cli {
namespace {

namespace fs = std::filesystem;

struct CrossvalArgs {
    CatalogArgs catalog;
    TrainOptionArgs train;
    std::string labels, workspace, out;
    int folds = 5;
    double validationShare = CrossValidationOptions{}.validationShare;
    bool json = false;
};

// Every galaxy of the catalog with the rules' label, or those of a labels.csv; crossValidate
// keeps the unlabeled ones for a votes head only.
std::vector<LabeledGalaxy> galaxiesFor(const CrossvalArgs& a, const Catalog& catalog,
                                       const TrainConfig& config) {
    if (!a.labels.empty()) return readLabelsCsv(a.labels);
    return everyGalaxy(catalog, labelCatalog(catalog, config.rules));
}

int runCrossval(const CrossvalArgs& a, const std::stop_token& stop) {
    const TrainConfig config = trainConfigFrom(a.train);
    const Catalog catalog = openCatalog(a.catalog, stop);
    const fs::path workspace = workspaceOrDefault(a.workspace);
    if (!a.out.empty()) catalog.requireOutside(a.out, "output");
    const fs::path folder =
        a.out.empty() ? newCrossValidationFolder(workspace, "crossval") : fs::path(a.out);
    CrossValidationOptions options;
    options.folds = a.folds;
    options.validationShare = a.validationShare;
    options.training = config;
    const CrossValidation cv = crossValidate(catalog, galaxiesFor(a, catalog, config), workspace,
                                             folder, options, stop, terminalProgress());
    if (a.json) {
        std::cout << cv.toJson(catalog) << "\n";
        return kExitOk;
    }
    for (int f = 0; f < cv.folds; ++f) {
        const EvaluationResult r = cv.metricsOfFold(f);
        std::printf("fold %d: %zu labeled galaxies, accuracy %.4f, macro F1 %.4f", f + 1, r.n,
                    r.accuracy, r.macroF1);
        if (!cv.votesMean.empty()) {
            const VoteFit fit = cv.voteFitOfFold(catalog, f);
            std::printf(", RMSE %.4f on %zu galaxies", fit.rmse, fit.n);
        }
        std::printf("\n");
    }
    std::printf(
        "every fold together (each galaxy predicted by the run that did not train on it):\n");
    printEvaluation(cv.metrics());
    if (!cv.votesMean.empty()) printVoteFit(cv.voteFit(catalog));
    std::printf("fold runs and results in %s\n", cv.folder.c_str());
    return kExitOk;
}

Command addCrossval(CLI::App& app) {
    auto a = std::make_shared<CrossvalArgs>();
    auto* cmd = app.add_subcommand(
        "crossval",
        "Measure training options by k-fold cross-validation: every labeled galaxy predicted by "
        "a run that never saw it");
    addCatalogOptions(cmd, a->catalog);
    addFoldOptions(cmd, a->labels, a->folds, "use");
    cmd->add_option("--out", a->out,
                    "New folder for the fold runs and the results (default: "
                    "<workspace>/crossval/<time>-crossval)");
    cmd->add_option("--val-share", a->validationShare,
                    "Share of each fold's training galaxies kept for its validation curve and "
                    "for choosing an epoch by --select (0: train on them all; needs --select "
                    "last)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 0.5));
    cmd->add_flag("--json", a->json, "Print the results as one JSON object");
    addWorkspaceOption(cmd, a->workspace);
    addTrainOptions(cmd, a->train);
    cmd->get_option("--minutes")->description("Training time of each fold, as train's --minutes");
    cmd->get_option("--epochs")->description("Epochs of each fold, as train's --epochs");
    return {cmd, [a](const std::stop_token& stop) { return runCrossval(*a, stop); }};
}

}  // namespace

void registerCrossvalCommands(CLI::App& app, Context& ctx) {
    ctx.add(addCrossval(app));
}

}  // namespace gz::cli
