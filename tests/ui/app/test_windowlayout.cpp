// The window's size belongs to the user: at 1024 and 1400 px wide it stays as wide after a
// partition written to a long workspace path, an evaluation and a click on a confusion cell
// (long texts elide instead of widening it). A tiny run is trained at test time on
// rendered galaxies. Screenshots go to $GZ_SCREENSHOT_DIR when it is set.

#include <QAbstractButton>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
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
        gz::ui::MainWindowOptions options;
        options.workspace = workspace_;
        auto window = std::make_unique<MainWindow>(options);
        window->resize(width, height);
        if (!gz::test::showAndOpen(*window, data_, kJobTimeoutMs)) return nullptr;
        return window;
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
        const gz::Catalog catalog = gz::Catalog::open(gz::CatalogSource::kaggleFolder(data_));
        const auto split = gz::test::defaultRulesSplit(catalog, {0.5, 0.2, 0.3}, 42);
        gz::TrainConfig config;
        config.model = "compact";
        config.batch = 8;
        config.epochs = 1;
        config.threads = 2;
        config.seed = 3;
        run_ = gz::newRunFolder(workspace_, "compact");
        gz::startTraining(run_, config, catalog, split, workspace_);
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
    }
};

QTEST_MAIN(TestWindowLayout)
#include "test_windowlayout.moc"
