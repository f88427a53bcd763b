#pragma once
// Private to core: a workflow folder written whole, and never over anything the user has
// (util/file_io.h's requireNewFolder).

#include <filesystem>
#include <string>
#include <vector>

namespace gz::detail {

/// A file of a new folder: its name inside it and its text.
struct FolderFile {
    std::filesystem::path name;
    std::string text;
    bool executable = false;  ///< mode 755 instead of 644
};

/// Creates `folder` (absent or empty) holding exactly `files` and the empty `subfolders`: they
/// are written into a temporary folder beside it, which is then renamed to `folder`, so that
/// an error leaves nothing behind. Throws DataError naming the folder or file.
void writeNewFolder(const std::filesystem::path& folder, const std::vector<FolderFile>& files,
                    const std::vector<std::filesystem::path>& subfolders);

}  // namespace gz::detail
