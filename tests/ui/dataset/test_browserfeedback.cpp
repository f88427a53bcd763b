// The browser as a user reads it: tiles sorted by a vote fraction show that value; a new filter
// or sort starts at the top of the list; a click on the scroll bar scrolls and selects nothing.

#include <QComboBox>
#include <QListView>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <filesystem>

#include "app/mainwindow.h"
#include "dataset/datasetpanel.h"
#include "dataset/galaxybrowser.h"
#include "dataset/galaxylistmodel.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/files.h"

using gz::test::screenshot;

namespace fs = std::filesystem;
using gz::ui::GalaxyBrowser;
using gz::ui::GalaxyListModel;
using gz::ui::MainWindow;

namespace {

constexpr int kJobTimeoutMs = 120000;

}  // namespace

class TestBrowserFeedback : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path data_;

    fs::path dir() const { return gz::ui::toPath(tmp_.path()); }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        data_ = dir() / "demo";
        gz::writeDemoDataset(data_, gz::DemoOptions{120, 3, 64});
    }

    void sortFilterAndScrollBar() {
        gz::ui::MainWindowOptions options;
        options.workspace = dir() / "workspace";
        MainWindow window(options);
        window.resize(1024, 700);
        QVERIFY(gz::test::showAndOpen(window, data_, kJobTimeoutMs));
        GalaxyBrowser* browser = window.datasetPanel()->browser();
        QListView* view = browser->view();
        QScrollBar* bar = view->verticalScrollBar();
        QTRY_VERIFY(bar->maximum() > 0);
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        browser->findChild<QComboBox*>(QStringLiteral("sortBox"))->setFocus();

        // A click on the scroll bar's track scrolls; no galaxy becomes selected.
        QSignalSpy selected(browser, &GalaxyBrowser::galaxySelected);
        QTest::mouseClick(bar, Qt::LeftButton, {},
                          QPoint(bar->width() / 2, bar->height() - bar->width() * 2));
        QTRY_VERIFY(bar->value() > 0);
        QVERIFY(view->selectionModel()->selectedIndexes().isEmpty());
        // Nor does the grid taking the focus otherwise (Tab): the view then moves its current
        // index to the first tile without selecting it.
        browser->findChild<QComboBox*>(QStringLiteral("sortBox"))->setFocus();
        view->setFocus(Qt::TabFocusReason);
        QTRY_VERIFY(view->hasFocus());
        QVERIFY(view->selectionModel()->selectedIndexes().isEmpty());
        for (const QList<QVariant>& args : selected)
            QVERIFY(!args.at(0).value<std::optional<std::size_t>>().has_value());

        // Sorted by a vote fraction: each tile carries the value it is sorted by.
        auto* sort = browser->findChild<QComboBox*>(QStringLiteral("sortBox"));
        const std::size_t c11 = *gz::voteColumnIndex("Class1.1");
        bar->setValue(bar->maximum());
        sort->setCurrentIndex(sort->findData(static_cast<int>(c11)));
        QCOMPARE(bar->value(), 0);  // a new sort starts at the top
        const gz::Catalog& catalog = window.dataset()->catalog;
        for (int r = 0; r < 5; ++r) {
            const QModelIndex index = browser->model()->index(r);
            QCOMPARE(index.data(GalaxyListModel::SortValueRole).toString(),
                     QString::number(catalog.value(browser->model()->catalogRow(r), c11), 'f', 3));
        }
        screenshot(window, QStringLiteral("browser-sorted-by-class11"));

        // A new filter starts at the top too, with a galaxy selected further down.
        view->setCurrentIndex(browser->model()->index(browser->model()->rowCount() - 1));
        QTRY_VERIFY(bar->value() > 0);
        auto* box = browser->findChild<QComboBox*>(QStringLiteral("morphologyFilterBox"));
        box->setCurrentIndex(box->findData(0));
        QCOMPARE(bar->value(), 0);
        box->setCurrentIndex(0);
        QCOMPARE(bar->value(), 0);

        // By GalaxyID again: no value on the tiles.
        sort->setCurrentIndex(0);
        QVERIFY(
            browser->model()->index(0).data(GalaxyListModel::SortValueRole).toString().isEmpty());
    }
};

QTEST_MAIN(TestBrowserFeedback)
#include "test_browserfeedback.moc"
