// galaxy-cli bench catalog, bench preprocess and bench train: throughput of the pipeline's
// stages (bench map and bench similar: cli_bench_explore.cpp).

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli_bench_explore.h"
#include "cli_commands.h"
#include "cli_common.h"
#include "cli_ranks.h"
#include "gz/catalog.h"
#include "gz/files.h"
#include "gz/models.h"
#include "gz/preprocess.h"
#include "gz/training.h"

namespace gz::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- bench catalog -----------------------------------------------------------------------

struct BenchCatalogArgs {
    std::size_t rows = 61578;
    int repeat = 7;
    bool json = false;
};

// A vote-fraction file like Kaggle's: GalaxyID + 37 columns with 9 significant digits.
std::string generateCatalogText(std::size_t rows) {
    std::mt19937_64 gen(7);
    std::string text = "GalaxyID";
    for (auto c : kVoteColumns) text += "," + std::string(c);
    text += "\n";
    text.reserve(rows * 420);
    char buf[32];
    for (std::size_t r = 0; r < rows; ++r) {
        text += std::to_string(100008 + r * 16);
        for (std::size_t c = 0; c < kVoteColumnCount; ++c) {
            const double v = static_cast<double>(gen() >> 11) * 0x1.0p-53;
            std::snprintf(buf, sizeof buf, ",%.9g", v);
            text += buf;
        }
        text += "\n";
    }
    return text;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int runBenchCatalog(const BenchCatalogArgs& a) {
    const std::string text = generateCatalogText(a.rows);
    const fs::path dir =
        fs::temp_directory_path() / ("gz-bench-catalog-" + std::to_string(::getpid()));
    const fs::path file = dir / "training_solutions_rev1.csv";
    writeFileAtomically(file, [&](std::ostream& out) { out << text; });

    std::vector<double> parseMs, openMs;
    using Clock = std::chrono::steady_clock;
    for (int i = 0; i < a.repeat; ++i) {
        auto t0 = Clock::now();
        const auto parsed = Catalog::parse(text, file);
        auto t1 = Clock::now();
        const auto opened = Catalog::open(CatalogSource{file, std::nullopt});
        auto t2 = Clock::now();
        if (parsed.size() != a.rows || opened.size() != a.rows)
            throw std::runtime_error("benchmark catalog has the wrong number of rows");
        parseMs.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        openMs.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
    std::error_code ec;
    fs::remove_all(dir, ec);

    const double p = median(parseMs), o = median(openMs);
    if (a.json) {
        std::cout << json{{"rows", a.rows},
                          {"bytes", text.size()},
                          {"repeat", a.repeat},
                          {"parse_ms", p},
                          {"open_ms", o},
                          {"rows_per_s", static_cast<double>(a.rows) / (o / 1000.0)}}
                         .dump()
                  << "\n";
    } else {
        std::printf("catalog: %zu rows, %.1f MB, median of %d runs\n", a.rows,
                    static_cast<double>(text.size()) / 1e6, a.repeat);
        std::printf("  parse from memory: %8.1f ms\n", p);
        std::printf("  open from disk:    %8.1f ms  (%.0f rows/s)\n", o,
                    static_cast<double>(a.rows) / (o / 1000.0));
    }
    return kExitOk;
}

Command addBenchCatalog(CLI::App& bench) {
    auto a = std::make_shared<BenchCatalogArgs>();
    auto* cmd = bench.add_subcommand("catalog", "Parse a generated Kaggle-size vote-fraction file");
    cmd->add_option("--rows", a->rows, "Rows to generate")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000000));
    cmd->add_option("--repeat", a->repeat, "Timed runs (median reported)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    cmd->add_flag("--json", a->json, "Print one JSON object");
    return {cmd, [a](const std::stop_token&) { return runBenchCatalog(*a); }};
}

// ---- bench preprocess --------------------------------------------------------------------

struct BenchPreprocessArgs {
    std::string data;
    int threads = 2;
    double seconds = 5.0;
    bool json = false;
};

int runBenchPreprocess(const BenchPreprocessArgs& a, const std::stop_token& stop) {
    // A data folder in the Kaggle layout, or a folder of images itself.
    fs::path images = fs::path(a.data) / std::string(kKaggleImageDirName);
    std::error_code ec;
    if (!fs::is_directory(images, ec)) images = a.data;
    const PreprocessBenchmark b = benchmarkPreprocess(images, a.threads, a.seconds, {}, stop);
    if (a.json) {
        std::cout << json{{"images", b.images},
                          {"threads", b.threads},
                          {"eval_images_per_s", b.evalImagesPerSecond},
                          {"train_images_per_s", b.trainImagesPerSecond}}
                         .dump()
                  << "\n";
    } else {
        std::printf(
            "preprocess: %zu images (file bytes read into memory once; each pass decodes "
            "at half size + transforms), %d threads\n",
            b.images, b.threads);
        if (b.unreadable)
            std::printf("  %zu .jpg files left out: they do not decode\n", b.unreadable);
        std::printf("  evaluation transform: %8.0f images/s  (median of %zu passes)\n",
                    b.evalImagesPerSecond, b.evalPasses);
        std::printf("  training transform:   %8.0f images/s  (median of %zu passes)\n",
                    b.trainImagesPerSecond, b.trainPasses);
    }
    return kExitOk;
}

Command addBenchPreprocess(CLI::App& bench) {
    auto a = std::make_shared<BenchPreprocessArgs>();
    auto* cmd = bench.add_subcommand(
        "preprocess",
        "Decode (half size) + evaluation / training transform over a data folder's "
        "images, from memory");
    cmd->add_option("--data", a->data, "Data folder (Kaggle layout)")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--threads", a->threads, "Worker threads")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    cmd->add_option("--seconds", a->seconds,
                    "Minimum time per transform (median of the passes reported)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 3600.0));
    cmd->add_flag("--json", a->json, "Print one JSON object");
    return {cmd, [a](const std::stop_token& stop) { return runBenchPreprocess(*a, stop); }};
}

// ---- bench train -------------------------------------------------------------------------

struct BenchTrainArgs {
    std::string model = "compact", data, workspace;
    std::string precision{optionKey(Precision::Fp32)};
    int batch = 64;
    int threads = 0;
    double seconds = 20.0;
    WorldArgs world;
    bool json = false;
};

// --world-size N without --rank: this process is rank 0 of N started here, each with an equal
// share of the cores unless --threads says otherwise.
std::unique_ptr<LocalRanks> startLocalRanks(BenchTrainArgs& a) {
    if (!a.world.size || *a.world.size < 2 || a.world.rank) return nullptr;
    const int n = *a.world.size;
    if (a.threads == 0)
        a.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / n);
    a.world.rank = 0;
    a.world.master = "127.0.0.1:" + std::to_string(freeLocalPort());
    std::vector<std::string> args{"bench",        "train",
                                  "--model",      a.model,
                                  "--batch",      std::to_string(a.batch),
                                  "--threads",    std::to_string(a.threads),
                                  "--precision",  a.precision,
                                  "--seconds",    std::to_string(a.seconds),
                                  "--world-size", std::to_string(n),
                                  "--master",     *a.world.master};
    if (a.world.timeoutSeconds)
        args.insert(args.end(), {"--dist-timeout", std::to_string(*a.world.timeoutSeconds)});
    return std::make_unique<LocalRanks>(args, n);
}

