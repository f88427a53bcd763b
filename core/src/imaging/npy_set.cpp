#include "imaging/npy_set.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "gz/error.h"
#include "util/file_io.h"

namespace gz::detail {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kCurrent = ".npy-current";
constexpr std::string_view kSetPrefix = ".npy-set-";

// Makes the folder's entries (renames, new links) durable; a file system that cannot sync a
// folder (EINVAL) is left to its own ordering.
void syncFolder(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// Replaces `link` (whatever it is, unless a folder) with a symbolic link to `target`, in one
// rename.
void replaceWithLink(const fs::path& link, const fs::path& target) {
    const fs::path temp = temporaryPathFor(link);
    std::error_code ec;
    fs::create_symlink(target, temp, ec);
    if (ec) throw DataError(link, "cannot create a link: " + ec.message());
    fs::rename(temp, link, ec);
    if (ec) {
        fs::remove(temp, ec);
        throw DataError(link, "cannot replace it with a link to the new set of .npy files");
    }
}

// The set folder `.npy-current` points to, by name; empty when there is none.
fs::path publishedSet(const fs::path& outDir) {
    std::error_code ec;
    const fs::path target = fs::read_symlink(outDir / std::string(kCurrent), ec);
    return ec ? fs::path() : target;
}

// A set name `.npy-set-<tag>`, not a temporary set folder (`.npy-set.tmp-...`).
bool isSetName(const std::string& name) {
    return name.size() > kSetPrefix.size() && name.compare(0, kSetPrefix.size(), kSetPrefix) == 0;
}

// An export in the plain-file layout (all of `names` regular files, no `.npy-current`): its files
// are hard-linked into a set folder that `.npy-current` then points to, so that replacing each
// name by a link shows the same bytes. Without hard links, nothing is taken over.
void adoptPlainSet(const fs::path& outDir, const std::vector<std::string>& names) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(outDir / std::string(kCurrent), ec))) return;
    for (const auto& name : names)
        if (!fs::is_regular_file(fs::symlink_status(outDir / name, ec))) return;
    const fs::path temp = temporaryPathFor(outDir / "npy-set");
    if (!fs::create_directory(temp, ec) || ec) return;
    for (const auto& name : names) {
        fs::create_hard_link(outDir / name, temp / name, ec);
        if (ec) {
            fs::remove_all(temp, ec);
            return;
        }
    }
    const fs::path set = outDir / (std::string(kSetPrefix) + processTag());
    fs::rename(temp, set, ec);
    if (ec) {
        fs::remove_all(temp, ec);
        return;
    }
    replaceWithLink(outDir / std::string(kCurrent), set.filename());
}

}  // namespace

NpySetWriter::NpySetWriter(fs::path outDir) : outDir_(std::move(outDir)) {
    temp_ = temporaryPathFor(outDir_ / "npy-set");
    std::error_code ec;
    if (!fs::create_directory(temp_, ec) || ec)
        throw DataError(outDir_, "cannot create a folder for the .npy files (not writable?): " +
                                     (ec ? ec.message() : std::string("it exists")));
}

NpySetWriter::~NpySetWriter() {
    if (published_) return;
    std::error_code ec;
    fs::remove_all(temp_, ec);
}

fs::path NpySetWriter::pathFor(const std::string& name) const {
    return temp_ / name;
}

void NpySetWriter::publish(const std::vector<std::string>& names, const std::stop_token& stop,
                           const ProgressFn& progress) {
    adoptPlainSet(outDir_, names);
    const fs::path previous = publishedSet(outDir_);

    syncFolder(temp_);
    const fs::path set = outDir_ / (std::string(kSetPrefix) + processTag());
    std::error_code ec;
    fs::rename(temp_, set, ec);
    if (ec) throw DataError(outDir_, "cannot publish the .npy files: " + ec.message());
    temp_ = set;  // removed by the destructor when the publishing fails

    // Every name a link through .npy-current: with a set published, before the commit (they
    // still show the old set until then); without one, after it (a name is missing or new).
    auto linkNames = [&] {
        for (const auto& name : names) {
            const fs::path link = outDir_ / name, target = fs::path(std::string(kCurrent)) / name;
            if (fs::is_symlink(fs::symlink_status(link, ec)) &&
                fs::read_symlink(link, ec) == target && !ec)
                continue;
            replaceWithLink(link, target);
        }
    };
    if (!previous.empty()) linkNames();
    if (progress) progress(0, 0, "publishing the .npy files");
    if (stop.stop_requested()) throw Cancelled();
    replaceWithLink(outDir_ / std::string(kCurrent), set.filename());  // the commit point
    published_ = true;
    if (previous.empty()) linkNames();
    syncFolder(outDir_);

    if (!previous.empty() && previous != set.filename() && !previous.has_parent_path() &&
        isSetName(previous.string()))
        fs::remove_all(outDir_ / previous, ec);
}

std::vector<fs::path> NpySetWriter::removeOrphanSets(const fs::path& outDir) {
    const fs::path published = publishedSet(outDir);
    std::vector<fs::path> removed;
    std::error_code ec;
    for (fs::directory_iterator it(outDir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!isSetName(name) || fs::path(name) == published) continue;
        const int pid = pidOfThisHost(std::string_view(name).substr(kSetPrefix.size()));
        if (pid <= 0 || processAlive(pid)) continue;
        std::error_code rec;
        if (fs::remove_all(it->path(), rec) > 0 && !rec) removed.push_back(it->path());
    }
    std::sort(removed.begin(), removed.end());
    return removed;
}

}  // namespace gz::detail
