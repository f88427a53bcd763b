#pragma once
// The settings of the runs being compared, side by side: one row per setting (as config.json
// names it, from gz/run_settings.h), one column per run; rows whose values differ are
// highlighted and can be shown alone.

#include <QWidget>

#include <vector>

#include "gz/run_info.h"

class QCheckBox;
class QTableWidget;

namespace gz::ui {

class RunSettingsTable : public QWidget {
    Q_OBJECT

public:
    explicit RunSettingsTable(QWidget* parent = nullptr);

    /// Shows the settings of `runs` (a run without a readable config shows "–").
    void setRuns(const std::vector<const RunInfo*>& runs);

    /// The row of a setting ("lr", "augmentation.crop_min"), or -1.
    int rowOf(const QString& key) const;
    /// Whether the runs differ in the setting of that row (and it is highlighted).
    bool differs(int row) const;
    /// Whether the row is hidden ("Only differences").
    bool rowHidden(int row) const;
    QTableWidget* table() const { return table_; }

private:
    void applyFilter();

    QTableWidget* table_ = nullptr;
    QCheckBox* onlyDifferences_ = nullptr;
    std::vector<bool> differs_;
};

}  // namespace gz::ui
