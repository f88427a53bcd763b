// galaxy-cli: the Galaxy Morphology Studio pipeline, headless, for scripts and clusters.
// Exit 0 on success; otherwise non-zero with a one-line reason on stderr.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

#include "cli_common.h"
#include "cli_train.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/partition.h"
#include "gz/preprocess.h"
#include "gz/training.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace gz::cli;

namespace {

constexpr int kExitDataError = 1;
constexpr int kExitCancelled = 130;

// Ctrl-C and SIGTERM request a stop; jobs end at their next checkpoint without leaving
// half-written files (every output is written atomically).
std::atomic<bool> gInterrupted{false};
extern "C" void onSignal(int) {
    gInterrupted = true;
}

class StopOnSignal {
public:
    StopOnSignal() {
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        watcher_ = std::jthread([this](std::stop_token own) {
            while (!own.stop_requested()) {
                if (gInterrupted) {
                    source_.request_stop();
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        });
    }
    std::stop_token token() const { return source_.get_token(); }

private:
    std::stop_source source_;
    std::jthread watcher_;
};

// ---- label -------------------------------------------------------------------------------

struct LabelArgs {
    CatalogArgs catalog;
    std::string rules, out;
    bool json = false;
};

int runLabel(const LabelArgs& a, const std::stop_token& stop) {
    const gz::Catalog catalog = openCatalog(a.catalog, stop);
    const gz::LabelRules rules =
        a.rules.empty() ? gz::LabelRules::defaults() : gz::LabelRules::load(a.rules);
    const gz::Labeling labeling = gz::labelCatalog(catalog, rules);
    refuseWritingIntoData(a.out, &catalog);
    refuseOverwritingInput(a.out, {catalog.csvPath(), a.rules});
    gz::writeLabelsCsv(a.out, catalog, labeling);
    if (a.json) {
        std::cout << json{{"counts", countsJson(labeling.counts)},
                          {"unlabeled", labeling.unlabeled}}
                         .dump()
                  << "\n";
    } else {
        for (int i = 0; i < gz::kMorphologyCount; ++i)
            std::printf("%-12s %7zu\n", std::string(gz::kMorphologyKeys[i]).c_str(),
                        labeling.counts[i]);
        std::printf("%-12s %7zu\n", "unlabeled", labeling.unlabeled);
        std::printf("wrote %s (%zu galaxies)\n", a.out.c_str(), catalog.size());
    }
    return 0;
}

// ---- split -------------------------------------------------------------------------------

struct SplitArgs {
    std::string labels, ratios = "0.8,0.1,0.1", out;
    std::uint64_t seed = 42;
    bool json = false;
};

int runSplit(const SplitArgs& a) {
    const auto galaxies = gz::readLabelsCsv(a.labels);
    const auto ratios = gz::SplitRatios::parse(a.ratios);
    const auto split = gz::stratifiedSplit(galaxies, ratios, a.seed);
    refuseOverwritingInput(a.out, {a.labels});
    gz::writeSplitCsv(a.out, split);

    std::array<std::array<std::size_t, gz::kMorphologyCount>, 3> counts{};
    for (const auto& e : split) ++counts[static_cast<std::size_t>(e.subset)][e.label];
    if (a.json) {
        json j = json::object();
        for (std::size_t s = 0; s < 3; ++s)
            j[std::string(gz::kSubsetKeys[s])] = countsJson(counts[s]);
        std::cout << j.dump() << "\n";
    } else {
        std::printf("%-12s %7s %7s %7s\n", "", "train", "val", "test");
        for (int i = 0; i < gz::kMorphologyCount; ++i)
            std::printf("%-12s %7zu %7zu %7zu\n", std::string(gz::kMorphologyKeys[i]).c_str(),
                        counts[0][i], counts[1][i], counts[2][i]);
        std::printf("wrote %s (%zu labeled galaxies, seed %llu)\n", a.out.c_str(), split.size(),
                    static_cast<unsigned long long>(a.seed));
    }
    return 0;
}

// ---- demo --------------------------------------------------------------------------------

struct DemoArgs {
    std::string out;
    gz::DemoOptions options;
};

int runDemo(const DemoArgs& a, const std::stop_token& stop) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto truth = gz::writeDemoDataset(a.out, a.options, stop, terminalProgress());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("wrote %zu galaxies to %s in %.1f s\n", truth.size(), a.out.c_str(), s);
    return 0;
}

// ---- preprocess --------------------------------------------------------------------------

struct PreprocessArgs {
    CatalogArgs catalog;
    std::string split, out, params, workspace;
    gz::PreprocessOptions options;
};

int runPreprocess(PreprocessArgs a, const std::stop_token& stop) {
    const gz::Catalog catalog = openCatalog(a.catalog, stop);
    const auto split = gz::readSplitCsv(a.split);
    if (!a.params.empty()) a.options.params = gz::AugmentationParams::load(a.params);
    a.options.outDir = a.out;
    a.options.workspace = workspaceOrDefault(a.workspace);
    a.options.splitFile = a.split;
    const gz::PreprocessReport r =
        gz::runPreprocess(catalog, split, a.options, stop, terminalProgress());

    const auto& skipped = r.summary.firstSkipped;
    for (std::size_t i = 0; i < std::min<std::size_t>(skipped.size(), 10); ++i)
        std::cerr << "warning: skipped " << skipped[i].message << "\n";
    if (r.summary.skipped > 10)
        std::cerr << "warning: " << r.summary.skipped - 10 << " more skipped (see "
                  << r.jsonFile.string() << ")\n";
    std::printf("decoded cache: %s (%s, %.1f s, %.1f MB)\n", r.cacheFile.c_str(),
                r.cacheReused ? "reused" : "built", r.cacheSeconds,
                static_cast<double>(r.cacheBytes) / 1e6);
    std::printf("%-6s %9s %7s %8s\n", "", "requested", "usable", "skipped");
    for (std::size_t s = 0; s < 3; ++s)
        std::printf("%-6s %9zu %7zu %8zu\n", std::string(gz::kSubsetKeys[s]).c_str(),
                    r.subsets[s].requested, r.subsets[s].usable, r.subsets[s].skipped);
    std::printf(
        "wrote %s%s in %.1f s\n",
        r.npyFiles.empty() ? "" : (std::to_string(r.npyFiles.size()) + " .npy files and ").c_str(),
        r.jsonFile.c_str(), r.seconds);
    return 0;
}

// ---- bench preprocess ----------------------------------------------------------------------

struct BenchPreprocessArgs {
    std::string data;
    int threads = 2;
    double seconds = 5.0;
    bool json = false;
};

int runBenchPreprocess(const BenchPreprocessArgs& a, const std::stop_token& stop) {
    // A data folder in the Kaggle layout, or a folder of images itself.
    fs::path images = fs::path(a.data) / std::string(gz::kKaggleImageDirName);
    std::error_code ec;
    if (!fs::is_directory(images, ec)) images = a.data;
    const gz::PreprocessBenchmark b =
        gz::benchmarkPreprocess(images, a.threads, a.seconds, {}, stop);
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
    return 0;
}

// ---- bench train -------------------------------------------------------------------------

struct BenchTrainArgs {
    std::string model = "compact", data, workspace;
    int batch = 64;
    int threads = 0;
    double seconds = 20.0;
    bool json = false;
};

int runBenchTrain(const BenchTrainArgs& a, const std::stop_token& stop) {
    std::optional<gz::Catalog> catalog;
    if (!a.data.empty()) catalog = gz::Catalog::open(gz::CatalogSource::kaggleFolder(a.data), stop);
    const gz::TrainBenchmark b =
        gz::benchmarkTraining(a.model, a.batch, a.threads, a.seconds, catalog ? &*catalog : nullptr,
                              workspaceOrDefault(a.workspace), stop, terminalProgress());
    const auto orNull = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    if (a.json) {
        std::cout << json{{"model", b.model},
                          {"batch", b.batch},
                          {"threads", b.threads},
                          {"parameters", b.parameters},
                          {"compute_images_per_s", b.computeImagesPerSecond},
                          {"end_to_end_images_per_s", orNull(b.endToEndImagesPerSecond)}}
                         .dump()
                  << "\n";
    } else {
        std::printf("train %s: %lld parameters, batch %d, %d threads\n", b.model.c_str(),
                    static_cast<long long>(b.parameters), b.batch, b.threads);
        std::printf("  compute only (random tensors): %8.1f images/s  (median of %zu steps)\n",
                    b.computeImagesPerSecond, b.computeSteps);
        if (std::isfinite(b.endToEndImagesPerSecond))
            std::printf("  end to end (cache + loader):   %8.1f images/s  (median of %zu steps)\n",
                        b.endToEndImagesPerSecond, b.endToEndSteps);
    }
    return 0;
}

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
    for (auto c : gz::kVoteColumns) text += "," + std::string(c);
    text += "\n";
    text.reserve(rows * 420);
    char buf[32];
    for (std::size_t r = 0; r < rows; ++r) {
        text += std::to_string(100008 + r * 16);
        for (std::size_t c = 0; c < gz::kVoteColumnCount; ++c) {
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
    gz::writeFileAtomically(file, [&](std::ostream& out) { out << text; });

    std::vector<double> parseMs, openMs;
    using Clock = std::chrono::steady_clock;
    for (int i = 0; i < a.repeat; ++i) {
        auto t0 = Clock::now();
        const auto parsed = gz::Catalog::parse(text, file);
        auto t1 = Clock::now();
        const auto opened = gz::Catalog::open(gz::CatalogSource{file, std::nullopt});
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
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"galaxy-cli: Galaxy Morphology Studio pipeline, headless"};
    app.set_version_flag("--version", "galaxy-cli 0.1.0");
    // No require_subcommand(): CLI11 would then report a missing command before an unknown word.
    // Usage errors are one line, like every other error of this tool.
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        return std::string("galaxy-cli: ") + e.what() + " (see --help)\n";
    });

