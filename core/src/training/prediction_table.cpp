#include "gz/prediction_table.h"

#include <cstdio>
#include <ostream>

#include "gz/files.h"
#include "gz/morphology.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

// A CSV field: as it is, or in double quotes (quotes doubled) when it holds a separator.
std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

}  // namespace

std::string predictionTableHeader() {
    std::string header = "GalaxyID,file,predicted,confidence";
    for (auto key : kMorphologyKeys) header += ",p_" + std::string(key);
    return header;
}

void writePredictionTableCsv(const fs::path& file, const std::vector<PredictionTableRow>& rows) {
    writeFileAtomically(file, [&](std::ostream& out) {
        out << predictionTableHeader() << '\n';
        char buf[32];
        for (const PredictionTableRow& row : rows) {
            const Prediction& p = row.prediction;
            out << p.id << ',' << csvField(row.file) << ',' << morphologyKey(p.predicted());
            std::snprintf(buf, sizeof buf, ",%.6g", static_cast<double>(p.confidence()));
            out << buf;
            for (float v : p.probabilities) {
                std::snprintf(buf, sizeof buf, ",%.6g", static_cast<double>(v));
                out << buf;
            }
            out << '\n';
        }
    });
}

}  // namespace gz
