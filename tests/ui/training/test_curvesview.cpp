// The training curves and the comparison of runs: legends never on the data, axes that hold
// every point, a "no data" state, one colour per run, smoothing, a log loss axis, and the Runs
// panel's run picker and settings table. Screenshots go to $GZ_SCREENSHOT_DIR when it is set.

#include <qcustomplot.h>
#include <QCheckBox>
#include <QListWidget>
#include <QSet>
#include <QTabWidget>
#include <QTableWidget>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "gui_fixtures.h"
#include "gz/run_folder.h"
#include "gz/training.h"
#include "training/curvesview.h"
#include "training/runcurves.h"
#include "training/runsettingstable.h"
#include "training/runspanel.h"

using gz::test::child;
using namespace gz;
namespace fs = std::filesystem;

namespace {

// A run of `epochs` epochs whose validation loss jumps to `peak` at epoch 2, with 20 batches
// of noisy loss per epoch when `batches`.
ui::RunCurves makeRun(const QString& name, int epochs, double peak, bool batches) {
    ui::RunCurves run;
    run.name = name;
    for (int e = 1; e <= epochs; ++e) {
        if (batches)
            for (int b = 1; b <= 20; ++b) {
                BatchProgress p;
                p.epoch = e;
                p.epochs = epochs;
                p.batch = b;
                p.batches = 20;
                p.batchLoss = 1.5 / e + (b % 2 ? 0.4 : -0.4);
                p.accuracy = 0.5;
                p.lr = 0.05;
                run.addBatch(p);
            }
        EpochRecord r;
        r.epoch = e;
        r.trainLoss = 1.2 / e;
        r.trainAccuracy = 0.5 + 0.05 * e;
        r.valLoss = e == 2 ? peak : 1.0 / e;
        r.valAccuracy = 0.45 + 0.05 * e;
        r.valMacroF1 = 0.4;
        r.lr = 0.05 / e;
        run.addEpoch(r);
    }
    run.bestEpoch = epochs;
    return run;
}

std::vector<QCPGraph*> graphsOf(QCustomPlot* plot) {
    std::vector<QCPGraph*> out;
    for (int i = 0; i < plot->graphCount(); ++i) out.push_back(plot->graph(i));
    return out;
}

// Every point of every graph lies within the plot's axis ranges.
bool rangesHoldEveryPoint(QCustomPlot* plot) {
    for (QCPGraph* g : graphsOf(plot))
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
            if (!plot->xAxis->range().contains(it->key) ||
                !plot->yAxis->range().contains(it->value))
                return false;
    return true;
}

// A run folder with config.json and metrics.csv (validation loss falling to its minimum at
// `bestEpoch`), as training writes them.
void writeRun(const fs::path& dir, double lr, int epochs, int bestEpoch) {
    fs::create_directories(dir);
    TrainConfig config;
    config.epochs = epochs;
    config.lr = lr;
    config.selectMetric = SelectMetric::Loss;
    config.dataCsv = "catalog.csv";
    test::writeText(RunFolder{dir}.config(), config.toJson() + "\n");
    std::string csv =
        "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,lr,"
        "batches\n";
    for (int e = 1; e <= epochs; ++e)
        csv += std::to_string(e) + "," + std::to_string(1.0 / e) + ",0.6," +
               std::to_string(0.5 + 0.1 * std::abs(e - bestEpoch)) + ",0.6,0.5," +
               std::to_string(lr) + ",10\n";
    test::writeText(RunFolder{dir}.metrics(), csv);
}

}  // namespace

