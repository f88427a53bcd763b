#pragma once
// The preprocessing job of the original workflow: the decoded-image cache for a split's galaxies,
// a preprocess.json summary and, as an option, the original eight .npy files; and the
// preprocessing benchmark.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "gz/cache_shards.h"
#include "gz/catalog.h"
#include "gz/constants.h"
#include "gz/decoded_cache.h"
#include "gz/image_pipeline.h"
#include "gz/npy.h"
#include "gz/partition.h"
#include "gz/progress.h"

namespace gz {

/// The original workflow's output names.
namespace npyfiles {
inline constexpr std::string_view kTrainImages1 = "Training_images_Preprocess1.npy";
inline constexpr std::string_view kTrainLabels1 = "Training_labels_Preprocess1.npy";
inline constexpr std::string_view kTrainImages2 = "Training_images_Preprocess2.npy";
inline constexpr std::string_view kTrainLabels2 = "Training_labels_Preprocess2.npy";
inline constexpr std::string_view kValImages = "Val_images_Preprocess.npy";
inline constexpr std::string_view kValLabels = "Val_labels_Preprocess.npy";
inline constexpr std::string_view kTestImages = "Test_images_Preprocess.npy";
inline constexpr std::string_view kTestLabels = "Test_labels_Preprocess.npy";
}  // namespace npyfiles

/// The summary written beside the arrays.
inline constexpr std::string_view kPreprocessJsonName = "preprocess.json";

/// The original's 16 copies per training image: 2 random crops x 4 rotations x 2 flips.
inline constexpr int kStructuredCopies = 16;

struct PreprocessOptions {
    std::filesystem::path outDir;     ///< refused when inside the data folder
    std::filesystem::path workspace;  ///< the decoded cache goes to <workspace>/cache
    bool npy = false;                 ///< also write the eight .npy files
    int copies = kStructuredCopies;   ///< Preprocess2 copies per training image (>= 1)
    int threads = 0;                  ///< 0: one per core
    std::uint64_t seed = kDefaultSeed;
    AugmentationParams params;
    std::filesystem::path splitFile;  ///< only recorded in preprocess.json
};

/// Labeled galaxies of one subset (those the .npy files hold): in the split file, usable, skipped.
struct SubsetCounts {
    std::size_t requested = 0, usable = 0, skipped = 0;
};

/// One .npy file written.
struct NpyFileInfo {
    std::filesystem::path file;
    NpyType type = NpyType::Float32;
    std::vector<std::size_t> shape;
};

/// What runPreprocess did.
struct PreprocessReport {
    std::array<SubsetCounts, 3> subsets{};  ///< indexed by Subset
    PreprocessSummary summary;              ///< over the whole split
    std::filesystem::path cacheFile;
    bool cacheReused = false;
    CacheOrigin cacheOrigin = CacheOrigin::Reused;
    std::string cacheParts;  ///< DecodedCache::partsNote()
    std::uintmax_t cacheBytes = 0;
    double cacheSeconds = 0.0;
    double seconds = 0.0;
    std::vector<NpyFileInfo> npyFiles;  ///< empty without options.npy
    std::filesystem::path jsonFile;     ///< <outDir>/preprocess.json
};

/// The draws of copy `copy` (0 .. copies - 1) in Training_images_Preprocess2 of the training image
/// at position `index` of the split file. S is the image's Preprocess1 draw,
/// drawAugmentation(params, seed, 0, index), shared by all its copies; every other value comes
/// from drawAugmentation(params, seed, 1 + copy, index). With kStructuredCopies copies, copy
/// j = 8 c + 2 k + f is random crop c (both crops' offsets from the draw of copy 8 c), rotation
/// k and flip f (k = 0 and f = 0 when that step is off), as in the original.
AugmentationDraw preprocessCopyDraw(const AugmentationParams& params, std::uint64_t seed,
                                    std::uint64_t index, int copy, int copies);

/// Builds or reuses the decoded cache for the split's galaxies, writes the .npy files (when
/// asked) and preprocess.json into options.outDir. Rows are in GalaxyID order within each
/// subset; output is the same for a seed whatever the thread count. Every file is written under
/// a temporary name and renamed when all are complete: a stop (Cancelled) or an error leaves no
/// partial file and the earlier files untouched. Unusable images are skipped and reported.
/// Throws DataError when outDir is inside the data folder or cannot be written.
PreprocessReport runPreprocess(const Catalog& catalog, const std::vector<SplitEntry>& split,
                               const PreprocessOptions& options, const std::stop_token& stop = {},
                               const ProgressFn& progress = {});

/// One shard of the preprocessing, for a job array: decodes shard `shard` of the split's galaxies
/// into its part file of the cache (gz/cache_shards.h) and writes nothing else. A later
/// runPreprocess, or a training, with the same split and augmentation parameters assembles the
/// cache from the complete set of parts. Reads options.workspace, params and threads only.
CachePart runPreprocessShard(const Catalog& catalog, const std::vector<SplitEntry>& split,
                             const PreprocessOptions& options, CacheShard shard,
                             const std::stop_token& stop = {}, const ProgressFn& progress = {});

/// Throughput of decoding (half size) plus a transform, from the files' bytes in memory.
struct PreprocessBenchmark {
    std::size_t images = 0;      ///< images per pass (the folder's decodable .jpg files)
    std::size_t unreadable = 0;  ///< .jpg files left out because they do not decode
    int threads = 0;
    double evalImagesPerSecond = 0.0;   ///< median over the passes
    double trainImagesPerSecond = 0.0;  ///< median over the passes
    std::size_t evalPasses = 0, trainPasses = 0;
};

/// Reads every .jpg of `imageDir` into memory once, then for the evaluation and then the
/// training transform runs passes over all of them (read from memory: decodeImage at half size,
/// then the transform) with `threads` workers until `seconds` have gone by (at least one pass
/// each). Throws DataError when the folder has no decodable image; Cancelled on stop.
PreprocessBenchmark benchmarkPreprocess(const std::filesystem::path& imageDir, int threads,
                                        double seconds, const AugmentationParams& params = {},
                                        const std::stop_token& stop = {});

}  // namespace gz
