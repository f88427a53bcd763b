// What the window keeps of earlier work: Resume from the Runs panel shows the run's own settings
// in the training form; a restart takes up the workspace's last partition of the open data set;
// a cancelled evaluation says which results stay on screen.

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <stop_token>

#include "app/mainwindow.h"
#include "common/jobrunner.h"
#include "evaluation/evaluationpanel.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/files.h"
#include "gz/partition.h"
#include "gz/run_folder.h"
#include "gz/training.h"
#include "training/runspanel.h"
#include "training/trainingpanel.h"
#include "training_fixtures.h"

using gz::test::child;
using gz::test::partition;
using gz::test::screenshot;

namespace fs = std::filesystem;
using gz::ui::MainWindow;
using gz::ui::TrainingPanel;

namespace {

constexpr int kJobTimeoutMs = 120000;

}  // namespace

class TestRunSettings : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path data_, workspace_, stoppedRun_;

    fs::path dir() const { return gz::ui::toPath(tmp_.path()); }

    std::unique_ptr<MainWindow> openWindow(const fs::path& workspace) {
        return gz::test::openWindow(workspace, data_, {1400, 880}, kJobTimeoutMs);
    }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        data_ = dir() / "demo";
        gz::writeDemoDataset(data_, gz::DemoOptions{40, 5, gz::kKaggleImageSide});
        workspace_ = dir() / "workspace";

        // A run with settings other than the form's defaults, stopped after its first epoch.
        gz::TrainConfig config;
        config.model = "compact";
        config.batch = 12;
        config.epochs = 3;
        config.lr = 0.02;
        config.threads = 1;
        config.seed = 5;
        config.tta = false;
        config.precision = gz::Precision::Fp32;  // not the form's default (auto)
        std::stop_source stop;
        gz::TrainCallbacks callbacks;
        callbacks.onEpoch = [&](const gz::EpochRecord&) { stop.request_stop(); };
        const auto run = gz::test::trainRun(data_, workspace_, {0.6, 0.2, 0.2}, config,
                                            stop.get_token(), callbacks);
        stoppedRun_ = run.dir;
        QCOMPARE(run.outcome.status, gz::TrainOutcome::Status::Stopped);
    }

    void resumeFromRunsShowsTheRunsSettings() {
        auto window = openWindow(workspace_);
        QVERIFY(window);
        TrainingPanel* panel = window->trainingPanel();
        // The form starts at its defaults.
        QCOMPARE(child<QDoubleSpinBox>(panel, "learningRateSpin")->value(), 0.05);

        gz::ui::RunsPanel* runs = window->runsPanel();
        window->showPanel(runs);
        runs->refresh();
        QVERIFY(runs->openRun(stoppedRun_));
        QVERIFY(runs->canResume());
        QTest::mouseClick(child<QPushButton>(runs, "resumeRunButton"), Qt::LeftButton);
        QTRY_VERIFY(panel->isVisible());
        QVERIFY(panel->isTraining());
        QCOMPARE(child<QDoubleSpinBox>(panel, "learningRateSpin")->value(), 0.02);
        QCOMPARE(child<QSpinBox>(panel, "epochsSpin")->value(), 3);
        QCOMPARE(child<QSpinBox>(panel, "batchSpin")->value(), 12);
        QCOMPARE(child<QSpinBox>(panel, "trainSeedSpin")->value(), 5);
        QCOMPARE(child<QSpinBox>(panel, "threadsSpin")->value(), 1);
        QVERIFY(!child<QCheckBox>(panel, "ttaCheck")->isChecked());
        QCOMPARE(child<QComboBox>(panel, "precisionCombo")->currentText(),
                 QString::fromUtf8(gz::optionKey(gz::loadRunConfig(stoppedRun_).precision)));
        screenshot(*window, QStringLiteral("resume-from-runs"));
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        QCOMPARE(panel->lastTrainingStatus(), gz::TrainOutcome::Status::Finished);
    }

    void restartTakesUpTheLastPartition() {
        const fs::path workspace = dir() / "workspace-restart";
        std::vector<gz::SplitEntry> made;
        {
            auto window = openWindow(workspace);
            QVERIFY(window);
            TrainingPanel* panel = window->trainingPanel();
            window->showPanel(panel);
            QVERIFY(!panel->split());
            child<QSpinBox>(panel, "splitSeedSpin")->setValue(7);
            child<QDoubleSpinBox>(panel, "trainRatioSpin")->setValue(0.7);
            child<QDoubleSpinBox>(panel, "valRatioSpin")->setValue(0.15);
            child<QDoubleSpinBox>(panel, "testRatioSpin")->setValue(0.15);
            QVERIFY2(partition(*window, kJobTimeoutMs), qPrintable(panel->statusText()));
            made = *panel->split();
        }
        // The next session in this workspace: the partition is there, Train can start.
        auto window = openWindow(workspace);
        QVERIFY(window);
        TrainingPanel* panel = window->trainingPanel();
        window->showPanel(panel);
        QVERIFY2(panel->split(), qPrintable(panel->statusText()));
        QCOMPARE(*panel->split(), made);
        QCOMPARE(child<QSpinBox>(panel, "splitSeedSpin")->value(), 7);
        QCOMPARE(child<QDoubleSpinBox>(panel, "trainRatioSpin")->value(), 0.7);
        QVERIFY(child<QPushButton>(panel, "trainButton")->isEnabled());
        QVERIFY2(panel->statusText().contains(QStringLiteral("last partition")),
                 qPrintable(panel->statusText()));
        screenshot(*window, QStringLiteral("partition-taken-up"));

        // A workspace without a partition of this data set starts without one.
        auto fresh = openWindow(dir() / "workspace-fresh");
        QVERIFY(fresh);
        QVERIFY(!fresh->trainingPanel()->split());
    }

    void cancelledEvaluationSaysWhichResultsStay() {
        auto window = openWindow(workspace_);
        QVERIFY(window);
        gz::ui::EvaluationPanel* panel = window->evaluationPanel();
        window->showPanel(panel);
        std::vector<gz::Prediction> shown(4);
        for (std::size_t i = 0; i < shown.size(); ++i) {
            shown[i].id = static_cast<std::int64_t>(i + 1);
            shown[i].trueLabel = static_cast<int>(i);
            shown[i].probabilities = {0.6f, 0.1f, 0.1f, 0.1f, 0.1f};
        }
        panel->showEvaluation(stoppedRun_, shown, nullptr, gz::LabelRules::defaults(), {}, nullptr,
                              QStringLiteral("earlier results"));
        const QString summary = child<QLabel>(panel, "evaluationSummary")->text();

        QVERIFY2(panel->evaluate(), qPrintable(panel->statusText()));
        QTest::mouseClick(child<QPushButton>(window.get(), "jobCancelButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        const QString status = panel->statusText();
        QVERIFY2(status.contains(QStringLiteral("cancelled")) &&
                     status.contains(QStringLiteral("earlier results")),
                 qPrintable(status));
        QCOMPARE(child<QLabel>(panel, "evaluationSummary")->text(), summary);
    }
};

QTEST_MAIN(TestRunSettings)
#include "test_runsettings.moc"
