#pragma once
// The decoded-image cache for training: each galaxy's centre region, decoded once at half
// resolution (uint8 RGB) into one memory-mapped file in the workspace, so that epochs skip the
// JPEG decoder while scale jittering still sees every pixel it can reach.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "gz/catalog.h"
#include "gz/constants.h"
#include "gz/image_pipeline.h"
#include "gz/progress.h"

namespace gz {

/// An image that could not be used, and why (the DataError text, which names the file).
struct SkippedImage {
    std::int64_t id = 0;
    std::filesystem::path file;
    std::string message;
    bool operator==(const SkippedImage&) const = default;
};

/// What a pass over the images found: counts and the first messages.
struct PreprocessSummary {
    static constexpr std::size_t kSkippedKept = 100;
    std::size_t requested = 0;  ///< distinct GalaxyIDs asked for
    std::size_t usable = 0;
    std::size_t skipped = 0;
    std::vector<SkippedImage> firstSkipped;  ///< up to kSkippedKept, by GalaxyID
    /// "1438 of 1440 images usable, 2 skipped" and the first few messages, one per line.
    std::string text(std::size_t messages = 5) const;
};

/// Where a cached entry sits in the original frame: the smallest window, at 1/scale of the
/// original resolution, that holds every centre crop the parameters can ask for (every S of
/// the scale jitter and the evaluation crop) together with the bilinear taps around it, so
/// that centreCropResize on an entry equals centreCropResize on the whole half-size decode.
struct CacheGeometry {
    int fullWidth = 0, fullHeight = 0;  ///< original image size
    int scale = 2;                      ///< original pixels per cached pixel
    int originX = 0, originY = 0;       ///< original-frame position of the window's corner
    int width = 0, height = 0;          ///< window size in cached pixels

    /// Throws DataError when a crop is larger than the image.
    static CacheGeometry forParams(const AugmentationParams& params,
                                   cv::Size fullSize = {kKaggleImageSide, kKaggleImageSide},
                                   int scale = 2);
    std::size_t entryBytes() const { return static_cast<std::size_t>(width) * height * 3; }
    bool operator==(const CacheGeometry&) const = default;
};

/// Where a cache's file came from.
enum class CacheOrigin {
    Reused,     ///< an existing, matching file was loaded
    Assembled,  ///< copied together from shard parts (gz/cache_shards.h), no image decoded
    Decoded,    ///< every image was decoded (a new file was built)
};
/// "reused", "assembled" or "built" (preprocess.json, logs).
std::string_view cacheOriginKey(CacheOrigin origin);

/// Decoded centre regions of a set of galaxies, sorted by GalaxyID, memory-mapped read-only.
/// Cheap to copy (copies share the mapping); views stay valid while any copy lives.
class DecodedCache {
public:
    /// Loads <workspace>/cache/<key>.gzcache when it matches; else assembles that file from a
    /// complete set of matching shard parts (gz/cache_shards.h) by copying their bytes, and
    /// removes the parts; else decodes every image (<imageDir>/<id>.jpg) with `threads` workers
    /// (0: one per core) and writes the file atomically. The file name hashes the image folder, the
    /// set of ids and the geometry; the header also holds a hash of every image's size and mtime,
    /// so a changed, added or removed image rebuilds the same file. Unusable images (missing,
    /// empty, truncated, not a JPEG, not 424x424) are skipped and reported in summary(). Throws
    /// DataError when the catalog has no image folder, the workspace is inside the data folder or
    /// cannot be written, and Cancelled on stop (leaving no partial file).
    static DecodedCache buildOrLoad(const Catalog& catalog, const std::vector<std::int64_t>& ids,
                                    const std::filesystem::path& workspace,
                                    const AugmentationParams& params, int threads = 0,
                                    const std::stop_token& stop = {},
                                    const ProgressFn& progress = {});

    /// The file buildOrLoad uses for these inputs (whether or not it exists yet).
    static std::filesystem::path cacheFile(const std::filesystem::path& imageDir,
                                           const std::vector<std::int64_t>& ids,
                                           const std::filesystem::path& workspace,
                                           const CacheGeometry& geometry);

    DecodedCache();
    std::size_t size() const;  ///< usable images
    std::int64_t id(std::size_t i) const;
    const std::vector<std::int64_t>& ids() const;  ///< ascending
    std::optional<std::size_t> indexOf(std::int64_t id) const;
    /// A view into the mapping (no copy; read-only memory: never write through it).
    SourceImage image(std::size_t i) const;
    const CacheGeometry& geometry() const;
    const PreprocessSummary& summary() const;
    /// Every skipped image (the summary keeps only the first ones).
    const std::vector<SkippedImage>& skipped() const;
    bool reused() const;  ///< true when an existing file was loaded
    CacheOrigin origin() const;
    /// What became of shard parts when the file was not reused: "" when there were none, else
    /// e.g. "assembled from 4 shard parts" or why they were ignored (a part missing, stale).
    const std::string& partsNote() const;
    const std::filesystem::path& file() const;
    std::uintmax_t fileBytes() const;

    struct State;  ///< opaque: the mapping and the tables

private:
    std::shared_ptr<const State> state_;
};

}  // namespace gz
