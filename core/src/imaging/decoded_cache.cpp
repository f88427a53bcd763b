#include "gz/decoded_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string_view>

#include "gz/error.h"
#include "imaging/cache_file.h"
#include "util/file_io.h"

namespace gz {
namespace fs = std::filesystem;
using detail::contentKey;
using detail::Fd;
using detail::imageFile;
using detail::slotKey;

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

// ---- the file (format: imaging/cache_file.h) ------------------------------------------------

namespace {

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
    CacheOrigin origin = CacheOrigin::Reused;
    std::string partsNote;
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
    const auto header =
        detail::readMatchingHeader(fd.get(), file, size, detail::kCacheMagic, slot, content, g);
    if (!header) return nullptr;
    const detail::CacheFileHeader& h = *header;

    auto state = std::make_shared<DecodedCache::State>();
    state->mapping.length = static_cast<std::size_t>(size);
    state->mapping.base =
        ::mmap(nullptr, state->mapping.length, PROT_READ, MAP_SHARED, fd.get(), 0);
    if (state->mapping.base == MAP_FAILED) return nullptr;
    const auto* base = static_cast<const std::uint8_t*>(state->mapping.base);
    state->pixels = base + detail::kCacheHeaderBytes;

    state->ids.resize(h.count);
    if (h.count > 0)
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
    fs::path temp;
    Fd fd = detail::createTemporary(file, temp);
    try {
        const detail::DecodedEntries entries =
            detail::decodeEntries(fd.get(), file, g, imageDir, ids, threads, stop, progress);
        if (stop.stop_requested()) throw Cancelled();
        detail::commitCacheFile(fd, temp, file,
                                detail::makeHeader(detail::kCacheMagic, slot, content, g, entries),
                                entries.tables);
    } catch (...) {
        std::error_code ec;
        fs::remove(temp, ec);
        throw;
    }
}

}  // namespace

std::string_view cacheOriginKey(CacheOrigin origin) {
    switch (origin) {
        case CacheOrigin::Reused:
            return "reused";
        case CacheOrigin::Assembled:
            return "assembled";
        case CacheOrigin::Decoded:
            return "built";
    }
    return "?";
}

// ---- DecodedCache ------------------------------------------------------------------------------

fs::path DecodedCache::cacheFile(const fs::path& imageDir, const std::vector<std::int64_t>& ids,
                                 const fs::path& workspace, const CacheGeometry& geometry) {
    return detail::cachePath(workspace, slotKey(imageDir, detail::sortedUnique(ids), geometry));
}

DecodedCache DecodedCache::buildOrLoad(const Catalog& catalog, const std::vector<std::int64_t>& ids,
                                       const fs::path& workspace, const AugmentationParams& params,
                                       int threads, const std::stop_token& stop,
                                       const ProgressFn& progress) {
    if (!catalog.imageDir())
        throw DataError(catalog.csvPath(), "the catalog has no image folder to decode");
    const fs::path imageDir = *catalog.imageDir();
    catalog.requireOutside(workspace / "cache", "workspace");
    const CacheGeometry g = CacheGeometry::forParams(params);
    const std::vector<std::int64_t> sorted = detail::sortedUnique(ids);
    const std::uint64_t slot = slotKey(imageDir, sorted, g);
    const fs::path file = detail::cachePath(workspace, slot);

    detail::cleanStaleTemporaries(file.parent_path(), progress);
    checkpoint(stop, progress, 0, sorted.size(), "checking the decoded-image cache");
    const std::uint64_t content = contentKey(slot, imageDir, sorted, stop);
    auto state = tryLoad(file, slot, content, g, imageDir);
    if (!state) {
        const detail::Assembly parts =
            detail::assembleFromParts(file, slot, content, g, imageDir, sorted, stop, progress);
        if (!parts.assembled)
            build(file, slot, content, g, imageDir, sorted, threads, stop, progress);
        state = tryLoad(file, slot, content, g, imageDir);
        if (!state) throw DataError(file, "the cache just written cannot be read back");
        state->origin = parts.assembled ? CacheOrigin::Assembled : CacheOrigin::Decoded;
        state->partsNote = parts.note;
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
    return state_->origin == CacheOrigin::Reused;
}
CacheOrigin DecodedCache::origin() const {
    return state_->origin;
}
const std::string& DecodedCache::partsNote() const {
    return state_->partsNote;
}
const fs::path& DecodedCache::file() const {
    return state_->file;
}
std::uintmax_t DecodedCache::fileBytes() const {
    return state_->fileBytes;
}

}  // namespace gz
