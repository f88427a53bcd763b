// galaxy-cli preprocess: a split's images decoded into the workspace cache, optionally exported
// as the original workflow's .npy files.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_commands.h"
#include "cli_common.h"
#include "gz/cache_shards.h"
#include "gz/catalog.h"
#include "gz/partition.h"
#include "gz/preprocess.h"

namespace gz::cli {
namespace {

struct PreprocessArgs {
    CatalogArgs catalog;
    std::string split, out, params, workspace, shard;
    PreprocessOptions options;
};

void printSkipped(const PreprocessSummary& summary, const std::string& seeAlso) {
    const auto& skipped = summary.firstSkipped;
    for (std::size_t i = 0; i < std::min<std::size_t>(skipped.size(), 10); ++i)
        std::cerr << "warning: skipped " << skipped[i].message << "\n";
    if (summary.skipped > 10)
        std::cerr << "warning: " << summary.skipped - 10 << " more skipped" << seeAlso << "\n";
}

// --shard I/N: one part of the cache, nothing else.
int runShard(const PreprocessArgs& a, const Catalog& catalog, const std::vector<SplitEntry>& split,
             const std::stop_token& stop) {
    const CachePart part = runPreprocessShard(catalog, split, a.options, CacheShard::parse(a.shard),
                                              stop, terminalProgress());
    printSkipped(part.summary, "");
    std::printf("wrote shard %s of the decoded cache: %s (%s)\n", part.shard.text().c_str(),
                part.file.c_str(), part.summary.text(0).c_str());
    return kExitOk;
}

int runPreprocessCommand(PreprocessArgs a, const std::stop_token& stop) {
    const Catalog catalog = openCatalog(a.catalog, stop);
    const auto split = readSplitCsv(a.split);
    if (!a.params.empty()) a.options.params = AugmentationParams::load(a.params);
    a.options.workspace = workspaceOrDefault(a.workspace);
    if (!a.shard.empty()) return runShard(a, catalog, split, stop);
    if (a.out.empty()) throw CLI::RequiredError("--out (or --shard I/N)");
    a.options.outDir = a.out;
    a.options.splitFile = a.split;
    const PreprocessReport r = runPreprocess(catalog, split, a.options, stop, terminalProgress());

    printSkipped(r.summary, " (see " + r.jsonFile.string() + ")");
    if (!r.cacheParts.empty()) std::cerr << "decoded cache: " << r.cacheParts << "\n";
    std::printf("decoded cache: %s (%s, %.1f s, %.1f MB)\n", r.cacheFile.c_str(),
                std::string(cacheOriginKey(r.cacheOrigin)).c_str(), r.cacheSeconds,
                static_cast<double>(r.cacheBytes) / 1e6);
    std::printf("%-6s %9s %7s %8s  (labeled galaxies)\n", "", "requested", "usable", "skipped");
    for (std::size_t s = 0; s < 3; ++s)
        std::printf("%-6s %9zu %7zu %8zu\n", std::string(kSubsetKeys[s]).c_str(),
                    r.subsets[s].requested, r.subsets[s].usable, r.subsets[s].skipped);
    std::printf(
        "wrote %s%s in %.1f s\n",
        r.npyFiles.empty() ? "" : (std::to_string(r.npyFiles.size()) + " .npy files and ").c_str(),
        r.jsonFile.c_str(), r.seconds);
    return kExitOk;
}

}  // namespace

void registerPreprocessCommands(CLI::App& app, Context& ctx) {
    auto a = std::make_shared<PreprocessArgs>();
    auto* cmd = app.add_subcommand(
        "preprocess",
        "Decode a split's images into the workspace cache; optionally export the "
        "original workflow's eight .npy files");
    addCatalogOptions(cmd, a->catalog);
    cmd->add_option("--split", a->split, "split.csv from 'split'")
        ->required()
        ->check(CLI::ExistingFile);
    auto* out = cmd->add_option("--out", a->out,
                                "Output folder (preprocess.json, .npy files); required unless "
                                "--shard");
    auto* npy = cmd->add_flag("--npy", a->options.npy,
                              "Also write the eight .npy files of the original workflow");
    cmd->add_option("--shard", a->shard,
                    "I/N: decode only shard I (from 0, as SLURM_ARRAY_TASK_ID) of N of the "
                    "split's images into a part file of the cache, and write nothing else; a "
                    "later run without --shard (or a training) assembles the cache from all N "
                    "parts without decoding")
        ->check(CLI::Validator(
            [](std::string& text) {
                try {
                    CacheShard::parse(text);
                    return std::string();
                } catch (const std::exception& e) {
                    return std::string(e.what());
                }
            },
            "I/N"))
        ->excludes(out)
        ->excludes(npy);
    cmd->add_option("--copies", a->options.copies,
                    "Augmented copies per training image (16: 2 crops x 4 rotations x "
                    "2 flips; otherwise random draws)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--threads", a->options.threads, "Worker threads (0: one per core)")
        ->capture_default_str()
        ->check(CLI::Range(0, 256));
    cmd->add_option("--seed", a->options.seed, "Random seed of the augmentation")
        ->capture_default_str();
    cmd->add_option("--params", a->params, "Augmentation parameters JSON")
        ->check(CLI::ExistingFile);
    cmd->add_option("--workspace", a->workspace,
                    "Workspace folder for the decoded cache (default: $GZ_WORKSPACE or "
                    "the application-data folder)");
    ctx.add({cmd, [a](const std::stop_token& stop) { return runPreprocessCommand(*a, stop); }});
}

}  // namespace gz::cli
