#pragma once
// The small demo data set and split that the decoded-cache, .npy export and preprocess tests
// work on.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gz/catalog.h"
#include "gz/partition.h"
#include "gz/preprocess.h"

namespace gz::test {

/// 30 demo galaxies (seed 5) in `root`/data, split 0.5/0.25/0.25 with seed 42 and written to
/// `root`/split.csv.
struct DemoSplit {
    static constexpr std::uint64_t kSeed = 7;  ///< the seed of the preprocess runs

    std::filesystem::path root, data, splitFile;
    std::optional<Catalog> catalog;
    std::vector<SplitEntry> split;

    /// Writes the data set and the split file.
    void create(const std::filesystem::path& rootFolder);
    /// The image file of galaxy `id`.
    std::filesystem::path imageOf(std::int64_t id) const;
    /// Every galaxy id of the split, in the split's order.
    std::vector<std::int64_t> ids() const;
    /// Options of a .npy export into `root`/`out` with the workspace `root`/ws, two threads.
    PreprocessOptions options(const std::string& out) const;
    /// The labeled split entries of a subset (the .npy files' rows) in GalaxyID order, with
    /// their positions in the split.
    std::vector<std::pair<SplitEntry, std::size_t>> subset(Subset s) const;
};

}  // namespace gz::test