    LabelArgs label;
    auto* labelCmd = app.add_subcommand("label", "Label galaxies into the five morphologies");
    addCatalogOptions(labelCmd, label.catalog);
    labelCmd->add_option("--rules", label.rules, "Label rules JSON (default: the paper's)")
        ->check(CLI::ExistingFile);
    labelCmd->add_option("--out", label.out, "Output labels.csv")->required();
    labelCmd->add_flag("--json", label.json, "Print the counts as one JSON object");

    SplitArgs split;
    auto* splitCmd = app.add_subcommand("split", "Stratified train/val/test partition");
    splitCmd->add_option("--labels", split.labels, "labels.csv from 'label'")->required();
    splitCmd->add_option("--ratios", split.ratios, "train,val,test fractions")
        ->capture_default_str();
    splitCmd->add_option("--seed", split.seed, "Random seed")->capture_default_str();
    splitCmd->add_option("--out", split.out, "Output split.csv")->required();
    splitCmd->add_flag("--json", split.json, "Print the counts per split as one JSON object");

    DemoArgs demo;
    auto* demoCmd = app.add_subcommand("demo", "Write a synthetic data set in the Kaggle layout");
    demoCmd->add_option("--out", demo.out, "Output folder")->required();
    demoCmd->add_option("--count", demo.options.count, "Number of galaxies")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    demoCmd->add_option("--seed", demo.options.seed, "Random seed")->capture_default_str();

