// galaxy-cli embed, map and similar: a data set as a run's model sees it.

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "cli_commands.h"
#include "cli_common.h"
#include "gz/embedding.h"
#include "gz/embedding_map.h"
#include "gz/error.h"
#include "gz/explain.h"
#include "gz/files.h"
#include "gz/jpeg_decoder.h"
#include "gz/similarity.h"

namespace gz::cli {
namespace {

namespace fs = std::filesystem;

/// What embed, map and similar share: the run, the data set, and how to embed it.
struct EmbedArgs {
    std::string run, workspace;
    CatalogArgs catalog;
    std::string precision;  // "": as the run was trained
    int tta = 0;
    int threads = 0;
};

void addEmbedOptions(CLI::App* cmd, EmbedArgs& a) {
    addRunOption(cmd, a.run);
    addCatalogOptions(cmd, a.catalog);
    addTtaFlag(cmd, a.tta);
    addPrecisionOption(cmd, a.precision,
                       "as the run was trained (fp32 where this CPU has no bfloat16)");
    addThreadsOption(cmd, a.threads);
    addWorkspaceOption(cmd, a.workspace);
}

/// The data set's embeddings (from the workspace when they are there); tells on stderr what was
/// skipped and whether they were reused.
EmbedResult embedFor(const EmbedArgs& a, const Catalog& catalog, const std::stop_token& stop) {
    EmbedOptions options;
    options.tta = ttaChoice(a.tta);
    options.precision = optionFrom<Precision>(a.precision);
    options.threads = a.threads;
    EmbedResult r = embedCatalog(a.run, catalog, workspaceOrDefault(a.workspace), options, stop,
                                 terminalProgress());
    for (std::size_t i = 0; i < std::min<std::size_t>(r.skipped.size(), 5); ++i)
        std::cerr << "skipped: " << r.skipped[i] << "\n";
    if (r.skipped.size() > 5) std::cerr << "skipped " << r.skipped.size() << " images in all\n";
    return r;
}

/// The data set and its embeddings; an --out file (when given) is refused first when it lies in
/// the data set.
struct Embedded {
    Catalog catalog;
    EmbedResult result;
};
Embedded openAndEmbed(const EmbedArgs& a, const std::string& out, const std::stop_token& stop) {
    Catalog catalog = openCatalog(a.catalog, stop);
    if (!out.empty()) catalog.requireOutside(out, "output");
    EmbedResult result = embedFor(a, catalog, stop);
    return {std::move(catalog), std::move(result)};
}

// ---- embed -------------------------------------------------------------------------------

struct EmbedCommandArgs {
    EmbedArgs embed;
    std::string out;
};

int runEmbed(const EmbedCommandArgs& a, const std::stop_token& stop) {
    const EmbedResult r = openAndEmbed(a.embed, a.out, stop).result;
    fs::path file = r.file;
    if (!a.out.empty()) {
        writeEmbeddings(a.out, r.embeddings);
        file = a.out;
    }
    std::printf("%s the embeddings of %zu galaxies, %zu values each: %s (ids: %s)\n",
                r.reused ? "reused" : "computed", r.embeddings.size(), r.embeddings.dim,
                file.c_str(), embeddingIdsFile(file).c_str());
    return kExitOk;
}

Command addEmbed(CLI::App& app) {
    auto a = std::make_shared<EmbedCommandArgs>();
    auto* cmd = app.add_subcommand(
        "embed", "Every galaxy's embedding (the model's pooled features) as .npy plus an ids file");
    addEmbedOptions(cmd, a->embed);
    cmd->add_option("--out", a->out,
                    "Copy to this .npy (and its .ids.csv); the workspace keeps its own copy");
    return {cmd, [a](const std::stop_token& stop) { return runEmbed(*a, stop); }};
}

// ---- map ---------------------------------------------------------------------------------

struct MapArgs {
    EmbedArgs embed;
    MapOptions map;
    std::string out;
};

int runMap(const MapArgs& a, const std::stop_token& stop) {
    const EmbedResult r = openAndEmbed(a.embed, a.out, stop).result;
    MapOptions options = a.map;
    options.threads = a.embed.threads;
    bool reused = false;
    const EmbeddingMap map = mapOfEmbeddings(r, options, reused, stop, terminalProgress());
    if (!reused)
        std::fprintf(stderr,
                     "map of %zu galaxies: PCA %.2f s, neighbours %.2f s, graph %.2f s, layout "
                     "%.2f s\n",
                     map.ids.size(), map.pcaSeconds, map.neighbourSeconds, map.graphSeconds,
                     map.layoutSeconds);
    if (!a.out.empty()) writeMapCsv(a.out, map);
    std::printf("%s the map of %zu galaxies: %s\n", reused ? "reused" : "laid out", map.ids.size(),
                (a.out.empty() ? mapFileFor(r.file, options) : fs::path(a.out)).c_str());
    return kExitOk;
}

Command addMap(CLI::App& app) {
    auto a = std::make_shared<MapArgs>();
    auto* cmd = app.add_subcommand(
        "map", "A 2-D map of the embeddings (PCA, then a UMAP-like neighbour-graph layout)");
    addEmbedOptions(cmd, a->embed);
    cmd->add_option("--out", a->out, "Also write GalaxyID,x,y to this CSV");
    addMapOptions(cmd, a->map);
    return {cmd, [a](const std::stop_token& stop) { return runMap(*a, stop); }};
}

// ---- similar -----------------------------------------------------------------------------

struct SimilarArgs {
    EmbedArgs embed;
    std::int64_t id = 0;
    std::string image;
    std::size_t k = 20;
    bool json = false;
};

int runSimilar(const SimilarArgs& a, const std::stop_token& stop) {
    const EmbedResult r = openAndEmbed(a.embed, {}, stop).result;
    const SimilarityIndex index(r.embeddings, a.embed.threads);
    std::vector<float> query;
    if (!a.image.empty()) {
        const RunModel model(a.embed.run, a.embed.threads);
        query =
            model.embed(decodeImage(a.image, DecodeScale::Half), ttaFor(a.embed.tta, a.embed.run));
    }
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<Neighbour> found =
        a.image.empty() ? index.nearestTo(a.id, a.k) : index.nearest(query, a.k);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (a.json) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& n : found) rows.push_back({{"id", n.id}, {"similarity", n.similarity}});
        std::cout << nlohmann::json{{"neighbours", rows},
                                    {"galaxies", index.size()},
                                    {"dim", index.dim()},
                                    {"query_ms", ms}}
                         .dump()
                  << "\n";
        return kExitOk;
    }
    std::printf("rank,GalaxyID,similarity\n");
    for (std::size_t i = 0; i < found.size(); ++i)
        std::printf("%zu,%lld,%.6f\n", i + 1, static_cast<long long>(found[i].id),
                    static_cast<double>(found[i].similarity));
    std::fprintf(stderr, "searched %zu galaxies (%zu values each) in %.2f ms\n", index.size(),
                 index.dim(), ms);
    return kExitOk;
}

Command addSimilar(CLI::App& app) {
    auto a = std::make_shared<SimilarArgs>();
    auto* cmd = app.add_subcommand(
        "similar", "The galaxies most like a galaxy or an image, by their embeddings' cosine");
    addEmbedOptions(cmd, a->embed);
    auto* id = cmd->add_option("--id", a->id, "GalaxyID of the data set to start from");
    auto* image = cmd->add_option("--image", a->image, "Or a JPEG of no data set");
    id->excludes(image);
    cmd->add_option("-k", a->k, "How many")->capture_default_str()->check(CLI::Range(1, 100000));
    cmd->add_flag("--json", a->json, "Print one JSON object");
    cmd->callback([id, image] {
        if (id->count() == 0 && image->count() == 0) throw CLI::RequiredError("--id or --image");
    });
    return {cmd, [a](const std::stop_token& stop) { return runSimilar(*a, stop); }};
}

}  // namespace

void registerExploreCommands(CLI::App& app, Context& ctx) {
    ctx.add(addEmbed(app));
    ctx.add(addMap(app));
    ctx.add(addSimilar(app));
}

}  // namespace gz::cli
