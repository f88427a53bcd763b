// The training engine on a small synthetic set: learning, the last epoch as the run's model,
// predictions that do not depend on the speed settings, corrupt images, the training benchmark, and
// evaluation and prediction through galaxy-cli (stop, resume and determinism:
// test_training_resume).

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
#include "gz/labeling.h"
#include "gz/partition.h"
#include "gz/run_folder.h"
#include "gz/run_info.h"
#include "gz/training.h"
#include "imaging_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;
using test::defaultSplit;
using test::largestDifference;
using test::q;
using test::smallConfig;

class TestTraining : public QObject {
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
        c.votesWeight = 0;  // the five classes alone, in the epochs they need
        // At the shared 0.05 with batches of 16, some seeds leave a class unlearned after 10
        // epochs, and which ones depends on the processor: seed 7 passed on an AMD EPYC and
        // stalled at 76% on a Xeon (Sapphire Rapids), as did 2 of 6 seeds there. At 0.02 all
        // six reached 98-100% there.
        c.lr = 0.02;
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

    // By default (--select last) the run's model (best.pt, which the final evaluation, evaluate
    // and predict use) is the last epoch's weights, those last.pt holds; no epoch is logged as
    // the best.
    void theLastEpochIsTheRunsModelByDefault() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        const auto galaxies = everyGalaxy(catalog, labelCatalog(catalog, LabelRules::defaults()));
        TrainConfig c = smallConfig();
        c.epochs = 3;
        const fs::path run = dir() / "last-epoch";
        const TrainOutcome o = startTraining(run, c, catalog, defaultSplit(catalog), workspace_);
        QCOMPARE(o.status, TrainOutcome::Status::Finished);
        QVERIFY(loadRunConfig(run).selectMetric == SelectMetric::Last);
        const std::string log = readWholeFile(RunFolder{run}.log());
        QVERIFY2(log.find("(last epoch 3") != std::string::npos, log.c_str());
        QVERIFY2(log.find("(best)") == std::string::npos, log.c_str());
        QCOMPARE(readRunInfo(run).bestEpoch(), std::optional<int>(3));
        QVERIFY(fs::exists(RunFolder{run}.bestCheckpoint()));
        const auto model =
            predictCatalog(run, catalog, galaxies, workspace_, false, Precision::Fp32, 2);
        // A run without best.pt is predicted with last.pt's weights: the same numbers.
        const fs::path copy = dir() / "last-epoch-without-best";
        fs::copy(run, copy, fs::copy_options::recursive);
        fs::remove(RunFolder{copy}.bestCheckpoint());
        const auto last =
            predictCatalog(copy, catalog, galaxies, workspace_, false, Precision::Fp32, 2);
        QCOMPARE(model.size(), galaxies.size());
        QCOMPARE(largestDifference(model, last), 0.0);
    }

    // evaluate --checkpoint last: the last epoch's weights whatever epoch the run selected;
    // best, the default, is the run's model.
    void theLastCheckpointCanBeChosen() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        const auto galaxies =
            labeledGalaxies(catalog, labelCatalog(catalog, LabelRules::defaults()));
        TrainConfig c = smallConfig();
        c.epochs = 2;
        c.selectMetric = SelectMetric::Loss;
        const fs::path run = dir() / "choose-checkpoint";
        startTraining(run, c, catalog, defaultSplit(catalog), workspace_);
        // A best.pt that surely differs from last.pt: another seed's one-epoch model.
        c.epochs = 1;
        c.seed = 8;
        const fs::path other = dir() / "choose-checkpoint-other";
        startTraining(other, c, catalog, defaultSplit(catalog), workspace_);
        fs::copy_file(RunFolder{other}.lastCheckpoint(), RunFolder{run}.bestCheckpoint(),
                      fs::copy_options::overwrite_existing);
        auto predict = [&](const fs::path& from, CheckpointChoice choice) {
            return predictCatalog(from, catalog, galaxies, workspace_, false, Precision::Fp32, 2,
                                  {}, {}, nullptr, choice);
        };
        const auto best = predict(run, CheckpointChoice::Best);
        const auto last = predict(run, CheckpointChoice::Last);
        QCOMPARE(largestDifference(best, predict(other, CheckpointChoice::Best)), 0.0);
        const fs::path copy = dir() / "choose-checkpoint-without-best";
        fs::copy(run, copy, fs::copy_options::recursive);
        fs::remove(RunFolder{copy}.bestCheckpoint());
        QCOMPARE(largestDifference(last, predict(copy, CheckpointChoice::Best)), 0.0);
        QVERIFY(largestDifference(best, last) > 1e-3);

        auto evaluateWith = [&](const QString& checkpoint, const fs::path& out) {
            return test::runCli({"evaluate", "--run", q(run), "--data", q(data_), "--workspace",
                                 q(workspace_), "--no-tta", "--precision", "fp32", "--checkpoint",
                                 checkpoint, "--out", q(out)});
        };
        auto r = evaluateWith("last", dir() / "eval-last");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto written = readPredictionsCsv(dir() / "eval-last" / "predictions.csv");
        QVERIFY2(largestDifference(last, written) < 1e-4,
                 qPrintable(QString::number(largestDifference(last, written))));
        r = evaluateWith("newest", dir() / "eval-newest");
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("--checkpoint") && r.err.contains("newest"), qPrintable(r.err));
        QVERIFY(!fs::exists(dir() / "eval-newest"));
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

    // A model chosen by a validation metric needs labeled validation galaxies; without them the
    // run used to keep its last epoch without a word. Refused before the run folder exists, in
    // core (the GUI and crossval) and at the command line, which names the split file.
    void aChosenEpochNeedsLabeledValidationGalaxies() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        std::vector<SplitEntry> split = defaultSplit(catalog);
        for (SplitEntry& e : split)
            if (e.subset == Subset::Val && e.label != kUnlabeled) e.subset = Subset::Train;
        TrainConfig c = smallConfig();
        c.selectMetric = SelectMetric::Accuracy;
        const fs::path run = dir() / "no-validation";
        try {
            startTraining(run, c, catalog, split, workspace_);
            QFAIL("a selection by accuracy without validation galaxies was accepted");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("no labeled validation galaxies"), e.what());
        }
        QVERIFY(!fs::exists(run));

        const fs::path file = dir() / "no-validation-split.csv";
        writeSplitCsv(file, split);
        auto train = [&](const QString& select) {
            return test::runCli({"train", "--data", q(data_), "--split", q(file), "--epochs", "1",
                                 "--select", select, "--workspace", q(workspace_), "--out",
                                 q(run)});
        };
        auto r = train("loss");
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("no labeled validation galaxies") &&
                     r.err.contains("no-validation-split.csv"),
                 qPrintable(r.err));
        QVERIFY(!fs::exists(run));
        r = train("last");  // the last epoch needs none
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(fs::exists(RunFolder{run}.lastCheckpoint()));
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
