#include "gz/run_marks.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "gz/error.h"
#include "gz/files.h"
#include "gz/run_folder.h"

namespace gz {
namespace fs = std::filesystem;

std::string_view markKey(GalaxyMark mark) {
    switch (mark) {
        case GalaxyMark::LabelWrong:
            return "label_wrong";
        case GalaxyMark::ModelWrong:
            return "model_wrong";
        case GalaxyMark::None:
            break;
    }
    return {};
}

std::optional<GalaxyMark> markFromKey(std::string_view key) {
    if (key == "label_wrong") return GalaxyMark::LabelWrong;
    if (key == "model_wrong") return GalaxyMark::ModelWrong;
    return std::nullopt;
}

namespace {

constexpr std::string_view kMarksHeader = "GalaxyID,mark,true,predicted,confidence";

std::string_view trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n\f\v");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n\f\v") - first + 1);
}

std::vector<std::string_view> split(std::string_view s, char separator) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const auto end = s.find(separator, start);
        parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

/// The whole of `s` as a number of type T; nullopt when it is not one.
template <class T>
std::optional<T> parseNumber(std::string_view s) {
    s = trimmed(s);
    T value{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return value;
}

int classFromKey(std::string_view key, const fs::path& file, std::size_t line, const char* column) {
    const auto label = morphologyFromKey(key);
    if (!label) throw DataError(file, line, column, "unknown class \"" + std::string(key) + "\"");
    return *label;
}

MarkedGalaxy parseRow(const std::vector<std::string_view>& f, const fs::path& file,
                      std::size_t line) {
    MarkedGalaxy m;
    const auto id = parseNumber<std::int64_t>(f[0]);
    if (!id) throw DataError(file, line, "GalaxyID", "not an integer: " + std::string(f[0]));
    m.id = *id;
    const auto mark = markFromKey(f[1]);
    if (!mark) throw DataError(file, line, "mark", "unknown mark \"" + std::string(f[1]) + "\"");
    m.mark = *mark;
    m.trueLabel = classFromKey(f[2], file, line, "true");
    m.predicted = classFromKey(f[3], file, line, "predicted");
    if (m.predicted == kUnlabeled)
        throw DataError(file, line, "predicted", "a prediction cannot be unlabeled");
    const auto confidence = parseNumber<double>(f[4]);
    if (!confidence || !(*confidence >= 0 && *confidence <= 1))
        throw DataError(file, line, "confidence", "not a probability: " + std::string(f[4]));
    m.confidence = *confidence;
    return m;
}

void writeMarks(std::ostream& out, const std::map<std::int64_t, MarkedGalaxy>& marks) {
    out << kMarksHeader << '\n';
    for (const auto& [id, m] : marks) {
        char confidence[32];
        std::snprintf(confidence, sizeof confidence, "%.6f", m.confidence);
        out << id << ',' << markKey(m.mark) << ',' << morphologyKey(m.trueLabel) << ','
            << morphologyKey(m.predicted) << ',' << confidence << '\n';
    }
}

}  // namespace

fs::path RunMarks::fileIn(const fs::path& runDir) {
    return RunFolder{runDir}.marks();
}

RunMarks::RunMarks(fs::path runDir) : runDir_(std::move(runDir)) {
    const fs::path file = fileIn(runDir_);
    if (!fs::exists(file)) return;
    const std::string text = readWholeFile(file);
    const std::vector<std::string_view> lines = split(text, '\n');
    if (trimmed(lines.front()) != kMarksHeader)
        throw DataError(file, 1, "expected the header " + std::string(kMarksHeader));
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string_view line = trimmed(lines[i]);
        if (line.empty()) continue;
        const std::size_t lineNo = i + 1;
        const std::vector<std::string_view> fields = split(line, ',');
        if (fields.size() != 5)
            throw DataError(file, lineNo,
                            "expected 5 fields, found " + std::to_string(fields.size()));
        const MarkedGalaxy m = parseRow(fields, file, lineNo);
        if (!marks_.emplace(m.id, m).second)
            throw DataError(file, lineNo, "GalaxyID",
                            "galaxy " + std::to_string(m.id) + " is marked twice");
    }
}

GalaxyMark RunMarks::mark(std::int64_t id) const {
    const auto it = marks_.find(id);
    return it == marks_.end() ? GalaxyMark::None : it->second.mark;
}

void RunMarks::setMark(const Prediction& prediction, GalaxyMark mark) {
    if (runDir_.empty()) throw DataError("no run to save the marks in");
    auto updated = marks_;
    if (mark == GalaxyMark::None) {
        updated.erase(prediction.id);
    } else {
        updated[prediction.id] =
            MarkedGalaxy{prediction.id, mark, prediction.trueLabel, prediction.predicted(),
                         static_cast<double>(prediction.confidence())};
    }
    writeFileAtomically(fileIn(runDir_), [&](std::ostream& out) { writeMarks(out, updated); });
    marks_ = std::move(updated);
}

std::size_t RunMarks::count(GalaxyMark mark) const {
    return static_cast<std::size_t>(std::count_if(
        marks_.begin(), marks_.end(), [mark](const auto& e) { return e.second.mark == mark; }));
}

void RunMarks::exportCsv(const fs::path& file) const {
    writeFileAtomically(file, [&](std::ostream& out) { writeMarks(out, marks_); });
}

}  // namespace gz
