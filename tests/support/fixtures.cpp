#include "fixtures.h"

#include <QSettings>
#include <QStandardPaths>

#include <QProcess>
#include <QProcessEnvironment>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <sstream>
#include <stdexcept>

#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/labeling.h"
#include "gz/run_folder.h"

namespace gz::test {
namespace fs = std::filesystem;

void writeText(const fs::path& file, const std::string& text) {
    if (file.has_parent_path()) fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write fixture " + file.string());
}

std::string kaggleHeader() {
    std::string h = "GalaxyID";
    for (auto c : kVoteColumns) h += "," + std::string(c);
    return h;
}

namespace {

// Fractions that follow the decision tree: answers of a question sum to the fraction that
// reached it. q1 = (smooth, features, star); q7 and q2/q4 are shares of their parent answer.
std::array<double, kVoteColumnCount> treeFractions(std::array<double, 3> q1,
                                                   std::array<double, 3> q7Share,
                                                   std::array<double, 2> q2Share,
                                                   std::array<double, 2> q4Share) {
    std::array<double, kVoteColumnCount> v{};
    auto set = [&](std::string_view name, double x) { v[*voteColumnIndex(name)] = x; };
    set("Class1.1", q1[0]);
    set("Class1.2", q1[1]);
    set("Class1.3", q1[2]);
    const double edge = q1[1] * q2Share[0], notEdge = q1[1] * q2Share[1];
    set("Class2.1", edge);
    set("Class2.2", notEdge);
    set("Class3.1", notEdge * 0.25);
    set("Class3.2", notEdge * 0.75);
    const double spiral = notEdge * q4Share[0];
    set("Class4.1", spiral);
    set("Class4.2", notEdge * q4Share[1]);
    set("Class5.2", notEdge * 0.5);
    set("Class5.3", notEdge * 0.5);
    set("Class6.1", 0.125);
    set("Class6.2", 0.875);
    set("Class7.1", q1[0] * q7Share[0]);
    set("Class7.2", q1[0] * q7Share[1]);
    set("Class7.3", q1[0] * q7Share[2]);
    set("Class8.6", 0.125);
    set("Class9.1", edge);
    set("Class10.2", spiral);
    set("Class11.2", spiral);
    return v;
}

}  // namespace

std::string kaggleRow(std::int64_t id, int label) {
    std::array<double, kVoteColumnCount> v;
    switch (label) {
        case 0:
            v = treeFractions({0.8, 0.15, 0.05}, {0.9, 0.1, 0.0}, {0.5, 0.5}, {0.5, 0.5});
            break;
        case 1:
            v = treeFractions({0.8, 0.15, 0.05}, {0.1, 0.9, 0.0}, {0.5, 0.5}, {0.5, 0.5});
            break;
        case 2:
            v = treeFractions({0.8, 0.15, 0.05}, {0.0, 0.1, 0.9}, {0.5, 0.5}, {0.5, 0.5});
            break;
        case 3:
            v = treeFractions({0.1, 0.875, 0.025}, {0.5, 0.5, 0.0}, {0.9, 0.1}, {0.5, 0.5});
            break;
        case 4:
            v = treeFractions({0.1, 0.875, 0.025}, {0.5, 0.5, 0.0}, {0.0, 1.0}, {0.875, 0.125});
            break;
        default:
            v = treeFractions({0.4, 0.4, 0.2}, {0.5, 0.5, 0.0}, {0.5, 0.5}, {0.5, 0.5});
            break;
    }
    std::ostringstream row;
    row << id;
    for (double x : v) row << ',' << x;
    return row.str();
}

void writeJpeg(const fs::path& file, int size) {
    if (file.has_parent_path()) fs::create_directories(file.parent_path());
    cv::Mat img(size, size, CV_8UC3, cv::Scalar(40, 80, 120));
    if (!cv::imwrite(file.string(), img)) throw std::runtime_error("cannot write " + file.string());
}

void writeKaggleFolder(const fs::path& dir, const std::vector<int>& labels, bool withImages) {
    std::string csv = kaggleHeader() + "\n";
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const auto id = static_cast<std::int64_t>(1000 + i);
        csv += kaggleRow(id, labels[i]) + "\n";
        if (withImages)
            writeJpeg(dir / std::string(kKaggleImageDirName) / (std::to_string(id) + ".jpg"));
    }
    writeText(dir / std::string(kKaggleCsvName), csv);
    if (!withImages) fs::create_directories(dir / std::string(kKaggleImageDirName));
}

