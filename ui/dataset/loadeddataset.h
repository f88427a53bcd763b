#pragma once
// A data set as the GUI holds it: the catalog, where it came from, and its default labeling.

#include <QString>

#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>

#include "common/uiformat.h"  // toQString / toPath, which the users of this API need
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/labeling.h"
#include "gz/progress.h"

namespace gz::ui {

/// What the user asked to open: a Kaggle-layout folder, or a CSV with an optional image folder.
struct DatasetLocation {
    std::filesystem::path folder;  ///< a Kaggle-layout folder; empty when opening a CSV
    std::filesystem::path csv;     ///< the CSV when `folder` is empty
    std::optional<std::filesystem::path> imageDir;

    static DatasetLocation kaggleFolder(const std::filesystem::path& folder);
    static DatasetLocation csvFile(const std::filesystem::path& csv,
                                   std::optional<std::filesystem::path> imageDir = {});
    bool isFolder() const { return !folder.empty(); }
    /// The folder, or the CSV: what the recent list and window title show.
    std::filesystem::path mainPath() const { return isFolder() ? folder : csv; }
    QString displayName() const;
    bool operator==(const DatasetLocation&) const = default;
};

/// An opened, immutable data set. Panels share it through std::shared_ptr<const LoadedDataset>.
struct LoadedDataset {
    DatasetLocation location;
    Catalog catalog;
    LabelRules rules;
    std::optional<Labeling> labeling;  ///< nullopt when the rules cannot be applied
    QString labelingError;             ///< why labeling refused (names the column and rule)
};

/// Opens the catalog and labels it with `rules` (a core job: call it off the GUI thread).
/// Throws DataError when the catalog cannot be read, Cancelled on stop. A labeling refusal is
/// not an error: it is kept in labelingError.
std::shared_ptr<const LoadedDataset> loadDataset(const DatasetLocation& location,
                                                 const LabelRules& rules,
                                                 const std::stop_token& stop,
                                                 const ProgressFn& progress);

/// Whether `dir` holds a complete demo data set (its CSV is written last, so it is the marker).
bool demoDatasetComplete(const std::filesystem::path& dir);

/// Generates the demo data set in `dir` unless it is complete already, then opens it.
std::shared_ptr<const LoadedDataset> loadDemoDataset(const std::filesystem::path& dir,
                                                     const DemoOptions& options,
                                                     const std::stop_token& stop,
                                                     const ProgressFn& progress);

}  // namespace gz::ui
