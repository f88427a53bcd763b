// Status lines that describe what is true now: an error in the status bar goes when the next job
// succeeds; after a finished run there is no images/s or ETA left, and the finish message is a
// sentence with formatted numbers; a new run starts without the previous run's curve read-out.

#include <qcustomplot.h>
#include <QLabel>
#include <QRegularExpression>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "app/mainwindow.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/demo.h"
#include "gz/files.h"
#include "training/curvesview.h"
#include "training/trainingmonitor.h"
#include "training/trainingpanel.h"
#include "training_fixtures.h"

using gz::test::child;
using gz::test::partition;
using gz::test::screenshot;
using gz::test::setShortTraining;

namespace fs = std::filesystem;
using gz::ui::MainWindow;
using gz::ui::TrainingPanel;

namespace {

constexpr int kJobTimeoutMs = 120000;

}  // namespace

class TestStatusLines : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path data_;

    fs::path dir() const { return gz::ui::toPath(tmp_.path()); }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        data_ = dir() / "demo";
        gz::writeDemoDataset(data_, gz::DemoOptions{40, 5, gz::kKaggleImageSide});
    }

    void errorClearsWhenTheNextJobSucceeds() {
        gz::ui::MainWindowOptions options;
        options.workspace = dir() / "workspace-error";
        MainWindow window(options);
        QVERIFY(gz::test::showAndOpen(window, data_, kJobTimeoutMs));

        // A folder without the Kaggle CSV: an error in the status bar.
        const fs::path empty = dir() / "not-a-data-set";
        fs::create_directories(empty);
        QVERIFY(window.openDataset(gz::ui::toQString(empty)));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), kJobTimeoutMs);
        QVERIFY(!window.lastError().isEmpty());
        QVERIFY2(window.statusBar()->currentMessage().startsWith(QStringLiteral("Error")),
                 qPrintable(window.statusBar()->currentMessage()));
        if (auto* box = window.findChild<QWidget*>(QStringLiteral("errorMessageBox"))) box->hide();

        // Partitioning succeeds: the error is no longer shown as if it were current.
        window.showPanel(window.trainingPanel());
        QVERIFY(partition(window, kJobTimeoutMs));
        QVERIFY2(!window.statusBar()->currentMessage().contains(window.lastError()),
                 qPrintable(window.statusBar()->currentMessage()));
    }

    void finishedRunLeavesNoStaleStatus() {
        gz::ui::MainWindowOptions options;
        options.workspace = dir() / "workspace-train";
        MainWindow window(options);
        window.resize(1400, 880);
        QVERIFY(gz::test::showAndOpen(window, data_, kJobTimeoutMs));
        window.showPanel(window.trainingPanel());
        TrainingPanel* panel = window.trainingPanel();
        QVERIFY(partition(window, kJobTimeoutMs));
        setShortTraining(panel, 2);
        auto* monitor = panel->findChild<gz::ui::TrainingMonitor*>();
        QVERIFY(monitor);

        QVERIFY(panel->train());
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isTraining() && !window.isBusy(), kJobTimeoutMs);
        QCOMPARE(panel->lastTrainingStatus(), gz::TrainOutcome::Status::Finished);

        // No rate or ETA of a job that no longer runs.
        QVERIFY2(monitor->rateText().isEmpty(), qPrintable(monitor->rateText()));
        // One sentence: "<run> finished 2 epochs in 0m03s; test accuracy 42.5%."
        const QString status = panel->statusText();
        const QString run = gz::ui::toQString(panel->currentRun().filename());
        const QRegularExpression sentence(
            QStringLiteral("^%1 finished 2 epochs in \\d+m\\d\\ds(; test accuracy "
                           "\\d{1,3}\\.\\d%)?\\.$")
                .arg(QRegularExpression::escape(run)));
        QVERIFY2(sentence.match(status).hasMatch(), qPrintable(status));
        QVERIFY2(!status.contains(QStringLiteral("finished: finished")), qPrintable(status));
        screenshot(window, QStringLiteral("training-finished"));

        // Hover a point of the finished run: a read-out. The next run starts without it.
        gz::ui::CurvesView* curves = panel->curves();
        QCustomPlot* loss = curves->lossPlot();
        loss->replot();
        QCPGraph* graph = nullptr;
        for (int i = 0; i < loss->graphCount(); ++i)
            if (loss->graph(i)->dataCount() > 0) graph = loss->graph(i);
        QVERIFY(graph);
        const auto point = graph->data()->constBegin();
        const QPoint at(static_cast<int>(graph->keyAxis()->coordToPixel(point->key)),
                        static_cast<int>(graph->valueAxis()->coordToPixel(point->value)));
        const QString hint = QStringLiteral("Hover over a curve");
        curves->hoverAt(loss, at);
        QVERIFY2(curves->readout().contains(QStringLiteral("epoch")) &&
                     !curves->readout().startsWith(hint),
                 qPrintable(curves->readout()));

        QVERIFY(panel->train());
        QVERIFY2(curves->readout().startsWith(hint), qPrintable(curves->readout()));
        panel->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isTraining() && !window.isBusy(), kJobTimeoutMs);
        QVERIFY2(monitor->rateText().isEmpty(), qPrintable(monitor->rateText()));
    }
};

QTEST_MAIN(TestStatusLines)
#include "test_statuslines.moc"
