#pragma once
// Private to core: file helpers of the decoded cache, the preprocess job and the benchmarks.

#include <cstdint>
#include <filesystem>
#include <vector>

namespace gz::detail {

/// Reads a whole file into `bytes` (reusing its capacity). Throws DataError naming the file
/// ("image file not found" when it is absent or not a regular file).
void readImageBytes(const std::filesystem::path& file, std::vector<std::uint8_t>& bytes);

/// An absolute, normalised path with symbolic links resolved as far as the path exists.
std::filesystem::path absoluteClean(const std::filesystem::path& p);

/// Whether `inner` is `outer` or lies below it (after absoluteClean of both).
bool isInsideFolder(const std::filesystem::path& inner, const std::filesystem::path& outer);

}  // namespace gz::detail
