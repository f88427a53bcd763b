#include "gz/partition.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <unordered_set>

#include "data/csv_reader.h"
#include "gz/error.h"
#include "gz/files.h"
#include "util/portable_random.h"

namespace gz {
namespace fs = std::filesystem;

std::optional<Subset> subsetFromKey(std::string_view key) {
    for (std::size_t i = 0; i < kSubsetKeys.size(); ++i)
        if (kSubsetKeys[i] == key) return static_cast<Subset>(i);
    return std::nullopt;
}

void SplitRatios::validate() const {
    for (double r : {train, val, test})
        if (!std::isfinite(r) || r < 0 || r > 1)
            throw DataError("split ratios must each be within [0, 1]");
    if (train <= 0) throw DataError("the training ratio must be above 0");
    if (std::abs(train + val + test - 1.0) > 1e-6)
        throw DataError("split ratios must sum to 1 (they sum to " +
                        std::to_string(train + val + test) + ")");
}

SplitRatios SplitRatios::parse(std::string_view text) {
    double v[3];
    std::size_t start = 0;
    for (int i = 0; i < 3; ++i) {
        const std::size_t comma = text.find(',', start);
        if ((i < 2) != (comma != std::string_view::npos))
            throw DataError("ratios '" + std::string(text) +
                            "' must be three numbers like 0.8,0.1,0.1");
        const std::string_view part =
            text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
        auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v[i]);
        if (ec != std::errc() || p != part.data() + part.size())
            throw DataError("ratio '" + std::string(part) + "' is not a number");
        start = comma + 1;
    }
    SplitRatios r{v[0], v[1], v[2]};
    r.validate();
    return r;
}

std::string SplitRatios::text(char separator) const {
    std::string out;
    for (double r : {train, val, test}) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%g", r);
        if (!out.empty()) out += separator;
        out += buffer;
    }
    return out;
}

