#include "workflow/workflow_folder.h"

#include "gz/error.h"
#include "gz/files.h"
#include "util/file_io.h"

namespace gz::detail {
namespace fs = std::filesystem;

void writeNewFolder(const fs::path& folder, const std::vector<FolderFile>& files,
                    const std::vector<fs::path>& subfolders) {
    requireNewFolder(folder, "folder");
    std::error_code ec;
    fs::create_directories(folder.parent_path(), ec);
    if (ec) throw DataError(folder.parent_path(), "cannot create the folder: " + ec.message());
    cleanStaleTemporaries(folder.has_parent_path() ? folder.parent_path() : fs::path("."));
    const fs::path temp = temporaryPathFor(folder);
    if (!fs::create_directory(temp, ec) || ec)
        throw DataError(folder, "cannot create a folder beside it (not writable?): " +
                                    (ec ? ec.message() : std::string("it exists")));
    try {
        for (const FolderFile& f : files) {
            const fs::path target = temp / f.name;
            writeFileAtomically(target, [&](std::ostream& out) { out << f.text; });
            using fs::perms;
            const perms mode =
                perms::owner_read | perms::owner_write | perms::group_read | perms::others_read |
                (f.executable ? perms::owner_exec | perms::group_exec | perms::others_exec
                              : perms::none);
            fs::permissions(target, mode, ec);
            if (ec) throw DataError(folder / f.name, "cannot set its mode: " + ec.message());
        }
        for (const fs::path& sub : subfolders) {
            fs::create_directories(temp / sub, ec);
            if (ec) throw DataError(folder / sub, "cannot create the folder: " + ec.message());
        }
        fs::permissions(temp,
                        fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec,
                        ec);
        // rename(2) replaces an empty folder, and fails on one that is not empty (any more).
        fs::rename(temp, folder, ec);
        if (ec) throw DataError(folder, "cannot create the folder: " + ec.message());
    } catch (...) {
        fs::remove_all(temp, ec);
        throw;
    }
}

}  // namespace gz::detail
