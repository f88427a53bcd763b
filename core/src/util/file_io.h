#pragma once
// Private to core: file helpers of the atomic writes, the decoded cache, the preprocess job and
// the benchmarks.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gz/progress.h"

namespace gz::detail {

static_assert(std::endian::native == std::endian::little,
              "binary files (the decoded cache, .npy) are written in the machine's byte order and "
              "read as little-endian");

/// Throws DataError naming `folder` when it exists and is not an empty folder: what a command
/// writes into a new folder never goes over another one (`what`: "workflow folder", ...).
void requireNewFolder(const std::filesystem::path& folder, std::string_view what);

/// strerror(err) as a string, for messages.
std::string systemError(int err);

/// Writes all `n` bytes at `offset` (retrying short writes and EINTR); DataError naming `file`
/// on failure ("write failed (disk full?)").
void pwriteAll(int fd, const void* data, std::size_t n, std::uint64_t offset,
               const std::filesystem::path& file);

/// Reads all `n` bytes at `offset` (retrying short reads and EINTR); DataError naming `file` on
/// failure or when the file ends first.
void preadAll(int fd, void* data, std::size_t n, std::uint64_t offset,
              const std::filesystem::path& file);

/// This machine's name as temporaries carry it: the host name up to its first dot, letters,
/// digits, '_' and '-' kept, anything else '_', at most 32 characters ("host" when unknown).
const std::string& hostTag();

/// `<host>-<process id>-<random number>`: what names a temporary (or anything a process makes
/// and a later run may find left behind) as this process's.
std::string processTag();

/// The process id of a processTag() made on this host, else 0 (another host's, or no tag).
int pidOfThisHost(std::string_view tag);

/// Whether a process `pid` exists on this machine (its own or anyone's).
bool processAlive(int pid);

/// A new name beside `target` for the temporary file (or folder) an atomic write renames over
/// it: `.<name>.tmp-<host>-<process id>-<random number>`, in the current folder when `target` has
/// none. The host tag tells which machine's process ids the name's process id belongs to, as the
/// folder may be on a file system that several machines share.
std::filesystem::path temporaryPathFor(const std::filesystem::path& target);

/// Removes from `dir` (not its subfolders) the temporaries that temporaryPathFor names whose
/// process has ended: only those of this host (hostTag()) whose process id is not alive here;
/// never one of a live process or of another host. Returns the paths removed (files or
/// folders), in name order. Errors are ignored: the cleaning never stops the write it precedes.
std::vector<std::filesystem::path> removeStaleTemporaries(const std::filesystem::path& dir);

/// "removed 2 stale temporary files left by an interrupted write: <path>, <path>".
std::string staleTemporariesNote(const std::vector<std::filesystem::path>& removed);

/// Tells staleTemporariesNote(removed), when `removed` is not empty: as a progress message
/// (done = total = 0) when `progress` is set, else to the file note sink (gz/files.h
/// setFileNoteSink).
void tellRemoved(const std::vector<std::filesystem::path>& removed, const ProgressFn& progress);

/// removeStaleTemporaries(dir), told when any were removed: as a progress message (done = total
/// = 0) when `progress` is set, else to the file note sink (gz/files.h setFileNoteSink). Called
/// by every writer before it writes into `dir`. Returns what was removed.
std::vector<std::filesystem::path> cleanStaleTemporaries(const std::filesystem::path& dir,
                                                         const ProgressFn& progress = {});

/// cleanStaleTemporaries(dir) the first time this process writes into `dir` only (the atomic
/// writes of small files, which run often).
void cleanStaleTemporariesOnce(const std::filesystem::path& dir);

/// Reads a whole file into `bytes` (reusing its capacity). Throws DataError naming the file
/// ("image file not found" when it is absent or not a regular file).
void readImageBytes(const std::filesystem::path& file, std::vector<std::uint8_t>& bytes);

/// An absolute, normalised path with symbolic links resolved as far as the path exists.
std::filesystem::path absoluteClean(const std::filesystem::path& p);

/// Whether `inner` is `outer` or lies below it (after absoluteClean of both).
bool isInsideFolder(const std::filesystem::path& inner, const std::filesystem::path& outer);

/// Throws the DataError of a write refused because `path` is part of a data set: it names
/// `path` and asks for another `what` ("run folder", "output folder", "workspace").
[[noreturn]] void refuseWritingIntoData(const std::filesystem::path& path, std::string_view what);

/// An exclusive advisory lock (flock) on `<dir>/.lock`, held while the object lives: one
/// training or resume a run folder. The kernel drops it when the process ends, even on SIGKILL,
/// so no stale lock is ever left behind. The file holds the holder's process id, for messages.
class FolderLock {
public:
    /// Throws DataError naming `dir` when another process holds the lock or it cannot be made.
    explicit FolderLock(const std::filesystem::path& dir);
    /// The lock file of `dir`: `<dir>/.lock`.
    static std::filesystem::path lockFile(const std::filesystem::path& dir);
    ~FolderLock();
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace gz::detail
