// galaxy-cli demo, label and split: a data set to start from, its labels, and their partition.

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_commands.h"
#include "cli_common.h"
#include "gz/catalog.h"
#include "gz/constants.h"
#include "gz/demo.h"
#include "gz/labeling.h"
#include "gz/partition.h"

namespace gz::cli {
namespace {

using nlohmann::json;

// ---- label -------------------------------------------------------------------------------

struct LabelArgs {
    CatalogArgs catalog;
    std::string rules, out;
    bool json = false;
};

int runLabel(const LabelArgs& a, const std::stop_token& stop) {
    const Catalog catalog = openCatalog(a.catalog, stop);
    const LabelRules rules = a.rules.empty() ? LabelRules::defaults() : LabelRules::load(a.rules);
    const Labeling labeling = labelCatalog(catalog, rules);
    catalog.requireOutside(a.out, "output");
    refuseOverwritingInput(a.out, {catalog.csvPath(), a.rules});
    writeLabelsCsv(a.out, catalog, labeling);
    if (a.json) {
        std::cout << json{{"counts", countsJson(labeling.counts)},
                          {"unlabeled", labeling.unlabeled}}
                         .dump()
                  << "\n";
    } else {
        for (int i = 0; i < kMorphologyCount; ++i)
            std::printf("%-12s %7zu\n", std::string(kMorphologyKeys[i]).c_str(),
                        labeling.counts[i]);
        std::printf("%-12s %7zu\n", "unlabeled", labeling.unlabeled);
        std::printf("wrote %s (%zu galaxies)\n", a.out.c_str(), catalog.size());
    }
    return kExitOk;
}

Command addLabel(CLI::App& app) {
    auto a = std::make_shared<LabelArgs>();
    auto* cmd = app.add_subcommand("label", "Label galaxies into the five morphologies");
    addCatalogOptions(cmd, a->catalog);
    cmd->add_option("--rules", a->rules, "Label rules JSON (default: the paper's)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--out", a->out, "Output labels.csv")->required();
    cmd->add_flag("--json", a->json, "Print the counts as one JSON object");
    return {cmd, [a](const std::stop_token& stop) { return runLabel(*a, stop); }};
}

// ---- split -------------------------------------------------------------------------------

struct SplitArgs {
    std::string labels, ratios = SplitRatios{}.text(), out;
    std::uint64_t seed = kDefaultSeed;
    bool json = false;
};

int runSplit(const SplitArgs& a) {
    const auto galaxies = readLabelsCsv(a.labels);
    const auto ratios = SplitRatios::parse(a.ratios);
    const auto split = stratifiedSplit(galaxies, ratios, a.seed);
    refuseOverwritingInput(a.out, {a.labels});
    writeSplitCsv(a.out, split);

    const SplitCounts counts = countSplit(split);
    if (a.json) {
        json j = json::object();
        for (std::size_t s = 0; s < 3; ++s) {
            json subset = countsJson(counts.labeled[s]);
            subset[std::string(kUnlabeledKey)] = counts.unlabeled[s];
            j[std::string(kSubsetKeys[s])] = subset;
        }
        std::cout << j.dump() << "\n";
    } else {
        std::printf("%-12s %7s %7s %7s\n", "", "train", "val", "test");
        for (int i = 0; i < kMorphologyCount; ++i)
            std::printf("%-12s %7zu %7zu %7zu\n", std::string(kMorphologyKeys[i]).c_str(),
                        counts.labeled[0][i], counts.labeled[1][i], counts.labeled[2][i]);
        std::printf("%-12s %7zu %7zu %7zu\n", std::string(kUnlabeledKey).c_str(),
                    counts.unlabeled[0], counts.unlabeled[1], counts.unlabeled[2]);
        std::printf("wrote %s (%zu labeled and %zu unlabeled galaxies, seed %llu)\n", a.out.c_str(),
                    counts.labeledTotal(), counts.unlabeledTotal(),
                    static_cast<unsigned long long>(a.seed));
    }
    return kExitOk;
}

Command addSplit(CLI::App& app) {
    auto a = std::make_shared<SplitArgs>();
    auto* cmd = app.add_subcommand("split", "Stratified train/val/test partition");
    cmd->add_option("--labels", a->labels, "labels.csv from 'label'")->required();
    cmd->add_option("--ratios", a->ratios, "train,val,test fractions")->capture_default_str();
    cmd->add_option("--seed", a->seed, "Random seed")->capture_default_str();
    cmd->add_option("--out", a->out, "Output split.csv")->required();
    cmd->add_flag("--json", a->json, "Print the counts per split as one JSON object");
    return {cmd, [a](const std::stop_token&) { return runSplit(*a); }};
}

// ---- demo --------------------------------------------------------------------------------

struct DemoArgs {
    std::string out;
    DemoOptions options;
};

int runDemo(const DemoArgs& a, const std::stop_token& stop) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto truth = writeDemoDataset(a.out, a.options, stop, terminalProgress());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("wrote %zu galaxies to %s in %.1f s\n", truth.size(), a.out.c_str(), s);
    return kExitOk;
}

Command addDemo(CLI::App& app) {
    auto a = std::make_shared<DemoArgs>();
    auto* cmd = app.add_subcommand("demo", "Write a synthetic data set in the Kaggle layout");
    cmd->add_option("--out", a->out, "Output folder")->required();
    cmd->add_option("--count", a->options.count, "Number of galaxies")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--seed", a->options.seed, "Random seed")->capture_default_str();
    return {cmd, [a](const std::stop_token& stop) { return runDemo(*a, stop); }};
}

}  // namespace

void registerDatasetCommands(CLI::App& app, Context& ctx) {
    // In the order --help lists them: the pipeline's first steps, then the synthetic data set.
    ctx.add(addLabel(app));
    ctx.add(addSplit(app));
    ctx.add(addDemo(app));
}

}  // namespace gz::cli
