#include "training/runsettingstable.h"

#include <QCheckBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

#include "common/uistyle.h"
#include "gz/run_settings.h"
#include "training/runcurves.h"

namespace gz::ui {

RunSettingsTable::RunSettingsTable(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("runSettingsTable"));
    table_ = new QTableWidget;
    table_->setObjectName(QStringLiteral("runSettingsGrid"));
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideRight);
    onlyDifferences_ = new QCheckBox(tr("Only differences"));
    onlyDifferences_->setObjectName(QStringLiteral("onlyDifferencesCheck"));
    connect(onlyDifferences_, &QCheckBox::toggled, this, &RunSettingsTable::applyFilter);
    auto* note = new QLabel(tr("Settings that differ between the runs are highlighted."));
    setMuted(note);
    note->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(onlyDifferences_);
    layout->addWidget(table_, 1);
    layout->addWidget(note);
}

void RunSettingsTable::setRuns(const std::vector<const RunInfo*>& runs) {
    // Every key of every run, in the order the first run that has it lists it.
    std::vector<QString> keys;
    std::vector<std::map<QString, QString>> values(runs.size());
    for (std::size_t c = 0; c < runs.size(); ++c) {
        if (!runs[c]->config) continue;
        for (const RunSetting& s : runSettings(*runs[c]->config)) {
            const QString key = QString::fromStdString(s.key);
            if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
            values[c][key] = QString::fromStdString(s.value);
        }
    }
    table_->clear();
    table_->setRowCount(static_cast<int>(keys.size()));
    table_->setColumnCount(static_cast<int>(runs.size()));
    QStringList headers;
    for (std::size_t c = 0; c < runs.size(); ++c) {
        headers << QString::fromStdString(runs[c]->name);
    }
    table_->setHorizontalHeaderLabels(headers);
    for (int c = 0; c < table_->columnCount(); ++c)
        table_->horizontalHeaderItem(c)->setForeground(runColor(c));
    QStringList rowNames;
    for (const QString& k : keys) rowNames << k;
    table_->setVerticalHeaderLabels(rowNames);

    differs_.assign(keys.size(), false);
    for (std::size_t r = 0; r < keys.size(); ++r) {
        const auto valueIn = [&](std::size_t c) {
            const auto it = values[c].find(keys[r]);
            return it == values[c].end() ? QStringLiteral("–") : it->second;
        };
        for (std::size_t c = 1; c < runs.size(); ++c)
            if (valueIn(c) != valueIn(0)) differs_[r] = true;
        for (std::size_t c = 0; c < runs.size(); ++c) {
            auto* item = new QTableWidgetItem(valueIn(c));
            item->setToolTip(valueIn(c));
            if (differs_[r]) {
                item->setBackground(warningBoxColor());
                item->setForeground(warningBoxTextColor());
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            table_->setItem(static_cast<int>(r), static_cast<int>(c), item);
        }
    }
    // Every run in view: long values (label rules) are elided, whole in their tooltips.
    table_->resizeColumnsToContents();
    for (int c = 0; c < table_->columnCount(); ++c)
        table_->setColumnWidth(c, std::min(table_->columnWidth(c), 240));
    applyFilter();
}

int RunSettingsTable::rowOf(const QString& key) const {
    for (int r = 0; r < table_->rowCount(); ++r)
        if (table_->verticalHeaderItem(r) && table_->verticalHeaderItem(r)->text() == key) return r;
    return -1;
}

bool RunSettingsTable::differs(int row) const {
    return row >= 0 && row < static_cast<int>(differs_.size()) &&
           differs_[static_cast<std::size_t>(row)];
}

bool RunSettingsTable::rowHidden(int row) const {
    return table_->isRowHidden(row);
}

void RunSettingsTable::applyFilter() {
    const bool only = onlyDifferences_->isChecked();
    for (int r = 0; r < table_->rowCount(); ++r) table_->setRowHidden(r, only && !differs(r));
}

}  // namespace gz::ui
