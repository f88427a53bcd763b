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

namespace gz::detail {

static_assert(std::endian::native == std::endian::little,
              "binary files (the decoded cache, .npy) are written in the machine's byte order and "
              "read as little-endian");

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

/// A new name beside `target` for the temporary file an atomic write renames over it:
/// `.<name>.tmp-<process id>-<random number>`, in the current folder when `target` has none.
std::filesystem::path temporaryPathFor(const std::filesystem::path& target);

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
