#include "imaging/cache_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <opencv2/core/version.hpp>
#include <vector>

#include "gz/error.h"
#include "util/file_io.h"
#include "util/parallel_for.h"

namespace gz::detail {
namespace fs = std::filesystem;

std::string hex(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::uint64_t slotKey(const fs::path& imageDir, std::span<const std::int64_t> sortedIds,
                      const CacheGeometry& g) {
    Hasher h;
    h.text("galaxy-studio decoded cache");
    h.value(kCacheVersion);
    // The decoder's output could change with the library. Decoding is libjpeg-turbo's, called
    // directly now and through OpenCV before (same pixels): OpenCV's version stays in the key
    // so that existing caches stay valid.
    h.text(CV_VERSION);
    h.text(absoluteClean(imageDir).string());
    for (int v : {g.fullWidth, g.fullHeight, g.scale, g.originX, g.originY, g.width, g.height})
        h.value(v);
    h.value(sortedIds.size());
    for (auto id : sortedIds) h.value(id);
    return h.digest();
}

std::vector<std::int64_t> sortedUnique(std::vector<std::int64_t> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

fs::path cachePath(const fs::path& workspace, std::uint64_t slot) {
    return workspace / "cache" / (hex(slot) + ".gzcache");
}

fs::path imageFile(const fs::path& imageDir, std::int64_t id) {
    return imageDir / (std::to_string(id) + ".jpg");
}

void hashFileStamp(Hasher& h, const fs::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        h.value(st.st_size);
        h.value(st.st_mtim.tv_sec);
        h.value(st.st_mtim.tv_nsec);
    } else {
        h.value(-1);
    }
}

std::uint64_t contentKey(std::uint64_t seed, const fs::path& imageDir,
                         std::span<const std::int64_t> sortedIds, const std::stop_token& stop) {
    Hasher h;
    h.value(seed);
    std::size_t n = 0;
    for (auto id : sortedIds) {
        if ((++n & 1023) == 0 && stop.stop_requested()) throw Cancelled();
        hashFileStamp(h, imageFile(imageDir, id));
    }
    return h.digest();
}

Fd::~Fd() {
    if (fd_ >= 0) ::close(fd_);
}

Fd createTemporary(const fs::path& file, fs::path& temp) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec) throw DataError(file.parent_path(), "cannot create the cache folder: " + ec.message());
    temp = temporaryPathFor(file);
    Fd fd(::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0)
        throw DataError(file,
                        "cannot write the cache (folder not writable?): " + systemError(errno));
    return fd;
}

