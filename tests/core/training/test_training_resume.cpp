// The training engine on a small synthetic set, stopped and resumed: determinism, a stop within a
// batch or at an epoch's end, a SIGKILL, early stopping, the time budget and the weight average
// resumed exactly (learning and the command line: test_training).

#include <signal.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstring>
#include <limits>

#include <opencv2/imgcodecs.hpp>
#include <random>

#include "colour_classes.h"
#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/partition.h"
#include "gz/training.h"
#include "imaging_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;
using test::defaultSplit;
using test::largestDifference;
using test::q;
using test::smallConfig;

class TestTrainingResume : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    fs::path data_, workspace_;

private slots:
    void initTestCase() {
        data_ = dir() / "colours";
        workspace_ = dir() / "workspace";
        test::writeColourClasses(data_, 24);
    }

    void deterministicWithOneThread() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        TrainConfig c = smallConfig();
        c.threads = 1;
        c.epochs = 2;
        startTraining(dir() / "det-a", c, catalog, defaultSplit(catalog), workspace_);
        startTraining(dir() / "det-b", c, catalog, defaultSplit(catalog), workspace_);
        QCOMPARE(readWholeFile(dir() / "det-a" / "metrics.csv"),
                 readWholeFile(dir() / "det-b" / "metrics.csv"));
        QCOMPARE(readWholeFile(dir() / "det-a" / "predictions.csv"),
                 readWholeFile(dir() / "det-b" / "predictions.csv"));
        c.seed = 8;
        startTraining(dir() / "det-c", c, catalog, defaultSplit(catalog), workspace_);
        QVERIFY(readWholeFile(dir() / "det-a" / "metrics.csv") !=
                readWholeFile(dir() / "det-c" / "metrics.csv"));
    }

    // The speed settings (channels-last weights, malloc kept warm; GZ_TRAINING_TUNING) change
    // how the numbers are laid out, not what the model computes: a run trained without them
    // (as runs made before them were) predicts the same with them, and the other way round.

    void stopIsHonouredWithinOneBatchAndResumes() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        const fs::path run = dir() / "run-stop";
        std::stop_source stop;
        int batches = 0;
        TrainCallbacks cb;
        cb.onBatch = [&](const BatchProgress&) {
            if (++batches == 8) stop.request_stop();  // in epoch 2 (5 batches an epoch)
        };
        TrainConfig c = smallConfig();
        c.epochs = 3;
        const TrainOutcome o =
            startTraining(run, c, catalog, defaultSplit(catalog), workspace_, stop.get_token(), cb);
        QCOMPARE(o.status, TrainOutcome::Status::Stopped);
        QCOMPARE(batches, 8);  // not one batch more
        QCOMPARE(o.epochsCompleted, 1);
        QVERIFY(fs::exists(run / "checkpoints" / "last.pt"));
        // Resume finishes epoch 2 from its fourth batch, then epoch 3.
        int resumed = 0;
        TrainCallbacks cb2;
        cb2.onBatch = [&](const BatchProgress& b) {
            if (resumed++ == 0) QCOMPARE(b.batch, 4);
        };
        const TrainOutcome r = resumeTraining(run, workspace_, std::nullopt, std::nullopt, {}, cb2);
        QCOMPARE(r.status, TrainOutcome::Status::Finished);
        QCOMPARE(resumed, 2 + 5);
        const auto metrics = readMetricsCsv(run / "metrics.csv");
        QCOMPARE(metrics.size(), std::size_t(3));
        QCOMPARE(metrics[1].batches, 5);
    }

    // With a weight average (--ema), validation and the final model are the average: the same
    // steps are trained as without it (the same training losses) but validated on other weights;
    // a run stopped within an epoch and resumed ends exactly as one that was not (last.pt holds
    // the average).

    void weightAverageValidatesAndResumesExactly() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        TrainConfig c = smallConfig();
        c.threads = 1;
        c.epochs = 3;
        c.emaDecay = 0.9;
        TrainConfig plain = c;
        plain.emaDecay = 0;
        startTraining(dir() / "ema-a", c, catalog, defaultSplit(catalog), workspace_);
        startTraining(dir() / "ema-plain", plain, catalog, defaultSplit(catalog), workspace_);
        QCOMPARE(loadRunConfig(dir() / "ema-a").emaDecay, 0.9);
        const auto averaged = readMetricsCsv(dir() / "ema-a" / "metrics.csv");
        const auto trained = readMetricsCsv(dir() / "ema-plain" / "metrics.csv");
        QCOMPARE(averaged.size(), std::size_t(3));
        QCOMPARE(trained.size(), std::size_t(3));
        for (std::size_t e = 0; e < 3; ++e) {
            QCOMPARE(averaged[e].trainLoss, trained[e].trainLoss);
            QVERIFY2(averaged[e].valLoss != trained[e].valLoss, qPrintable(QString::number(e)));
        }

        std::stop_source stop;
        int batches = 0;
        TrainCallbacks cb;
        cb.onBatch = [&](const BatchProgress&) {
            if (++batches == 8) stop.request_stop();  // in epoch 2
        };
        const fs::path run = dir() / "ema-b";
        QCOMPARE(
            startTraining(run, c, catalog, defaultSplit(catalog), workspace_, stop.get_token(), cb)
                .status,
            TrainOutcome::Status::Stopped);
        QCOMPARE(resumeTraining(run, workspace_, std::nullopt, std::nullopt, {}, {}).status,
                 TrainOutcome::Status::Finished);
        QCOMPARE(readWholeFile(run / "metrics.csv"),
                 readWholeFile(dir() / "ema-a" / "metrics.csv"));
        QCOMPARE(readWholeFile(run / "predictions.csv"),
                 readWholeFile(dir() / "ema-a" / "predictions.csv"));
    }

    void stopAtTheEndOfAnEpochKeepsTheEpoch() {
        // A stop on an epoch's last batch (or during its validation) writes a checkpoint; the
        // resumed run validates that epoch and goes on.
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        const fs::path run = dir() / "run-stop-end";
        std::stop_source stop;
        TrainCallbacks cb;
        cb.onBatch = [&](const BatchProgress& b) {
            if (b.batch == b.batches) stop.request_stop();
        };
        TrainConfig c = smallConfig();
        c.epochs = 2;
        const TrainOutcome o =
            startTraining(run, c, catalog, defaultSplit(catalog), workspace_, stop.get_token(), cb);
        QCOMPARE(o.status, TrainOutcome::Status::Stopped);
        QVERIFY(fs::exists(run / "checkpoints" / "last.pt"));
        int batches = 0;
        TrainCallbacks count;
        count.onBatch = [&](const BatchProgress&) { ++batches; };
        const TrainOutcome r =
            resumeTraining(run, workspace_, std::nullopt, std::nullopt, {}, count);
        QCOMPARE(r.status, TrainOutcome::Status::Finished);
        QCOMPARE(batches, 5);  // only epoch 2: epoch 1 was kept
        QCOMPARE(readMetricsCsv(run / "metrics.csv").size(), std::size_t(2));
    }

    void failedResumeLeavesTheConfigAlone() {
        const fs::path run = dir() / "run-stop-end";
        const std::string before = readWholeFile(run / "config.json");
        QVERIFY_THROWS_EXCEPTION(DataError, resumeTraining(run, workspace_, 0, std::nullopt));
        QCOMPARE(readWholeFile(run / "config.json"), before);
        const fs::path empty = dir() / "run-without-checkpoint";
        fs::create_directories(empty);
        fs::copy_file(run / "config.json", empty / "config.json");
        QVERIFY_THROWS_EXCEPTION(DataError, resumeTraining(empty, workspace_, 9, std::nullopt));
        QCOMPARE(readWholeFile(empty / "config.json"), before);
    }

    void sigkillThenResumeEndsWithTheAskedEpochs() {
        const fs::path run = dir() / "run-kill";
        QProcess train;
        train.start(test::cliPath(),
                    {"train", "--data", q(data_), "--model", "compact", "--epochs", "5", "--batch",
                     "16", "--threads", "2", "--workspace", q(workspace_), "--out", q(run)});
        QVERIFY(train.waitForStarted());
        // Kill it once two epochs are in metrics.csv.
        QTRY_VERIFY_WITH_TIMEOUT(
            fs::exists(run / "metrics.csv") && readMetricsCsv(run / "metrics.csv").size() >= 2,
            120000);
        // Paused, it still holds the run: a second writer is turned away and changes nothing.
        ::kill(static_cast<pid_t>(train.processId()), SIGSTOP);
        const std::string metricsWhileRunning = readWholeFile(run / "metrics.csv");
        const auto second = test::runCli({"resume", "--run", q(run), "--workspace", q(workspace_)});
        QVERIFY(second.exitCode != 0);
        QVERIFY2(second.err.contains("in use by another training") &&
                     second.err.contains(QString::number(train.processId())),
                 qPrintable(second.err));
        QCOMPARE(readWholeFile(run / "metrics.csv"), metricsWhileRunning);
        ::kill(static_cast<pid_t>(train.processId()), SIGKILL);
        train.waitForFinished();
        QCOMPARE(train.exitStatus(), QProcess::CrashExit);
        const auto before = readMetricsCsv(run / "metrics.csv");
        QVERIFY(before.size() < 5);

        const auto r = test::runCli(
            {"resume", "--run", q(run), "--workspace", q(workspace_), "--json"}, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto after = readMetricsCsv(run / "metrics.csv");
        QCOMPARE(after.size(), std::size_t(5));
        for (int e = 0; e < 5; ++e) QCOMPARE(after[static_cast<std::size_t>(e)].epoch, e + 1);
        for (std::size_t e = 0; e < before.size(); ++e)
            QCOMPARE(after[e].trainLoss, before[e].trainLoss);
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["status"].toString(), QString("finished"));
        QCOMPARE(j["epochs"].toInt(), 5);
    }

    void earlyStoppingEndsTheRunAndStaysEnded() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        const fs::path run = dir() / "run-early";
        TrainConfig c = smallConfig();
        c.threads = 1;  // deterministic
        c.epochs = 12;
        c.lr = 1e-7;  // the weights hardly move, so validation accuracy soon stops improving
        c.earlyStopPatience = 1;
        c.selectMetric = SelectMetric::Accuracy;
        const TrainOutcome o = startTraining(run, c, catalog, defaultSplit(catalog), workspace_);
        QCOMPARE(o.status, TrainOutcome::Status::Finished);
        QVERIFY2(o.epochsCompleted < 12, qPrintable(QString::number(o.epochsCompleted)));
        QVERIFY(readWholeFile(run / "log.txt").find("early stop") != std::string::npos);
        const TrainOutcome again = resumeTraining(run, workspace_);
        QCOMPARE(again.epochsCompleted, o.epochsCompleted);
    }

    void timeBudgetCountsTimeAlreadySpent() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        const fs::path run = dir() / "run-minutes";
        TrainConfig c = smallConfig();
        c.epochs = 0;
        c.minutes = 0.05;  // 3 s
        const TrainOutcome o = startTraining(run, c, catalog, defaultSplit(catalog), workspace_);
        QCOMPARE(o.status, TrainOutcome::Status::Finished);
        const double spent = o.history.back().elapsedSeconds;
        QVERIFY2(spent >= 3.0 && spent < 30.0, qPrintable(QString::number(spent)));
        // Resuming a finished run with the same budget trains no more.
        const TrainOutcome again = resumeTraining(run, workspace_);
        QCOMPARE(again.epochsCompleted, o.epochsCompleted);
        // A larger budget continues from the time already spent.
        const TrainOutcome more = resumeTraining(run, workspace_, std::nullopt, 0.1);
        QVERIFY(more.history.back().elapsedSeconds >= 6.0);
        QVERIFY(more.history.back().elapsedSeconds < spent + 30.0);
    }
};

QTEST_GUILESS_MAIN(TestTrainingResume)
#include "test_training_resume.moc"
