// galaxy-cli evaluate and predict: a run's model applied to labeled galaxies or to a folder of
// images.

#include <algorithm>
#include <array>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_commands.h"
#include "cli_common.h"
#include "cli_report.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/evaluation.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/partition.h"
#include "gz/run_folder.h"
#include "gz/train_options.h"
#include "gz/training.h"
#include "gz/vote_fit.h"

namespace gz::cli {
namespace {

namespace fs = std::filesystem;

// ---- evaluate ----------------------------------------------------------------------------

struct EvaluateArgs {
    CatalogArgs catalog;
    std::string run, split, subset = "test", workspace, out;
    std::string precision;  // "": as the run was trained
    std::string decision;   // "": as the run's configuration says
    std::string checkpoint{optionKey(CheckpointChoice::Best)};
    int tta = 0;
    int threads = 0;
    bool json = false, every = false;
};

/// The galaxies to evaluate on: the --subset of the --split file, every galaxy the run's label
/// rules label, or with --every-galaxy and a votes head all the catalog's. Unlabeled galaxies
/// (all the catalog's, or the subset's, with a votes head) count in the fractions' RMSE only;
/// without a head they would be predicted for nothing.
std::vector<LabeledGalaxy> galaxiesToEvaluate(const EvaluateArgs& a, const Catalog& catalog,
                                              const TrainConfig& cfg) {
    if (a.every && cfg.hasVotesHead())
        return everyGalaxy(catalog, labelCatalog(catalog, cfg.rules));
    if (a.split.empty()) return labeledGalaxies(catalog, labelCatalog(catalog, cfg.rules));
    const auto subset = subsetFromKey(a.subset);
    if (!subset || *subset == Subset::Train) throw DataError("--subset must be val or test");
    return readSplitSubset(
        a.split, *subset, cfg.hasVotesHead() ? SplitRows::LabeledAndUnlabeled : SplitRows::Labeled);
}

int runEvaluate(const EvaluateArgs& a, const std::stop_token& stop) {
    const TrainConfig cfg = loadRunConfig(a.run);
    const Catalog catalog = openCatalog(a.catalog, stop);
    if (!a.out.empty()) {
        // Neither into the data nor over the run's own test results.
        catalog.requireOutside(a.out, "output");
        if (isInsideFolder(a.run, a.out) || isInsideFolder(a.out, a.run))
            throw DataError(a.out, "would write over the run's own results; choose another --out");
    }
    const auto galaxies = galaxiesToEvaluate(a, catalog, cfg);
    std::vector<std::string> skipped;
    const auto predictions = predictCatalog(
        a.run, catalog, galaxies, workspaceOrDefault(a.workspace), ttaFor(a.tta, a.run),
        optionFrom<Precision>(a.precision), a.threads, stop, terminalProgress(), &skipped,
        requireOption<CheckpointChoice>(a.checkpoint), optionFrom<Decision>(a.decision));
    for (std::size_t i = 0; i < std::min<std::size_t>(skipped.size(), 5); ++i)
        std::cerr << "skipped: " << skipped[i] << "\n";
    if (skipped.size() > 5) std::cerr << "skipped " << skipped.size() << " images in all\n";
    const EvaluationResult result = evaluate(predictions);
    // A votes head's fractions against the volunteers', next to the run's training mean.
    const bool votes = cfg.hasVotesHead();
    const VoteFit fit = votes ? evaluateVotes(predictions, catalog,
                                              readVotesMeanIfAny(RunFolder{a.run}.votesMean()))
                              : VoteFit();
    if (!a.out.empty()) {
        const RunFolder outFolder{a.out};
        // The galaxies the accuracy counts, as in a run folder; every galaxy in the fractions.
        writePredictionsCsv(outFolder.predictions(), labeledOnly(predictions));
        if (votes) writeFractionsCsv(outFolder.fractions(), predictions);
        const std::string text = result.toJson();
        writeFileAtomically(outFolder.confusion(), [&](std::ostream& out) { out << text << '\n'; });
    }
    if (a.json) {
        auto all = nlohmann::json::parse(result.toJson());
        if (votes) all["votes"] = nlohmann::json::parse(fit.toJson());
        std::cout << all.dump() << "\n";
    } else {
        printEvaluation(result);
        if (votes) printVoteFit(fit);
    }
    return kExitOk;
}

Command addEvaluate(CLI::App& app) {
    auto a = std::make_shared<EvaluateArgs>();
    auto* cmd = app.add_subcommand("evaluate", "Evaluate a run's model on labeled galaxies");
    addRunOption(cmd, a->run);
    addCatalogOptions(cmd, a->catalog);
    auto* split = cmd->add_option("--split", a->split, "split.csv (default: every labeled galaxy)");
    auto* subset = cmd->add_option("--subset", a->subset, "val|test (with --split)")
                       ->needs(split)
                       ->capture_default_str();
    cmd->add_flag("--every-galaxy", a->every,
                  "Every galaxy of the catalog: the labeled ones for the accuracy, all of them "
                  "for the vote fractions' RMSE (a run with a votes head)")
        ->excludes(split)
        ->excludes(subset);
    cmd->add_option("--checkpoint", a->checkpoint,
                    "The run's model, or its last epoch's weights whatever it selected: " +
                        joinOptionKeys(optionKeys<CheckpointChoice>(), "|"))
        ->check(CLI::IsMember(optionKeys<CheckpointChoice>()))
        ->capture_default_str();
    addTtaFlag(cmd, a->tta);
    addPrecisionOption(cmd, a->precision,
                       "as the run was trained (fp32 where this CPU has no bfloat16)");
    addDecisionOption(cmd, a->decision, "as the run was trained");
    addThreadsOption(cmd, a->threads);
    addWorkspaceOption(cmd, a->workspace);
    cmd->add_option("--out", a->out, "Folder for predictions.csv and confusion.json");
    cmd->add_flag("--json", a->json, "Print the metrics as one JSON object");
    return {cmd, [a](const std::stop_token& stop) { return runEvaluate(*a, stop); }};
}

// ---- predict -----------------------------------------------------------------------------

struct PredictArgs {
    std::string run, images, out, fractions;
    std::string precision;  // "": as the run was trained
    std::string decision;   // "": as the run's configuration says
    int tta = 0;
    int threads = 0;
};

int runPredict(const PredictArgs& a, const std::stop_token& stop) {
    requireOutsideDataFolder(a.out, a.images, "output");
    if (!a.fractions.empty()) {
        requireOutsideDataFolder(a.fractions, a.images, "fractions file");
        if (!loadRunConfig(a.run).hasVotesHead())
            throw DataError(a.run,
                            "the run's model has no votes head: it predicts no vote "
                            "fractions (train with --votes-weight)");
    }
    std::vector<std::string> skipped;
    const auto predictions = predictFolder(
        a.run, a.images, ttaFor(a.tta, a.run), optionFrom<Precision>(a.precision), a.threads, stop,
        terminalProgress(), &skipped, optionFrom<Decision>(a.decision));
    for (const auto& s : skipped) std::cerr << "skipped: " << s << "\n";
    if (!a.fractions.empty()) writeFractionsCsv(a.fractions, predictions);
    writePredictionsCsv(a.out, predictions);
    std::array<std::size_t, kMorphologyCount> counts{};
    for (const auto& p : predictions) ++counts[static_cast<std::size_t>(p.predicted())];
    std::printf("predicted %zu images (%zu skipped) into %s\n", predictions.size(), skipped.size(),
                a.out.c_str());
    for (std::size_t c = 0; c < kMorphologyCount; ++c)
        std::printf("%-12s %7zu\n", std::string(kMorphologyKeys[c]).c_str(), counts[c]);
    return kExitOk;
}

Command addPredict(CLI::App& app) {
    auto a = std::make_shared<PredictArgs>();
    auto* cmd = app.add_subcommand("predict", "Predict the morphology of every JPEG in a folder");
    addRunOption(cmd, a->run);
    cmd->add_option("--images", a->images, "Folder of JPEGs")->required();
    cmd->add_option("--out", a->out, "predictions.csv to write")->required();
    cmd->add_option("--fractions", a->fractions,
                    "Also the 37 predicted vote fractions, in Kaggle's submission layout "
                    "(GalaxyID,Class1.1,...,Class11.6; a run with a votes head)");
    addTtaFlag(cmd, a->tta);
    addPrecisionOption(cmd, a->precision,
                       "as the run was trained (fp32 where this CPU has no bfloat16)");
    addDecisionOption(cmd, a->decision, "as the run was trained");
    addThreadsOption(cmd, a->threads);
    return {cmd, [a](const std::stop_token& stop) { return runPredict(*a, stop); }};
}

}  // namespace

void registerEvaluateCommands(CLI::App& app, Context& ctx) {
    ctx.add(addEvaluate(app));
    ctx.add(addPredict(app));
}

}  // namespace gz::cli
