// The window's size belongs to the user: at 1024 and 1400 px wide it stays as wide after a
// partition written to a long workspace path, an evaluation and a click on a confusion cell
// (long texts elide instead of widening it); and at 1024x700 every panel's main buttons can be
// reached (scrolled into view where the panel scrolls). A tiny run is trained at test time on
// rendered galaxies. Screenshots go to $GZ_SCREENSHOT_DIR when it is set.

#include <QAbstractButton>
#include <QComboBox>
#include <QHeaderView>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "app/mainwindow.h"
#include "augmentation/augmentationpanel.h"
#include "dataset/datasetpanel.h"
#include "evaluation/confusionheatmap.h"
#include "evaluation/evaluationpanel.h"
#include "evaluation/misclassifiedinspector.h"
#include "evaluation/predictionpanel.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/run_folder.h"
#include "gz/training.h"
#include "training/runspanel.h"
#include "training/trainingpanel.h"
#include "training_fixtures.h"

using gz::test::child;
using gz::test::screenshot;

namespace fs = std::filesystem;
using gz::ui::EvaluationPanel;
using gz::ui::MainWindow;

namespace {

constexpr int kJobTimeoutMs = 120000;

// Whether `widget` lies wholly inside `window` and is shown: a user can see and click it.
bool reachable(QWidget* window, QWidget* widget) {
    if (!widget || !widget->isVisible()) return false;
    // Where it scrolls, scroll it into view first (a user would).
    for (QWidget* w = widget->parentWidget(); w; w = w->parentWidget())
        if (auto* area = qobject_cast<QScrollArea*>(w)) {
            area->ensureWidgetVisible(widget, 0, 0);
            const QRect inArea(widget->mapTo(area->viewport(), QPoint(0, 0)), widget->size());
            if (!area->viewport()->rect().contains(inArea)) return false;
        }
    const QRect inWindow(widget->mapTo(window, QPoint(0, 0)), widget->size());
    return window->rect().contains(inWindow);
}

// The shown widgets that ask for more than `limit` px of width, named for a failure message.
QString widestWidgets(QWidget* window, int limit) {
    QStringList out;
    for (QWidget* w : window->findChildren<QWidget*>()) {
        if (w->isHidden() || w->isWindow() || w->layout()) continue;
        const int asked = std::max(w->minimumSizeHint().width(), w->minimumWidth());
        if (asked > limit)
            out << QStringLiteral("%1 %2 (%3 px)")
                       .arg(QLatin1String(w->metaObject()->className()),
                            w->objectName() + QLatin1Char(' ') +
                                (qobject_cast<QAbstractButton*>(w)
                                     ? qobject_cast<QAbstractButton*>(w)->text().left(40)
                                     : QString()))
                       .arg(asked);
    }
    if (auto* tabs = window->findChild<QTabWidget*>(QStringLiteral("panelTabs")))
        for (int i = 0; i < tabs->count(); ++i)
            out << QStringLiteral("panel %1 (%2 px)")
                       .arg(tabs->widget(i)->objectName())
                       .arg(tabs->widget(i)->minimumSizeHint().width());
    return out.join(QStringLiteral(", "));
}

}  // namespace

