#include "app/shortcutsdialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

#include "common/shortcuts.h"

namespace gz::ui {

ShortcutsDialog::ShortcutsDialog(QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard Shortcuts"));
    const auto& table = shortcutTable();
    auto* list = new QTableWidget(static_cast<int>(table.size()), 3);
    list->setObjectName(QStringLiteral("shortcutsTable"));
    list->setHorizontalHeaderLabels({tr("Keys"), tr("Where"), tr("Action")});
    list->verticalHeader()->hide();
    list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    list->setSelectionMode(QAbstractItemView::NoSelection);
    for (int r = 0; r < list->rowCount(); ++r) {
        const ShortcutInfo& s = table[static_cast<std::size_t>(r)];
        list->setItem(
            r, 0,
            new QTableWidgetItem(s.keysText.isEmpty() ? s.keys.toString(QKeySequence::NativeText)
                                                      : s.keysText));
        list->setItem(r, 1, new QTableWidgetItem(s.where));
        list->setItem(r, 2, new QTableWidgetItem(s.what));
    }
    list->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    list->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    list->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(list);
    layout->addWidget(buttons);
    resize(640, 480);
}

}  // namespace gz::ui
