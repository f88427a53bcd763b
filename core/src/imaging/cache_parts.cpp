// Shard parts of the decoded cache: written by buildCachePart, assembled by
// DecodedCache::buildOrLoad (through detail::assembleFromParts).

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>

#include "gz/cache_shards.h"
#include "gz/error.h"
#include "imaging/cache_file.h"
#include "util/file_io.h"

namespace gz {
namespace fs = std::filesystem;

// ---- CacheShard --------------------------------------------------------------------------------

namespace {

bool parseCount(std::string_view text, int& value) {
    if (text.empty() || text.size() > 9 || text[0] < '0' || text[0] > '9') return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

CacheShard CacheShard::parse(std::string_view text) {
    const std::string quoted = "shard \"" + std::string(text) + "\"";
    const auto slash = text.find('/');
    CacheShard s;
    if (slash == std::string_view::npos || !parseCount(text.substr(0, slash), s.index) ||
        !parseCount(text.substr(slash + 1), s.count))
        throw DataError(quoted +
                        ": expected I/N, the shard's index counted from 0 and the number of "
                        "shards, e.g. 0/4 (as SLURM_ARRAY_TASK_ID counts)");
    if (s.count < 1 || s.count > kMaxCount)
        throw DataError(quoted + ": the number of shards must be 1.." + std::to_string(kMaxCount));
    if (s.index >= s.count)
        throw DataError(quoted + ": the index counts from 0, so it must be 0.." +
                        std::to_string(s.count - 1));
    return s;
}

std::string CacheShard::text() const {
    return std::to_string(index) + "/" + std::to_string(count);
}

std::pair<std::size_t, std::size_t> CacheShard::range(std::size_t n) const {
    // n x index stays far below 2^64 for any catalog (count <= kMaxCount).
    const auto at = [&](int i) {
        return static_cast<std::size_t>(static_cast<std::uint64_t>(n) *
                                        static_cast<std::uint64_t>(i) /
                                        static_cast<std::uint64_t>(count));
    };
    return {at(index), at(index + 1)};
}

fs::path cachePartFile(const fs::path& cacheFile, CacheShard shard) {
    return cacheFile.parent_path() /
           (cacheFile.stem().string() + ".part-" + std::to_string(shard.index) + "-of-" +
            std::to_string(shard.count) + ".gzpart");
}

// ---- the part files ----------------------------------------------------------------------------

namespace {

using detail::Fd;

// What a part's header block holds after its CacheFileHeader.
struct PartInfo {
    std::uint32_t index;
    std::uint32_t count;
    std::uint64_t first;  // position of the part's first id among the sorted ids
    std::uint64_t total;  // number of sorted ids of the whole cache
};
static_assert(sizeof(PartInfo) == 24);

// A part's content key: the whole cache's slot, which part, and its images' sizes and times.
std::uint64_t partContentKey(std::uint64_t slot, CacheShard shard, const fs::path& imageDir,
                             std::span<const std::int64_t> ids, const std::stop_token& stop) {
    detail::Hasher h;
    h.text("decoded cache part");
    h.value(slot);
    h.value(shard.index);
    h.value(shard.count);
    return detail::contentKey(h.digest(), imageDir, ids, stop);
}

// A part file found beside the cache: its shard from the name.
std::optional<CacheShard> shardOfName(const std::string& name, const std::string& prefix) {
    constexpr std::string_view kSuffix = ".gzpart";
    if (name.size() <= prefix.size() + kSuffix.size() ||
        name.compare(0, prefix.size(), prefix) != 0 || !name.ends_with(kSuffix))
        return std::nullopt;
    std::string middle = name.substr(prefix.size(), name.size() - prefix.size() - kSuffix.size());
    const auto of = middle.find("-of-");
    if (of == std::string::npos) return std::nullopt;
    middle.replace(of, 4, "/");
    try {
        return CacheShard::parse(middle);
    } catch (const DataError&) {
        return std::nullopt;
    }
}

// An open part that matches the images and settings, and its tables.
struct OpenPart {
    Fd fd;
    fs::path file;
    detail::CacheFileHeader header{};
    std::string ids, skipped;  // the bytes of its two tables
};

// Opens and checks part `shard` of the ids: nullopt when it is damaged or was written for other
// images, ids or settings.
std::optional<OpenPart> openPart(const fs::path& file, CacheShard shard, std::uint64_t slot,
                                 const CacheGeometry& g, const fs::path& imageDir,
                                 std::span<const std::int64_t> sortedIds,
                                 const std::stop_token& stop) {
    const auto [first, last] = shard.range(sortedIds.size());
    const auto ids = sortedIds.subspan(first, last - first);
    OpenPart part{Fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC)), file, {}, {}, {}};
    struct stat st {};
    if (part.fd.get() < 0 || ::fstat(part.fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return std::nullopt;
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const auto h = detail::readMatchingHeader(part.fd.get(), file, size, detail::kPartMagic, slot,
                                              partContentKey(slot, shard, imageDir, ids, stop), g);
    if (!h || h->requested != ids.size()) return std::nullopt;
    part.header = *h;
    try {
        PartInfo info{};
        detail::preadAll(part.fd.get(), &info, sizeof info, sizeof(detail::CacheFileHeader), file);
        if (info.index != static_cast<std::uint32_t>(shard.index) ||
            info.count != static_cast<std::uint32_t>(shard.count) || info.first != first ||
            info.total != sortedIds.size())
            return std::nullopt;
        part.ids.resize(h->skippedOffset - h->idsOffset);
        part.skipped.resize(size - h->skippedOffset);
        detail::preadAll(part.fd.get(), part.ids.data(), part.ids.size(), h->idsOffset, file);
        detail::preadAll(part.fd.get(), part.skipped.data(), part.skipped.size(), h->skippedOffset,
                         file);
    } catch (const DataError&) {
        return std::nullopt;
    }
    // The usable and the skipped ids, merged, must be exactly the shard's ids.
    std::vector<std::int64_t> seen(h->count);
    if (!part.ids.empty()) std::memcpy(seen.data(), part.ids.data(), part.ids.size());
    std::uint64_t at = 0;
    for (std::uint64_t i = 0; i < h->skipped; ++i) {
        std::int64_t id = 0;
        std::uint32_t n = 0;
        if (at + 12 > part.skipped.size()) return std::nullopt;
        std::memcpy(&id, part.skipped.data() + at, 8);
        std::memcpy(&n, part.skipped.data() + at + 8, 4);
        at += 12;
        if (n > part.skipped.size() - at) return std::nullopt;
        at += n;
        seen.push_back(id);
    }
    if (at != part.skipped.size()) return std::nullopt;
    std::sort(seen.begin(), seen.end());
    if (!std::equal(seen.begin(), seen.end(), ids.begin(), ids.end())) return std::nullopt;
    return part;
}

// Copies `n` bytes from `from` at `in` to `to` at `out`.
void copyBytes(const OpenPart& from, std::uint64_t in, int to, const fs::path& toFile,
               std::uint64_t out, std::uint64_t n, const std::stop_token& stop) {
    constexpr std::uint64_t kChunk = 8u << 20;
    std::vector<char> buffer(static_cast<std::size_t>(std::min(n, kChunk)));
    for (std::uint64_t done = 0; done < n;) {
        if (stop.stop_requested()) throw Cancelled();
        const auto step = static_cast<std::size_t>(std::min(n - done, kChunk));
        detail::preadAll(from.fd.get(), buffer.data(), step, in + done, from.file);
        detail::pwriteAll(to, buffer.data(), step, out + done, toFile);
        done += step;
    }
}

// Writes the cache `file` from the parts, in shard order: their entries one after the other,
// then their ids, then their skipped records: the bytes a direct build writes.
void assemble(const fs::path& file, std::uint64_t slot, std::uint64_t content,
              const CacheGeometry& g, std::uint64_t total, const std::vector<OpenPart>& parts,
              const std::stop_token& stop, const ProgressFn& progress) {
    fs::path temp;
    Fd fd = detail::createTemporary(file, temp);
    try {
        detail::DecodedEntries entries;
        entries.requested = total;
        std::string skipped;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            checkpoint(stop, progress, i, parts.size(), "assembling the decoded-image cache");
            const detail::CacheFileHeader& h = parts[i].header;
            copyBytes(parts[i], detail::kCacheHeaderBytes, fd.get(), file,
                      detail::kCacheHeaderBytes + entries.count * g.entryBytes(),
                      h.idsOffset - detail::kCacheHeaderBytes, stop);
            entries.count += h.count;
            entries.skipped += h.skipped;
            entries.tables += parts[i].ids;
            skipped += parts[i].skipped;
        }
        entries.tables += skipped;
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

CachePart buildCachePart(const Catalog& catalog, const std::vector<std::int64_t>& ids,
                         const fs::path& workspace, const AugmentationParams& params,
                         CacheShard shard, int threads, const std::stop_token& stop,
                         const ProgressFn& progress) {
    if (!catalog.imageDir())
        throw DataError(catalog.csvPath(), "the catalog has no image folder to decode");
    const fs::path imageDir = *catalog.imageDir();
    catalog.requireOutside(workspace / "cache", "workspace");
    shard = CacheShard::parse(shard.text());  // refuses an index outside the count
    const CacheGeometry g = CacheGeometry::forParams(params);
    const std::vector<std::int64_t> sorted = detail::sortedUnique(ids);
    const std::uint64_t slot = detail::slotKey(imageDir, sorted, g);
    const auto [first, last] = shard.range(sorted.size());
    const auto mine = std::span<const std::int64_t>(sorted).subspan(first, last - first);

    CachePart part;
    part.shard = shard;
    part.file = cachePartFile(detail::cachePath(workspace, slot), shard);
    detail::cleanStaleTemporaries(part.file.parent_path(), progress);
    checkpoint(stop, progress, 0, mine.size(), "checking the images");
    const std::uint64_t content = partContentKey(slot, shard, imageDir, mine, stop);
    fs::path temp;
    Fd fd = detail::createTemporary(part.file, temp);
    try {
        detail::DecodedEntries entries =
            detail::decodeEntries(fd.get(), part.file, g, imageDir, mine, threads, stop, progress);
        if (stop.stop_requested()) throw Cancelled();
        const PartInfo info{static_cast<std::uint32_t>(shard.index),
                            static_cast<std::uint32_t>(shard.count), first, sorted.size()};
        detail::commitCacheFile(
            fd, temp, part.file, detail::makeHeader(detail::kPartMagic, slot, content, g, entries),
            entries.tables, std::string_view(reinterpret_cast<const char*>(&info), sizeof info));
        part.summary.requested = entries.requested;
        part.summary.usable = entries.count;
        part.summary.skipped = entries.skipped;
        const std::size_t kept =
            std::min(entries.skippedImages.size(), PreprocessSummary::kSkippedKept);
        part.summary.firstSkipped.assign(
            entries.skippedImages.begin(),
            entries.skippedImages.begin() + static_cast<std::ptrdiff_t>(kept));
    } catch (...) {
        std::error_code ec;
        fs::remove(temp, ec);
        throw;
    }
    return part;
}

namespace detail {

Assembly assembleFromParts(const fs::path& file, std::uint64_t slot, std::uint64_t content,
                           const CacheGeometry& g, const fs::path& imageDir,
                           std::span<const std::int64_t> sortedIds, const std::stop_token& stop,
                           const ProgressFn& progress) {
    // The parts beside the cache, by shard count and index.
    std::map<int, std::map<int, fs::path>> found;
    const std::string prefix = file.stem().string() + ".part-";
    std::error_code ec;
    for (fs::directory_iterator it(file.parent_path(), ec), end; !ec && it != end; it.increment(ec))
        if (const auto shard = shardOfName(it->path().filename().string(), prefix))
            found[shard->count][shard->index] = it->path();
    if (found.empty()) return {};

    std::vector<std::string> problems;
    for (const auto& [count, files] : found) {
        const std::string set = std::to_string(count) + " shard parts";
        if (files.size() != static_cast<std::size_t>(count)) {
            int missing = 0;
            while (files.count(missing)) ++missing;
            problems.push_back(set + ": only " + std::to_string(files.size()) + " present (part " +
                               std::to_string(missing) + "/" + std::to_string(count) +
                               " is missing)");
            continue;
        }
        std::vector<OpenPart> parts;
        for (const auto& [index, path] : files) {
            auto part = openPart(path, {index, count}, slot, g, imageDir, sortedIds, stop);
            if (!part) {
                problems.push_back(set + ": " + path.filename().string() +
                                   " is damaged or was made for other images or settings");
                break;
            }
            parts.push_back(std::move(*part));
        }
        if (parts.size() != files.size()) continue;
        assemble(file, slot, content, g, sortedIds.size(), parts, stop, progress);
        for (const auto& part : parts) fs::remove(part.file, ec);
        return {true, "assembled from " + set + " (no image decoded)"};
    }
    std::string note = "shard parts ignored, every image decoded instead:";
    for (const auto& p : problems) note += " " + p + ";";
    note.pop_back();
    return {false, note};
}

}  // namespace detail
}  // namespace gz
