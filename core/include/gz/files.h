#pragma once
// File-system helpers shared by every stage: atomic writes and the workspace location.

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace gz {

/// Writes a file atomically: `write` fills a temporary file beside `target`, which is then
/// flushed, synced and renamed over `target`. On any failure the temporary is removed, `target`
/// is left as it was, and a DataError names the file. Missing parent folders are created.
void writeFileAtomically(const std::filesystem::path& target,
                         const std::function<void(std::ostream&)>& write);

/// Reads a whole file into memory; DataError naming the file if it cannot be read.
std::string readWholeFile(const std::filesystem::path& file);

/// Whether `inner` is `outer` or lies below it (absolute, normalised, links resolved as far as
/// the paths exist). False when either is empty.
bool isInsideFolder(const std::filesystem::path& inner, const std::filesystem::path& outer);

/// The default workspace: $GZ_WORKSPACE, else $XDG_DATA_HOME/galaxy-studio, else
/// ~/.local/share/galaxy-studio.
std::filesystem::path defaultWorkspace();

/// Where `galaxy-studio --demo` keeps the generated demo data set inside a workspace.
std::filesystem::path demoDatasetDir(const std::filesystem::path& workspace);

}  // namespace gz