std::vector<SplitEntry> stratifiedSplit(const std::vector<LabeledGalaxy>& galaxies,
                                        const SplitRatios& ratios, std::uint64_t seed) {
    ratios.validate();
    // Groups 0..4 are the classes, group 5 the unlabeled galaxies (their own random stream, so
    // the labeled galaxies' places are those of a split without them).
    std::array<std::vector<std::int64_t>, kMorphologyCount + 1> byGroup;
    std::unordered_set<std::int64_t> seen;
    seen.reserve(galaxies.size());
    for (const auto& g : galaxies) {
        if (!seen.insert(g.id).second)
            throw DataError("GalaxyID " + std::to_string(g.id) + " appears twice in the labels");
        if (g.label < kUnlabeled || g.label >= kMorphologyCount)
            throw DataError("GalaxyID " + std::to_string(g.id) + " has label " +
                            std::to_string(g.label) + ", not -1..4");
        byGroup[g.label == kUnlabeled ? kMorphologyCount : static_cast<std::size_t>(g.label)]
            .push_back(g.id);
    }

    std::vector<SplitEntry> out;
    for (int group = 0; group <= kMorphologyCount; ++group) {
        const int label = group == kMorphologyCount ? kUnlabeled : group;
        auto& ids = byGroup[static_cast<std::size_t>(group)];
        // Sorting first makes the result independent of the input order.
        std::sort(ids.begin(), ids.end());
        std::mt19937_64 gen(detail::mixSeed(seed, static_cast<std::uint64_t>(group)));
        detail::shuffle(ids, gen);

        const std::size_t n = ids.size();
        auto share = [n](double ratio) {
            return static_cast<std::size_t>(std::floor(static_cast<double>(n) * ratio + 0.5));
        };
        std::size_t nTest = share(ratios.test), nVal = share(ratios.val);
        if (n >= 3) {
            // Every split with a non-zero ratio gets at least one galaxy of every class.
            if (ratios.test > 0) nTest = std::max<std::size_t>(nTest, 1);
            if (ratios.val > 0) nVal = std::max<std::size_t>(nVal, 1);
        }
        // Training keeps at least one galaxy: shrink the larger of val/test until it does.
        while (n > 0 && nTest + nVal >= n) (nTest >= nVal ? nTest : nVal)--;

        for (std::size_t i = 0; i < n; ++i) {
            const Subset s = i < nTest          ? Subset::Test
                             : i < nTest + nVal ? Subset::Val
                                                : Subset::Train;
            out.push_back({ids[i], label, s});
        }
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

std::vector<SplitEntry> partitionDataset(const Catalog& catalog, const LabelRules& rules,
                                         const SplitRatios& ratios, std::uint64_t seed,
                                         const std::stop_token& stop, const ProgressFn& progress) {
    ratios.validate();
    checkpoint(stop, progress, 0, 0, "Labeling");
    const Labeling labeling = labelCatalog(catalog, rules);
    if (labeling.unlabeled == labeling.labels.size())
        throw DataError("no galaxy is labeled by the rules");
    std::vector<LabeledGalaxy> galaxies(catalog.size());
    for (std::size_t row = 0; row < galaxies.size(); ++row)
        galaxies[row] = {catalog.id(row), labeling.labels[row]};
    checkpoint(stop, progress, 0, 0, "Splitting");
    return stratifiedSplit(galaxies, ratios, seed);
}

fs::path splitFileName(const fs::path& workspace, const std::string& dataName,
                       const SplitRatios& ratios, std::uint64_t seed) {
    return workspace / "splits" /
           (dataName + '-' + ratios.text('-') + "-seed" + std::to_string(seed) + ".csv");
}

std::optional<SavedSplit> latestSplitFile(const fs::path& workspace, const std::string& dataName) {
    const fs::path dir = workspace / "splits";
    const std::string prefix = dataName + '-';
    std::error_code ec;
    std::optional<SavedSplit> best;
    fs::file_time_type bestTime{};
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const std::size_t seedAt = name.rfind("-seed");
        if (!name.starts_with(prefix) || !name.ends_with(".csv") || seedAt == std::string::npos ||
            seedAt < prefix.size())
            continue;
        std::string ratios = name.substr(prefix.size(), seedAt - prefix.size());
        std::replace(ratios.begin(), ratios.end(), '-', ',');
        const std::string seedText = name.substr(seedAt + 5, name.size() - 4 - (seedAt + 5));
        SavedSplit found;
        const auto [end2, err] =
            std::from_chars(seedText.data(), seedText.data() + seedText.size(), found.seed);
        if (err != std::errc() || end2 != seedText.data() + seedText.size()) continue;
        try {
            found.ratios = SplitRatios::parse(ratios);
        } catch (const DataError&) {
            continue;
        }
        // Only the exact name splitFileName gives these values.
        if (splitFileName(workspace, dataName, found.ratios, found.seed).filename() != name)
            continue;
        std::error_code timeError;
        const auto time = fs::last_write_time(it->path(), timeError);
        if (timeError || !it->is_regular_file(timeError)) continue;
        if (!best || time > bestTime) {
            found.file = it->path();
            best = found;
            bestTime = time;
        }
    }
    return best;
}

bool splitFitsLabeling(const std::vector<SplitEntry>& split, const Catalog& catalog,
                       const Labeling& labeling) {
    if (split.size() != catalog.size() || labeling.labels.size() != catalog.size()) return false;
    for (const SplitEntry& e : split) {
        const auto row = catalog.rowOf(e.id);
        if (!row || *row >= labeling.labels.size() || labeling.labels[*row] != e.label)
            return false;
    }
    return true;
}

void writeSplitCsv(const fs::path& file, const std::vector<SplitEntry>& split) {
    writeFileAtomically(file, [&](std::ostream& out) {
        out << "GalaxyID,label,split\n";
        for (const auto& e : split)
            out << e.id << ',' << e.label << ',' << kSubsetKeys[static_cast<std::size_t>(e.subset)]
                << '\n';
    });
}

std::vector<SplitEntry> readSplitCsv(const fs::path& file) {
    const std::string text = readWholeFile(file);
    detail::CsvReader csv(text, file);
    const std::size_t idField = csv.require("GalaxyID");
    const std::size_t labelField = csv.require("label");
    const std::size_t splitField = csv.require("split");
    std::vector<SplitEntry> out;
    std::unordered_set<std::int64_t> seen;
    while (csv.next()) {
        SplitEntry e;
        e.id = csv.integer(idField);
        if (!seen.insert(e.id).second)
            csv.fail(idField, "duplicate GalaxyID " + std::to_string(e.id));
        const std::int64_t label = csv.integer(labelField);
        if (label < kUnlabeled || label >= kMorphologyCount)
            csv.fail(labelField,
                     "label " + std::to_string(label) + " is not 0..4 (or -1, unlabeled)");
        e.label = static_cast<int>(label);
        const auto subset = subsetFromKey(csv.field(splitField));
        if (!subset)
            csv.fail(splitField, "split " + detail::quoted(csv.field(splitField)) +
                                     " is not train, val or test");
        e.subset = *subset;
        out.push_back(e);
    }
    return out;
}

std::size_t SplitCounts::labeledIn(Subset subset) const {
    const auto& counts = labeled[static_cast<std::size_t>(subset)];
    return std::accumulate(counts.begin(), counts.end(), std::size_t{0});
}

std::size_t SplitCounts::labeledTotal() const {
    return labeledIn(Subset::Train) + labeledIn(Subset::Val) + labeledIn(Subset::Test);
}

std::size_t SplitCounts::unlabeledTotal() const {
    return std::accumulate(unlabeled.begin(), unlabeled.end(), std::size_t{0});
}

SplitCounts countSplit(const std::vector<SplitEntry>& split) {
    SplitCounts counts;
    for (const SplitEntry& e : split) {
        const auto s = static_cast<std::size_t>(e.subset);
        if (e.label == kUnlabeled)
            ++counts.unlabeled[s];
        else
            ++counts.labeled[s][static_cast<std::size_t>(e.label)];
    }
    return counts;
}

std::vector<LabeledGalaxy> readSplitSubset(const fs::path& file, Subset subset, SplitRows rows) {
    std::vector<LabeledGalaxy> galaxies;
    bool labeled = false;
    for (const auto& e : readSplitCsv(file)) {
        if (e.subset != subset) continue;
        labeled = labeled || e.label != kUnlabeled;
        if (e.label != kUnlabeled || rows == SplitRows::LabeledAndUnlabeled)
            galaxies.push_back({e.id, e.label});
    }
    if (!labeled)
        throw DataError(file, "the split has no labeled " +
                                  std::string(kSubsetKeys[static_cast<std::size_t>(subset)]) +
                                  " galaxies");
    return galaxies;
}

}  // namespace gz
