// The embeddings file pair (gz/embedding.h): <name>.npy and <name>.ids.csv.

#include <algorithm>
#include <charconv>
#include <sstream>

#include "gz/embedding.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/npy.h"

namespace gz {
namespace fs = std::filesystem;

std::optional<std::size_t> Embeddings::indexOf(std::int64_t id) const {
    const auto it = std::lower_bound(ids.begin(), ids.end(), id);
    if (it == ids.end() || *it != id) return std::nullopt;
    return static_cast<std::size_t>(it - ids.begin());
}

fs::path embeddingIdsFile(const fs::path& npyFile) {
    fs::path ids = npyFile;
    ids.replace_extension(".ids.csv");
    return ids;
}

fs::path embeddingProbabilitiesFile(const fs::path& npyFile) {
    fs::path file = npyFile;
    file.replace_extension(".probabilities.npy");
    return file;
}

void writeEmbeddings(const fs::path& npyFile, const Embeddings& e) {
    if (e.values.size() != e.ids.size() * e.dim)
        throw DataError(npyFile, "embeddings of " + std::to_string(e.ids.size()) + " rows of " +
                                     std::to_string(e.dim) + " values have " +
                                     std::to_string(e.values.size()) + " values");
    writeFileAtomically(embeddingIdsFile(npyFile), [&](std::ostream& out) {
        out << "GalaxyID\n";
        for (const auto id : e.ids) out << id << '\n';
    });
    NpyWriter writer(npyFile, NpyType::Float32, {e.dim}, e.ids.size());
    if (!e.ids.empty()) writer.writeRows(0, e.values.data(), e.ids.size());
    writer.finish();
    writer.commit();
}

Embeddings readEmbeddings(const fs::path& npyFile) {
    const fs::path idsFile = embeddingIdsFile(npyFile);
    NpyMatrix m = readNpyMatrix(npyFile);
    Embeddings e;
    e.dim = m.cols;
    e.values = std::move(m.values);
    std::istringstream in(readWholeFile(idsFile));
    std::string line;
    std::size_t lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (lineNo == 1) {
            if (line != "GalaxyID")
                throw DataError(idsFile,
                                "line 1: expected the header GalaxyID, found '" + line + "'");
            continue;
        }
        if (line.empty()) continue;
        std::int64_t id = 0;
        const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), id);
        if (ec != std::errc{} || end != line.data() + line.size())
            throw DataError(
                idsFile, "line " + std::to_string(lineNo) + ": '" + line + "' is not a GalaxyID");
        if (!e.ids.empty() && id <= e.ids.back())
            throw DataError(idsFile, "line " + std::to_string(lineNo) + ": GalaxyID " +
                                         std::to_string(id) + " is not above the one before");
        e.ids.push_back(id);
    }
    if (e.ids.size() != m.rows)
        throw DataError(npyFile, "has " + std::to_string(m.rows) + " rows but " +
                                     idsFile.filename().string() + " lists " +
                                     std::to_string(e.ids.size()) + " galaxies");
    return e;
}

}  // namespace gz
