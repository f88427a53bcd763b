// Help > Keyboard Shortcuts lists every shortcut of the app: each key bound in the window (menu
// actions and QShortcuts of every panel) appears in the dialog, which shows the one table the
// bindings come from.

#include <QAction>
#include <QShortcut>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

#include "app/mainwindow.h"
#include "app/shortcutsdialog.h"
#include "common/shortcuts.h"
#include "fixtures.h"
#include "gui_fixtures.h"

using gz::test::screenshot;
using gz::ui::MainWindow;

class TestShortcutsDialog : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

private slots:
    void initTestCase() { QVERIFY(gz::test::initGuiTest(tmp_)); }

    void listsEveryShortcutOfTheWindow() {
        gz::ui::MainWindowOptions options;
        options.workspace = gz::ui::toPath(tmp_.path()) / "workspace";
        MainWindow window(options);
        window.resize(1024, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // Every key bound anywhere in the window.
        std::set<QString> bound;
        for (const QAction* action : window.findChildren<QAction*>())
            for (const QKeySequence& keys : action->shortcuts())
                bound.insert(keys.toString(QKeySequence::NativeText));
        for (const QShortcut* shortcut : window.findChildren<QShortcut*>())
            bound.insert(shortcut->key().toString(QKeySequence::NativeText));
        QVERIFY(bound.size() >= 8);  // the menus', the browser's and the inspector's

        window.findChild<QAction*>(QStringLiteral("keyboardShortcutsAction"))->trigger();
        auto* dialog = window.findChild<gz::ui::ShortcutsDialog*>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        auto* table = dialog->findChild<QTableWidget*>(QStringLiteral("shortcutsTable"));
        QCOMPARE(table->rowCount(), static_cast<int>(gz::ui::shortcutTable().size()));
        std::set<QString> listed;
        for (int r = 0; r < table->rowCount(); ++r) {
            listed.insert(table->item(r, 0)->text());
            QVERIFY(!table->item(r, 1)->text().isEmpty());
            QVERIFY(!table->item(r, 2)->text().isEmpty());
        }
        for (const QString& keys : bound)
            QVERIFY2(listed.count(keys) == 1, qPrintable(keys + " is bound but not listed"));
        screenshot(*dialog, QStringLiteral("keyboard-shortcuts"));
        dialog->close();
    }
};

QTEST_MAIN(TestShortcutsDialog)
#include "test_shortcutsdialog.moc"
