#include "app/recentdatasets.h"

#include <QSettings>

#include "common/uiformat.h"

namespace gz::ui {

namespace {
const QString kGroup = QStringLiteral("recentDatasets");
}

QList<DatasetLocation> RecentDatasets::load() {
    QSettings settings;
    QList<DatasetLocation> entries;
    const int count = settings.beginReadArray(kGroup);
    for (int i = 0; i < count && entries.size() < kMaxEntries; ++i) {
        settings.setArrayIndex(i);
        const QString folder = settings.value(QStringLiteral("folder")).toString();
        const QString csv = settings.value(QStringLiteral("csv")).toString();
        const QString imageDir = settings.value(QStringLiteral("imageDir")).toString();
        if (!folder.isEmpty())
            entries.append(DatasetLocation::kaggleFolder(toPath(folder)));
        else if (!csv.isEmpty())
            entries.append(DatasetLocation::csvFile(
                toPath(csv), imageDir.isEmpty() ? std::nullopt : std::optional(toPath(imageDir))));
    }
    settings.endArray();
    return entries;
}

QList<DatasetLocation> RecentDatasets::add(const DatasetLocation& location) {
    QList<DatasetLocation> entries = load();
    entries.removeAll(location);
    entries.prepend(location);
    while (entries.size() > kMaxEntries) entries.removeLast();
    save(entries);
    return entries;
}

void RecentDatasets::clear() {
    save({});
}

void RecentDatasets::save(const QList<DatasetLocation>& entries) {
    QSettings settings;
    settings.remove(kGroup);
    settings.beginWriteArray(kGroup, static_cast<int>(entries.size()));
    for (int i = 0; i < entries.size(); ++i) {
        settings.setArrayIndex(i);
        const DatasetLocation& e = entries[i];
        if (e.isFolder()) {
            settings.setValue(QStringLiteral("folder"), toQString(e.folder));
        } else {
            settings.setValue(QStringLiteral("csv"), toQString(e.csv));
            if (e.imageDir) settings.setValue(QStringLiteral("imageDir"), toQString(*e.imageDir));
        }
    }
    settings.endArray();
}

}  // namespace gz::ui
