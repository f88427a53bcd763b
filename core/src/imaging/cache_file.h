#pragma once
// Private to core: the decoded-cache file format, shared by the cache (decoded_cache.cpp) and the
// shard parts it can be assembled from (cache_parts.cpp).
//
// Layout (little-endian):
//   [0, kCacheHeaderBytes)      CacheFileHeader, then a part's PartInfo, zero padded (the pixel
//                               block is page aligned)
//   pixels                      count entries of height x width x 3 bytes, RGB, by GalaxyID
//   ids                         count int64, ascending
//   skipped                     per skipped image: int64 id, uint32 n, n bytes of message
// The file is complete when its size equals header.fileBytes. A part file is the same layout for
// a contiguous range of the sorted ids, with its own magic.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "gz/decoded_cache.h"
#include "gz/progress.h"

namespace gz::detail {

inline constexpr char kCacheMagic[8] = {'G', 'Z', 'C', 'A', 'C', 'H', 'E', '\n'};
inline constexpr char kPartMagic[8] = {'G', 'Z', 'C', 'P', 'A', 'R', 'T', '\n'};
inline constexpr std::uint32_t kCacheVersion = 1;
inline constexpr std::uint64_t kCacheHeaderBytes = 4096;

struct CacheFileHeader {
    char magic[8];
    std::uint32_t version;
    std::uint32_t headerBytes;
    std::uint64_t slotKey;
    std::uint64_t contentKey;
    std::uint64_t requested;
    std::uint64_t count;
    std::uint64_t skipped;
    std::int32_t fullWidth, fullHeight, scale, originX, originY, width, height, channels;
    std::uint64_t idsOffset;
    std::uint64_t skippedOffset;
    std::uint64_t fileBytes;
};
static_assert(sizeof(CacheFileHeader) == 112 && sizeof(CacheFileHeader) <= kCacheHeaderBytes);

/// FNV-1a over the bytes, with a final avalanche: stable across runs and platforms.
class Hasher {
public:
    void bytes(const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 0x100000001b3ULL;
    }
    template <typename T>
    void value(T v) {
        static_assert(std::is_integral_v<T>);
        const auto u = static_cast<std::uint64_t>(v);
        bytes(&u, sizeof u);
    }
    void text(std::string_view s) {
        value(s.size());
        bytes(s.data(), s.size());
    }
    std::uint64_t digest() const {
        std::uint64_t z = h_;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

/// Sixteen lower-case hex digits.
std::string hex(std::uint64_t v);

/// The key naming a cache: the image folder, the sorted ids and the geometry.
std::uint64_t slotKey(const std::filesystem::path& imageDir,
                      std::span<const std::int64_t> sortedIds, const CacheGeometry& g);

/// The ids sorted, each once.
std::vector<std::int64_t> sortedUnique(std::vector<std::int64_t> ids);

/// <workspace>/cache/<slot>.gzcache
std::filesystem::path cachePath(const std::filesystem::path& workspace, std::uint64_t slot);

/// <imageDir>/<id>.jpg
std::filesystem::path imageFile(const std::filesystem::path& imageDir, std::int64_t id);

/// Adds `file`'s size and modification time to `h`, or -1 when it is not a regular file.
void hashFileStamp(Hasher& h, const std::filesystem::path& file);

/// `seed` plus every image's size and modification time (-1 when it is not a file): changes
/// when an image of `sortedIds` does.
std::uint64_t contentKey(std::uint64_t seed, const std::filesystem::path& imageDir,
                         std::span<const std::int64_t> sortedIds, const std::stop_token& stop);

/// A file descriptor closed when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd& operator=(Fd&&) = delete;
    ~Fd();
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

/// Creates the cache folder and a new temporary file beside `file` (its path in `temp`).
Fd createTemporary(const std::filesystem::path& file, std::filesystem::path& temp);

/// What a file being written holds after decodeEntries.
struct DecodedEntries {
    std::uint64_t requested = 0, count = 0, skipped = 0;
    std::string tables;  ///< the ids of the usable entries, then the skipped records
    std::vector<SkippedImage> skippedImages;
};

/// Decodes the images of `ids` into entries of `fd` (the temporary of `file`, which errors name)
/// from kCacheHeaderBytes on, keeping the usable ones in order without gaps.
DecodedEntries decodeEntries(int fd, const std::filesystem::path& file, const CacheGeometry& g,
                             const std::filesystem::path& imageDir,
                             std::span<const std::int64_t> ids, int threads,
                             const std::stop_token& stop, const ProgressFn& progress);

/// The header of a file holding `entries`.
CacheFileHeader makeHeader(const char (&magic)[8], std::uint64_t slot, std::uint64_t content,
                           const CacheGeometry& g, const DecodedEntries& entries);

/// Writes the tables and the header block (the header, then `extra` bytes), syncs, closes and
/// renames `temp` over `file`. The caller removes `temp` when this throws.
void commitCacheFile(Fd& fd, const std::filesystem::path& temp, const std::filesystem::path& file,
                     const CacheFileHeader& h, std::string_view tables,
                     std::string_view extra = {});

/// The header of an open file of `size` bytes when it has `magic`, this version, the keys and
/// geometry given and offsets that fit the size; nullopt otherwise.
std::optional<CacheFileHeader> readMatchingHeader(int fd, const std::filesystem::path& file,
                                                  std::uint64_t size, const char (&magic)[8],
                                                  std::uint64_t slot, std::uint64_t content,
                                                  const CacheGeometry& g);

/// The part of the cache for `sortedIds` that the parts can give: when every part of one shard
/// count is present and matches (`content` being the whole cache's content key), `file` is
/// assembled from them by copying their bytes, the parts are removed and `assembled` is set.
/// `note` says what became of the parts found ("" when there were none).
struct Assembly {
    bool assembled = false;
    std::string note;
};
Assembly assembleFromParts(const std::filesystem::path& file, std::uint64_t slot,
                           std::uint64_t content, const CacheGeometry& g,
                           const std::filesystem::path& imageDir,
                           std::span<const std::int64_t> sortedIds, const std::stop_token& stop,
                           const ProgressFn& progress);

}  // namespace gz::detail
