#include "cli_common.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "gz/error.h"
#include "gz/files.h"
#include "gz/train_options.h"
#include "gz/training.h"

namespace gz::cli {
namespace fs = std::filesystem;

void addTtaFlag(CLI::App* cmd, int& tta) {
    cmd->add_flag("--tta,!--no-tta", tta,
                  "Average over the 8 rotations and flips (default: as the run's config)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

bool ttaFor(int tta, const fs::path& runDir) {
    if (const auto chosen = ttaChoice(tta)) return *chosen;
    return loadRunConfig(runDir).tta;
}

std::optional<bool> ttaChoice(int tta) {
    if (tta == 0) return std::nullopt;
    return tta > 0;
}

void addThreadsOption(CLI::App* cmd, int& threads) {
    cmd->add_option("--threads", threads, "Threads (default: every core)");
}

void addMapOptions(CLI::App* cmd, MapOptions& map) {
    cmd->add_option("--seed", map.seed, "Seed of the layout")->capture_default_str();
    cmd->add_option("--neighbours", map.neighbours, "Neighbours of each galaxy in the graph")
        ->capture_default_str()
        ->check(CLI::Range(2, 200));
    cmd->add_option("--pca", map.pcaComponents, "Principal components kept first")
        ->capture_default_str()
        ->check(CLI::Range(2, 4096));
    cmd->add_option("--epochs", map.epochs,
                    "Layout passes (0: 500 up to 10,000 galaxies, else 200)")
        ->capture_default_str()
        ->check(CLI::Range(0, 100000));
}

int usageError(std::string_view message) {
    std::cerr << "galaxy-cli: " << message << " (see --help)\n";
    return kExitUsage;
}

ProgressFn terminalProgress() {
    if (!::isatty(STDERR_FILENO)) return {};
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    return [last](std::size_t done, std::size_t total, std::string_view message) {
        const auto now = std::chrono::steady_clock::now();
        if (done < total && now - *last < std::chrono::milliseconds(200)) return;
        *last = now;
        if (total == 0) {  // a note (e.g. stale temporaries removed), not a count
            std::fprintf(stderr, "\r\033[K%.*s\n", static_cast<int>(message.size()),
                         message.data());
            std::fflush(stderr);
            return;
        }
        std::fprintf(stderr, "\r\033[K%.*s %zu/%zu", static_cast<int>(message.size()),
                     message.data(), done, total);
        if (done >= total) std::fputc('\n', stderr);
        std::fflush(stderr);
    };
}

void refuseOverwritingInput(const fs::path& out, const std::vector<fs::path>& inputs) {
    std::error_code ec;
    for (const auto& in : inputs)
        if (!in.empty() && fs::exists(out, ec) && fs::equivalent(out, in, ec))
            throw DataError(out, "is an input file; choose another output path");
}

void addCatalogOptions(CLI::App* cmd, CatalogArgs& a) {
    auto* data = cmd->add_option("--data", a.data,
                                 "Data folder in the Kaggle layout (images_training_rev1/ + "
                                 "training_solutions_rev1.csv)");
    auto* csv = cmd->add_option("--csv", a.csv, "Vote-fraction CSV (instead of --data)");
    cmd->add_option("--images", a.images, "Image folder for --csv (optional)")->needs(csv);
    data->excludes(csv);
}

Catalog openCatalog(const CatalogArgs& a, const std::stop_token& stop) {
    CatalogSource source;
    if (!a.data.empty())
        source = CatalogSource::kaggleFolder(a.data);
    else if (!a.csv.empty()) {
        source.csv = a.csv;
        if (!a.images.empty()) source.imageDir = fs::path(a.images);
    } else
        throw CLI::RequiredError("--data or --csv");
    Catalog catalog = Catalog::open(source, stop, terminalProgress());
    if (catalog.missingImages().count)
        std::cerr << "warning: " << catalog.missingImages().summary() << "\n";
    return catalog;
}

nlohmann::json countsJson(const std::array<std::size_t, kMorphologyCount>& counts) {
    nlohmann::json j = nlohmann::json::object();
    for (std::size_t i = 0; i < kMorphologyCount; ++i)
        j[std::string(kMorphologyKeys[i])] = counts[i];
    return j;
}

void addRunOption(CLI::App* cmd, std::string& run) {
    cmd->add_option("--run", run, "Run folder")->required()->check(CLI::ExistingDirectory);
}

CLI::Option* addPrecisionOption(CLI::App* cmd, std::string& key, const std::string& byDefault) {
    return cmd
        ->add_option("--precision", key,
                     joinOptionKeys(optionKeys<Precision>(), "|") +
                         ": bf16 runs the convolutions in bfloat16 (needs AVX512_BF16 or "
                         "AMX-BF16), auto where the CPU has it, else fp32; default: " +
                         byDefault)
        ->check(CLI::IsMember(optionKeys<Precision>()));
}

CLI::Option* addDecisionOption(CLI::App* cmd, std::string& key, const std::string& byDefault) {
    return cmd
        ->add_option("--decision", key,
                     joinOptionKeys(optionKeys<Decision>(), "|") +
                         ": how a model with a votes head decides the five classes: its "
                         "classification head combined with the fractions the label rules read, "
                         "either alone; default: " +
                         byDefault)
        ->check(CLI::IsMember(optionKeys<Decision>()));
}

void addWorkspaceOption(CLI::App* cmd, std::string& workspace) {
    cmd->add_option("--workspace", workspace,
                    "Workspace for caches and runs (default: " + defaultWorkspace().string() + ")");
}

void addFoldOptions(CLI::App* cmd, std::string& labels, int& folds, const std::string& use) {
    cmd->add_option("--labels", labels,
                    "labels.csv to " + use + " (default: the label rules' labels of the data set)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--folds", folds, "Cross-validation folds")
        ->capture_default_str()
        ->check(CLI::Range(2, 20));
}

fs::path workspaceOrDefault(const std::string& workspace) {
    return workspace.empty() ? defaultWorkspace() : fs::path(workspace);
}

void addWorldOptions(CLI::App* cmd, WorldArgs& args) {
    const std::string group = "Data-parallel training (default: from RANK/WORLD_SIZE, else Slurm)";
    cmd->add_option("--world-size", args.size, "Ranks training together")
        ->check(CLI::Range(1, 100000))
        ->group(group);
    cmd->add_option("--rank", args.rank, "This process's rank, 0 .. world size - 1")
        ->check(CLI::NonNegativeNumber)
        ->group(group);
    cmd->add_option("--master", args.master, "HOST:PORT where rank 0 meets the others")
        ->group(group);
    cmd->add_option("--dist-timeout", args.timeoutSeconds,
                    "Seconds to wait for a rank that does not arrive or answer (default " +
                        std::to_string(static_cast<int>(World::kDefaultTimeoutSeconds)) + ")")
        ->check(CLI::PositiveNumber)
        ->group(group);
}

}  // namespace gz::cli