std::vector<SplitEntry> defaultRulesSplit(const Catalog& catalog, const SplitRatios& ratios,
                                          std::uint64_t seed) {
    const Labeling labeling = labelCatalog(catalog, LabelRules::defaults());
    std::vector<LabeledGalaxy> galaxies;
    for (std::size_t r = 0; r < catalog.size(); ++r)
        galaxies.push_back({catalog.id(r), labeling.labels[r]});
    return stratifiedSplit(galaxies, ratios, seed);
}

std::string dataErrorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const DataError& e) {
        return e.what();
    }
    return {};
}

std::vector<LabeledGalaxy> flipLabels(const std::vector<LabeledGalaxy>& galaxies, double fraction,
                                      std::uint64_t seed, std::vector<std::int64_t>& flipped) {
    std::vector<std::size_t> labeled;
    for (std::size_t i = 0; i < galaxies.size(); ++i)
        if (galaxies[i].label >= 0 && galaxies[i].label < kMorphologyCount) labeled.push_back(i);
    std::mt19937_64 gen(seed);
    // A partial Fisher-Yates shuffle picks the galaxies; each gets one of the other labels.
    const auto count =
        static_cast<std::size_t>(std::lround(fraction * static_cast<double>(labeled.size())));
    std::vector<LabeledGalaxy> out = galaxies;
    flipped.clear();
    for (std::size_t k = 0; k < count; ++k) {
        std::swap(labeled[k], labeled[k + gen() % (labeled.size() - k)]);
        LabeledGalaxy& g = out[labeled[k]];
        g.label =
            (g.label + 1 + static_cast<int>(gen() % (kMorphologyCount - 1))) % kMorphologyCount;
        flipped.push_back(g.id);
    }
    std::sort(flipped.begin(), flipped.end());
    return out;
}

TrainConfig quickTraining(int epochs, std::uint64_t seed) {
    TrainConfig config;
    config.model = "compact";
    config.batch = 8;
    config.epochs = epochs;
    config.threads = 2;
    config.seed = seed;
    return config;
}

TrainedRun trainRun(const fs::path& data, const fs::path& workspace, const SplitRatios& ratios,
                    const TrainConfig& config, const std::stop_token& stop,
                    const TrainCallbacks& callbacks) {
    const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data));
    const auto split = defaultRulesSplit(catalog, ratios, 42);
    TrainedRun run;
    run.dir = newRunFolder(workspace, config.model);
    run.outcome = startTraining(run.dir, config, catalog, split, workspace, stop, callbacks);
    return run;
}

StoppedDemo stopDemoGeneration(const fs::path& out, const DemoOptions& options,
                               std::size_t afterItems) {
    std::stop_source source;
    std::chrono::steady_clock::time_point requested;
    StoppedDemo result;
    try {
        writeDemoDataset(out, options, source.get_token(),
                         [&](std::size_t done, std::size_t, std::string_view) {
                             if (done >= afterItems && !source.stop_requested()) {
                                 requested = std::chrono::steady_clock::now();
                                 source.request_stop();
                             }
                         });
    } catch (const Cancelled&) {
        result.cancelled = true;
    }
    if (source.stop_requested())
        result.secondsAfterStop =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - requested).count();
    return result;
}

std::optional<fs::path> sampleDir() {
    const QString dir = qEnvironmentVariable("GZ2_SAMPLE_DIR");
    if (dir.isEmpty()) return std::nullopt;
    return fs::path(dir.toStdString());
}

QString q(const fs::path& path) {
    return QString::fromStdString(path.string());
}

QString cliPath() {
    return qEnvironmentVariable("GZ_CLI", "galaxy-cli");
}

CliResult runProgram(const QString& program, const QStringList& args, int timeoutMs,
                     const QProcessEnvironment* env) {
    QProcess p;
    if (env) p.setProcessEnvironment(*env);
    p.start(program, args);
    CliResult r;
    if (!p.waitForStarted(10000)) {
        r.err = "cannot start " + program;
        return r;
    }
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

CliResult runCli(const QStringList& args, int timeoutMs) {
    return runProgram(cliPath(), args, timeoutMs);
}

void isolateSettings(const QString& folder) {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, folder);
}

}  // namespace gz::test
