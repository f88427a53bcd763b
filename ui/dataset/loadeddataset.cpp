#include "dataset/loadeddataset.h"

#include <string>
#include <system_error>
#include <utility>

#include "gz/error.h"

namespace gz::ui {
namespace fs = std::filesystem;

DatasetLocation DatasetLocation::kaggleFolder(const fs::path& folder) {
    DatasetLocation location;
    location.folder = folder;
    return location;
}

DatasetLocation DatasetLocation::csvFile(const fs::path& csv, std::optional<fs::path> imageDir) {
    DatasetLocation location;
    location.csv = csv;
    location.imageDir = std::move(imageDir);
    return location;
}

QString DatasetLocation::displayName() const {
    const fs::path path = mainPath();
    const fs::path name = path.has_filename() ? path.filename() : path.parent_path().filename();
    return name.empty() ? toQString(path) : toQString(name);
}

namespace {

CatalogSource sourceOf(const DatasetLocation& location) {
    if (!location.isFolder()) return CatalogSource{location.csv, location.imageDir};
    std::error_code ec;
    if (!fs::is_directory(location.folder, ec))
        throw DataError(location.folder, "folder not found");
    if (!fs::exists(location.folder / kKaggleCsvName, ec))
        throw DataError(location.folder,
                        "not a Galaxy Zoo data folder: it has no " + std::string(kKaggleCsvName));
    return CatalogSource::kaggleFolder(location.folder);
}

}  // namespace

std::shared_ptr<const LoadedDataset> loadDataset(const DatasetLocation& location,
                                                 const LabelRules& rules,
                                                 const std::stop_token& stop,
                                                 const ProgressFn& progress) {
    checkpoint(stop, progress, 0, 0, "Reading the catalog");
    auto loaded = std::make_shared<LoadedDataset>(
        LoadedDataset{location, Catalog::open(sourceOf(location), stop, progress), rules, {}, {}});
    checkpoint(stop, progress, 0, 0, "Labeling");
    try {
        loaded->labeling = labelCatalog(loaded->catalog, rules);
    } catch (const DataError& e) {
        loaded->labelingError = QString::fromStdString(e.what());
    }
    // A stop requested while the last step ran still wins: the user asked not to switch.
    checkpoint(stop, {}, 1, 1);
    return loaded;
}

bool demoDatasetComplete(const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / kKaggleCsvName, ec);
}

std::shared_ptr<const LoadedDataset> loadDemoDataset(const fs::path& dir,
                                                     const DemoOptions& options,
                                                     const std::stop_token& stop,
                                                     const ProgressFn& progress) {
    if (!demoDatasetComplete(dir)) {
        checkpoint(stop, progress, 0, options.count);
        writeDemoDataset(dir, options, stop, progress);
    }
    return loadDataset(DatasetLocation::kaggleFolder(dir), LabelRules::defaults(), stop, progress);
}

}  // namespace gz::ui