    PreprocessArgs preprocess;
    auto* preprocessCmd = app.add_subcommand(
        "preprocess",
        "Decode a split's images into the workspace cache; optionally export the "
        "original workflow's eight .npy files");
    addCatalogOptions(preprocessCmd, preprocess.catalog);
    preprocessCmd->add_option("--split", preprocess.split, "split.csv from 'split'")
        ->required()
        ->check(CLI::ExistingFile);
    preprocessCmd
        ->add_option("--out", preprocess.out, "Output folder (preprocess.json, .npy files)")
        ->required();
    preprocessCmd->add_flag("--npy", preprocess.options.npy,
                            "Also write the eight .npy files of the original workflow");
    preprocessCmd
        ->add_option("--copies", preprocess.options.copies,
                     "Augmented copies per training image (16: 2 crops x 4 rotations x "
                     "2 flips; otherwise random draws)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    preprocessCmd
        ->add_option("--threads", preprocess.options.threads, "Worker threads (0: one per core)")
        ->capture_default_str()
        ->check(CLI::Range(0, 256));
    preprocessCmd->add_option("--seed", preprocess.options.seed, "Random seed of the augmentation")
        ->capture_default_str();
    preprocessCmd->add_option("--params", preprocess.params, "Augmentation parameters JSON")
        ->check(CLI::ExistingFile);
    preprocessCmd->add_option("--workspace", preprocess.workspace,
                              "Workspace folder for the decoded cache (default: $GZ_WORKSPACE or "
                              "the application-data folder)");

    TrainingCommands training(app);

    auto* benchCmd = app.add_subcommand("bench", "Benchmarks");
    BenchPreprocessArgs benchPreprocess;
    auto* benchPreprocessCmd = benchCmd->add_subcommand(
        "preprocess",
        "Decode (half size) + evaluation / training transform over a data folder's "
        "images, from memory");
    benchPreprocessCmd->add_option("--data", benchPreprocess.data, "Data folder (Kaggle layout)")
        ->required()
        ->check(CLI::ExistingDirectory);
    benchPreprocessCmd->add_option("--threads", benchPreprocess.threads, "Worker threads")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    benchPreprocessCmd
        ->add_option("--seconds", benchPreprocess.seconds,
                     "Minimum time per transform (median of the passes reported)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 3600.0));
    benchPreprocessCmd->add_flag("--json", benchPreprocess.json, "Print one JSON object");
    BenchTrainArgs benchTrain;
    auto* benchTrainCmd = benchCmd->add_subcommand(
        "train", "Training images/s on random tensors and, with --data, through the loader");
    benchTrainCmd->add_option("--model", benchTrain.model, "compact|resnet26|bench-resnet")
        ->capture_default_str();
    benchTrainCmd->add_option("--batch", benchTrain.batch, "Batch size")
        ->capture_default_str()
        ->check(CLI::Range(2, 4096));
    benchTrainCmd->add_option("--threads", benchTrain.threads, "LibTorch threads (0: every core)")
        ->capture_default_str()
        ->check(CLI::Range(0, 256));
    benchTrainCmd->add_option("--data", benchTrain.data, "Data folder (Kaggle layout)")
        ->check(CLI::ExistingDirectory);
    benchTrainCmd->add_option("--seconds", benchTrain.seconds, "Minimum timed seconds per measure")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 3600.0));
    addWorkspaceOption(benchTrainCmd, benchTrain.workspace);
    benchTrainCmd->add_flag("--json", benchTrain.json, "Print one JSON object");
    BenchCatalogArgs benchCatalog;
    auto* benchCatalogCmd =
        benchCmd->add_subcommand("catalog", "Parse a generated Kaggle-size vote-fraction file");
    benchCatalogCmd->add_option("--rows", benchCatalog.rows, "Rows to generate")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000000));
    benchCatalogCmd->add_option("--repeat", benchCatalog.repeat, "Timed runs (median reported)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    benchCatalogCmd->add_flag("--json", benchCatalog.json, "Print one JSON object");

    CLI11_PARSE(app, argc, argv);

    StopOnSignal stopOnSignal;
    const std::stop_token stop = stopOnSignal.token();
    try {
        if (labelCmd->parsed()) return runLabel(label, stop);
        if (splitCmd->parsed()) return runSplit(split);
        if (demoCmd->parsed()) return runDemo(demo, stop);
        if (preprocessCmd->parsed()) return runPreprocess(preprocess, stop);
        if (auto code = training.run(stop)) return *code;
        if (benchCatalogCmd->parsed()) return runBenchCatalog(benchCatalog);
        if (benchPreprocessCmd->parsed()) return runBenchPreprocess(benchPreprocess, stop);
        if (benchTrainCmd->parsed()) return runBenchTrain(benchTrain, stop);
        std::cerr << "galaxy-cli: "
                  << (benchCmd->parsed() ? "bench needs a benchmark name" : "a command is required")
                  << " (see --help)\n";
        return 2;
    } catch (const gz::Cancelled&) {
        std::cerr << "galaxy-cli: cancelled\n";
        return kExitCancelled;
    } catch (const CLI::Error& e) {
        std::cerr << "galaxy-cli: " << e.what() << "\n";
        return e.get_exit_code() ? e.get_exit_code() : 2;
    } catch (const std::exception& e) {
        std::cerr << "galaxy-cli: " << e.what() << "\n";
        return kExitDataError;
    }
    return 0;
}
