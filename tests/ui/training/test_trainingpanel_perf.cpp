// Timed checks of the Training panel (ctest label perf): the GUI keeps running while it trains.

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <algorithm>
#include <filesystem>

#include "app/mainwindow.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/decoded_cache.h"
#include "gz/demo.h"
#include "training/curvesview.h"
#include "training/trainingpanel.h"
#include "training_fixtures.h"

namespace fs = std::filesystem;

namespace {

constexpr int kJobTimeoutMs = 60000;

}  // namespace

class TestTrainingPanelPerf : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return gz::ui::toPath(tmp_.path()); }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        gz::writeDemoDataset(dir() / "demo", gz::DemoOptions{48, 5, gz::kKaggleImageSide});
    }

    void eventLoopGapsStayShortWhileTraining() {
        gz::ui::MainWindowOptions options;
        options.workspace = dir() / "workspace";
        gz::ui::MainWindow window(options);
        window.resize(1360, 860);
        QVERIFY(gz::test::showAndOpen(window, dir() / "demo", kJobTimeoutMs));
        gz::ui::TrainingPanel* panel = window.trainingPanel();
        window.showPanel(panel);
        QVERIFY(gz::test::partition(window, kJobTimeoutMs));
        gz::test::setShortTraining(panel, 200);
        QVERIFY(panel->train());
        QTRY_VERIFY_WITH_TIMEOUT(
            panel->curves()->batchPointCount() > 0 || panel->liveCurves().batchX.size() > 0,
            kJobTimeoutMs);

        // The longest gap between 20 ms timer ticks.
        QElapsedTimer clock;
        qint64 last = 0, longest = 0;
        QTimer tick;
        connect(&tick, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            longest = std::max(longest, now - last);
            last = now;
        });
        clock.start();
        tick.start(20);
        QTest::qWait(1500);
        tick.stop();
        QVERIFY(window.isBusy());
        qInfo("longest event-loop gap while training: %lld ms", longest);
        QVERIFY2(longest < 500, qPrintable(QString::number(longest)));

        panel->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), kJobTimeoutMs);
    }
};

QTEST_MAIN(TestTrainingPanelPerf)
#include "test_trainingpanel_perf.moc"