// The step's arithmetic rate against the cores' peak in its precision, and where its time goes.
void printArithmetic(const TrainBenchmark& b) {
    std::printf("  arithmetic: %.2f GFLOP an image, %.1f GFLOP/s at the compute-only speed\n",
                b.flopsPerImage / 1e9, b.computeGflops);
    const Fp32Peak& p = b.peak;
    // Percentages against the peak of the arithmetic the step ran in, of a single rank.
    const auto reached = [&](double peak, bool itsPrecision) {
        if (b.worldSize > 1 || peak <= 0 || !itsPrecision) return std::string();
        return " (" + std::to_string(static_cast<int>(std::lround(100 * b.computeGflops / peak))) +
               "% reached)";
    };
    std::printf("  fp32 peak of %d cores%s: %.1f GFLOP/s nominal%s, %.1f measured%s\n", p.threads,
                b.worldSize > 1 ? " (one rank)" : "", p.nominalGflops,
                reached(p.nominalGflops, !b.bf16).c_str(), p.measuredGflops,
                reached(p.measuredGflops, !b.bf16).c_str());
    std::printf("    %s%s%s\n", p.cpu.empty() ? "" : p.cpu.c_str(), p.cpu.empty() ? "" : ": ",
                p.how.c_str());
    if (p.bf16MeasuredGflops > 0)
        std::printf(
            "  bfloat16 peak (the same loop of VDPBF16PS dot products): %.1f GFLOP/s "
            "measured%s\n",
            p.bf16MeasuredGflops, reached(p.bf16MeasuredGflops, b.bf16).c_str());
    if (b.profile.empty()) return;
    std::printf("  where a compute-only step's time goes (LibTorch's profiler, 3 steps):\n");
    for (const StepPart& part : b.profile)
        std::printf("    %-50s %8.1f ms %5.1f%%\n", part.part.c_str(), part.milliseconds,
                    100 * part.share);
}

