#pragma once
// The decoded-image cache built in pieces: each of N jobs (a Slurm job array) decodes one shard
// of the galaxies into a part file beside the cache; DecodedCache::buildOrLoad then assembles the
// cache from a complete set of parts by copying their bytes, without decoding an image.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gz/catalog.h"
#include "gz/decoded_cache.h"
#include "gz/image_pipeline.h"
#include "gz/progress.h"

namespace gz {

/// Shard `index` (0-based, as SLURM_ARRAY_TASK_ID counts) of `count`.
struct CacheShard {
    static constexpr int kMaxCount = 100000;
    int index = 0;
    int count = 1;

    /// "I/N" with 0 <= I < N <= kMaxCount; throws DataError saying what is wrong otherwise.
    static CacheShard parse(std::string_view text);
    std::string text() const;  ///< "I/N"
    /// The positions [first, last) of this shard's galaxies among `n` sorted GalaxyIDs:
    /// contiguous ranges of sizes differing by at most one, in shard order.
    std::pair<std::size_t, std::size_t> range(std::size_t n) const;
    bool operator==(const CacheShard&) const = default;
};

/// A part file written.
struct CachePart {
    std::filesystem::path file;
    CacheShard shard;
    PreprocessSummary summary;  ///< of the shard's galaxies
};

/// The part file of `shard` for the cache `cacheFile` (DecodedCache::cacheFile):
/// <cache file without .gzcache>.part-<I>-of-<N>.gzpart, in the same folder.
std::filesystem::path cachePartFile(const std::filesystem::path& cacheFile, CacheShard shard);

/// Decodes the images of shard `shard` of `ids` (sorted, each once) into its part file,
/// atomically, and writes nothing else. The ids, workspace and parameters must be those the
/// whole cache will be asked for (the same split and augmentation parameters), so that the part
/// belongs to that cache. Unusable images are skipped and recorded, as in the cache. Throws
/// DataError as DecodedCache::buildOrLoad does, Cancelled on stop (leaving no partial file).
CachePart buildCachePart(const Catalog& catalog, const std::vector<std::int64_t>& ids,
                         const std::filesystem::path& workspace, const AugmentationParams& params,
                         CacheShard shard, int threads = 0, const std::stop_token& stop = {},
                         const ProgressFn& progress = {});

}  // namespace gz
