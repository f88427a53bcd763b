#pragma once
// Help > Keyboard Shortcuts: the app's shortcut table (common/shortcuts.h) as a dialog.

#include <QDialog>

namespace gz::ui {

class ShortcutsDialog : public QDialog {
    Q_OBJECT

public:
    explicit ShortcutsDialog(QWidget* parent = nullptr);
};

}  // namespace gz::ui