int runBenchTrain(BenchTrainArgs a, const std::stop_token& stop) {
    std::optional<Catalog> catalog;
    if (!a.data.empty()) catalog = Catalog::open(CatalogSource::kaggleFolder(a.data), stop);
    auto ranks = startLocalRanks(a);
    const World world = resolveWorld(a.world);
    const TrainBenchmark b =
        benchmarkTraining(a.model, a.batch, a.threads, requireOption<Precision>(a.precision),
                          a.seconds, catalog ? &*catalog : nullptr, workspaceOrDefault(a.workspace),
                          stop, world.leader() ? terminalProgress() : ProgressFn{}, world);
    if (ranks) ranks->wait();
    if (!world.leader()) return kExitOk;
    const auto orNull = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    if (a.json) {
        json j{{"model", b.model},
               {"batch", b.batch},
               {"threads", b.threads},
               {"precision", std::string(optionKey(b.bf16 ? Precision::Bf16 : Precision::Fp32))},
               {"world_size", b.worldSize},
               {"parameters", b.parameters},
               {"compute_images_per_s", b.computeImagesPerSecond},
               {"end_to_end_images_per_s", orNull(b.endToEndImagesPerSecond)}};
        j["flops_per_image"] = b.flopsPerImage;
        j["compute_gflops"] = b.computeGflops;
        j["fp32_peak"] = {{"cpu", b.peak.cpu},
                          {"threads", b.peak.threads},
                          {"lanes", b.peak.lanes},
                          {"fma_per_cycle", b.peak.fmaPerCycle},
                          {"ghz", b.peak.ghz},
                          {"nominal_gflops", b.peak.nominalGflops},
                          {"measured_gflops", b.peak.measuredGflops},
                          {"bf16_measured_gflops", b.peak.bf16MeasuredGflops},
                          {"how", b.peak.how}};
        j["profile"] = json::array();
        for (const StepPart& p : b.profile)
            j["profile"].push_back(
                {{"part", p.part}, {"ms_per_step", p.milliseconds}, {"share", p.share}});
        if (world.distributed()) {
            j["allreduce_ms_per_step"] = b.allreduceMilliseconds;
            j["allreduce_share_of_step"] = b.allreduceShare;
            j["gradient_bytes"] = b.gradientBytes;
        }
        std::cout << j.dump() << "\n";
    } else {
        std::printf("train %s: %lld parameters, batch %d, %d threads x %d ranks, %s\n",
                    b.model.c_str(), static_cast<long long>(b.parameters), b.batch, b.threads,
                    b.worldSize, b.bf16 ? "bfloat16 forward (autocast)" : "fp32");
        std::printf("  compute only (random tensors): %8.1f images/s  (median of %zu steps)\n",
                    b.computeImagesPerSecond, b.computeSteps);
        if (world.distributed())
            std::printf(
                "  gradient allreduce:            %8.2f ms a step (%.1f%% of the step, "
                "%.1f MB)\n",
                b.allreduceMilliseconds, 100 * b.allreduceShare,
                static_cast<double>(b.gradientBytes) / 1e6);
        if (std::isfinite(b.endToEndImagesPerSecond))
            std::printf("  end to end (cache + loader):   %8.1f images/s  (median of %zu steps)\n",
                        b.endToEndImagesPerSecond, b.endToEndSteps);
        printArithmetic(b);
    }
    return kExitOk;
}

Command addBenchTrain(CLI::App& bench) {
    auto a = std::make_shared<BenchTrainArgs>();
    auto* cmd = bench.add_subcommand(
        "train", "Training images/s on random tensors and, with --data, through the loader");
    cmd->add_option("--model", a->model, joinOptionKeys(availableModels(), "|"))
        ->capture_default_str();
    cmd->add_option("--batch", a->batch, "Batch size")
        ->capture_default_str()
        ->check(CLI::Range(2, 4096));
    cmd->add_option("--threads", a->threads, "LibTorch threads (0: every core)")
        ->capture_default_str()
        ->check(CLI::Range(0, 256));
    addPrecisionOption(cmd, a->precision, "fp32");
    cmd->add_option("--data", a->data, "Data folder (Kaggle layout)")
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--seconds", a->seconds, "Minimum timed seconds per measure")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 3600.0));
    addWorkspaceOption(cmd, a->workspace);
    addWorldOptions(cmd, a->world);
    cmd->footer(
        "With --world-size N and no --rank, starts N ranks on this machine (this process is "
        "rank 0), each with 1/N of the cores unless --threads is given.");
    cmd->add_flag("--json", a->json, "Print one JSON object");
    return {cmd, [a](const std::stop_token& stop) { return runBenchTrain(*a, stop); }};
}

}  // namespace

void registerBenchCommands(CLI::App& app, Context& ctx) {
    auto* bench = app.add_subcommand("bench", "Benchmarks");
    // --help lists them in the order added to `bench`; when a command line names several, the
    // first of catalog, preprocess, train, map, similar runs.
    Command preprocess = addBenchPreprocess(*bench);
    Command train = addBenchTrain(*bench);
    ctx.add(addBenchCatalog(*bench));
    ctx.add(std::move(preprocess));
    ctx.add(std::move(train));
    addBenchExploreCommands(*bench, ctx);
    ctx.add(
        {bench, [](const std::stop_token&) { return usageError("bench needs a benchmark name"); }});
}

}  // namespace gz::cli
