// The Training and Runs panels driven as a user would, on rendered demo galaxies: partition,
// preprocess with .npy export, a short training whose curves receive points live, starting twice
// refused, Cancel (a checkpoint is kept), Resume to the end, the run reopened in the Runs panel
// with its curves and config, two runs overlaid, export, and closing the window mid-training.

#include <qcustomplot.h>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "app/mainwindow.h"
#include "augmentation/augmentationsettings.h"
#include "dataset/datasetpanel.h"
#include "dataset/labelingsession.h"
#include "dataset/loadeddataset.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/decoded_cache.h"
#include "gz/demo.h"
#include "gz/files.h"
#include "gz/preprocess.h"
#include "gz/run_folder.h"
#include "gz/run_info.h"
#include "gz/training.h"
#include "training/curvesview.h"
#include "training/runspanel.h"
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

constexpr int kJobTimeoutMs = 60000;

}  // namespace

class TestTrainingPanel : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path data_;
    int counter_ = 0;

    fs::path dir() const { return gz::ui::toPath(tmp_.path()); }

    std::unique_ptr<MainWindow> openWindow() {
        auto window = gz::test::openWindow(dir() / ("workspace-" + std::to_string(++counter_)),
                                           data_, {1360, 860}, kJobTimeoutMs);
        if (window) window->showPanel(window->trainingPanel());
        return window;
    }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        data_ = dir() / "demo";
        gz::writeDemoDataset(data_, gz::DemoOptions{48, 5, gz::kKaggleImageSide});
    }

    void buttonsNeedTheirInputs() {
        gz::ui::MainWindowOptions options;
        options.workspace = dir() / "workspace-empty";
        MainWindow window(options);
        TrainingPanel* panel = window.trainingPanel();
        QVERIFY(!child<QPushButton>(panel, "partitionButton")->isEnabled());
        QVERIFY(!child<QPushButton>(panel, "trainButton")->isEnabled());
        QVERIFY(!child<QPushButton>(panel, "preprocessButton")->isEnabled());
        QVERIFY(!child<QPushButton>(panel, "resumeButton")->isEnabled());
        QVERIFY(!panel->train());
        QVERIFY(!panel->partition());

        // A catalog without images partitions, but cannot be preprocessed or trained on.
        const fs::path noImages = dir() / "no-images";
        gz::test::writeKaggleFolder(noImages, {0, 1, 2, 3, 4, 0, 1, 3, 4}, false);
        fs::remove_all(noImages / gz::kKaggleImageDirName);
        QVERIFY(window.openCsv(gz::ui::toQString(noImages / gz::kKaggleCsvName)));
        QTRY_VERIFY_WITH_TIMEOUT(window.dataset() && !window.isBusy(), kJobTimeoutMs);
        QVERIFY(child<QPushButton>(panel, "partitionButton")->isEnabled());
        QVERIFY2(partition(window, kJobTimeoutMs), qPrintable(panel->statusText()));
        QVERIFY(!child<QPushButton>(panel, "trainButton")->isEnabled());
        QVERIFY2(child<QPushButton>(panel, "trainButton")->toolTip().contains("no image folder"),
                 qPrintable(child<QPushButton>(panel, "trainButton")->toolTip()));
        QVERIFY(!panel->train());
        QVERIFY(!fs::exists(gz::runsFolder(options.workspace)));

        // The partition follows the label rules of the Dataset panel: new rules drop it.
        gz::LabelRules rules = window.currentRules();
        rules.rules[0].conditions[0].threshold = 0.5;
        window.datasetPanel()->session()->setRules(rules);
        QCOMPARE(window.currentRules(), rules);
        QTRY_VERIFY(!panel->split());
        QVERIFY(panel->statusText().contains(QStringLiteral("partition again")));
        QVERIFY2(partition(window, kJobTimeoutMs), qPrintable(panel->statusText()));
        QCOMPARE(panel->labelRulesForTraining(), rules);
    }

    void partitionPreprocessTrainCancelResumeReopen() {
        auto window = openWindow();
        QVERIFY(window);
        TrainingPanel* panel = window->trainingPanel();
        const fs::path workspace = window->workspace();

        // Partition: counts per class and subset, written to the workspace.
        QVERIFY(child<QPushButton>(panel, "partitionButton")->isEnabled());
        QVERIFY(!child<QPushButton>(panel, "trainButton")->isEnabled());
        child<QDoubleSpinBox>(panel, "trainRatioSpin")->setValue(0.7);
        child<QDoubleSpinBox>(panel, "valRatioSpin")->setValue(0.15);
        child<QDoubleSpinBox>(panel, "testRatioSpin")->setValue(0.15);
        QVERIFY2(partition(*window, kJobTimeoutMs), qPrintable(panel->statusText()));
        const auto labeling = *window->dataset()->labeling;
        const std::size_t labeled = window->dataset()->catalog.size() - labeling.unlabeled;
        // Every galaxy is partitioned: the unlabeled ones too (a votes head learns from them).
        QCOMPARE(panel->split()->size(), window->dataset()->catalog.size());
        auto* table = child<QTableWidget>(panel, "splitTable");
        const auto rowTotal = [&](int row) {
            qulonglong total = 0;
            for (int c = 0; c < 3; ++c)
                total += table->item(row, c)->data(Qt::UserRole).toULongLong();
            return total;
        };
        QCOMPARE(rowTotal(gz::kMorphologyCount), qulonglong(labeled));  // "All labeled"
        QCOMPARE(rowTotal(gz::kMorphologyCount + 1), qulonglong(labeling.unlabeled));
        QVERIFY(child<QPushButton>(panel, "trainButton")->isEnabled());
        QVERIFY(fs::exists(workspace / "splits"));
        screenshot(*window, QStringLiteral("training-partitioned"));
        // The Dataset panel's browser shows the subsets of this split.
        const auto shown = window->datasetPanel()->session()->split();
        QVERIFY(shown);
        QCOMPARE(shown->entries, window->dataset()->catalog.size());

        // Preprocess with the .npy export into a folder of our own.
        const fs::path npyDir = dir() / "npy";
        child<QLineEdit>(panel, "preprocessOutputEdit")->setText(gz::ui::toQString(npyDir));
        child<QCheckBox>(panel, "npyCheck")->setChecked(true);
        child<QSpinBox>(panel, "copiesSpin")->setValue(2);
        QTest::mouseClick(child<QPushButton>(panel, "preprocessButton"), Qt::LeftButton);
        QVERIFY(window->isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        QVERIFY2(fs::exists(npyDir / gz::kPreprocessJsonName), qPrintable(panel->statusText()));
        QVERIFY(fs::exists(npyDir / gz::npyfiles::kTrainImages2));
        QVERIFY(fs::exists(npyDir / gz::npyfiles::kTestLabels));

        // The augmentation set in the Augmentation panel is what training uses.
        gz::AugmentationParams params = window->augmentationSettings()->params();
        params.flip = false;
        window->augmentationSettings()->setParams(params);

        // Train, long enough that Cancel comes first.
        setShortTraining(panel, 200);
        QTest::mouseClick(child<QPushButton>(panel, "trainButton"), Qt::LeftButton);
        QVERIFY(window->isBusy());
        QVERIFY(panel->isTraining());
        const fs::path run = panel->currentRun();
        QVERIFY(gz::isInsideFolder(run, gz::runsFolder(workspace)));
        // Starting twice is refused, from the panel and from anywhere else.
        QVERIFY(!child<QPushButton>(panel, "trainButton")->isEnabled());
        QVERIFY(!panel->train());
        QVERIFY2(panel->statusText().startsWith(QStringLiteral("Busy")),
                 qPrintable(panel->statusText()));

        // The plots receive points while it trains (one epoch in, so all curves have some).
        gz::ui::CurvesView* curves = panel->curves();
        QTRY_VERIFY_WITH_TIMEOUT(curves->epochPointCount() >= 1, kJobTimeoutMs);
        QVERIFY(curves->batchPointCount() >= curves->epochPointCount());
        QVERIFY(child<QProgressBar>(panel, "trainingProgressBar")->value() > 0);
        QVERIFY(child<QLabel>(panel, "imagesPerSecondLabel")->text().contains("images/s"));
        QVERIFY(child<QLabel>(panel, "etaLabel")->text().startsWith("ETA"));
        QVERIFY(!child<QPlainTextEdit>(panel, "trainingLog")->toPlainText().isEmpty());
        screenshot(*window, QStringLiteral("training-live"));

        // Cancel: stops after the current batch and keeps a checkpoint.
        QTest::mouseClick(child<QPushButton>(panel, "trainingCancelButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        QCOMPARE(panel->lastTrainingStatus(), gz::TrainOutcome::Status::Stopped);
        QVERIFY(fs::exists(run / "checkpoints" / "last.pt"));
        QVERIFY2(panel->statusText().contains(QStringLiteral("Resume")),
                 qPrintable(panel->statusText()));
        const auto stoppedAt = gz::readMetricsCsv(run / "metrics.csv").size();
        QVERIFY(stoppedAt >= 1);
        QVERIFY(gz::readMetricsCsv(run / "metrics.csv").size() < 200);

        // Resume, to two more epochs in all.
        auto* resume = child<QPushButton>(panel, "resumeButton");
        QVERIFY(resume->isEnabled());
        const int target = static_cast<int>(stoppedAt) + 2;
        child<QSpinBox>(panel, "resumeEpochsSpin")->setValue(target);
        QTest::mouseClick(resume, Qt::LeftButton);
        QVERIFY(window->isBusy());
        QCOMPARE(panel->currentRun(), run);
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        QCOMPARE(panel->lastTrainingStatus(), gz::TrainOutcome::Status::Finished);
        const auto metrics = gz::readMetricsCsv(run / "metrics.csv");
        QCOMPARE(static_cast<int>(metrics.size()), target);
        QCOMPARE(curves->epochPointCount(), target);
        QVERIFY(fs::exists(run / "predictions.csv"));
        const gz::TrainConfig config = gz::loadRunConfig(run);
        QCOMPARE(config.augmentation, params);
        QCOMPARE(config.batch, 8);
        QCOMPARE(config.rules, window->currentRules());
        screenshot(*window, QStringLiteral("training-finished"));

        // The Runs panel lists it; reopened, it shows its curves and config.
        gz::ui::RunsPanel* runs = window->runsPanel();
        window->showPanel(runs);
        QCOMPARE(runs->runs().size(), std::size_t{1});
        QVERIFY(runs->openRun(run));
        QCOMPARE(runs->shownRun()->state, gz::RunInfo::State::Finished);
        QCOMPARE(runs->curves()->epochPointCount(), target);
        QVERIFY(runs->configText().contains(QStringLiteral("\"compact\"")));
        QVERIFY(!runs->canResume());

        // A second run, then the two overlaid.
        window->showPanel(panel);
        setShortTraining(panel, 2);
        QVERIFY(panel->train());
        const fs::path second = panel->currentRun();
        QVERIFY(second != run);
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        QCOMPARE(panel->lastTrainingStatus(), gz::TrainOutcome::Status::Finished);
        window->showPanel(runs);
        QCOMPARE(runs->runs().size(), std::size_t{2});
        QVERIFY(runs->openRun(second));
        QVERIFY(runs->compareWith(run));
        QCOMPARE(runs->curves()->epochPointCount(), 2);
        QCOMPARE(runs->curves()->comparisonPointCount(), target);
        // The compared run is named in the legend; a run is never compared with itself.
        QCOMPARE(
            runs->curves()->graphOf(runs->curves()->lossPlot(), 1, QStringLiteral("val"))->name(),
            QString::fromStdString(run.filename().string()));
        QVERIFY(!runs->compareWith(second));
        // A folder that is not a run is refused, naming what is missing.
        QVERIFY(!runs->addRun(dir() / "npy"));
        QVERIFY2(runs->lastError().contains(QStringLiteral("config.json")),
                 qPrintable(runs->lastError()));
        QCOMPARE(runs->runs().size(), std::size_t{2});
        screenshot(*window, QStringLiteral("runs-compare"));

        // Hovering reads out the nearest point: the second run's last validation loss.
        QCustomPlot* loss = runs->curves()->lossPlot();
        loss->replot();
        const auto last = gz::readMetricsCsv(second / "metrics.csv").back();
        const QPoint at(static_cast<int>(loss->xAxis->coordToPixel(last.epoch)),
                        static_cast<int>(loss->yAxis->coordToPixel(last.valLoss)));
        runs->curves()->hoverAt(loss, at);
        QVERIFY2(runs->curves()->readout().contains(QStringLiteral("epoch 2.00")),
                 qPrintable(runs->curves()->readout()));

        // Export as PNG and CSV.
        const QString png = tmp_.filePath(QStringLiteral("curves.png"));
        const QString csv = tmp_.filePath(QStringLiteral("curves.csv"));
        QVERIFY(runs->curves()->exportPng(png));
        QImage image(png);
        QVERIFY(!image.isNull() && image.width() > 200);
        QVERIFY(runs->curves()->exportCsv(csv));
        const std::string text = gz::readWholeFile(gz::ui::toPath(csv));
        QVERIFY(text.rfind("run,series,epoch,value\n", 0) == 0);
        const std::string firstName = run.filename().string();
        QVERIFY(text.find('"' + second.filename().string() + "\",val_loss,2,") !=
                std::string::npos);
        QVERIFY(text.find('"' + firstName + "\",train_accuracy,") != std::string::npos);
    }

    void cancelBeforeTheFirstCheckpointLeavesNoRun() {
        auto window = openWindow();
        QVERIFY(window);
        TrainingPanel* panel = window->trainingPanel();
        QVERIFY2(partition(*window, kJobTimeoutMs), qPrintable(panel->statusText()));
        setShortTraining(panel, 5);
        QVERIFY(panel->train());
        const fs::path run = panel->currentRun();
        panel->cancel();  // while the images are still being prepared
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        QVERIFY2(panel->statusText().contains(QStringLiteral("before its first checkpoint")),
                 qPrintable(panel->statusText()));
        QVERIFY(!panel->lastTrainingStatus());
        QVERIFY(!fs::exists(run));
        QVERIFY(!child<QPushButton>(panel, "resumeButton")->isEnabled());
        window->runsPanel()->refresh();
        QVERIFY(window->runsPanel()->runs().empty());
    }

    // A partition without validation galaxies cannot choose an epoch by a validation metric: Train
    // says so at once and starts nothing; the last epoch needs none.
    void aChosenEpochNeedsValidationGalaxies() {
        auto window = openWindow();
        QVERIFY(window);
        TrainingPanel* panel = window->trainingPanel();
        child<QDoubleSpinBox>(panel, "trainRatioSpin")->setValue(0.8);
        child<QDoubleSpinBox>(panel, "valRatioSpin")->setValue(0);
        child<QDoubleSpinBox>(panel, "testRatioSpin")->setValue(0.2);
        QVERIFY2(partition(*window, kJobTimeoutMs), qPrintable(panel->statusText()));
        setShortTraining(panel, 1);
        child<QComboBox>(panel, "selectCombo")->setCurrentText(QStringLiteral("loss"));
        QVERIFY(!panel->train());
        QVERIFY(!window->isBusy());
        QVERIFY2(panel->statusText().contains(QStringLiteral("no labeled validation galaxies")),
                 qPrintable(panel->statusText()));
        QVERIFY(!fs::exists(gz::runsFolder(window->workspace())));
        screenshot(*window, QStringLiteral("training-no-validation"));
        child<QComboBox>(panel, "selectCombo")->setCurrentText(QStringLiteral("last"));
        QVERIFY(panel->train());
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        QCOMPARE(panel->lastTrainingStatus(), gz::TrainOutcome::Status::Finished);
    }

    void closingDuringTrainingAsksThenStopsCleanly() {
        auto window = openWindow();
        QVERIFY(window);
        TrainingPanel* panel = window->trainingPanel();
        QVERIFY2(partition(*window, kJobTimeoutMs), qPrintable(panel->statusText()));
        setShortTraining(panel, 200);
        QVERIFY(panel->train());
        const fs::path run = panel->currentRun();
        QTRY_VERIFY_WITH_TIMEOUT(
            panel->curves()->batchPointCount() > 0 || panel->liveCurves().batchX.size() > 0,
            kJobTimeoutMs);
        QVERIFY(!window->openDemo());  // one job at a time
        // The Runs panel shows it as the one training, not as resumable.
        gz::ui::RunsPanel* runs = window->runsPanel();
        QVERIFY(runs->openRun(run));
        QVERIFY(!runs->canResume());
        auto* runsTable = child<QTableWidget>(runs, "runsTable");
        QCOMPARE(runsTable->item(0, 3)->text(), QStringLiteral("training…"));
        QVERIFY(window->isBusy());

        QVERIFY(!window->close());
        auto* box = window->findChild<QMessageBox*>(QStringLiteral("confirmCloseBox"));
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window->isVisible(), kJobTimeoutMs);
        QVERIFY(!window->isBusy());
        // Stopped cleanly: a checkpoint to resume from, and no temporary file left behind.
        QVERIFY(fs::exists(run / "checkpoints" / "last.pt"));
        for (const auto& entry : fs::recursive_directory_iterator(run))
            QVERIFY2(entry.path().filename().string().find(".tmp") == std::string::npos,
                     entry.path().c_str());
        const gz::RunInfo info = gz::readRunInfo(run);
        QCOMPARE(info.state, gz::RunInfo::State::Resumable);
    }
};

QTEST_MAIN(TestTrainingPanel)
#include "test_trainingpanel.moc"