DecodedEntries decodeEntries(int fd, const fs::path& file, const CacheGeometry& g,
                             const fs::path& imageDir, std::span<const std::int64_t> ids,
                             int threads, const std::stop_token& stop, const ProgressFn& progress) {
    const std::size_t n = ids.size();
    const std::size_t entry = g.entryBytes();
    std::vector<std::string> failures(n);
    std::vector<std::vector<std::uint8_t>> bytes(workerCount(threads, n));
    const cv::Size expected(g.fullWidth, g.fullHeight);
    // Only the window is decoded (the columns and rows outside skip the inverse DCT); its last
    // cached pixel may stick out of an odd-sized frame by one original pixel.
    const cv::Rect region(g.originX, g.originY,
                          std::min(g.width * g.scale, g.fullWidth - g.originX),
                          std::min(g.height * g.scale, g.fullHeight - g.originY));
    const DecodeScale scale = g.scale == 2 ? DecodeScale::Half : DecodeScale::Full;
    parallelFor(
        n, threads, stop, progress, "decoding images", [&](std::size_t i, std::size_t worker) {
            const fs::path path = imageFile(imageDir, ids[i]);
            SourceImage s;
            try {
                readImageBytes(path, bytes[worker]);
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
            pwriteAll(fd, s.rgb.data, entry, kCacheHeaderBytes + i * entry, file);
        });

    // Close the gaps left by skipped images (rare), keeping GalaxyID order.
    std::vector<std::int64_t> kept;
    kept.reserve(n);
    std::vector<std::uint8_t> buffer(entry);
    for (std::size_t i = 0; i < n; ++i) {
        if (!failures[i].empty()) continue;
        if (kept.size() != i) {
            preadAll(fd, buffer.data(), entry, kCacheHeaderBytes + i * entry, file);
            pwriteAll(fd, buffer.data(), entry, kCacheHeaderBytes + kept.size() * entry, file);
        }
        kept.push_back(ids[i]);
    }
    DecodedEntries out;
    out.requested = n;
    out.count = kept.size();
    out.tables.assign(kept.size() * sizeof(std::int64_t), '\0');
    if (!kept.empty()) std::memcpy(out.tables.data(), kept.data(), out.tables.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (failures[i].empty()) continue;
        ++out.skipped;
        char record[12];
        const auto len =
            static_cast<std::uint32_t>(std::min<std::size_t>(failures[i].size(), 4096));
        std::memcpy(record, &ids[i], 8);
        std::memcpy(record + 8, &len, 4);
        out.tables.append(record, sizeof record);
        out.tables.append(failures[i].data(), len);
        out.skippedImages.push_back(
            {ids[i], imageFile(imageDir, ids[i]), failures[i].substr(0, len)});
    }
    return out;
}

CacheFileHeader makeHeader(const char (&magic)[8], std::uint64_t slot, std::uint64_t content,
                           const CacheGeometry& g, const DecodedEntries& entries) {
    CacheFileHeader h{};
    std::memcpy(h.magic, magic, sizeof h.magic);
    h.version = kCacheVersion;
    h.headerBytes = kCacheHeaderBytes;
    h.slotKey = slot;
    h.contentKey = content;
    h.requested = entries.requested;
    h.count = entries.count;
    h.skipped = entries.skipped;
    h.fullWidth = g.fullWidth;
    h.fullHeight = g.fullHeight;
    h.scale = g.scale;
    h.originX = g.originX;
    h.originY = g.originY;
    h.width = g.width;
    h.height = g.height;
    h.channels = 3;
    h.idsOffset = kCacheHeaderBytes + entries.count * g.entryBytes();
    h.skippedOffset = h.idsOffset + entries.count * sizeof(std::int64_t);
    h.fileBytes = h.idsOffset + entries.tables.size();
    return h;
}

void commitCacheFile(Fd& fd, const fs::path& temp, const fs::path& file, const CacheFileHeader& h,
                     std::string_view tables, std::string_view extra) {
    if (::ftruncate(fd.get(), static_cast<off_t>(h.fileBytes)) != 0)
        throw DataError(file, "cannot write the cache: " + systemError(errno));
    pwriteAll(fd.get(), tables.data(), tables.size(), h.idsOffset, file);
    std::string header(kCacheHeaderBytes, '\0');
    std::memcpy(header.data(), &h, sizeof h);
    if (sizeof h + extra.size() > header.size())
        throw std::logic_error("decoded cache: header block too small");
    // An empty view may hold a null pointer, which memcpy must never be given (UBSan found it).
    if (!extra.empty()) std::memcpy(header.data() + sizeof h, extra.data(), extra.size());
    pwriteAll(fd.get(), header.data(), header.size(), 0, file);
    if (::fsync(fd.get()) != 0)
        throw DataError(file, "cannot sync the cache to disk: " + systemError(errno));
    if (::close(fd.release()) != 0)
        throw DataError(file, "cannot write the cache: " + systemError(errno));
    std::error_code ec;
    fs::rename(temp, file, ec);
    if (ec) throw DataError(file, "cannot replace the cache file: " + ec.message());
}

std::optional<CacheFileHeader> readMatchingHeader(int fd, const fs::path& file, std::uint64_t size,
                                                  const char (&magic)[8], std::uint64_t slot,
                                                  std::uint64_t content, const CacheGeometry& g) {
    if (size < kCacheHeaderBytes) return std::nullopt;
    CacheFileHeader h{};
    try {
        preadAll(fd, &h, sizeof h, 0, file);
    } catch (const DataError&) {
        return std::nullopt;
    }
    const std::uint64_t entry = g.entryBytes();
    if (std::memcmp(h.magic, magic, sizeof h.magic) != 0 || h.version != kCacheVersion ||
        h.headerBytes != kCacheHeaderBytes || h.slotKey != slot || h.contentKey != content ||
        h.fileBytes != size || h.fullWidth != g.fullWidth || h.fullHeight != g.fullHeight ||
        h.scale != g.scale || h.originX != g.originX || h.originY != g.originY ||
        h.width != g.width || h.height != g.height || h.channels != 3 ||
        h.count + h.skipped != h.requested || h.count > size / std::max<std::uint64_t>(entry, 1) ||
        h.idsOffset != kCacheHeaderBytes + h.count * entry ||
        h.skippedOffset != h.idsOffset + h.count * sizeof(std::int64_t) || h.skippedOffset > size)
        return std::nullopt;
    return h;
}

}  // namespace gz::detail
