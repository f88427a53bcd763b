// A suspects search's folder (gz/suspects.h): its files, reading it back, the earlier searches.

#include <algorithm>
#include <system_error>

#include "gz/suspects.h"

namespace gz {
namespace fs = std::filesystem;

fs::path suspectsFileIn(const fs::path& searchFolder) {
    return searchFolder / "suspects.csv";
}

SuspectSearch readSuspectSearch(const fs::path& searchFolder) {
    SuspectSearch search;
    search.folder = searchFolder;
    search.outOfSample = readPredictionsCsv(outOfSampleFileIn(searchFolder));
    search.thresholds = confidentThresholds(search.outOfSample);
    search.suspects = rankSuspects(search.outOfSample, search.thresholds);
    return search;
}

std::vector<fs::path> suspectSearches(const fs::path& workspace) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (fs::directory_iterator it(workspace / "suspects", ec), end; !ec && it != end;
         it.increment(ec)) {
        std::error_code fileEc;
        if (it->is_directory(fileEc) && fs::is_regular_file(outOfSampleFileIn(it->path()), fileEc))
            found.push_back(it->path());
    }
    // The folders are named by their start time (with -2, -3 for the same second).
    std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
        return a.filename().string() > b.filename().string();
    });
    return found;
}

}  // namespace gz
