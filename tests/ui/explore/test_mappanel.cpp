// The Map panel on a tiny run trained at test time: laying out the open data set's map, a click
// inspecting a galaxy, a Shift+drag region shown in the Dataset browser (and cleared), "More like
// this" listing the nearest galaxies in order of similarity, the browser's selection ringed on the
// map, and colouring by split.

#include <QComboBox>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

#include "app/mainwindow.h"
#include "dataset/datasetpanel.h"
#include "dataset/galaxybrowser.h"
#include "dataset/galaxyinspector.h"
#include "dataset/galaxylistmodel.h"
#include "explore/mappanel.h"
#include "explore/mapview.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/demo.h"
#include "gz/training.h"

namespace fs = std::filesystem;
using gz::test::child;
using gz::ui::GalaxyListModel;
using gz::ui::MapPanel;
using gz::ui::MapView;

namespace {

constexpr int kJobTimeoutMs = 120000;
constexpr int kGalaxies = 60;

/// A point the pointer can pick: the nearest point to its own pixel is itself.
std::size_t pickablePoint(const MapView& view, std::size_t from) {
    for (std::size_t i = from; i < view.pointCount(); ++i)
        if (view.pointAt(view.pixelOf(i), 3) == i) return i;
    return view.pointCount();
}

}  // namespace

