#pragma once
// Stratified, reproducible train/validation/test partition of a catalog's galaxies: the labeled
// ones class by class, the unlabeled ones (which a votes head learns from) as one more group.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "gz/catalog.h"
#include "gz/labeling.h"
#include "gz/progress.h"

namespace gz {

enum class Subset : int { Train = 0, Val = 1, Test = 2 };
inline constexpr std::array<std::string_view, 3> kSubsetKeys = {"train", "val", "test"};
std::optional<Subset> subsetFromKey(std::string_view key);

/// Fractions of each class that go to train, validation and test; they must sum to 1.
struct SplitRatios {
    double train = 0.8;
    double val = 0.1;
    double test = 0.1;
    /// Throws DataError if a ratio is negative, train is 0, or they do not sum to 1 (1e-6).
    void validate() const;
    /// Parses "0.8,0.1,0.1".
    static SplitRatios parse(std::string_view text);
    /// The three ratios as parse() reads them (printf %g), joined by `separator`: "0.8,0.1,0.1".
    std::string text(char separator = ',') const;
};

struct SplitEntry {
    std::int64_t id = 0;
    int label = 0;  ///< 0..4, or kUnlabeled for a galaxy the rules leave unlabeled
    Subset subset = Subset::Train;
    bool operator==(const SplitEntry&) const = default;
};

/// Splits the galaxies class by class, the unlabeled ones (kUnlabeled) as a sixth group by the
/// same ratios; adding or removing unlabeled galaxies never moves a labeled one. The result is
/// sorted by GalaxyID and depends only on the set of (id, label) pairs, the ratios and the seed,
/// not on input order or platform. A class with at least 3 members has at least one in every
/// split whose ratio is above zero. Throws DataError on duplicate ids or a label outside -1..4.
std::vector<SplitEntry> stratifiedSplit(const std::vector<LabeledGalaxy>& galaxies,
                                        const SplitRatios& ratios, std::uint64_t seed);

/// Partitions a data set: labels the catalog's galaxies with `rules` and splits all of them
/// (stratifiedSplit). Throws DataError when the ratios are invalid or the rules label no galaxy.
std::vector<SplitEntry> partitionDataset(const Catalog& catalog, const LabelRules& rules,
                                         const SplitRatios& ratios, std::uint64_t seed,
                                         const std::stop_token& stop = {},
                                         const ProgressFn& progress = {});

/// Where the Training panel writes a partition of the data set called `dataName`:
/// <workspace>/splits/<dataName>-<train>-<val>-<test>-seed<seed>.csv.
std::filesystem::path splitFileName(const std::filesystem::path& workspace,
                                    const std::string& dataName, const SplitRatios& ratios,
                                    std::uint64_t seed);

/// A partition the Training panel wrote (named by splitFileName) and what its name says.
struct SavedSplit {
    std::filesystem::path file;
    SplitRatios ratios;
    std::uint64_t seed = 0;
};

/// The newest partition of the data set `dataName` in `workspace` (by modification time), or
/// nullopt when there is none. Only names splitFileName gives count ("demo-2-…" is not "demo").
std::optional<SavedSplit> latestSplitFile(const std::filesystem::path& workspace,
                                          const std::string& dataName);

/// Whether `split` holds exactly the galaxies of `catalog`, each with the label `labeling` gives it
/// (kUnlabeled included): a partition made with these rules of this catalog. A split.csv from
/// before unlabeled galaxies were recorded does not fit: it is made again (the labeled galaxies
/// land where they were).
bool splitFitsLabeling(const std::vector<SplitEntry>& split, const Catalog& catalog,
                       const Labeling& labeling);

/// Galaxies of a split per subset (index: Subset): labeled ones per class (index: label) and
/// unlabeled ones.
struct SplitCounts {
    std::array<std::array<std::size_t, kMorphologyCount>, kSubsetKeys.size()> labeled{};
    std::array<std::size_t, kSubsetKeys.size()> unlabeled{};
    std::size_t labeledIn(Subset subset) const;
    std::size_t labeledTotal() const;
    std::size_t unlabeledTotal() const;
};
SplitCounts countSplit(const std::vector<SplitEntry>& split);

/// split.csv: `GalaxyID,label,split` (atomic write) and its reader. An unlabeled galaxy has label
/// -1 (kUnlabeled); a split.csv written before they were recorded simply has no such rows.
void writeSplitCsv(const std::filesystem::path& file, const std::vector<SplitEntry>& split);
std::vector<SplitEntry> readSplitCsv(const std::filesystem::path& file);

/// Which galaxies of a subset readSplitSubset returns: the labeled ones, or with them the
/// unlabeled ones (label kUnlabeled), e.g. for a votes head's fractions.
enum class SplitRows { Labeled, LabeledAndUnlabeled };

/// The galaxies of one subset of a split.csv, in the file's order. Throws DataError naming the
/// file when the subset has no labeled galaxy ("the split has no labeled test galaxies").
std::vector<LabeledGalaxy> readSplitSubset(const std::filesystem::path& file, Subset subset,
                                           SplitRows rows = SplitRows::Labeled);

}  // namespace gz
