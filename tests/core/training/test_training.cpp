// The training engine on a small synthetic set: learning, determinism, stop and resume (also
// after SIGKILL), corrupt images, evaluation and prediction through galaxy-cli.

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

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/partition.h"
#include "gz/training.h"
#include "imaging_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;
using test::q;

namespace {

// Clearly different classes: a blob of one colour a class (rotations and flips leave colour
// alone, and per-image standardisation keeps the ratios between channels), off centre at
// random, on a noisy dark sky.
void writeColourClasses(const fs::path& dir, int perClass, std::uint64_t seed = 1) {
    std::mt19937_64 gen(seed);
    std::string csv = test::kaggleHeader() + "\n";
    std::int64_t id = 2000;
    for (int i = 0; i < perClass; ++i)
        for (int label = 0; label < 5; ++label, ++id) {
            const int dx = static_cast<int>(gen() % 40) - 20,
                      dy = static_cast<int>(gen() % 40) - 20;
            const int radius = 25 + static_cast<int>(gen() % 20);
            test::writeBlobJpeg(dir / "images_training_rev1" / (std::to_string(id) + ".jpg"), label,
                                {212 + dx, 212 + dy}, radius, 3);
            csv += test::kaggleRow(id, label) + "\n";
        }
    test::writeText(dir / "training_solutions_rev1.csv", csv);
}

/// The largest difference between two prediction lists' probabilities; infinity when they are
/// not of the same galaxies in the same order.
double largestDifference(const std::vector<Prediction>& a, const std::vector<Prediction>& b) {
    if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].id != b[i].id) return std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < kMorphologyCount; ++k)
            worst = std::max(worst, static_cast<double>(
                                        std::abs(a[i].probabilities[k] - b[i].probabilities[k])));
    }
    return worst;
}

std::vector<SplitEntry> defaultSplit(const Catalog& catalog) {
    const Labeling l = labelCatalog(catalog, LabelRules::defaults());
    std::vector<LabeledGalaxy> g;
    for (std::size_t r = 0; r < catalog.size(); ++r) g.push_back({catalog.id(r), l.labels[r]});
    return stratifiedSplit(g, {0.7, 0.15, 0.15}, 42);
}

TrainConfig smallConfig() {
    TrainConfig c;
    c.model = "compact";
    c.batch = 16;
    c.lr = 0.05;
    c.epochs = 6;
    c.threads = 2;
    c.seed = 7;
    return c;
}

}  // namespace

class TestTraining : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    fs::path data_, workspace_;

