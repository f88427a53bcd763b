#include "gz/decoded_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <opencv2/core/version.hpp>
#include <string_view>

#include "gz/error.h"
#include "util/file_io.h"
#include "util/parallel_for.h"

namespace gz {
namespace fs = std::filesystem;
using detail::preadAll;
using detail::pwriteAll;
using detail::systemError;

// ---- summary ---------------------------------------------------------------------------------

std::string PreprocessSummary::text(std::size_t messages) const {
    std::string t = std::to_string(usable) + " of " + std::to_string(requested) +
                    " images usable, " + std::to_string(skipped) + " skipped";
    for (std::size_t i = 0; i < std::min(messages, firstSkipped.size()); ++i)
        t += "\n  " + firstSkipped[i].message;
    if (skipped > std::min(messages, firstSkipped.size()))
        t += "\n  ... and " + std::to_string(skipped - std::min(messages, firstSkipped.size())) +
             " more";
    return t;
}

// ---- geometry --------------------------------------------------------------------------------

namespace {

int floorDiv(int a, int b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// The cached-pixel range [first, last] along one axis of n original pixels.
void windowAlongAxis(const AugmentationParams& p, int n, int scale, int& origin, int& size) {
    int lo = INT_MAX, hi = INT_MIN;  // union of the crops, original pixels [lo, hi)
    auto add = [&](int side) {
        if (side > n)
            throw DataError("augmentation parameters: a crop of " + std::to_string(side) +
                            " pixels is larger than the " + std::to_string(n) + "-pixel images");
        const int left = (n - side) / 2;  // as centreCropResize
        lo = std::min(lo, left);
        hi = std::max(hi, left + side);
    };
    if (p.scaleJitter)
        for (int s = p.cropMin; s <= p.cropMax; ++s) add(s);
    add(p.evalCrop);
    // A sample at original position x reads cached pixels floor(x / scale - 0.5) and the one
    // after; samples lie strictly inside (lo, hi).
    const int cachedN = (n + scale - 1) / scale;  // what a 1/scale JPEG decode gives
    const int first = std::max(0, floorDiv(2 * lo - scale, 2 * scale));
    const int last = std::min(cachedN - 1, floorDiv(2 * hi - scale, 2 * scale) + 1);
    origin = first * scale;
    size = last - first + 1;
}

}  // namespace

CacheGeometry CacheGeometry::forParams(const AugmentationParams& params, cv::Size fullSize,
                                       int scale) {
    params.validate();
    if (scale != 1 && scale != 2)
        throw DataError("decoded cache: scale must be 1 or 2, not " + std::to_string(scale));
    CacheGeometry g;
    g.fullWidth = fullSize.width;
    g.fullHeight = fullSize.height;
    g.scale = scale;
    windowAlongAxis(params, fullSize.width, scale, g.originX, g.width);
    windowAlongAxis(params, fullSize.height, scale, g.originY, g.height);
    return g;
}

// ---- the file --------------------------------------------------------------------------------
//
// Layout (little-endian):
//   [0, kHeaderBytes)           FileHeader, zero padded (the pixel block is page aligned)
//   pixels                      count entries of height x width x 3 bytes, RGB, by GalaxyID
//   ids                         count int64, ascending
//   skipped                     per skipped image: int64 id, uint32 n, n bytes of message
// The file is complete when its size equals header.fileBytes.

namespace {

constexpr char kMagic[8] = {'G', 'Z', 'C', 'A', 'C', 'H', 'E', '\n'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint64_t kHeaderBytes = 4096;

struct FileHeader {
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
static_assert(sizeof(FileHeader) == 112 && sizeof(FileHeader) <= kHeaderBytes);

// FNV-1a over the bytes, with a final avalanche: stable across runs and platforms.
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

std::string hex(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::uint64_t slotKey(const fs::path& imageDir, const std::vector<std::int64_t>& sortedIds,
                      const CacheGeometry& g) {
    Hasher h;
    h.text("galaxy-studio decoded cache");
    h.value(kVersion);
    // The decoder's output could change with the library. Decoding is libjpeg-turbo's, called
    // directly now and through OpenCV before (same pixels): OpenCV's version stays in the key
    // so that existing caches stay valid.
    h.text(CV_VERSION);
    h.text(detail::absoluteClean(imageDir).string());
    for (int v : {g.fullWidth, g.fullHeight, g.scale, g.originX, g.originY, g.width, g.height})
        h.value(v);
    h.value(sortedIds.size());
    for (auto id : sortedIds) h.value(id);
    return h.digest();
}

fs::path imageFile(const fs::path& imageDir, std::int64_t id) {
    return imageDir / (std::to_string(id) + ".jpg");
}

// The slot key plus every image's size and modification time (-1 when it is not a file).
std::uint64_t contentKey(std::uint64_t slot, const fs::path& imageDir,
                         const std::vector<std::int64_t>& sortedIds, const std::stop_token& stop) {
    Hasher h;
    h.value(slot);
    std::size_t n = 0;
    for (auto id : sortedIds) {
        if ((++n & 1023) == 0 && stop.stop_requested()) throw Cancelled();
        struct stat st {};
        if (::stat(imageFile(imageDir, id).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            h.value(st.st_size);
            h.value(st.st_mtim.tv_sec);
            h.value(st.st_mtim.tv_nsec);
        } else {
            h.value(-1);
        }
    }
    return h.digest();
}

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

// An open, validated, mapped cache file.
struct Mapping {
    void* base = MAP_FAILED;
    std::size_t length = 0;
    Mapping() = default;
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping() {
        if (base != MAP_FAILED) ::munmap(base, length);
    }
};

}  // namespace

struct DecodedCache::State {
    fs::path file;
    CacheGeometry geometry;
    std::vector<std::int64_t> ids;
    std::vector<SkippedImage> skipped;
    PreprocessSummary summary;
    bool reused = false;
    std::uintmax_t fileBytes = 0;
    Mapping mapping;
    const std::uint8_t* pixels = nullptr;
};

namespace {

// Opens and maps a cache file; nullptr when it is absent, stale, of another geometry or
// damaged in any way (the caller then rebuilds it).
std::shared_ptr<DecodedCache::State> tryLoad(const fs::path& file, std::uint64_t slot,
                                             std::uint64_t content, const CacheGeometry& g,
                                             const fs::path& imageDir) {
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return nullptr;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size < kHeaderBytes) return nullptr;
    FileHeader h{};
    try {
        preadAll(fd.get(), &h, sizeof h, 0, file);
    } catch (const DataError&) {
        return nullptr;
    }
    const std::uint64_t entry = g.entryBytes();
    if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.version != kVersion ||
        h.headerBytes != kHeaderBytes || h.slotKey != slot || h.contentKey != content ||
        h.fileBytes != size || h.fullWidth != g.fullWidth || h.fullHeight != g.fullHeight ||
        h.scale != g.scale || h.originX != g.originX || h.originY != g.originY ||
        h.width != g.width || h.height != g.height || h.channels != 3 ||
        h.count + h.skipped != h.requested || h.count > size / std::max<std::uint64_t>(entry, 1) ||
        h.idsOffset != kHeaderBytes + h.count * entry ||
        h.skippedOffset != h.idsOffset + h.count * sizeof(std::int64_t) || h.skippedOffset > size)
        return nullptr;

    auto state = std::make_shared<DecodedCache::State>();
    state->mapping.length = static_cast<std::size_t>(size);
    state->mapping.base =
        ::mmap(nullptr, state->mapping.length, PROT_READ, MAP_SHARED, fd.get(), 0);
    if (state->mapping.base == MAP_FAILED) return nullptr;
    const auto* base = static_cast<const std::uint8_t*>(state->mapping.base);
    state->pixels = base + kHeaderBytes;

    state->ids.resize(h.count);
    std::memcpy(state->ids.data(), base + h.idsOffset, h.count * sizeof(std::int64_t));
    if (!std::is_sorted(state->ids.begin(), state->ids.end()) ||
        std::adjacent_find(state->ids.begin(), state->ids.end()) != state->ids.end())
        return nullptr;
    std::uint64_t at = h.skippedOffset;
    for (std::uint64_t i = 0; i < h.skipped; ++i) {
        if (at + 12 > size) return nullptr;
        SkippedImage s;
        std::uint32_t n = 0;
        std::memcpy(&s.id, base + at, 8);
        std::memcpy(&n, base + at + 8, 4);
        at += 12;
        if (n > size - at) return nullptr;
        s.message.assign(reinterpret_cast<const char*>(base + at), n);
        at += n;
        s.file = imageFile(imageDir, s.id);
        state->skipped.push_back(std::move(s));
    }
    if (at != size) return nullptr;

    state->file = file;
    state->geometry = g;
    state->fileBytes = size;
    state->summary.requested = h.requested;
    state->summary.usable = h.count;
    state->summary.skipped = h.skipped;
    const std::size_t kept = std::min(state->skipped.size(), PreprocessSummary::kSkippedKept);
    state->summary.firstSkipped.assign(state->skipped.begin(),
                                       state->skipped.begin() + static_cast<std::ptrdiff_t>(kept));
    return state;
}

// Decodes every image into its slot of a temporary file, compacts the usable ones, writes
// the tables and the header, syncs and renames the file into place.
void build(const fs::path& file, std::uint64_t slot, std::uint64_t content, const CacheGeometry& g,
           const fs::path& imageDir, const std::vector<std::int64_t>& ids, int threads,
           const std::stop_token& stop, const ProgressFn& progress) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec) throw DataError(file.parent_path(), "cannot create the cache folder: " + ec.message());
    const fs::path temp = detail::temporaryPathFor(file);
    Fd fd(::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0)
        throw DataError(file,
                        "cannot write the cache (folder not writable?): " + systemError(errno));
    try {
        const std::size_t n = ids.size();
        const std::size_t entry = g.entryBytes();
        std::vector<std::string> failures(n);
        std::vector<std::vector<std::uint8_t>> bytes(detail::workerCount(threads, n));
        const cv::Size expected(g.fullWidth, g.fullHeight);
        // Only the window is decoded (the columns and rows outside skip the inverse DCT); its
        // last cached pixel may stick out of an odd-sized frame by one original pixel.
        const cv::Rect region(g.originX, g.originY,
                              std::min(g.width * g.scale, g.fullWidth - g.originX),
                              std::min(g.height * g.scale, g.fullHeight - g.originY));
        const DecodeScale scale = g.scale == 2 ? DecodeScale::Half : DecodeScale::Full;
        detail::parallelFor(
            n, threads, stop, progress, "decoding images", [&](std::size_t i, std::size_t worker) {
                const fs::path path = imageFile(imageDir, ids[i]);
                SourceImage s;
                try {
                    detail::readImageBytes(path, bytes[worker]);
                    s = decodeImage(bytes[worker], path, scale, expected, region);
                    if (s.rgb.size() != cv::Size(g.width, g.height) || s.rgb.type() != CV_8UC3 ||
                        !s.rgb.isContinuous() || s.originX != g.originX || s.originY != g.originY)
                        throw DataError(path, "decoded to an unexpected size");
                } catch (const DataError& e) {
                    failures[i] = e.what();
                    return;
                } catch (const cv::Exception& e) {
                    failures[i] = path.string() + ": cannot decode: " + e.what();
                    return;
                }
                pwriteAll(fd.get(), s.rgb.data, entry, kHeaderBytes + i * entry, temp);
            });

        // Close the gaps left by skipped images (rare), keeping GalaxyID order.
        std::vector<std::int64_t> kept;
        kept.reserve(n);
        std::vector<std::uint8_t> buffer(entry);
        for (std::size_t i = 0; i < n; ++i) {
            if (!failures[i].empty()) continue;
            if (kept.size() != i) {
                preadAll(fd.get(), buffer.data(), entry, kHeaderBytes + i * entry, temp);
                pwriteAll(fd.get(), buffer.data(), entry, kHeaderBytes + kept.size() * entry, temp);
            }
            kept.push_back(ids[i]);
        }
        std::string tables(kept.size() * sizeof(std::int64_t), '\0');
        std::memcpy(tables.data(), kept.data(), tables.size());
        std::size_t skippedCount = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (failures[i].empty()) continue;
            ++skippedCount;
            char record[12];
            const auto len =
                static_cast<std::uint32_t>(std::min<std::size_t>(failures[i].size(), 4096));
            std::memcpy(record, &ids[i], 8);
            std::memcpy(record + 8, &len, 4);
            tables.append(record, sizeof record);
            tables.append(failures[i].data(), len);
        }
        FileHeader h{};
        std::memcpy(h.magic, kMagic, sizeof kMagic);
        h.version = kVersion;
        h.headerBytes = kHeaderBytes;
        h.slotKey = slot;
        h.contentKey = content;
        h.requested = n;
        h.count = kept.size();
        h.skipped = skippedCount;
        h.fullWidth = g.fullWidth;
        h.fullHeight = g.fullHeight;
        h.scale = g.scale;
        h.originX = g.originX;
        h.originY = g.originY;
        h.width = g.width;
        h.height = g.height;
        h.channels = 3;
        h.idsOffset = kHeaderBytes + kept.size() * entry;
        h.skippedOffset = h.idsOffset + kept.size() * sizeof(std::int64_t);
        h.fileBytes = h.idsOffset + tables.size();
        if (::ftruncate(fd.get(), static_cast<off_t>(h.fileBytes)) != 0)
            throw DataError(file, "cannot write the cache: " + systemError(errno));
        pwriteAll(fd.get(), tables.data(), tables.size(), h.idsOffset, temp);
        std::string header(kHeaderBytes, '\0');
        std::memcpy(header.data(), &h, sizeof h);
        pwriteAll(fd.get(), header.data(), header.size(), 0, temp);
        if (stop.stop_requested()) throw Cancelled();
        if (::fsync(fd.get()) != 0)
            throw DataError(file, "cannot sync the cache to disk: " + systemError(errno));
        if (::close(fd.release()) != 0)
            throw DataError(file, "cannot write the cache: " + systemError(errno));
        fs::rename(temp, file, ec);
        if (ec) throw DataError(file, "cannot replace the cache file: " + ec.message());
    } catch (...) {
        fs::remove(temp, ec);
        throw;
    }
}

std::vector<std::int64_t> sortedUnique(std::vector<std::int64_t> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

}  // namespace

// ---- DecodedCache ------------------------------------------------------------------------------

fs::path DecodedCache::cacheFile(const fs::path& imageDir, const std::vector<std::int64_t>& ids,
                                 const fs::path& workspace, const CacheGeometry& geometry) {
    return workspace / "cache" / (hex(slotKey(imageDir, sortedUnique(ids), geometry)) + ".gzcache");
}

DecodedCache DecodedCache::buildOrLoad(const Catalog& catalog, const std::vector<std::int64_t>& ids,
                                       const fs::path& workspace, const AugmentationParams& params,
                                       int threads, const std::stop_token& stop,
                                       const ProgressFn& progress) {
    if (!catalog.imageDir())
        throw DataError(catalog.csvPath(), "the catalog has no image folder to decode");
    const fs::path imageDir = *catalog.imageDir();
    const fs::path cacheDir = workspace / "cache";
    catalog.requireOutside(cacheDir, "workspace");
    const CacheGeometry g = CacheGeometry::forParams(params);
    const std::vector<std::int64_t> sorted = sortedUnique(ids);
    const std::uint64_t slot = slotKey(imageDir, sorted, g);
    const fs::path file = cacheDir / (hex(slot) + ".gzcache");

    checkpoint(stop, progress, 0, sorted.size(), "checking the decoded-image cache");
    const std::uint64_t content = contentKey(slot, imageDir, sorted, stop);
    auto state = tryLoad(file, slot, content, g, imageDir);
    if (state) {
        state->reused = true;
    } else {
        build(file, slot, content, g, imageDir, sorted, threads, stop, progress);
        state = tryLoad(file, slot, content, g, imageDir);
        if (!state) throw DataError(file, "the cache just written cannot be read back");
    }
    DecodedCache cache;
    cache.state_ = std::move(state);
    return cache;
}

DecodedCache::DecodedCache() : state_(std::make_shared<State>()) {}

std::size_t DecodedCache::size() const {
    return state_->ids.size();
}
std::int64_t DecodedCache::id(std::size_t i) const {
    return state_->ids[i];
}
const std::vector<std::int64_t>& DecodedCache::ids() const {
    return state_->ids;
}

std::optional<std::size_t> DecodedCache::indexOf(std::int64_t id) const {
    const auto& v = state_->ids;
    const auto it = std::lower_bound(v.begin(), v.end(), id);
    if (it == v.end() || *it != id) return std::nullopt;
    return static_cast<std::size_t>(it - v.begin());
}

SourceImage DecodedCache::image(std::size_t i) const {
    const CacheGeometry& g = state_->geometry;
    SourceImage s;
    // The mapping is read-only; OpenCV's Mat wants a non-const pointer but nothing writes.
    s.rgb = cv::Mat(g.height, g.width, CV_8UC3,
                    const_cast<std::uint8_t*>(state_->pixels + i * g.entryBytes()));
    s.scale = g.scale;
    s.originX = g.originX;
    s.originY = g.originY;
    s.fullWidth = g.fullWidth;
    s.fullHeight = g.fullHeight;
    return s;
}

const CacheGeometry& DecodedCache::geometry() const {
    return state_->geometry;
}
const PreprocessSummary& DecodedCache::summary() const {
    return state_->summary;
}
const std::vector<SkippedImage>& DecodedCache::skipped() const {
    return state_->skipped;
}
bool DecodedCache::reused() const {
    return state_->reused;
}
const fs::path& DecodedCache::file() const {
    return state_->file;
}
std::uintmax_t DecodedCache::fileBytes() const {
    return state_->fileBytes;
}

}  // namespace gz
