#pragma once
// File-system helpers shared by every stage: atomic writes, folders of JPEGs, the
// never-write-into-the-data guard and the workspace location.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

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

/// Whether two paths name the same file: the same inode when both exist, else the same absolute,
/// normalised path.
bool isSameFile(const std::filesystem::path& a, const std::filesystem::path& b);

/// The guard of Catalog::requireOutside for a folder of data without a catalog (the images
/// `galaxy-cli predict` reads): throws its DataError when `path` is `dataFolder` or lies below it.
void requireOutsideDataFolder(const std::filesystem::path& path,
                              const std::filesystem::path& dataFolder, std::string_view what);

/// A JPEG of a folder of images and the GalaxyID it stands for.
struct JpegFile {
    std::filesystem::path path;
    std::int64_t id = 0;  ///< the file name's number, else the file's index in the listing
};

/// The regular files of `dir` named *.jpg or *.jpeg (any case), sorted by path: the order in
/// which predictFolder reads them. Throws DataError naming `dir` when it is not a folder.
std::vector<JpegFile> listJpegs(const std::filesystem::path& dir);

/// The default workspace: $GZ_WORKSPACE, else $XDG_DATA_HOME/galaxy-studio, else
/// ~/.local/share/galaxy-studio.
std::filesystem::path defaultWorkspace();

/// Where `galaxy-studio --demo` keeps the generated demo data set inside a workspace.
std::filesystem::path demoDatasetDir(const std::filesystem::path& workspace);

}  // namespace gz
