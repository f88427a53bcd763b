#include "util/file_io.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <string>

#include "gz/error.h"
#include "gz/file_notes.h"

namespace gz::detail {
namespace fs = std::filesystem;

std::string systemError(int err) {
    return std::strerror(err);
}

void pwriteAll(int fd, const void* data, std::size_t n, std::uint64_t offset,
               const fs::path& file) {
    const auto* p = static_cast<const char*>(data);
    while (n > 0) {
        const ssize_t r = ::pwrite(fd, p, n, static_cast<off_t>(offset));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0)
            throw DataError(file, "write failed (disk full?): " + systemError(r < 0 ? errno : EIO));
        p += r;
        n -= static_cast<std::size_t>(r);
        offset += static_cast<std::uint64_t>(r);
    }
}

void preadAll(int fd, void* data, std::size_t n, std::uint64_t offset, const fs::path& file) {
    auto* p = static_cast<char*>(data);
    while (n > 0) {
        const ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0)
            throw DataError(file, r < 0 ? "read failed: " + systemError(errno)
                                        : std::string("unexpected end of file"));
        p += r;
        n -= static_cast<std::size_t>(r);
        offset += static_cast<std::uint64_t>(r);
    }
}

namespace {

constexpr std::string_view kTempMark = ".tmp-";

std::string makeHostTag() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "host";
    std::string tag;
    for (const char* c = name; *c && *c != '.' && tag.size() < 32; ++c) {
        const auto u = static_cast<unsigned char>(*c);
        tag += std::isalnum(u) || *c == '_' || *c == '-' ? *c : '_';
    }
    return tag.empty() ? "host" : tag;
}

bool allDigits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The process id of a temporary of this host (`.<name>.tmp-<host>-<pid>-<random>`), else 0.
int ownTemporaryPid(const std::string& name) {
    if (name.size() < 2 || name[0] != '.') return 0;
    const std::size_t mark = name.rfind(kTempMark);
    if (mark == std::string::npos || mark < 2) return 0;
    return pidOfThisHost(std::string_view(name).substr(mark + kTempMark.size()));
}

std::mutex noteMutex;
std::function<void(const std::string&)> noteSink;

void sendNote(const std::string& note) {
    const std::lock_guard lock(noteMutex);
    if (noteSink)
        noteSink(note);
    else
        std::cerr << "galaxy: " << note << std::endl;
}

}  // namespace

const std::string& hostTag() {
    static const std::string tag = makeHostTag();
    return tag;
}

std::string processTag() {
    std::random_device rd;
    return hostTag() + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
}

int pidOfThisHost(std::string_view tag) {
    const std::size_t lastDash = tag.rfind('-');
    if (lastDash == std::string_view::npos || lastDash == 0) return 0;
    const std::size_t pidDash = tag.rfind('-', lastDash - 1);
    if (pidDash == std::string_view::npos) return 0;
    const std::string_view host = tag.substr(0, pidDash),
                           pid = tag.substr(pidDash + 1, lastDash - pidDash - 1),
                           random = tag.substr(lastDash + 1);
    if (host != hostTag() || !allDigits(pid) || !allDigits(random) || pid.size() > 9) return 0;
    return std::stoi(std::string(pid));
}

bool processAlive(int pid) {
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;  // EPERM: someone else's
}

fs::path temporaryPathFor(const fs::path& target) {
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    return dir / ("." + target.filename().string() + std::string(kTempMark) + processTag());
}

std::vector<fs::path> removeStaleTemporaries(const fs::path& dir) {
    std::vector<fs::path> removed;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const pid_t pid = ownTemporaryPid(it->path().filename().string());
        if (pid <= 0 || processAlive(pid)) continue;
        std::error_code rec;
        if (fs::remove_all(it->path(), rec) > 0 && !rec) removed.push_back(it->path());
    }
    std::sort(removed.begin(), removed.end());
    return removed;
}

std::string staleTemporariesNote(const std::vector<fs::path>& removed) {
    std::string note = "removed " + std::to_string(removed.size()) + " stale temporary file" +
                       (removed.size() == 1 ? "" : "s") + " left by an interrupted write:";
    for (std::size_t i = 0; i < removed.size(); ++i) note += (i ? ", " : " ") + removed[i].string();
    return note;
}

