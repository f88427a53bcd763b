#pragma once
// The recently opened data sets, most recent first, kept in QSettings.

#include <QList>

#include "dataset/loadeddataset.h"

namespace gz::ui {

class RecentDatasets {
public:
    static constexpr qsizetype kMaxEntries = 8;

    /// Reads the list from QSettings (the application's default settings).
    static QList<DatasetLocation> load();
    /// Moves `location` to the front (adding it if new), trims, and saves.
    static QList<DatasetLocation> add(const DatasetLocation& location);
    static void clear();

private:
    static void save(const QList<DatasetLocation>& entries);
};

}  // namespace gz::ui
