#pragma once
// What every galaxy-cli command shares: exit codes, catalog and run options, progress on a
// terminal, output checks.

#include <CLI/CLI.hpp>
#include <array>
#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "gz/catalog.h"
#include "gz/embedding_map.h"
#include "gz/morphology.h"
#include "gz/progress.h"
#include "gz/train_options.h"
#include "gz/world.h"

namespace gz::cli {

/// galaxy-cli's exit codes. A command line CLI11 rejects exits with CLI11's own code instead.
constexpr int kExitOk = 0;
constexpr int kExitDataError = 1;    ///< any other error: the data, a file, a run folder
constexpr int kExitUsage = 2;        ///< a usage error CLI11 gives no code for, e.g. no command
constexpr int kExitCancelled = 130;  ///< Ctrl-C or SIGTERM (a training can be resumed)

/// Prints "galaxy-cli: <message> (see --help)" on stderr; returns kExitUsage.
int usageError(std::string_view message);

/// Progress on stderr when it is a terminal (at most five updates a second), else nothing.
ProgressFn terminalProgress();

/// Inputs are never overwritten: throws DataError when `out` is one of `inputs`.
void refuseOverwritingInput(const std::filesystem::path& out,
                            const std::vector<std::filesystem::path>& inputs);

/// --data DIR | --csv FILE [--images DIR]
struct CatalogArgs {
    std::string data, csv, images;
};
void addCatalogOptions(CLI::App* cmd, CatalogArgs& args);
/// Opens the catalog the options name; warns on stderr about galaxies without an image.
Catalog openCatalog(const CatalogArgs& args, const std::stop_token& stop);

/// {"round": n, "in_between": n, ...}
nlohmann::json countsJson(const std::array<std::size_t, kMorphologyCount>& counts);

/// --run DIR: an existing run folder, required.
void addRunOption(CLI::App* cmd, std::string& run);

/// --precision auto|fp32|bf16 into `key` (gz/train_options.h's Precision); `byDefault` says what an
/// absent option means.
CLI::Option* addPrecisionOption(CLI::App* cmd, std::string& key, const std::string& byDefault);

/// --decision combined|head|fractions into `key` (gz/train_options.h's Decision); `byDefault`
/// says what an absent option means.
CLI::Option* addDecisionOption(CLI::App* cmd, std::string& key, const std::string& byDefault);

/// The value of option E that `key` names (DataError for an unknown key), nullopt for "" (the
/// option not given: as the run was trained).
template <class E>
std::optional<E> optionFrom(const std::string& key) {
    if (key.empty()) return std::nullopt;
    return requireOption<E>(key);
}

/// --tta / --no-tta into `tta`: +1, -1 (the last given wins), 0 when neither (as the run was
/// trained). An int, because CLI11 sets an optional<bool> flag to false when it is absent.
void addTtaFlag(CLI::App* cmd, int& tta);
/// The TTA choice `tta` names for the run in `runDir`.
bool ttaFor(int tta, const std::filesystem::path& runDir);
/// nullopt for 0 (as the run was trained), else the choice.
std::optional<bool> ttaChoice(int tta);

/// --threads N (default: every core).
void addThreadsOption(CLI::App* cmd, int& threads);

/// --seed, --neighbours, --pca, --epochs of a map (gz/embedding_map.h).
void addMapOptions(CLI::App* cmd, MapOptions& map);

/// --workspace DIR (default: gz::defaultWorkspace()).
void addWorkspaceOption(CLI::App* cmd, std::string& workspace);

/// --labels FILE (an existing labels.csv; `use` says what for) and --folds K (2-20) of a
/// cross-validation (crossval, suspects).
void addFoldOptions(CLI::App* cmd, std::string& labels, int& folds, const std::string& use);
std::filesystem::path workspaceOrDefault(const std::string& workspace);

/// --world-size N --rank R --master HOST:PORT --dist-timeout S (data-parallel training).
void addWorldOptions(CLI::App* cmd, WorldArgs& args);

}  // namespace gz::cli
