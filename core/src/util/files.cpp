#include "gz/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "gz/error.h"
#include "util/file_io.h"

namespace gz {
namespace fs = std::filesystem;
using detail::systemError;

namespace {

// Flushes the file's data to disk so that the rename never exposes a half-written file.
void syncFile(const fs::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw DataError(file, "cannot reopen to sync: " + systemError(errno));
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) throw DataError(file, "cannot sync to disk: " + systemError(err));
}

// The file name's number, else `fallback`.
std::int64_t galaxyIdOf(const fs::path& file, std::int64_t fallback) {
    const std::string stem = file.stem().string();
    std::int64_t parsed = 0;
    const auto [ptr, err] = std::from_chars(stem.data(), stem.data() + stem.size(), parsed);
    return err == std::errc() && ptr == stem.data() + stem.size() && parsed >= 0 ? parsed
                                                                                 : fallback;
}

}  // namespace

void writeFileAtomically(const fs::path& target, const std::function<void(std::ostream&)>& write) {
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw DataError(target, "cannot create folder " + dir.string() + ": " + ec.message());
    detail::cleanStaleTemporariesOnce(dir);

    const fs::path temp = detail::temporaryPathFor(target);
    try {
        {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            if (!out)
                throw DataError(target,
                                "cannot write (folder not writable?): " + systemError(errno));
            write(out);
            out.flush();
            if (!out) throw DataError(target, "write failed (disk full?)");
            out.close();
            if (out.fail()) throw DataError(target, "write failed (disk full?)");
        }
        syncFile(temp);
        fs::rename(temp, target, ec);
        if (ec) throw DataError(target, "cannot replace file: " + ec.message());
    } catch (...) {
        fs::remove(temp, ec);
        throw;
    }
}

std::string readWholeFile(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) throw DataError(file, "file not found");
    if (fs::is_directory(file, ec)) throw DataError(file, "is a folder, not a file");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(file, "cannot open: " + systemError(errno));
    // One read of the whole size (a 28 MB catalog: byte-wise stream iteration took ~60 ms).
    const auto size = fs::file_size(file, ec);
    if (ec) throw DataError(file, "cannot read: " + ec.message());
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(size));
    if (in.bad() || static_cast<std::uintmax_t>(in.gcount()) != size)
        throw DataError(file, "read failed (the file changed while it was read?)");
    return text;
}

bool isSameFile(const fs::path& a, const fs::path& b) {
    std::error_code ec;
    if (fs::equivalent(a, b, ec)) return true;
    return detail::absoluteClean(a) == detail::absoluteClean(b);
}

bool isInsideFolder(const fs::path& inner, const fs::path& outer) {
    return detail::isInsideFolder(inner, outer);
}

void requireOutsideDataFolder(const fs::path& path, const fs::path& dataFolder,
                              std::string_view what) {
    if (detail::isInsideFolder(path, dataFolder)) detail::refuseWritingIntoData(path, what);
}

std::vector<JpegFile> listJpegs(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw DataError(dir, "image folder not found");
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string ext = e.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (e.is_regular_file() && (ext == ".jpg" || ext == ".jpeg")) paths.push_back(e.path());
    }
    std::sort(paths.begin(), paths.end());
    std::vector<JpegFile> files;
    files.reserve(paths.size());
    for (std::size_t i = 0; i < paths.size(); ++i)
        files.push_back({paths[i], galaxyIdOf(paths[i], static_cast<std::int64_t>(i))});
    return files;
}

fs::path defaultWorkspace() {
    if (const char* ws = std::getenv("GZ_WORKSPACE"); ws && *ws) return fs::path(ws);
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
        return fs::path(xdg) / "galaxy-studio";
    if (const char* home = std::getenv("HOME"); home && *home)
        return fs::path(home) / ".local" / "share" / "galaxy-studio";
    return fs::current_path() / "galaxy-studio-workspace";
}

fs::path demoDatasetDir(const fs::path& workspace) {
    return workspace / "demo-data";
}

}  // namespace gz
