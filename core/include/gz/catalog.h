#pragma once
// The data set catalog: GalaxyIDs, their vote fractions and their image files.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gz/progress.h"

namespace gz {

/// The 37 vote-fraction columns of the Kaggle file, in the file's order.
inline constexpr std::size_t kVoteColumnCount = 37;
extern const std::array<std::string_view, kVoteColumnCount> kVoteColumns;

/// Index of a vote column name ("Class7.3") in kVoteColumns, or nullopt.
std::optional<std::size_t> voteColumnIndex(std::string_view name);

/// Kaggle layout names inside a data folder.
inline constexpr std::string_view kKaggleCsvName = "training_solutions_rev1.csv";
inline constexpr std::string_view kKaggleImageDirName = "images_training_rev1";

/// Where a catalog comes from: a CSV, and optionally the folder of <GalaxyID>.jpg images.
struct CatalogSource {
    std::filesystem::path csv;
    std::optional<std::filesystem::path> imageDir;

    /// A folder in the Kaggle layout (images_training_rev1/ + training_solutions_rev1.csv).
    static CatalogSource kaggleFolder(const std::filesystem::path& dir);
};

/// Galaxies whose image is missing from the image folder: left out of the catalog.
struct MissingImages {
    std::size_t count = 0;
    std::vector<std::int64_t> firstIds;  ///< up to kMissingIdsKept, in file order
    static constexpr std::size_t kMissingIdsKept = 10;
    std::string summary() const;  ///< "" when none are missing
};

/// A validated, immutable vote-fraction table. Rows keep the file's order.
class Catalog {
public:
    /// Parses and validates the CSV. Throws DataError naming file, line and column on: a missing
    /// or unreadable file, binary content, no GalaxyID column, a row with too few or too many
    /// fields, a non-numeric/NaN/infinite value, a fraction outside [0,1], a non-integer or
    /// duplicate GalaxyID. With an image folder, rows whose <GalaxyID>.jpg is missing are left
    /// out and reported by missingImages(). Input files are only read.
    static Catalog open(const CatalogSource& source, const std::stop_token& stop = {},
                        const ProgressFn& progress = {});

    /// Parses CSV text already in memory; `file` is only used in messages.
    static Catalog parse(std::string_view text, const std::filesystem::path& file,
                         const std::stop_token& stop = {});

    std::size_t size() const { return ids_.size(); }
    bool empty() const { return ids_.empty(); }

    const std::vector<std::int64_t>& ids() const { return ids_; }
    std::int64_t id(std::size_t row) const { return ids_[row]; }
    std::optional<std::size_t> rowOf(std::int64_t id) const;

    /// Whether the file has the vote column (by index into kVoteColumns, or by name).
    bool hasColumn(std::size_t voteColumn) const { return present_[voteColumn]; }
    bool hasColumn(std::string_view name) const;
    /// Names of the vote columns present, in kVoteColumns order.
    std::vector<std::string_view> presentColumns() const;

    /// Vote fraction; only meaningful when hasColumn(voteColumn).
    double value(std::size_t row, std::size_t voteColumn) const {
        return values_[row * kVoteColumnCount + voteColumn];
    }
    /// All 37 fractions of a row (absent columns hold NaN).
    std::span<const double> row(std::size_t r) const {
        return {values_.data() + r * kVoteColumnCount, kVoteColumnCount};
    }

    const std::filesystem::path& csvPath() const { return csv_; }
    const std::optional<std::filesystem::path>& imageDir() const { return imageDir_; }
    /// <imageDir>/<GalaxyID>.jpg, or nullopt for a catalog without images.
    std::optional<std::filesystem::path> imagePath(std::size_t row) const;
    const MissingImages& missingImages() const { return missing_; }
    /// Whether `path` is part of this data set, where nothing may ever be written: the CSV
    /// itself, anything in the image folder, and, in the Kaggle layout (the image folder beside
    /// the CSV), anything in the folder holding both. A bare CSV's folder is not the data set's.
    bool containsPath(const std::filesystem::path& path) const;
    /// Nothing is ever written into a data set: throws DataError naming `path` when
    /// containsPath(path) ("...: is inside the data set, where nothing is ever written: choose
    /// another <what>").
    void requireOutside(const std::filesystem::path& path, std::string_view what) const;

private:
    std::filesystem::path csv_;
    std::optional<std::filesystem::path> imageDir_;
    std::vector<std::int64_t> ids_;
    std::vector<double> values_;  // row-major, kVoteColumnCount per row
    std::array<bool, kVoteColumnCount> present_{};
    MissingImages missing_;
    std::vector<std::size_t> rowsById_;  // row indices sorted by GalaxyID, for rowOf()

    void dropRowsWithoutImages(const std::stop_token& stop);
    void buildIdIndex();
};

}  // namespace gz