class TestMapPanel : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path data_, workspace_, run_;
    std::unique_ptr<gz::ui::MainWindow> window_;

    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        data_ = dir() / "demo";
        workspace_ = dir() / "workspace";
        gz::writeDemoDataset(data_, gz::DemoOptions{kGalaxies, 7, gz::kKaggleImageSide});
        gz::TrainConfig config;
        config.model = "compact";
        config.batch = 8;
        config.epochs = 1;
        config.threads = 2;
        const auto run = gz::test::trainRun(data_, workspace_, {0.6, 0.2, 0.2}, config);
        QCOMPARE(run.outcome.status, gz::TrainOutcome::Status::Finished);
        run_ = run.dir;
        window_ = gz::test::openWindow(workspace_, data_, QSize(1400, 900), kJobTimeoutMs);
        QVERIFY(window_);
    }

    void laysOutTheOpenDataSet() {
        MapPanel* panel = window_->mapPanel();
        window_->showPanel(panel);
        panel->refreshRuns();
        panel->setRun(run_);
        QSignalSpy shown(panel, &MapPanel::mapShown);
        QTest::mouseClick(child<QPushButton>(panel, "layOutButton"), Qt::LeftButton);
        QVERIFY2(shown.wait(kJobTimeoutMs) || shown.count() == 1, qPrintable(panel->statusText()));
        QCOMPARE(panel->view()->pointCount(), std::size_t{kGalaxies});
        QVERIFY2(panel->statusText().contains(QString("Map of %1 galaxies").arg(kGalaxies)),
                 qPrintable(panel->statusText()));
        // Every galaxy once.
        std::set<std::size_t> rows;
        for (std::size_t i = 0; i < panel->view()->pointCount(); ++i)
            rows.insert(panel->rowOfPoint(i));
        QCOMPARE(rows.size(), std::size_t{kGalaxies});
        gz::test::screenshot(*window_, QStringLiteral("map-panel"));

        // A second time: from the workspace.
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kJobTimeoutMs);
        QVERIFY(panel->layOut());
        QVERIFY(shown.wait(kJobTimeoutMs) || shown.count() == 2);
        QVERIFY2(panel->statusText().contains("from the workspace"),
                 qPrintable(panel->statusText()));
    }

    void clickInspectsAGalaxy() {
        MapPanel* panel = window_->mapPanel();
        MapView* view = panel->view();
        view->replot();  // the layout as shown, legend included
        const std::size_t i = pickablePoint(*view, 0);
        QVERIFY(i < view->pointCount());
        QTest::mouseClick(view, Qt::LeftButton, {}, view->pixelOf(i).toPoint());
        QCOMPARE(view->highlight(), std::optional<std::size_t>(i));
        QCOMPARE(panel->inspector()->shownRow(), std::optional<std::size_t>(panel->rowOfPoint(i)));
    }

    void regionGoesToTheBrowser() {
        MapPanel* panel = window_->mapPanel();
        MapView* view = panel->view();
        // A rectangle around a point of the map (laid out as shown: after a redraw).
        view->replot();
        const QPoint centre = view->pixelOf(view->pointCount() / 2).toPoint();
        const QPoint a = centre - QPoint(60, 50), b = centre + QPoint(60, 50);
        const auto expected = view->pointsIn(QRect(a, b).normalized());
        QVERIFY(!expected.empty());
        QTest::mousePress(view, Qt::LeftButton, Qt::ShiftModifier, a);
        QTest::mouseMove(view, (a + b) / 2);
        QTest::mouseMove(view, b);
        QTest::mouseRelease(view, Qt::LeftButton, Qt::ShiftModifier, b);
        QCOMPARE(view->selection().size(), expected.size());

        auto* show = child<QPushButton>(panel, "showRegionButton");
        QVERIFY(show->isEnabled());
        QTest::mouseClick(show, Qt::LeftButton);
        gz::ui::GalaxyBrowser* browser = window_->datasetPanel()->browser();
        QCOMPARE(window_->findChild<QTabWidget*>()->currentWidget(),
                 static_cast<QWidget*>(window_->datasetPanel()));
        GalaxyListModel* model = browser->model();
        QCOMPARE(static_cast<std::size_t>(model->rowCount()), expected.size());
        std::set<std::size_t> want, got;
        for (const std::size_t p : expected) want.insert(panel->rowOfPoint(p));
        for (int r = 0; r < model->rowCount(); ++r) got.insert(model->catalogRow(r));
        QCOMPARE(got, want);
        QVERIFY(child<QWidget>(browser, "chosenBar")->isVisible());
        gz::test::screenshot(*window_, QStringLiteral("map-region-in-browser"));
        QTest::mouseClick(child<QPushButton>(browser, "showAllButton"), Qt::LeftButton);
        QCOMPARE(model->rowCount(), kGalaxies);
        QVERIFY(!child<QWidget>(browser, "chosenBar")->isVisible());
    }

    void moreLikeThisListsTheNearestInOrder() {
        MapPanel* panel = window_->mapPanel();
        window_->showPanel(panel);
        const std::size_t row = panel->rowOfPoint(5);
        panel->showGalaxy(row);
        auto* more = child<QPushButton>(panel, "moreLikeThisButton");
        QVERIFY(more->isEnabled());
        QTest::mouseClick(more, Qt::LeftButton);
        GalaxyListModel* model = window_->datasetPanel()->browser()->model();
        QCOMPARE(model->rowCount(), static_cast<int>(MapPanel::kSimilarShown) + 1);
        QCOMPARE(model->catalogRow(0), row);
        double previous = 2;
        for (int r = 1; r < model->rowCount(); ++r) {
            QVERIFY(model->catalogRow(r) != row);
            const double similarity =
                model->data(model->index(r), GalaxyListModel::SortValueRole).toString().toDouble();
            QVERIFY(similarity <= previous && similarity > -1.0001);
            previous = similarity;
        }
        // The galaxy itself is selected, so its inspector shows it beside its look-alikes.
        QCOMPARE(window_->datasetPanel()->inspector()->shownRow(), std::optional<std::size_t>(row));
        gz::test::screenshot(*window_, QStringLiteral("more-like-this"));
        window_->datasetPanel()->browser()->setChosen(nullptr);
    }

    void browserSelectionIsRingedOnTheMap() {
        MapPanel* panel = window_->mapPanel();
        gz::ui::GalaxyBrowser* browser = window_->datasetPanel()->browser();
        const std::size_t row = panel->rowOfPoint(11);
        QVERIFY(browser->selectGalaxy(window_->dataset()->catalog.id(row)));
        QCOMPARE(panel->view()->highlight(), panel->pointOfRow(row));
        QCOMPARE(panel->inspector()->shownRow(), std::optional<std::size_t>(row));
    }

    void coloursBySplit() {
        MapPanel* panel = window_->mapPanel();
        panel->setColouring(MapPanel::Colouring::Split);
        // No split is loaded in the window: every galaxy is "not in split".
        bool found = false;
        for (int g = 0; g < panel->view()->graphCount(); ++g)
            found |= panel->view()->graph(g)->name() == QString("Not in split (%1)").arg(kGalaxies);
        QVERIFY(found);
        panel->setColouring(MapPanel::Colouring::Label);
    }

    void cleanupTestCase() { window_.reset(); }
};

QTEST_MAIN(TestMapPanel)
#include "test_mappanel.moc"
