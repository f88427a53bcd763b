#pragma once
// The one table of the app's keyboard shortcuts: every action, QShortcut and key a list reacts
// to takes its keys from here, and Help > Keyboard Shortcuts lists this table, so the list and
// the keys cannot drift apart.

#include <QKeySequence>
#include <QString>

#include <vector>

namespace gz::ui {

enum class Shortcut {
    OpenDataset,
    OpenCsv,
    Quit,
    FindGalaxy,
    GalleryNext,
    GalleryPrevious,
    GalleryNextJ,
    GalleryPreviousK,
    MarkLabelWrong,
    MarkModelWrong,
    ClearMark,
    BrowserMove,
};

struct ShortcutInfo {
    Shortcut id;
    QKeySequence keys;
    QString where;  ///< the window or panel part where it works
    QString what;
    /// Keys a Qt widget handles itself (a list's arrow keys): listed, not bound by the app.
    bool builtIn = false;
    /// Shown instead of `keys` when set (several keys of a built-in entry).
    QString keysText{};
};

/// Every shortcut, in the order Help lists them.
const std::vector<ShortcutInfo>& shortcutTable();
/// The keys of one shortcut.
QKeySequence shortcutKeys(Shortcut id);

}  // namespace gz::ui
