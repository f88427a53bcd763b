#include "gz/catalog.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>
#include <unordered_map>
#include <unordered_set>

#include "data/csv_reader.h"
#include "gz/error.h"
#include "gz/files.h"
#include "util/file_io.h"

namespace gz {
namespace fs = std::filesystem;

const std::array<std::string_view, kVoteColumnCount> kVoteColumns = {
    "Class1.1",  "Class1.2",  "Class1.3",  "Class2.1",  "Class2.2",  "Class3.1",  "Class3.2",
    "Class4.1",  "Class4.2",  "Class5.1",  "Class5.2",  "Class5.3",  "Class5.4",  "Class6.1",
    "Class6.2",  "Class7.1",  "Class7.2",  "Class7.3",  "Class8.1",  "Class8.2",  "Class8.3",
    "Class8.4",  "Class8.5",  "Class8.6",  "Class8.7",  "Class9.1",  "Class9.2",  "Class9.3",
    "Class10.1", "Class10.2", "Class10.3", "Class11.1", "Class11.2", "Class11.3", "Class11.4",
    "Class11.5", "Class11.6"};

std::optional<std::size_t> voteColumnIndex(std::string_view name) {
    for (std::size_t i = 0; i < kVoteColumns.size(); ++i)
        if (kVoteColumns[i] == name) return i;
    return std::nullopt;
}

CatalogSource CatalogSource::kaggleFolder(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw DataError(dir, "data folder not found");
    CatalogSource s;
    s.csv = dir / std::string(kKaggleCsvName);
    if (!fs::exists(s.csv, ec))
        throw DataError(dir, "not a data folder in the Kaggle layout: " +
                                 std::string(kKaggleCsvName) + " not found");
    const fs::path images = dir / std::string(kKaggleImageDirName);
    if (fs::is_directory(images, ec)) s.imageDir = images;
    return s;
}

std::string MissingImages::summary() const {
    if (count == 0) return {};
    std::string s = std::to_string(count) + (count == 1 ? " galaxy has" : " galaxies have") +
                    " no image and " + (count == 1 ? "was" : "were") + " left out (";
    for (std::size_t i = 0; i < firstIds.size(); ++i)
        s += (i ? ", " : "") + std::to_string(firstIds[i]);
    if (count > firstIds.size()) s += ", ...";
    return s + ")";
}

namespace {

constexpr std::string_view kIdColumn = "GalaxyID";
constexpr double kFractionTolerance = 1e-6;  // rounding in files written by other tools

}  // namespace

Catalog Catalog::parse(std::string_view text, const fs::path& file, const std::stop_token& stop) {
    detail::CsvReader csv(text, file);
    const auto& header = csv.header();
    const std::size_t idField = csv.require(kIdColumn);
    // Which vote column each field holds; other columns (e.g. a pandas index) are ignored.
    std::vector<std::pair<std::size_t, std::size_t>> voteFields;  // (field, vote column)
    Catalog cat;
    cat.csv_ = file;
    for (std::size_t f = 0; f < header.size(); ++f) {
        if (header[f] == kIdColumn && f != idField)
            throw DataError(file, csv.headerLine(), std::string(kIdColumn), "column appears twice");
        if (auto v = voteColumnIndex(header[f])) {
            if (cat.present_[*v])
                throw DataError(file, csv.headerLine(), std::string(header[f]),
                                "column appears twice");
            cat.present_[*v] = true;
            voteFields.emplace_back(f, *v);
        }
    }

    // Reserve from the size of the first lines: one allocation for a 61,578-row file.
    const std::size_t estimate = text.size() / 200 + 16;
    cat.ids_.reserve(estimate);
    cat.values_.reserve(estimate * kVoteColumnCount);
    std::unordered_map<std::int64_t, std::size_t> lineOfId;
    lineOfId.reserve(estimate);

    std::size_t rows = 0;
    while (csv.next()) {
        if ((++rows & 4095) == 0 && stop.stop_requested()) throw Cancelled();
        const std::int64_t id = csv.integer(idField);
        if (id < 0) csv.fail(idField, "GalaxyID " + std::to_string(id) + " is negative");
        auto [it, inserted] = lineOfId.emplace(id, csv.line());
        if (!inserted)
            csv.fail(idField, "duplicate GalaxyID " + std::to_string(id) + " (first on line " +
                                  std::to_string(it->second) + ")");
        cat.ids_.push_back(id);
        const std::size_t base = cat.values_.size();
        cat.values_.resize(base + kVoteColumnCount, std::numeric_limits<double>::quiet_NaN());
        for (auto [f, v] : voteFields) {
            const double x = csv.number(f);
            if (x < -kFractionTolerance || x > 1.0 + kFractionTolerance)
                csv.fail(f, "vote fraction " + detail::quoted(csv.field(f)) + " is outside [0, 1]");
            cat.values_[base + v] = std::clamp(x, 0.0, 1.0);
        }
    }
    cat.buildIdIndex();
    return cat;
}

Catalog Catalog::open(const CatalogSource& source, const std::stop_token& stop,
                      const ProgressFn& progress) {
    checkpoint(stop, progress, 0, 3, "reading " + source.csv.filename().string());
    if (source.imageDir) {
        std::error_code ec;
        if (!fs::is_directory(*source.imageDir, ec))
            throw DataError(*source.imageDir, "image folder not found");
    }
    const std::string text = readWholeFile(source.csv);
    checkpoint(stop, progress, 1, 3, "parsing " + source.csv.filename().string());
    Catalog cat = parse(text, source.csv, stop);
    cat.imageDir_ = source.imageDir;
    if (cat.imageDir_) {
        checkpoint(stop, progress, 2, 3, "indexing images");
        cat.dropRowsWithoutImages(stop);
    }
    checkpoint(stop, progress, 3, 3, "catalog ready");
    return cat;
}

void Catalog::dropRowsWithoutImages(const std::stop_token& stop) {
    // One directory listing instead of one stat per row: much faster on large folders.
    std::unordered_set<std::int64_t> present;
    present.reserve(ids_.size());
    std::error_code ec;
    std::size_t seen = 0;
    for (fs::directory_iterator it(*imageDir_, ec), end; !ec && it != end; it.increment(ec)) {
        if ((++seen & 4095) == 0 && stop.stop_requested()) throw Cancelled();
        const fs::path& p = it->path();
        if (p.extension() != ".jpg") continue;
        const std::string stem = p.stem().string();
        std::int64_t id = 0;
        auto [ptr, err] = std::from_chars(stem.data(), stem.data() + stem.size(), id);
        if (err == std::errc() && ptr == stem.data() + stem.size()) present.insert(id);
    }
    if (ec) throw DataError(*imageDir_, "cannot list image folder: " + ec.message());

    std::size_t out = 0;
    for (std::size_t r = 0; r < ids_.size(); ++r) {
        if (!present.count(ids_[r])) {
            if (missing_.firstIds.size() < MissingImages::kMissingIdsKept)
                missing_.firstIds.push_back(ids_[r]);
            ++missing_.count;
            continue;
        }
        if (out != r) {
            ids_[out] = ids_[r];
            std::copy_n(values_.begin() + static_cast<std::ptrdiff_t>(r * kVoteColumnCount),
                        kVoteColumnCount,
                        values_.begin() + static_cast<std::ptrdiff_t>(out * kVoteColumnCount));
        }
        ++out;
    }
    ids_.resize(out);
    values_.resize(out * kVoteColumnCount);
    buildIdIndex();
}

void Catalog::buildIdIndex() {
    rowsById_.resize(ids_.size());
    for (std::size_t r = 0; r < rowsById_.size(); ++r) rowsById_[r] = r;
    std::sort(rowsById_.begin(), rowsById_.end(),
              [this](std::size_t a, std::size_t b) { return ids_[a] < ids_[b]; });
}

std::optional<std::size_t> Catalog::rowOf(std::int64_t id) const {
    auto it = std::lower_bound(rowsById_.begin(), rowsById_.end(), id,
                               [this](std::size_t row, std::int64_t v) { return ids_[row] < v; });
    if (it == rowsById_.end() || ids_[*it] != id) return std::nullopt;
    return *it;
}

bool Catalog::containsPath(const fs::path& path) const {
    if (path.empty()) return false;
    std::error_code ec;
    if (path == csv_ || (fs::exists(path, ec) && fs::equivalent(path, csv_, ec))) return true;
    if (!imageDir_) return false;
    if (detail::isInsideFolder(path, *imageDir_)) return true;
    const fs::path dataDir = detail::absoluteClean(*imageDir_).parent_path();
    return dataDir == detail::absoluteClean(csv_).parent_path() &&
           detail::isInsideFolder(path, dataDir);
}

void Catalog::requireOutside(const fs::path& path, std::string_view what) const {
    if (containsPath(path)) detail::refuseWritingIntoData(path, what);
}

bool Catalog::hasColumn(std::string_view name) const {
    auto i = voteColumnIndex(name);
    return i && present_[*i];
}

std::vector<std::string_view> Catalog::presentColumns() const {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < kVoteColumnCount; ++i)
        if (present_[i]) out.push_back(kVoteColumns[i]);
    return out;
}

std::optional<fs::path> Catalog::imagePath(std::size_t row) const {
    if (!imageDir_) return std::nullopt;
    return *imageDir_ / (std::to_string(ids_[row]) + ".jpg");
}

}  // namespace gz
