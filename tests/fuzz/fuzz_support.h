#pragma once
// Shared by the fuzz targets: each target is one LLVMFuzzerTestOneInput that feeds a parser of a
// file a user can point the app at. A rejection must be a gz::DataError whose message names the
// file; any other exception, a crash or a sanitizer report is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "gz/error.h"

namespace gz::fuzz {

/// Stops the process with a message: libFuzzer records the input as a crash.
[[noreturn]] inline void fail(std::string_view what) {
    std::fprintf(stderr, "fuzz target: %.*s\n", static_cast<int>(what.size()), what.data());
    std::abort();
}

/// Runs `parse`; a DataError naming `name` is a clean rejection.
template <class Parse>
bool parsesOrRejects(std::string_view name, Parse&& parse) {
    try {
        parse();
        return true;
    } catch (const DataError& e) {
        if (std::string_view(e.what()).find(name) == std::string_view::npos)
            fail(std::string("a DataError that does not name ") + std::string(name) + ": " +
                 e.what());
        return false;
    }
}

/// A private folder for targets whose parser reads a file, made once per process (in /dev/shm
/// when there is one) and removed at exit.
std::filesystem::path scratchFolder();

/// Writes `data` to `file` (whole, replacing it).
void writeBytes(const std::filesystem::path& file, const std::uint8_t* data, std::size_t size);

inline std::string_view asText(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace gz::fuzz