void tellRemoved(const std::vector<fs::path>& removed, const ProgressFn& progress) {
    if (removed.empty()) return;
    const std::string note = staleTemporariesNote(removed);
    if (progress)
        progress(0, 0, note);
    else
        sendNote(note);
}

std::vector<fs::path> cleanStaleTemporaries(const fs::path& dir, const ProgressFn& progress) {
    std::vector<fs::path> removed = removeStaleTemporaries(dir);
    tellRemoved(removed, progress);
    return removed;
}

void cleanStaleTemporariesOnce(const fs::path& dir) {
    static std::mutex mutex;
    static std::set<fs::path> cleaned;
    {
        const std::lock_guard lock(mutex);
        if (!cleaned.insert(absoluteClean(dir)).second) return;
    }
    cleanStaleTemporaries(dir);
}

void readImageBytes(const fs::path& file, std::vector<std::uint8_t>& bytes) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) throw DataError(file, "image file not found");
        throw DataError(file, std::string("cannot open image file: ") + std::strerror(errno));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        throw DataError(file, "image file not found");
    bytes.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t r = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0)
            throw DataError(file, std::string("cannot read image file: ") + std::strerror(errno));
        if (r == 0) break;  // the file shrank meanwhile: what was read is decoded (and fails)
        got += static_cast<std::size_t>(r);
    }
    bytes.resize(got);
}

fs::path absoluteClean(const fs::path& p) {
    std::error_code ec;
    // weakly_canonical alone leaves a relative path relative when none of it exists yet.
    const fs::path absolute = fs::absolute(p, ec);
    if (ec) return p.lexically_normal();
    fs::path a = fs::weakly_canonical(absolute, ec);
    if (ec) a = absolute.lexically_normal();
    return a;
}

void refuseWritingIntoData(const fs::path& path, std::string_view what) {
    throw DataError(path, "is inside the data set, where nothing is ever written: choose another " +
                              std::string(what));
}

bool isInsideFolder(const fs::path& inner, const fs::path& outer) {
    if (inner.empty() || outer.empty()) return false;  // "" is no folder, not the current one
    const fs::path a = absoluteClean(inner), b = absoluteClean(outer);
    auto ai = a.begin();
    for (auto bi = b.begin(); bi != b.end(); ++bi) {
        if (bi->empty()) continue;  // a trailing separator
        if (ai == a.end() || *ai != *bi) return false;
        ++ai;
    }
    return true;
}

fs::path FolderLock::lockFile(const fs::path& dir) {
    return dir / ".lock";
}

FolderLock::FolderLock(const fs::path& dir) {
    const fs::path file = lockFile(dir);
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw DataError(dir, "cannot create its lock file: " + systemError(errno));
    int r;
    do r = ::flock(fd_, LOCK_EX | LOCK_NB);
    while (r != 0 && errno == EINTR);
    if (r != 0) {
        const int err = errno;
        char holder[32] = {};
        const ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK)
            throw DataError(
                dir,
                "is in use by another training or resume" +
                    (n > 0 ? " (process " + std::string(holder, static_cast<std::size_t>(n)) + ")"
                           : std::string()) +
                    "; wait for it to finish or stop it first");
        throw DataError(dir, "cannot lock the run folder: " + systemError(err));
    }
    const std::string pid = std::to_string(::getpid());
    if (::ftruncate(fd_, 0) == 0) pwriteAll(fd_, pid.data(), pid.size(), 0, file);
}

FolderLock::~FolderLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
}

void requireNewFolder(const fs::path& folder, std::string_view what) {
    std::error_code ec;
    const auto status = fs::symlink_status(folder, ec);
    if (!fs::exists(status)) return;
    if (!fs::is_directory(status))
        throw DataError(folder, "exists and is not a folder: choose a new " + std::string(what));
    if (!fs::is_empty(folder, ec) || ec)
        throw DataError(folder, "exists and is not empty: choose a new " + std::string(what) +
                                    " (nothing is ever overwritten)");
}

}  // namespace gz::detail

namespace gz {

void setFileNoteSink(std::function<void(const std::string&)> sink) {
    const std::lock_guard lock(detail::noteMutex);
    detail::noteSink = std::move(sink);
}

}  // namespace gz
