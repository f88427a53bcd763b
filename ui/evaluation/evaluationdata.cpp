#include "evaluation/evaluationdata.h"

#include <QObject>
#include <QStringList>

#include <algorithm>
#include <cstdio>
#include <string>

#include "gz/error.h"
#include "gz/files.h"
#include "gz/morphology.h"

namespace gz::ui {
namespace fs = std::filesystem;

std::vector<Prediction> cellPredictions(const std::vector<Prediction>& predictions, int trueClass,
                                        int predicted) {
    std::vector<Prediction> cell;
    for (const Prediction& p : predictions)
        if (p.trueLabel == trueClass && p.predicted() == predicted) cell.push_back(p);
    std::stable_sort(cell.begin(), cell.end(), [](const Prediction& a, const Prediction& b) {
        const float ca = a.confidence(), cb = b.confidence();
        return ca != cb ? ca > cb : a.id < b.id;
    });
    return cell;
}

double rowPercent(const EvaluationResult& result, int trueClass, int predicted) {
    const auto& row = result.confusion[static_cast<std::size_t>(trueClass)];
    std::size_t total = 0;
    for (std::size_t c : row) total += c;
    if (total == 0) return 0;
    return 100.0 * static_cast<double>(row[static_cast<std::size_t>(predicted)]) /
           static_cast<double>(total);
}

QString markKey(GalaxyMark mark) {
    switch (mark) {
        case GalaxyMark::LabelWrong:
            return QStringLiteral("label_wrong");
        case GalaxyMark::ModelWrong:
            return QStringLiteral("model_wrong");
        case GalaxyMark::None:
            break;
    }
    return {};
}

std::optional<GalaxyMark> markFromKey(const QString& key) {
    if (key == QLatin1String("label_wrong")) return GalaxyMark::LabelWrong;
    if (key == QLatin1String("model_wrong")) return GalaxyMark::ModelWrong;
    return std::nullopt;
}

QString markTitle(GalaxyMark mark) {
    switch (mark) {
        case GalaxyMark::LabelWrong:
            return QObject::tr("Label looks wrong");
        case GalaxyMark::ModelWrong:
            return QObject::tr("Model wrong");
        case GalaxyMark::None:
            break;
    }
    return {};
}

namespace {

constexpr const char* kMarksHeader = "GalaxyID,mark,true,predicted,confidence";

int classFromKey(const QString& key, const fs::path& file, std::size_t line, const char* column) {
    const auto label = morphologyFromKey(key.toStdString());
    if (!label) throw DataError(file, line, column, "unknown class \"" + key.toStdString() + "\"");
    return *label;
}

void writeMarks(std::ostream& out, const std::map<std::int64_t, MarkedGalaxy>& marks) {
    out << kMarksHeader << '\n';
    for (const auto& [id, m] : marks) {
        char confidence[32];
        std::snprintf(confidence, sizeof confidence, "%.6f", m.confidence);
        out << id << ',' << markKey(m.mark).toStdString() << ',' << morphologyKey(m.trueLabel)
            << ',' << morphologyKey(m.predicted) << ',' << confidence << '\n';
    }
}

}  // namespace

fs::path RunMarks::fileIn(const fs::path& runDir) {
    return runDir / "marks.csv";
}

RunMarks::RunMarks(fs::path runDir) : runDir_(std::move(runDir)) {
    const fs::path file = fileIn(runDir_);
    if (!fs::exists(file)) return;
    const QString text = QString::fromStdString(readWholeFile(file));
    const QStringList lines = text.split(QLatin1Char('\n'));
    if (lines.isEmpty() || lines.front().trimmed() != QLatin1String(kMarksHeader))
        throw DataError(file, 1, std::string("expected the header ") + kMarksHeader);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        if (line.isEmpty()) continue;
        const auto lineNo = static_cast<std::size_t>(i + 1);
        const QStringList f = line.split(QLatin1Char(','));
        if (f.size() != 5)
            throw DataError(file, lineNo, "expected 5 fields, found " + std::to_string(f.size()));
        bool ok = false;
        MarkedGalaxy m;
        m.id = f[0].toLongLong(&ok);
        if (!ok) throw DataError(file, lineNo, "GalaxyID", "not an integer: " + f[0].toStdString());
        const auto mark = markFromKey(f[1]);
        if (!mark)
            throw DataError(file, lineNo, "mark", "unknown mark \"" + f[1].toStdString() + "\"");
        m.mark = *mark;
        m.trueLabel = classFromKey(f[2], file, lineNo, "true");
        m.predicted = classFromKey(f[3], file, lineNo, "predicted");
        if (m.predicted == kUnlabeled)
            throw DataError(file, lineNo, "predicted", "a prediction cannot be unlabeled");
        m.confidence = f[4].toDouble(&ok);
        if (!ok || !(m.confidence >= 0 && m.confidence <= 1))
            throw DataError(file, lineNo, "confidence", "not a probability: " + f[4].toStdString());
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

}  // namespace gz::ui
