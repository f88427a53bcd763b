// The map's file (gz/embedding_map.h): GalaxyID,x,y.

#include <charconv>
#include <cmath>
#include <sstream>

#include "gz/embedding_map.h"
#include "gz/error.h"
#include "gz/files.h"
#include "imaging/cache_file.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

template <typename T>
bool parseNumber(std::string_view text, T& value) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

fs::path mapFileFor(const fs::path& embeddingsFile, const MapOptions& o) {
    detail::Hasher h;
    h.text("galaxy-studio map 1");
    h.value(o.pcaComponents);
    h.value(o.neighbours);
    h.value(o.epochs);
    h.value(o.seed);
    fs::path file = embeddingsFile;
    file.replace_extension(".map-" + detail::hex(h.digest()) + ".csv");
    return file;
}

void writeMapCsv(const fs::path& file, const EmbeddingMap& map) {
    writeFileAtomically(file, [&](std::ostream& out) {
        out << "GalaxyID,x,y\n";
        char buf[64];
        for (std::size_t i = 0; i < map.ids.size(); ++i) {
            out << map.ids[i];
            for (const float v : {map.points[i].x, map.points[i].y}) {
                const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact
                out << ',' << std::string_view(buf, static_cast<std::size_t>(r.ptr - buf));
            }
            out << '\n';
        }
    });
}

EmbeddingMap readMapCsv(const fs::path& file) {
    std::istringstream in(readWholeFile(file));
    EmbeddingMap map;
    std::string line;
    std::size_t lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto bad = [&](const std::string& why) {
            return DataError(file, "line " + std::to_string(lineNo) + ": " + why);
        };
        if (lineNo == 1) {
            if (line != "GalaxyID,x,y") throw bad("expected the header GalaxyID,x,y");
            continue;
        }
        if (line.empty()) continue;
        const auto c1 = line.find(','), c2 = line.find(',', c1 + 1);
        if (c1 == std::string::npos || c2 == std::string::npos ||
            line.find(',', c2 + 1) != line.npos)
            throw bad("expected 3 fields");
        const std::string_view text(line);
        std::int64_t id = 0;
        MapPoint p;
        if (!parseNumber(text.substr(0, c1), id)) throw bad("not a GalaxyID");
        if (!parseNumber(text.substr(c1 + 1, c2 - c1 - 1), p.x) ||
            !parseNumber(text.substr(c2 + 1), p.y) || !std::isfinite(p.x) || !std::isfinite(p.y))
            throw bad("x and y must be finite numbers");
        map.ids.push_back(id);
        map.points.push_back(p);
    }
    return map;
}

}  // namespace gz
