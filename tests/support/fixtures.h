#pragma once
// Small synthetic fixtures made at test time (tests never depend on ../shared).

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/partition.h"
#include "gz/training.h"

namespace gz::test {

/// The message of the DataError `f` throws, "" when it throws none.
std::string dataErrorOf(const std::function<void()>& f);

/// Writes `text` to `file` byte for byte (creating folders).
void writeText(const std::filesystem::path& file, const std::string& text);

/// The Kaggle header: GalaxyID plus the 37 Class columns.
std::string kaggleHeader();

/// A Kaggle CSV row whose fractions obey the decision tree and give `label` (0-4) under the
/// default rules, or no label for -1.
std::string kaggleRow(std::int64_t id, int label);

/// A tiny valid JPEG (solid grey) at `file`.
void writeJpeg(const std::filesystem::path& file, int size = 32);

/// A Kaggle-layout folder with the given labels (-1 = unlabeled), ids 1000, 1001, ...
void writeKaggleFolder(const std::filesystem::path& dir, const std::vector<int>& labels,
                       bool withImages = true);

/// Every galaxy of `catalog` with its label under the default rules, stratified into subsets.
std::vector<SplitEntry> defaultRulesSplit(const Catalog& catalog, const SplitRatios& ratios,
                                          std::uint64_t seed);

/// `galaxies` with `fraction` of the labeled ones (chosen with `seed`) given another label, drawn
/// uniformly from the other four: label noise whose answer is known. Their ids go to `flipped`
/// (ascending).
std::vector<LabeledGalaxy> flipLabels(const std::vector<LabeledGalaxy>& galaxies, double fraction,
                                      std::uint64_t seed, std::vector<std::int64_t>& flipped);

/// The tests' quick training: `compact`, batches of 8, 2 threads, `epochs` epochs, seed `seed`.
TrainConfig quickTraining(int epochs = 1, std::uint64_t seed = 3);

/// A run of `config` trained by core on the Kaggle folder `data`, split by the default rules with
/// `ratios` (seed 42), in a new folder of `workspace`'s runs; until its end or a stop request.
struct TrainedRun {
    std::filesystem::path dir;
    TrainOutcome outcome;
};
TrainedRun trainRun(const std::filesystem::path& data, const std::filesystem::path& workspace,
                    const SplitRatios& ratios, const TrainConfig& config,
                    const std::stop_token& stop = {}, const TrainCallbacks& callbacks = {});

/// A demo generation into `out` that requests a stop once `afterItems` galaxies are written.
struct StoppedDemo {
    bool cancelled = false;        ///< the generator threw Cancelled
    double secondsAfterStop = -1;  ///< from the stop request to the generator's return
};
StoppedDemo stopDemoGeneration(const std::filesystem::path& out, const DemoOptions& options,
                               std::size_t afterItems);

/// The real sample folder from GZ2_SAMPLE_DIR, or nullopt (the caller QSKIPs with a message).
std::optional<std::filesystem::path> sampleDir();

/// Points QSettings (and QStandardPaths' test mode) at `folder`, so that a GUI test neither reads
/// nor writes the user's settings, recent data sets or window layout.
void isolateSettings(const QString& folder);

/// A path as a QString (for galaxy-cli arguments and messages).
QString q(const std::filesystem::path& path);

/// The galaxy-cli executable (from the GZ_CLI environment set by ctest).
QString cliPath();

struct CliResult {
    int exitCode = -1;  ///< -1 when it crashed, did not start or timed out (err says which)
    QString out;
    QString err;
};
/// Runs a program with the arguments (in `env` when given) and waits up to timeoutMs.
CliResult runProgram(const QString& program, const QStringList& args, int timeoutMs,
                     const QProcessEnvironment* env = nullptr);
/// Runs galaxy-cli with the arguments and waits (up to timeoutMs).
CliResult runCli(const QStringList& args, int timeoutMs = 120000);

}  // namespace gz::test
