#include "training/runinfo.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <system_error>

#include "common/uiformat.h"
#include "gz/files.h"

namespace gz::ui {
namespace fs = std::filesystem;

fs::path runsFolder(const fs::path& workspace) {
    return workspace / "runs";
}

fs::path newRunFolder(const fs::path& workspace, const QString& model, const QDateTime& when) {
    const QString base = when.toString(QStringLiteral("yyyyMMdd-HHmmss-")) + model;
    fs::path dir = runsFolder(workspace) / toPath(base);
    std::error_code ec;
    for (int n = 2; fs::exists(dir, ec); ++n)
        dir = runsFolder(workspace) / toPath(base + QStringLiteral("-%1").arg(n));
    return dir;
}

QString RunInfo::stateText() const {
    switch (state) {
        case State::Finished:
            return QStringLiteral("finished");
        case State::Resumable:
            return QStringLiteral("stopped (resumable)");
        case State::NoCheckpoint:
            return QStringLiteral("no checkpoint");
        case State::Unreadable:
            break;
    }
    return QStringLiteral("unreadable");
}

RunInfo readRunInfo(const fs::path& dir) {
    RunInfo info;
    info.dir = dir;
    info.name = toQString(dir.filename());
    std::error_code ec;
    try {
        info.configJson = QString::fromStdString(readWholeFile(dir / "config.json"));
        info.config = loadRunConfig(dir);
    } catch (const std::exception& e) {
        info.error = QString::fromStdString(e.what());
        return info;
    }
    if (fs::exists(dir / "metrics.csv", ec)) {
        try {
            info.epochs = readMetricsCsv(dir / "metrics.csv");
        } catch (const std::exception& e) {
            info.error = QString::fromStdString(e.what());
        }
    }
    if (fs::exists(dir / "confusion.json", ec)) {
        try {
            const QJsonObject o =
                QJsonDocument::fromJson(
                    QByteArray::fromStdString(readWholeFile(dir / "confusion.json")))
                    .object();
            if (o.contains(QStringLiteral("accuracy")))
                info.testAccuracy = o.value(QStringLiteral("accuracy")).toDouble();
        } catch (const std::exception& e) {
            info.error = QString::fromStdString(e.what());
        }
    }
    const bool checkpoint = fs::exists(dir / "checkpoints" / "last.pt", ec);
    const int limit = info.config->epochs;
    const bool done = info.testAccuracy.has_value() ||
                      (limit > 0 && static_cast<int>(info.epochs.size()) >= limit &&
                       fs::exists(dir / "predictions.csv", ec));
    info.state = done         ? RunInfo::State::Finished
                 : checkpoint ? RunInfo::State::Resumable
                              : RunInfo::State::NoCheckpoint;
    return info;
}

std::vector<RunInfo> listRuns(const fs::path& workspace) {
    std::vector<RunInfo> runs;
    std::error_code ec;
    const fs::path folder = runsFolder(workspace);
    if (!fs::is_directory(folder, ec)) return runs;
    for (const auto& entry : fs::directory_iterator(folder, ec))
        if (entry.is_directory(ec) && fs::exists(entry.path() / "config.json", ec))
            runs.push_back(readRunInfo(entry.path()));
    std::sort(runs.begin(), runs.end(),
              [](const RunInfo& a, const RunInfo& b) { return a.name > b.name; });
    return runs;
}

}  // namespace gz::ui
