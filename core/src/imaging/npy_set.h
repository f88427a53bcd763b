#pragma once
// Private to core: the .npy files of an export published together, so that a reader sees the
// old set or the new set, never a mix.
//
// Layout of the export folder:
//   <Name>.npy        symbolic link to .npy-current/<Name>.npy (what readers open, as before)
//   .npy-current      symbolic link to the published set: .npy-set-<host>-<pid>-<random>
//   .npy-set-<tag>/   one complete set of files
// A new set is written into a temporary folder (.npy-set.tmp-<host>-<pid>-<random>), renamed to
// its set name and published with one rename: a new .npy-current over the old one. The previous
// set is removed after that. An export folder from before this layout (plain files) is taken
// over by hard-linking its complete set into a set folder first, so that even the change of
// layout shows a reader the old files until the new set is published.

#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "gz/progress.h"

namespace gz::detail {

class NpySetWriter {
public:
    /// Makes the temporary set folder in `outDir` (which exists). Throws DataError naming
    /// `outDir` when it cannot.
    explicit NpySetWriter(std::filesystem::path outDir);
    /// Removes the temporary set folder unless publish() succeeded.
    ~NpySetWriter();
    NpySetWriter(const NpySetWriter&) = delete;
    NpySetWriter& operator=(const NpySetWriter&) = delete;

    /// Where the file `name` of the new set is written (inside the temporary folder).
    std::filesystem::path pathFor(const std::string& name) const;
    /// Publishes the set: the files `names`, all complete in the temporary folder. Tells
    /// "publishing the .npy files" on `progress` just before the one rename that publishes it, the
    /// last point where a stop (Cancelled) leaves the old set. Throws DataError naming the export
    /// folder when it cannot publish; the old set then stays published.
    void publish(const std::vector<std::string>& names, const std::stop_token& stop,
                 const ProgressFn& progress);

    /// Removes the set folders of this host that are not published and whose process has ended
    /// (left by a kill between the rename of a set and its publishing). Returns them.
    static std::vector<std::filesystem::path> removeOrphanSets(const std::filesystem::path& outDir);

private:
    std::filesystem::path outDir_, temp_;
    bool published_ = false;
};

}  // namespace gz::detail
