// The Map panel on a tiny run trained at test time: laying out the open data set's map, a click
// inspecting a galaxy, a Shift+drag region shown in the Dataset browser (and cleared), "More like
// this" listing the nearest galaxies in order of similarity (from the panel, before any map, from
// the other panels' context menus and for a dropped JPEG of no data set), the browser's selection
// ringed on the map, and colouring by split, prediction, right / wrong and mark.

#include <QApplication>
#include <QComboBox>
#include <QFrame>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <algorithm>
#include <set>

#include "app/mainwindow.h"
#include "common/morphologycolors.h"
#include "dataset/datasetpanel.h"
#include "dataset/galaxybrowser.h"
#include "dataset/galaxyinspector.h"
#include "dataset/galaxylistmodel.h"
#include "evaluation/evaluationpanel.h"
#include "evaluation/misclassifiedinspector.h"
#include "explore/mappanel.h"
#include "explore/mapview.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/demo.h"
#include "gz/run_marks.h"
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
        const auto run =
            gz::test::trainRun(data_, workspace_, {0.6, 0.2, 0.2}, gz::test::quickTraining());
        QCOMPARE(run.outcome.status, gz::TrainOutcome::Status::Finished);
        run_ = run.dir;
        window_ = gz::test::openWindow(workspace_, data_, QSize(1400, 900), kJobTimeoutMs);
        QVERIFY(window_);
    }

    /// The browser's list after "more like this" for catalog row `row` (query first, then its
    /// neighbours by falling similarity): fails the test when it is not so.
    void checkSimilarList(std::optional<std::size_t> row) {
        GalaxyListModel* model = window_->datasetPanel()->browser()->model();
        const int first = row ? 1 : 0;
        QCOMPARE(model->rowCount(), static_cast<int>(MapPanel::kSimilarShown) + first);
        if (row) QCOMPARE(model->catalogRow(0), *row);
        double previous = 2;
        for (int r = first; r < model->rowCount(); ++r) {
            if (row) QVERIFY(model->catalogRow(r) != *row);
            const double similarity =
                model->data(model->index(r), GalaxyListModel::SortValueRole).toString().toDouble();
            QVERIFY(similarity <= previous && similarity > -1.0001);
            previous = similarity;
        }
        QCOMPARE(window_->findChild<QTabWidget*>()->currentWidget(),
                 static_cast<QWidget*>(window_->datasetPanel()));
    }

    void moreLikeAGalaxyBeforeAnyMap() {
        MapPanel* panel = window_->mapPanel();
        panel->refreshRuns();
        panel->setRun(run_);
        QVERIFY(!panel->moreLikeGalaxy(987654321));  // not in the data set
        QVERIFY2(panel->statusText().contains("987654321"), qPrintable(panel->statusText()));
        const std::size_t row = 3;
        QSignalSpy chosen(panel, &MapPanel::chosenForBrowser);
        QVERIFY(panel->moreLikeGalaxy(window_->dataset()->catalog.id(row)));  // embeds first
        QVERIFY2(chosen.wait(kJobTimeoutMs), qPrintable(panel->statusText()));
        checkSimilarList(row);
        QCOMPARE(panel->view()->pointCount(), std::size_t{0});  // no map was asked for
        window_->datasetPanel()->browser()->setChosen(nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kJobTimeoutMs);
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
        // Hovering shows the galaxy's card, its thumbnail once decoded (off the GUI thread).
        QTest::mouseMove(view, view->pixelOf(i).toPoint());
        QTRY_COMPARE(view->hovered(), std::optional<std::size_t>(i));
        QFrame* card = view->hoverCard();
        QVERIFY(card->isVisible());
        const QString id = QString::number(window_->dataset()->catalog.id(panel->rowOfPoint(i)));
        const QList<QLabel*> labels = card->findChildren<QLabel*>();
        QCOMPARE(labels.size(), 2);
        QTRY_VERIFY(std::any_of(labels.begin(), labels.end(),
                                [](const QLabel* l) { return !l->pixmap().isNull(); }));
        bool named = false;
        for (const QLabel* l : labels) named |= l->text().contains(id);
        QVERIFY(named);
        gz::test::screenshot(*window_, QStringLiteral("map-hover"));
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

    void lassoPicksThePointsInside() {
        MapPanel* panel = window_->mapPanel();
        window_->showPanel(panel);
        MapView* view = panel->view();
        view->replot();
        // A triangle drawn with Ctrl held, around a point of the map.
        const QPoint centre = view->pixelOf(view->pointCount() / 3).toPoint();
        const QPolygonF triangle{QPointF(centre + QPoint(0, -70)), QPointF(centre + QPoint(80, 50)),
                                 QPointF(centre + QPoint(-80, 50))};
        const auto expected = view->pointsIn(triangle);
        QVERIFY(!expected.empty());
        QVERIFY(expected.size() <= view->pointsIn(triangle.boundingRect().toAlignedRect()).size());
        QTest::mousePress(view, Qt::LeftButton, Qt::ControlModifier, triangle[0].toPoint());
        QTest::mouseMove(view, triangle[1].toPoint());
        QTest::mouseMove(view, triangle[2].toPoint());
        QTest::mouseRelease(view, Qt::LeftButton, Qt::ControlModifier, triangle[2].toPoint());
        QCOMPARE(view->selection(), expected);
        QVERIFY(child<QPushButton>(panel, "showRegionButton")->isEnabled());
    }

    void moreLikeThisListsTheNearestInOrder() {
        MapPanel* panel = window_->mapPanel();
        window_->showPanel(panel);
        const std::size_t row = panel->rowOfPoint(5);
        panel->showGalaxy(row);
        auto* more = child<QPushButton>(panel, "moreLikeThisButton");
        QVERIFY(more->isEnabled());
        QTest::mouseClick(more, Qt::LeftButton);
        checkSimilarList(row);
        // The galaxy itself is selected, so its inspector shows it beside its look-alikes.
        QCOMPARE(window_->datasetPanel()->inspector()->shownRow(), std::optional<std::size_t>(row));
        gz::test::screenshot(*window_, QStringLiteral("more-like-this"));
        window_->datasetPanel()->browser()->setChosen(nullptr);
    }

    void contextMenusAskForMoreLikeThis() {
        gz::ui::GalaxyBrowser* browser = window_->datasetPanel()->browser();
        window_->showPanel(window_->datasetPanel());
        auto* grid = child<QAbstractItemView>(browser, "galaxyGrid");
        const QModelIndex index = grid->model()->index(2, 0);
        const auto row = browser->model()->catalogRow(2);
        // Right-click the galaxy, then choose the menu's entry with the keys.
        QTimer::singleShot(0, [] {
            QWidget* popup = QApplication::activePopupWidget();
            QVERIFY(qobject_cast<QMenu*>(popup));
            QTest::keyClick(popup, Qt::Key_Down);
            QTest::keyClick(popup, Qt::Key_Return);
        });
        emit grid->customContextMenuRequested(grid->visualRect(index).center());
        checkSimilarList(row);
        window_->datasetPanel()->browser()->setChosen(nullptr);
        // The evaluation's and suspects' galleries ask the same way.
        const std::size_t other = 9;
        emit window_->evaluationPanel()->inspector()->moreLikeThisRequested(
            window_->dataset()->catalog.id(other));
        checkSimilarList(other);
        window_->datasetPanel()->browser()->setChosen(nullptr);
        // And the Dataset panel's inspector, for the galaxy it shows.
        const std::size_t shown = 12;
        QVERIFY(browser->selectGalaxy(window_->dataset()->catalog.id(shown)));
        auto* similar =
            child<QToolButton>(window_->datasetPanel()->inspector(), "inspectorMoreLikeThis");
        QVERIFY(similar->isEnabled());
        QTest::mouseClick(similar, Qt::LeftButton);
        checkSimilarList(shown);
        window_->datasetPanel()->browser()->setChosen(nullptr);
    }

    void moreLikeADroppedImage() {
        MapPanel* panel = window_->mapPanel();
        window_->showPanel(panel);
        // A galaxy's image copied outside the data set: its own galaxy is the most like it.
        const std::size_t row = 7;
        const std::int64_t id = window_->dataset()->catalog.id(row);
        const fs::path file = dir() / "elsewhere" / "query.JPG";
        fs::create_directories(file.parent_path());
        fs::copy_file(data_ / "images_training_rev1" / (std::to_string(id) + ".jpg"), file);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(QString::fromStdString(file.string()))});
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, {});
        QApplication::sendEvent(panel, &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy chosen(panel, &MapPanel::chosenForBrowser);
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, {});
        QApplication::sendEvent(panel, &drop);
        QVERIFY2(chosen.wait(kJobTimeoutMs), qPrintable(panel->statusText()));
        checkSimilarList(std::nullopt);
        GalaxyListModel* model = window_->datasetPanel()->browser()->model();
        QCOMPARE(model->catalogRow(0), row);
        QVERIFY(model->data(model->index(0), GalaxyListModel::SortValueRole).toString().toDouble() >
                0.99);
        window_->datasetPanel()->browser()->setChosen(nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kJobTimeoutMs);
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

    void coloursByPredictionCorrectnessAndMark() {
        MapPanel* panel = window_->mapPanel();
        const auto legend = [panel](const QString& name) {
            for (int g = 0; g < panel->view()->graphCount(); ++g)
                if (panel->view()->graph(g)->name().startsWith(name + " ("))
                    return panel->view()->graph(g)->name();
            return QString();
        };
        const auto labeling = window_->currentLabeling();
        std::array<int, gz::kMorphologyCount> predicted{};
        int right = 0;
        for (std::size_t i = 0; i < panel->view()->pointCount(); ++i) {
            ++predicted[static_cast<std::size_t>(panel->predictedOfPoint(i))];
            right += labeling->labels[panel->rowOfPoint(i)] == panel->predictedOfPoint(i);
        }
        panel->setColouring(MapPanel::Colouring::Prediction);
        for (int c = 0; c < gz::kMorphologyCount; ++c)
            QCOMPARE(legend(gz::ui::morphologyShortName(c)),
                     QString("%1 (%2)")
                         .arg(gz::ui::morphologyShortName(c))
                         .arg(predicted[static_cast<std::size_t>(c)]));
        panel->setColouring(MapPanel::Colouring::Correctness);
        QCOMPARE(legend("Right"), QString("Right (%1)").arg(right));
        // A mark set on the run (as the Evaluation panel does) shows once the panel is looked at.
        const std::int64_t id = window_->dataset()->catalog.id(panel->rowOfPoint(4));
        gz::RunMarks(run_).setMark({id, 0, {1, 0, 0, 0, 0}}, gz::GalaxyMark::LabelWrong);
        panel->setColouring(MapPanel::Colouring::Mark);
        QCOMPARE(legend("Label looks wrong"), QString("Label looks wrong (1)"));
        QCOMPARE(legend("Not marked"), QString("Not marked (%1)").arg(kGalaxies - 1));
        panel->setColouring(MapPanel::Colouring::Label);
    }

    void cleanupTestCase() { window_.reset(); }
};

QTEST_MAIN(TestMapPanel)
#include "test_mappanel.moc"
