#include "common/shortcuts.h"

#include <QCoreApplication>

#include <algorithm>

namespace gz::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("Shortcuts", text);
}

}  // namespace

const std::vector<ShortcutInfo>& shortcutTable() {
    static const std::vector<ShortcutInfo> table = {
        {Shortcut::OpenDataset, QKeySequence(QKeySequence::Open), tr("Window"),
         tr("Open a data set folder")},
        {Shortcut::OpenCsv, QKeySequence(QStringLiteral("Ctrl+Shift+O")), tr("Window"),
         tr("Open a vote-fraction CSV")},
        {Shortcut::Quit, QKeySequence(QStringLiteral("Ctrl+Q")), tr("Window"), tr("Quit")},
        {Shortcut::FindGalaxy, QKeySequence(QKeySequence::Find), tr("Dataset: browser"),
         tr("Find galaxies by GalaxyID")},
        {Shortcut::BrowserMove, QKeySequence(), tr("Dataset: browser"),
         tr("Move through the galaxies"), true, tr("Arrows, Page Up/Down, Home/End")},
        {Shortcut::GalleryNext, QKeySequence(QStringLiteral("Down")), tr("Evaluation: galaxy list"),
         tr("Next galaxy"), true},
        {Shortcut::GalleryPrevious, QKeySequence(QStringLiteral("Up")),
         tr("Evaluation: galaxy list"), tr("Previous galaxy"), true},
        {Shortcut::GalleryNextJ, QKeySequence(QStringLiteral("J")), tr("Evaluation: inspector"),
         tr("Next galaxy")},
        {Shortcut::GalleryPreviousK, QKeySequence(QStringLiteral("K")), tr("Evaluation: inspector"),
         tr("Previous galaxy")},
        {Shortcut::MarkLabelWrong, QKeySequence(QStringLiteral("L")), tr("Evaluation: inspector"),
         tr("Mark (or unmark) \"label looks wrong\"")},
        {Shortcut::MarkModelWrong, QKeySequence(QStringLiteral("M")), tr("Evaluation: inspector"),
         tr("Mark (or unmark) \"model wrong\"")},
        {Shortcut::ClearMark, QKeySequence(QStringLiteral("0")), tr("Evaluation: inspector"),
         tr("Clear the mark")},
    };
    return table;
}

QKeySequence shortcutKeys(Shortcut id) {
    const auto& table = shortcutTable();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [id](const ShortcutInfo& s) { return s.id == id; });
    return it == table.end() ? QKeySequence() : it->keys;
}

}  // namespace gz::ui
