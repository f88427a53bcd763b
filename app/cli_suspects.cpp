// galaxy-cli suspects: labels that are probably wrong, by cross-validation and confident
// learning (gz/suspects.h).

#include <cstdio>
#include <memory>
#include <string>

#include "cli_commands.h"
#include "cli_common.h"
#include "cli_train_options.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/labeling.h"
#include "gz/suspects.h"

namespace gz::cli {
namespace {

// The default time of all folds together: "a few minutes" on 2 cores.
constexpr double kDefaultMinutes = 4;

struct SuspectsArgs {
    CatalogArgs catalog;
    TrainOptionArgs train;
    std::string labels, workspace, out;
    int folds = 5;
    std::size_t show = 10;
};

int runSuspects(const SuspectsArgs& a, const CLI::App* cmd, const std::stop_token& stop) {
    TrainOptionArgs train = a.train;
    const bool minutesGiven = cmd->get_option("--minutes")->count() > 0;
    const bool epochsGiven = cmd->get_option("--epochs")->count() > 0;
    if (!minutesGiven) train.config.minutes = epochsGiven ? 0 : kDefaultMinutes;
    const TrainConfig config = trainConfigFrom(train);
    const Catalog catalog = openCatalog(a.catalog, stop);
    catalog.requireOutside(a.out, "output");
    const auto galaxies = a.labels.empty()
                              ? labeledGalaxies(catalog, labelCatalog(catalog, config.rules))
                              : readLabelsCsv(a.labels);
    refuseOverwritingInput(a.out, {a.labels, catalog.csvPath()});
    SuspectOptions options;
    options.folds = a.folds;
    options.training = config;
    const SuspectSearch s = findSuspects(catalog, galaxies, workspaceOrDefault(a.workspace),
                                         options, stop, terminalProgress());
    writeSuspectsCsv(a.out, s.suspects, catalog, config.rules);
    std::printf("%zu suspects among %zu labeled galaxies (%d folds; runs in %s)\n",
                s.suspects.size(), s.outOfSample.size(), a.folds, s.folder.c_str());
    std::printf("thresholds:");
    for (std::size_t c = 0; c < kMorphologyCount; ++c)
        std::printf(" %s %.3f", std::string(kMorphologyKeys[c]).c_str(),
                    static_cast<double>(s.thresholds[c]));
    std::printf("\n");
    for (std::size_t i = 0; i < std::min(a.show, s.suspects.size()); ++i) {
        const Suspect& x = s.suspects[i];
        std::printf("%3zu  %lld  labeled %s (p %.2f), looks %s (p %.2f)\n", i + 1,
                    static_cast<long long>(x.id), std::string(morphologyKey(x.given)).c_str(),
                    static_cast<double>(x.pGiven), std::string(morphologyKey(x.suspected)).c_str(),
                    static_cast<double>(x.pSuspected));
    }
    std::printf("wrote %s\n", a.out.c_str());
    return kExitOk;
}

Command addSuspects(CLI::App& app) {
    auto a = std::make_shared<SuspectsArgs>();
    auto* cmd = app.add_subcommand(
        "suspects",
        "Rank the labels that are probably wrong (k-fold training, confident learning)");
    addCatalogOptions(cmd, a->catalog);
    addFoldOptions(cmd, a->labels, a->folds, "check");
    cmd->add_option("--out", a->out, "suspects.csv to write")->required();
    cmd->add_option("--show", a->show, "Suspects to print")->capture_default_str();
    addWorkspaceOption(cmd, a->workspace);
    addTrainOptions(cmd, a->train);
    cmd->get_option("--minutes")
        ->description("Training time of all folds together (default: 4; with --epochs only, none)");
    return {cmd, [a, cmd](const std::stop_token& stop) { return runSuspects(*a, cmd, stop); }};
}

}  // namespace

void registerSuspectsCommands(CLI::App& app, Context& ctx) {
    ctx.add(addSuspects(app));
}

}  // namespace gz::cli