private slots:
    void initTestCase() {
        data_ = dir() / "colours";
        workspace_ = dir() / "workspace";
        writeColourClasses(data_, 24);
    }

    void learnsClearlyDifferentClasses() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        const fs::path run = dir() / "run-learn";
        int batches = 0;
        TrainCallbacks cb;
        cb.onBatch = [&](const BatchProgress& b) {
            ++batches;
            QVERIFY(b.batches > 0 && b.batch >= 1 && b.batch <= b.batches);
            QVERIFY(std::isfinite(b.loss) && b.imagesPerSecond > 0);
        };
        TrainConfig c = smallConfig();
        c.epochs = 10;
        const TrainOutcome o =
            startTraining(run, c, catalog, defaultSplit(catalog), workspace_, {}, cb);
        QCOMPARE(o.status, TrainOutcome::Status::Finished);
        QCOMPARE(o.epochsCompleted, 10);
        QCOMPARE(batches, 10 * 5);  // 80 training images, batch 16
        QString curve;
        for (const auto& h : o.history)
            curve += QString("%1/%2/%3 ")
                         .arg(h.trainLoss, 0, 'f', 3)
                         .arg(h.trainAccuracy, 0, 'f', 3)
                         .arg(h.valAccuracy, 0, 'f', 3);
        QVERIFY2(o.history.back().trainAccuracy >= 0.9, qPrintable(curve));
        QVERIFY(o.test.has_value());
        QVERIFY2(o.test->accuracy >= 0.8, qPrintable(QString::number(o.test->accuracy)));
        // The run folder holds everything.
        for (auto f :
             {"config.json", "split.csv", "metrics.csv", "timing.csv", "checkpoints/last.pt",
              "checkpoints/best.pt", "predictions.csv", "confusion.json", "log.txt"})
            QVERIFY2(fs::exists(run / f), f);
        const auto metrics = readMetricsCsv(run / "metrics.csv");
        QCOMPARE(metrics.size(), std::size_t(10));
        QVERIFY(metrics[9].elapsedSeconds > 0);
        QCOMPARE(loadRunConfig(run).model, std::string("compact"));
        // Starting again into the same folder is refused.
        QVERIFY_THROWS_EXCEPTION(DataError, startTraining(run, smallConfig(), catalog,
                                                          defaultSplit(catalog), workspace_));
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
    void speedSettingsDoNotChangePredictions() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        std::vector<LabeledGalaxy> galaxies;
        const Labeling l = labelCatalog(catalog, LabelRules::defaults());
        for (std::size_t r = 0; r < catalog.size(); ++r)
            galaxies.push_back({catalog.id(r), l.labels[r]});
        TrainConfig c = smallConfig();
        c.epochs = 2;
        for (const char* trainedWith : {"none", "all"}) {
            const fs::path run = dir() / (std::string("layout-") + trainedWith);
            qputenv("GZ_TRAINING_TUNING", trainedWith);
            startTraining(run, c, catalog, defaultSplit(catalog), workspace_);
            const auto a =
                predictCatalog(run, catalog, galaxies, workspace_, false, Precision::Fp32, 2);
            qputenv("GZ_TRAINING_TUNING", std::strcmp(trainedWith, "none") ? "none" : "all");
            const auto b =
                predictCatalog(run, catalog, galaxies, workspace_, false, Precision::Fp32, 2);
            qunsetenv("GZ_TRAINING_TUNING");
            QCOMPARE(a.size(), galaxies.size());
            const double worst = largestDifference(a, b);
            QVERIFY2(
                worst < 1e-4,
                qPrintable(
                    QString("trained with %1: largest difference %2").arg(trainedWith).arg(worst)));
        }
    }
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

    void nothingIsWrittenIntoTheDataSet() {
        auto r = test::runCli({"train", "--data", q(data_), "--epochs", "1", "--workspace",
                               q(workspace_), "--out", q(data_ / "run")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("inside the data set"), qPrintable(r.err));
        QVERIFY(!fs::exists(data_ / "run"));
        const fs::path images = data_ / "images_training_rev1";
        const std::string jpeg = readWholeFile(images / "2000.jpg");
        r = test::runCli({"predict", "--run", q(dir() / "run-learn"), "--images", q(images),
                          "--out", q(images / "2000.jpg")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("inside the data set"), qPrintable(r.err));
        QCOMPARE(readWholeFile(images / "2000.jpg"), jpeg);
        r = test::runCli({"evaluate", "--run", q(dir() / "run-learn"), "--data", q(data_),
                          "--workspace", q(workspace_), "--out", q(dir() / "run-learn")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("run's own results"), qPrintable(r.err));
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

    void corruptImagesAreSkippedAndTrainingGoesOn() {
        const fs::path data = dir() / "corrupt";
        fs::copy(data_, data, fs::copy_options::recursive);
        test::writeText(data / "images_training_rev1" / "2003.jpg", "not a jpeg");
        test::writeText(data / "images_training_rev1" / "2007.jpg", "");
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data));
        TrainConfig c = smallConfig();
        c.epochs = 1;
        const fs::path run = dir() / "run-corrupt";
        const TrainOutcome o =
            startTraining(run, c, catalog, defaultSplit(catalog), dir() / "ws-corrupt");
        QCOMPARE(o.status, TrainOutcome::Status::Finished);
        const std::string log = readWholeFile(run / "log.txt");
        QVERIFY2(log.find("2 skipped") != std::string::npos, log.c_str());
        QVERIFY2(log.find("2003.jpg") != std::string::npos, log.c_str());
    }

    void trainBenchmarkReportsSaneNumbers() {
        const auto r = test::runCli({"bench", "train", "--model", "compact", "--batch", "8",
                                     "--threads", "2", "--seconds", "0.3", "--data", q(data_),
                                     "--workspace", q(workspace_), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["model"].toString(), QString("compact"));
        QCOMPARE(j["batch"].toInt(), 8);
        QCOMPARE(j["threads"].toInt(), 2);
        QCOMPARE(j["parameters"].toInteger(), qint64(1227813));  // compact (README, test_models)
        for (auto key : {"compute_images_per_s", "end_to_end_images_per_s"}) {
            const double v = j[key].toDouble();
            QVERIFY2(v > 1 && v < 1e5, key);
        }
        // Without data only the compute figure.
        const auto c = test::runCli(
            {"bench", "train", "--model", "compact", "--batch", "4", "--seconds", "0.2", "--json"});
        QVERIFY2(c.exitCode == 0, qPrintable(c.err));
        QVERIFY(
            QJsonDocument::fromJson(c.out.toUtf8()).object()["end_to_end_images_per_s"].isNull());
    }

    void trainBenchmarkCountsArithmeticAndProfilesTheStep() {
        const auto r = test::runCli({"bench", "train", "--model", "compact", "--batch", "4",
                                     "--threads", "1", "--seconds", "0", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        // compact on 64x64 images, counted by hand: a 3x3 stem 3->32 at 64x64, then one basic
        // block a stage, each halving the side (3x3 convolutions in->out and out->out, a 1x1
        // shortcut in->out), widths 32, 64, 128, 256, and a 256->5 linear layer.
        const auto macs = [](double side, double in, double out, double k) {
            return side * side * in * out * k * k;
        };
        const double stem = macs(64, 3, 32, 3);
        double forward = stem + 256 * 5;
        double in = 32, side = 64;
        for (const double width : {32.0, 64.0, 128.0, 256.0}) {
            side /= 2;
            forward +=
                macs(side, in, width, 3) + macs(side, width, width, 3) + macs(side, in, width, 1);
            in = width;
        }
        // Two operations a multiply-add; backward twice the forward but for the stem's input.
        const double perImage = 2 * (3 * forward - stem);
        QCOMPARE(j["flops_per_image"].toDouble(), perImage);
        QCOMPARE(perImage, 397942272.0);
        QVERIFY(std::abs(j["compute_gflops"].toDouble() -
                         perImage * j["compute_images_per_s"].toDouble() / 1e9) < 1e-6);

        const QJsonObject peak = j["fp32_peak"].toObject();
        QCOMPARE(peak["threads"].toInt(), 1);
        const int lanes = peak["lanes"].toInt();
        QVERIFY(lanes == 0 || lanes == 8 || lanes == 16);
        if (lanes > 0) {
            QVERIFY(peak["fma_per_cycle"].toInt() == 1 || peak["fma_per_cycle"].toInt() == 2);
            QVERIFY(peak["measured_gflops"].toDouble() > 0);
            const double nominal =
                lanes * 2 * peak["fma_per_cycle"].toInt() * peak["ghz"].toDouble();
            QCOMPARE(peak["nominal_gflops"].toDouble(), nominal);
        }
        QVERIFY(!peak["how"].toString().isEmpty());

        // The profile: the parts of a step, largest first, the convolutions among them.
        const QJsonArray parts = j["profile"].toArray();
        QStringList names;
        double previous = 1e300, convolutions = 0;
        for (const auto& v : parts) {
            const QJsonObject p = v.toObject();
            names << p["part"].toString();
            QVERIFY(p["ms_per_step"].toDouble() >= 0);
            if (!names.back().startsWith("outside")) {
                QVERIFY2(p["ms_per_step"].toDouble() <= previous, qPrintable(names.back()));
                previous = p["ms_per_step"].toDouble();
            }
            if (names.back().startsWith("convolutions")) convolutions += p["share"].toDouble();
        }
        for (auto part :
             {"convolutions, forward", "convolutions, backward", "batch norm, forward",
              "batch norm, backward", "ReLU, forward and backward", "optimiser (zero_grad, step)"})
            QVERIFY2(names.contains(part), qPrintable(names.join(", ")));
        QVERIFY2(convolutions > 0.2, qPrintable(QString::number(convolutions)));
    }

    void evaluateAndPredictFromTheCommandLine() {
        const fs::path run = dir() / "run-learn";
        auto r = test::runCli({"evaluate", "--run", q(run), "--data", q(data_), "--workspace",
                               q(workspace_), "--json", "--out", q(dir() / "eval")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["n"].toInt(), 120);
        QVERIFY(j["accuracy"].toDouble() > 0.8);
        QCOMPARE(j["recall"].toArray().size(), 5);
        QCOMPARE(j["confusion"].toArray().size(), 5);
        QVERIFY(fs::exists(dir() / "eval" / "predictions.csv"));
        // 95% intervals, the same as those of the written predictions.
        const QJsonArray accuracy = j["intervals"].toObject()["accuracy"].toArray();
        const EvaluationResult written =
            evaluate(readPredictionsCsv(dir() / "eval" / "predictions.csv"));
        QCOMPARE(accuracy[0].toDouble(), written.accuracyInterval.low);
        QCOMPARE(accuracy[1].toDouble(), written.accuracyInterval.high);
        QVERIFY(accuracy[0].toDouble() < j["accuracy"].toDouble() &&
                j["accuracy"].toDouble() <= accuracy[1].toDouble());

        r = test::runCli({"evaluate", "--run", q(run), "--data", q(data_), "--split",
                          q(run / "split.csv"), "--subset", "test", "--tta", "--workspace",
                          q(workspace_), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object()["n"].toInt(), 20);
        // Without --tta/--no-tta, evaluate does what the run did (TTA here): it reproduces the
        // run's own test predictions; --no-tta gives other probabilities.
        auto evaluateTest = [&](const QString& flag, const fs::path& out) {
            QStringList args{"evaluate",
                             "--run",
                             q(run),
                             "--data",
                             q(data_),
                             "--split",
                             q(run / "split.csv"),
                             "--subset",
                             "test",
                             "--workspace",
                             q(workspace_),
                             "--out",
                             q(out)};
            if (!flag.isEmpty()) args << flag;
            return test::runCli(args);
        };
        r = evaluateTest({}, dir() / "eval-default");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("95% intervals") && r.out.contains("recall 95%"),
                 qPrintable(r.out));
        const auto own = readPredictionsCsv(run / "predictions.csv");
        auto differenceFromOwn = [&](const fs::path& out) {
            return largestDifference(own, readPredictionsCsv(out / "predictions.csv"));
        };
        QVERIFY(loadRunConfig(run).tta);
        QVERIFY2(differenceFromOwn(dir() / "eval-default") < 1e-4,
                 qPrintable(QString::number(differenceFromOwn(dir() / "eval-default"))));
        QVERIFY2(evaluateTest("--no-tta", dir() / "eval-plain").exitCode == 0, "--no-tta");
        const double plain = differenceFromOwn(dir() / "eval-plain");
        QVERIFY2(plain > 1e-3 && std::isfinite(plain), qPrintable(QString::number(plain)));

        // Any folder of JPEGs, any size; a broken file is skipped with its name.
        const fs::path images = dir() / "loose";
        fs::create_directories(images);
        fs::copy_file(data_ / "images_training_rev1" / "2000.jpg", images / "2000.jpg");
        fs::copy_file(data_ / "images_training_rev1" / "2001.jpg", images / "galaxy-b.JPG");
        cv::imwrite((images / "small.jpg").string(),
                    cv::Mat(200, 200, CV_8UC3, cv::Scalar(60, 60, 230)));
        test::writeText(images / "broken.jpg", "x");
        r = test::runCli(
            {"predict", "--run", q(run), "--images", q(images), "--out", q(dir() / "pred.csv")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("broken.jpg"), qPrintable(r.err));
        const auto preds = readPredictionsCsv(dir() / "pred.csv");
        QCOMPARE(preds.size(), std::size_t(3));
        QCOMPARE(preds[0].id, std::int64_t(2000));
        QCOMPARE(preds[0].trueLabel, kUnlabeled);
        QCOMPARE(preds[0].predicted(), 0);  // the red class
    }
};

QTEST_GUILESS_MAIN(TestTraining)
#include "test_training.moc"