class TestWindowLayout : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path data_, workspace_, run_;

    std::unique_ptr<MainWindow> openWindow(int width, int height) {
        return gz::test::openWindow(workspace_, data_, {width, height}, kJobTimeoutMs);
    }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        const fs::path root = gz::ui::toPath(tmp_.path());
        // Long folder names, as real workspaces have: their paths must not widen the window.
        data_ = root / "galaxy-zoo-2-rendered-demo-galaxies-for-the-window-layout-test";
        workspace_ = root / "a-workspace-folder-with-a-rather-long-name-as-users-make-them" /
                     "and-a-second-level-of-nesting-below-it";
        gz::writeDemoDataset(data_, gz::DemoOptions{60, 7, gz::kKaggleImageSide});
        run_ =
            gz::test::trainRun(data_, workspace_, {0.5, 0.2, 0.3}, gz::test::quickTraining()).dir;
        QVERIFY(fs::exists(run_ / "predictions.csv"));
    }

    void windowKeepsItsWidth_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::newRow("1024x700") << 1024 << 700;
        QTest::newRow("1400x880") << 1400 << 880;
    }

    void windowKeepsItsWidth() {
        QFETCH(int, width);
        QFETCH(int, height);
        auto window = openWindow(width, height);
        QVERIFY(window);
        QVERIFY2(window->width() == width, qPrintable(widestWidgets(window.get(), width / 3)));
        const QString size = QStringLiteral("%1x%2").arg(width).arg(height);

        window->showPanel(window->trainingPanel());
        QVERIFY(gz::test::partition(*window, kJobTimeoutMs));
        window->showPanel(window->datasetPanel());
        QTest::qWait(0);
        QVERIFY2(window->width() == width, qPrintable(widestWidgets(window.get(), width / 3)));
        screenshot(*window, QStringLiteral("layout-dataset-partitioned-") + size);

        EvaluationPanel* panel = window->evaluationPanel();
        window->showPanel(panel);
        panel->refreshRuns();
        panel->setRun(run_);
        panel->setSource(EvaluationPanel::Source::Test);
        QVERIFY2(panel->evaluate(), qPrintable(panel->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        QVERIFY2(panel->result(), qPrintable(panel->statusText()));
        QVERIFY2(window->width() == width, qPrintable(widestWidgets(window.get(), width / 3)));

        // A cell with galaxies: its gallery and first galaxy fill the inspector.
        const auto& c = panel->result()->confusion;
        int row = -1, column = -1;
        for (int t = 0; t < gz::kMorphologyCount && row < 0; ++t)
            for (int p = 0; p < gz::kMorphologyCount && row < 0; ++p)
                if (c[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)] > 0) {
                    row = t;
                    column = p;
                }
        QVERIFY(row >= 0);
        QTest::mouseClick(panel->heatMap(), Qt::LeftButton, {},
                          panel->heatMap()->cellRect(row, column).center());
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        QTest::qWait(0);
        QVERIFY2(window->width() == width, qPrintable(widestWidgets(window.get(), width / 3)));
        screenshot(*window, QStringLiteral("layout-evaluation-cell-") + size);

        // Nothing clipped: every metric's heading, the mark buttons; the inspector keeps room.
        auto* table = child<QTableWidget>(panel, "metricsTable");
        QVERIFY(table);
        QHeaderView* header = table->horizontalHeader();
        for (int section = 0; section < table->columnCount(); ++section) {
            const QString text = table->horizontalHeaderItem(section)->text();
            QVERIFY2(header->sectionSize(section) > header->fontMetrics().horizontalAdvance(text),
                     qPrintable(text));
        }
        for (const char* name : {"markLabelWrongButton", "markModelWrongButton"}) {
            auto* button = child<QAbstractButton>(panel, name);
            QVERIFY2(reachable(window.get(), button), name);
            QVERIFY2(button->width() >= button->sizeHint().width(), name);
        }
        QVERIFY(panel->inspector()->width() >= 400);

        // Prediction on the data's images: the filter shows its class name whole.
        gz::ui::PredictionPanel* prediction = window->predictionPanel();
        window->showPanel(prediction);
        prediction->refreshRuns();
        prediction->setRun(run_);
        prediction->setFolder(data_ / "images_training_rev1");
        QVERIFY2(prediction->predict(), qPrintable(prediction->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        QVERIFY2(!prediction->predictions().empty(), qPrintable(prediction->statusText()));
        prediction->setFilter(1);
        QTest::qWait(0);
        auto* filter = child<QComboBox>(prediction, "predictionClassFilter");
        QVERIFY(filter);
        QVERIFY2(filter->width() >= filter->sizeHint().width(),
                 qPrintable(QStringLiteral("%1 px of %2")
                                .arg(filter->width())
                                .arg(filter->sizeHint().width())));
        QVERIFY2(window->width() == width, qPrintable(widestWidgets(window.get(), width / 3)));
        screenshot(*window, QStringLiteral("layout-prediction-") + size);
    }

    void everyPanelsButtonsAreReachableAt1024x700() {
        auto window = openWindow(1024, 700);
        QVERIFY(window);
        QVERIFY(gz::test::partition(*window, kJobTimeoutMs));
        const std::vector<std::pair<QWidget*, std::vector<const char*>>> panels = {
            {window->datasetPanel(),
             {"loadSplitButton", "loadFractionsButton", "saveRulesButton", "resetRulesButton"}},
            {window->augmentationPanel(), {"rerollButton", "saveParamsButton"}},
            {window->trainingPanel(),
             {"partitionButton", "preprocessButton", "trainButton", "resumeButton"}},
            {window->runsPanel(), {"evaluateRunButton", "resumeRunButton", "exportPngButton"}},
            {window->evaluationPanel(), {"evaluateButton", "exportMarksButton"}},
            {window->predictionPanel(), {"predictButton", "exportPredictionsButton"}},
        };
        for (const auto& [panel, buttons] : panels) {
            window->showPanel(panel);
            QTest::qWait(0);
            screenshot(*window, QStringLiteral("layout-1024x700-") + panel->objectName());
            for (const char* name : buttons) {
                auto* button = child<QAbstractButton>(panel, name);
                QVERIFY2(button, name);
                QVERIFY2(reachable(window.get(), button),
                         qPrintable(QStringLiteral("%1 cannot be reached on %2")
                                        .arg(QLatin1String(name), panel->objectName())));
            }
            if (panel == window->augmentationPanel()) {
                // The tiles wrap: the evaluation transform is on screen without scrolling sideways.
                QTRY_VERIFY_WITH_TIMEOUT(panel->findChild<QWidget*>(QStringLiteral("evalTile0")),
                                         kJobTimeoutMs);
                QTest::qWait(0);
                screenshot(*window, QStringLiteral("layout-1024x700-augmentation-tiles"));
                auto* box = child<QWidget>(panel, "evaluationBox");
                auto* area = child<QWidget>(panel, "augmentationPreviewArea");
                QVERIFY(box && area && box->isVisible());
                const QWidget* viewport = area->parentWidget();
                QVERIFY2(area->width() <= viewport->width(),
                         qPrintable(QStringLiteral("preview %1 px wide in a %2 px view")
                                        .arg(area->width())
                                        .arg(viewport->width())));
                QVERIFY(box->mapTo(viewport, QPoint(box->width(), 0)).x() <= viewport->width());
            }
            QVERIFY2(window->width() == 1024, qPrintable(widestWidgets(window.get(), 300)));
        }
    }

    // The real sample (GZ2_SAMPLE_DIR), when there is one: the same checks on 3,000 galaxies, and
    // a screenshot of every panel at both sizes to look at.
    void realSampleKeepsTheWindowsSize_data() { windowKeepsItsWidth_data(); }

    void realSampleKeepsTheWindowsSize() {
        QFETCH(int, width);
        QFETCH(int, height);
        const auto sample = gz::test::sampleDir();
        if (!sample) QSKIP("GZ2_SAMPLE_DIR is not set");
        gz::ui::MainWindowOptions options;
        options.workspace = workspace_;
        MainWindow window(options);
        window.resize(width, height);
        QVERIFY(gz::test::showAndOpen(window, *sample, kJobTimeoutMs));
        QVERIFY(gz::test::partition(window, kJobTimeoutMs));
        const QString size = QStringLiteral("%1x%2").arg(width).arg(height);
        QTabWidget* tabs = child<QTabWidget>(&window, "panelTabs");
        QVERIFY(tabs);
        for (int i = 0; i < tabs->count(); ++i) {
            tabs->setCurrentIndex(i);
            if (tabs->currentWidget() == window.augmentationPanel())
                QTRY_VERIFY_WITH_TIMEOUT(
                    window.augmentationPanel()->findChild<QWidget*>(QStringLiteral("evalTile0")),
                    kJobTimeoutMs);
            QTest::qWait(0);
            QVERIFY2(window.width() == width, qPrintable(widestWidgets(&window, width / 3)));
            QCOMPARE(window.height(), height);
            screenshot(
                window,
                QStringLiteral("sample-%1-%2").arg(size, tabs->currentWidget()->objectName()));
        }
    }
};

QTEST_MAIN(TestWindowLayout)
#include "test_windowlayout.moc"