class TestCurvesView : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(test::initGuiTest(tmp_)); }

    void legendsSitOutsideTheData() {
        for (const QSize size : {QSize(1400, 880), QSize(700, 420)}) {
            ui::CurvesView view;
            view.resize(size);
            view.setCurves(makeRun(QStringLiteral("a"), 6, 4.67, true));
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            for (QCustomPlot* plot :
                 {view.lossPlot(), view.accuracyPlot(), view.learningRatePlot()}) {
                plot->replot();
                QVERIFY(plot->legend->visible());
                QVERIFY(plot->legend->itemCount() >= 2);
                const QRect data = plot->axisRect()->rect();
                const QRect legend = plot->legend->outerRect();
                QVERIFY2(!legend.intersects(data),
                         qPrintable(QStringLiteral("%1: legend %2,%3 %4x%5 on the data")
                                        .arg(plot->objectName())
                                        .arg(legend.x())
                                        .arg(legend.y())
                                        .arg(legend.width())
                                        .arg(legend.height())));
                QVERIFY(plot->rect().contains(legend));
            }
            test::screenshot(view, QStringLiteral("curves-live-%1").arg(size.width()));
            // Hidden with one click, and the data area takes the room.
            const int before = view.lossPlot()->axisRect()->rect().height();
            QTest::mouseClick(child<QCheckBox>(&view, "legendsCheck"), Qt::LeftButton);
            view.lossPlot()->replot();
            QVERIFY(!view.lossPlot()->legend->visible());
            QVERIFY(view.lossPlot()->axisRect()->rect().height() > before);
        }
    }

    void axesHoldEveryPointAfterAClick() {
        ui::CurvesView view;
        view.resize(900, 600);
        ui::RunCurves run = makeRun(QStringLiteral("a"), 3, 4.67, true);
        view.setCurves(run);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.lossPlot()->replot();
        for (QCustomPlot* plot : {view.lossPlot(), view.accuracyPlot(), view.learningRatePlot()})
            QVERIFY2(rangesHoldEveryPoint(plot), qPrintable(plot->objectName()));
        QVERIFY(view.lossPlot()->yAxis->range().contains(4.67));
        // A click (no drag, no wheel) is not a zoom: later points are still fitted.
        QTest::mouseClick(view.lossPlot(), Qt::LeftButton, {}, view.lossPlot()->rect().center());
        EpochRecord late = run.epochs.back();
        late.epoch = 4;
        late.valLoss = 6.2;
        run.addEpoch(late);
        view.setCurves(run);
        QVERIFY(rangesHoldEveryPoint(view.lossPlot()));
        QVERIFY(view.lossPlot()->yAxis->range().contains(6.2));
        QVERIFY(view.lossPlot()->xAxis->range().contains(4));
    }

    void emptyPlotsSaySoWithoutAxes() {
        ui::CurvesView view;
        view.resize(800, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        for (QCustomPlot* plot : {view.lossPlot(), view.accuracyPlot(), view.learningRatePlot()}) {
            QVERIFY(view.showsNoData(plot));
            QVERIFY(!plot->xAxis->visible());
            QVERIFY(!plot->yAxis->visible());
            QVERIFY(!plot->legend->visible());
        }
        test::screenshot(view, QStringLiteral("curves-empty"));
        view.setCurves(makeRun(QStringLiteral("a"), 2, 0.8, false));
        for (QCustomPlot* plot : {view.lossPlot(), view.accuracyPlot(), view.learningRatePlot()}) {
            QVERIFY(!view.showsNoData(plot));
            QVERIFY(plot->xAxis->visible() && plot->yAxis->visible());
        }
    }

    void everyRunHasItsOwnColourAndBestEpoch() {
        ui::CurvesView view;
        std::vector<ui::RunCurves> runs;
        for (int i = 0; i < 5; ++i)
            runs.push_back(makeRun(QStringLiteral("run%1").arg(i), 3 + i, 1, false));
        view.setRuns(runs);
        QCOMPARE(view.runCount(), 5);
        QSet<QRgb> colours;
        for (int i = 0; i < 5; ++i) {
            QCPGraph* val = view.graphOf(view.lossPlot(), i, QStringLiteral("val"));
            QVERIFY(val);
            QCOMPARE(val->dataCount(), 3 + i);
            QVERIFY(val->name().startsWith(QStringLiteral("run%1").arg(i)));
            colours.insert(val->pen().color().rgb());
            // Training and validation of a run share its colour.
            QCOMPARE(view.graphOf(view.lossPlot(), i, QStringLiteral("train"))->pen().color(),
                     val->pen().color());
            QCPGraph* best = view.graphOf(view.lossPlot(), i, QStringLiteral("best"));
            QVERIFY(best);
            QCOMPARE(best->dataCount(), 1);
            QCOMPARE(best->data()->constBegin()->key, double(3 + i));
        }
        QCOMPARE(colours.size(), 5);
    }

    void smoothingChangesTheDrawnBatchLosses() {
        ui::CurvesView view;
        const ui::RunCurves run = makeRun(QStringLiteral("a"), 2, 1, true);
        view.setCurves(run);
        view.setSmoothing(0);
        const auto drawn = [&view] {
            std::vector<double> v;
            QCPGraph* g = view.graphOf(view.lossPlot(), 0, QStringLiteral("batch"));
            for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
                v.push_back(it->value);
            return v;
        };
        const std::vector<double> raw = drawn();
        QCOMPARE(raw, run.batchLoss);
        child<QSlider>(&view, "smoothingSlider")->setValue(90);
        QCOMPARE(view.smoothing(), 0.9);
        const std::vector<double> smooth = drawn();
        QCOMPARE(smooth.size(), raw.size());
        QCOMPARE(smooth.front(), raw.front());  // debiased: the first point is the first value
        // The alternating +-0.4 noise is averaged away.
        double rawStep = 0, smoothStep = 0;
        for (std::size_t i = 10; i + 1 < 20; ++i) {
            rawStep += std::abs(raw[i + 1] - raw[i]);
            smoothStep += std::abs(smooth[i + 1] - smooth[i]);
        }
        QVERIFY2(smoothStep < rawStep / 4, qPrintable(QString::number(smoothStep)));
        // TensorBoard's debiased average: (0.5 * 1 * 0.5 + 0.5 * 3) / (1 - 0.25) = 7 / 3.
        const std::vector<double> two = ui::smoothCurve({1, 3}, 0.5);
        QCOMPARE(two[0], 1.0);
        QCOMPARE(two[1], 7.0 / 3);
    }

    void votesLossIsDrawnBesideTheClassesLosses() {
        // A votes head's loss (another quantity than the classes' losses): its own dotted curve
        // on the loss plot, in the legend; a run without the head shows no such curve.
        ui::CurvesView view;
        ui::RunCurves run = makeRun(QStringLiteral("a"), 3, 1, false);
        view.setCurves(run);
        const QCPGraph* none = view.graphOf(view.lossPlot(), 0, QStringLiteral("votes"));
        QVERIFY(!none ||
                (none->dataCount() == 0 && !view.lossPlot()->legend->hasItemWithPlottable(none)));
        for (EpochRecord& r : run.epochs) r.trainVotesLoss = 0.05 / r.epoch;
        view.setCurves(run);
        const QCPGraph* votes = view.graphOf(view.lossPlot(), 0, QStringLiteral("votes"));
        QVERIFY(votes);
        QCOMPARE(votes->dataCount(), 3);
        QCOMPARE(votes->pen().style(), Qt::DotLine);
        QVERIFY(view.lossPlot()->legend->hasItemWithPlottable(votes));
        // The training curve stays the classes' loss, like with the validation one.
        QCOMPARE(view.graphOf(view.lossPlot(), 0, QStringLiteral("train"))->data()->at(0)->value,
                 run.epochs[0].trainLoss);
        // Compared with another run, the axis tells the line styles, the dotted one too.
        view.setRuns({run, makeRun(QStringLiteral("b"), 2, 1, false)});
        QVERIFY(view.lossPlot()->xAxis->label().contains(QStringLiteral("dotted: votes")));
        QVERIFY(!view.accuracyPlot()->xAxis->label().contains(QStringLiteral("dotted")));
        // The exported curves have it too.
        std::ostringstream csv;
        ui::writeCurvesCsv(csv, {run}, 0);
        QVERIFY2(csv.str().find("\"a\",train_votes_loss,2,0.025\n") != std::string::npos,
                 csv.str().c_str());
    }

    void logLossAxisToggles() {
        ui::CurvesView view;
        view.setCurves(makeRun(QStringLiteral("a"), 4, 4.67, true));
        QCOMPARE(view.lossPlot()->yAxis->scaleType(), QCPAxis::stLinear);
        auto* log = child<QCheckBox>(&view, "logLossCheck");
        log->click();
        QCOMPARE(view.lossPlot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(view.lossPlot()->yAxis->range().lower > 0);
        QVERIFY(rangesHoldEveryPoint(view.lossPlot()));
        log->click();
        QCOMPARE(view.lossPlot()->yAxis->scaleType(), QCPAxis::stLinear);
        QVERIFY(rangesHoldEveryPoint(view.lossPlot()));
    }

    void runsPanelComparesTickedRunsNeverARunWithItself() {
        const fs::path workspace = ui::toPath(tmp_.filePath(QStringLiteral("workspace")));
        const fs::path runs = runsFolder(workspace);
        writeRun(runs / "run-a", 0.05, 6, 4);
        writeRun(runs / "run-b", 0.02, 4, 2);
        writeRun(runs / "run-c", 0.05, 5, 5);
        ui::RunsPanel panel(workspace);
        panel.resize(1400, 880);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QCOMPARE(panel.runs().size(), std::size_t{3});
        QVERIFY(panel.openRun(runs / "run-a"));

        // Not with itself, neither through the API nor through the picker.
        QVERIFY(!panel.compareWith(runs / "run-a"));
        QVERIFY(!panel.setCompared(runs / "run-a", true));
        QCOMPARE(panel.drawnRuns().size(), std::size_t{1});
        auto* picker = child<QListWidget>(&panel, "comparePicker");
        QCOMPARE(picker->count(), 3);
        for (int i = 0; i < picker->count(); ++i) {
            QListWidgetItem* item = picker->item(i);
            const bool self = item->text() == QStringLiteral("run-a");
            QCOMPARE(bool(item->flags() & Qt::ItemIsUserCheckable), !self);
        }

        // Ticking b and c in the picker draws three runs in three colours.
        for (int i = 0; i < picker->count(); ++i)
            if (picker->item(i)->text() != QStringLiteral("run-a"))
                picker->item(i)->setCheckState(Qt::Checked);
        QCOMPARE(panel.drawnRuns().size(), std::size_t{3});
        ui::CurvesView* curves = panel.curves();
        QCOMPARE(curves->runCount(), 3);
        QSet<QRgb> colours;
        for (int i = 0; i < 3; ++i)
            colours.insert(
                curves->graphOf(curves->lossPlot(), i, QStringLiteral("val"))->pen().color().rgb());
        QCOMPARE(colours.size(), 3);
        // Each run's best epoch (lowest validation loss: the selection metric) is marked.
        QCOMPARE(curves->graphOf(curves->lossPlot(), 0, QStringLiteral("best"))
                     ->data()
                     ->constBegin()
                     ->key,
                 4.0);
        // Selecting a ticked run shows it, drawn once.
        QVERIFY(panel.openRun(runs / "run-b"));
        QCOMPARE(curves->runCount(), 2);  // b, then c (a is not ticked)
        QVERIFY(panel.setCompared(runs / "run-a", true));
        QCOMPARE(curves->runCount(), 3);

        // The settings side by side: the learning rate differs, the model does not.
        auto* settings = panel.findChild<ui::RunSettingsTable*>();
        QVERIFY(settings);
        QCOMPARE(settings->table()->columnCount(), 3);
        const int lr = settings->rowOf(QStringLiteral("lr"));
        const int model = settings->rowOf(QStringLiteral("model"));
        const int crop = settings->rowOf(QStringLiteral("augmentation.crop_min"));
        QVERIFY(settings->rowOf(QStringLiteral("rules.round")) >= 0);
        QVERIFY(lr >= 0 && model >= 0);
        QVERIFY(crop >= 0);
        QVERIFY(settings->differs(lr));
        QVERIFY(!settings->differs(model));
        QVERIFY(settings->table()->item(lr, 0)->font().bold());
        QVERIFY(settings->table()->item(lr, 0)->background() !=
                settings->table()->item(model, 0)->background());
        child<QCheckBox>(settings, "onlyDifferencesCheck")->click();
        QVERIFY(!settings->rowHidden(lr));
        QVERIFY(settings->rowHidden(model));
        child<QCheckBox>(settings, "onlyDifferencesCheck")->click();

        for (const QSize size : {QSize(1400, 880), QSize(1024, 700)}) {
            panel.resize(size);
            child<QTabWidget>(&panel, "runTabs")->setCurrentIndex(0);
            test::screenshot(panel, QStringLiteral("runs-compare-%1").arg(size.width()));
            child<QTabWidget>(&panel, "runTabs")->setCurrentIndex(1);
            test::screenshot(panel, QStringLiteral("runs-settings-%1").arg(size.width()));
        }
    }

private:
    QTemporaryDir tmp_;
};

QTEST_MAIN(TestCurvesView)
#include "test_curvesview.moc"
