// The names of a run folder's files (gz/run_folder.h), a workspace's runs (naming, summaries,
// listing; gz/run_info.h) and a run's marks.csv (gz/run_marks.h): the formats on disk that old
// runs, the GUI and the command line rely on.

#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <string>

#include "fixtures.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/run_folder.h"
#include "gz/run_info.h"
#include "gz/run_marks.h"
#include "gz/run_settings.h"
#include "gz/training.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

constexpr const char* kMetricsHeader =
    "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,lr,batches\n";

// A run folder with a valid config.json of `epochs` epochs, and nothing else.
RunFolder makeRun(const fs::path& dir, int epochs = 3) {
    TrainConfig config;
    config.model = "compact";
    config.epochs = epochs;
    fs::create_directories(dir);
    test::writeText(RunFolder{dir}.config(), config.toJson());
    return RunFolder{dir};
}

Prediction prediction(std::int64_t id, int trueLabel, int predicted, float confidence) {
    Prediction p;
    p.id = id;
    p.trueLabel = trueLabel;
    p.probabilities.fill((1 - confidence) / (kMorphologyCount - 1));
    p.probabilities[static_cast<std::size_t>(predicted)] = confidence;
    return p;
}

}  // namespace

class TestRunFolder : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir(const std::string& name) const {
        return fs::path(tmp_.path().toStdString()) / name;
    }

private slots:
    void everyFileHasItsName() {
        const RunFolder run{fs::path("runs") / "r1"};
        const fs::path root = fs::path("runs") / "r1";
        QCOMPARE(run.config(), root / "config.json");
        QCOMPARE(run.split(), root / "split.csv");
        QCOMPARE(run.metrics(), root / "metrics.csv");
        QCOMPARE(run.timing(), root / "timing.csv");
        QCOMPARE(run.checkpoints(), root / "checkpoints");
        QCOMPARE(run.lastCheckpoint(), root / "checkpoints" / "last.pt");
        QCOMPARE(run.bestCheckpoint(), root / "checkpoints" / "best.pt");
        QCOMPARE(run.predictions(), root / "predictions.csv");
        QCOMPARE(run.confusion(), root / "confusion.json");
        QCOMPARE(run.log(), root / "log.txt");
        QCOMPARE(run.marks(), root / "marks.csv");
        QCOMPARE(run.lock(), root / ".lock");
    }

    void filesLieInsideTheRoot() {
        const RunFolder run{fs::path("/tmp") / "a run"};
        for (const fs::path& file :
             {run.config(), run.split(), run.metrics(), run.timing(), run.predictions(),
              run.confusion(), run.log(), run.marks(), run.lock(), run.checkpoints()})
            QCOMPARE(file.parent_path(), run.root);
        QCOMPARE(run.lastCheckpoint().parent_path(), run.checkpoints());
        QCOMPARE(run.bestCheckpoint().parent_path(), run.checkpoints());
    }

    void newRunsAreNamedByTimeAndModel() {
        const fs::path workspace = dir("naming");
        QCOMPARE(runsFolder(workspace), workspace / "runs");
        std::tm local{};
        local.tm_year = 2026 - 1900;
        local.tm_mon = 10;
        local.tm_mday = 24;
        local.tm_hour = 1;
        local.tm_min = 35;
        local.tm_sec = 2;
        local.tm_isdst = -1;
        const auto when = std::chrono::system_clock::from_time_t(std::mktime(&local));
        const fs::path first = newRunFolder(workspace, "compact", when);
        QCOMPARE(first, workspace / "runs" / "20261124-013502-compact");
        QVERIFY(!fs::exists(first));  // named, not created
        fs::create_directories(first);
        const fs::path second = newRunFolder(workspace, "compact", when);
        QCOMPARE(second, workspace / "runs" / "20261124-013502-compact-2");
        fs::create_directories(second);
        QCOMPARE(newRunFolder(workspace, "compact", when),
                 workspace / "runs" / "20261124-013502-compact-3");
        QCOMPARE(newRunFolder(workspace, "resnet26", when),
                 workspace / "runs" / "20261124-013502-resnet26");
    }

    void summaryStatesFollowTheFiles() {
        const fs::path missing = dir("states") / "no-config";
        fs::create_directories(missing);
        RunInfo info = readRunInfo(missing);
        QCOMPARE(info.state, RunInfo::State::Unreadable);
        QCOMPARE(info.stateText(), std::string("unreadable"));
        QCOMPARE(info.name, std::string("no-config"));
        QVERIFY(!info.error.empty());
        QVERIFY(!info.config);

        const RunFolder run = makeRun(dir("states") / "run");
        info = readRunInfo(run.root);
        QCOMPARE(info.state, RunInfo::State::NoCheckpoint);
        QCOMPARE(info.stateText(), std::string("no checkpoint"));
        QVERIFY(info.config && info.config->model == "compact");
        QCOMPARE(info.configJson, readWholeFile(run.config()));
        QVERIFY(info.epochs.empty() && !info.bestValAccuracy() && info.error.empty());

        test::writeText(run.metrics(), std::string(kMetricsHeader) +
                                           "1,1.5,0.4,1.2,0.5,0.4,0.01,10\n"
                                           "2,1.1,0.6,0.9,0.75,0.7,0.01,10\n");
        fs::create_directories(run.checkpoints());
        test::writeText(run.lastCheckpoint(), "weights");
        info = readRunInfo(run.root);
        QCOMPARE(info.state, RunInfo::State::Resumable);
        QCOMPARE(info.stateText(), std::string("stopped (resumable)"));
        QCOMPARE(info.epochs.size(), std::size_t{2});
        QCOMPARE(info.bestValAccuracy().value_or(0), 0.75);
        QVERIFY(!info.testAccuracy);

        // Every epoch and the predictions: finished, even before confusion.json.
        test::writeText(run.metrics(), std::string(kMetricsHeader) +
                                           "1,1.5,0.4,1.2,0.5,0.4,0.01,10\n"
                                           "2,1.1,0.6,0.9,0.75,0.7,0.01,10\n"
                                           "3,1.0,0.7,1.0,0.625,0.6,0.01,10\n");
        test::writeText(run.predictions(), "GalaxyID\n");
        QCOMPARE(readRunInfo(run.root).state, RunInfo::State::Finished);
        fs::remove(run.predictions());
        test::writeText(run.confusion(), "{\"accuracy\": 0.8125, \"macro_f1\": 0.5}");
        info = readRunInfo(run.root);
        QCOMPARE(info.state, RunInfo::State::Finished);
        QCOMPARE(info.stateText(), std::string("finished"));
        QCOMPARE(info.testAccuracy.value_or(0), 0.8125);
        QCOMPARE(info.bestValAccuracy().value_or(0), 0.75);

        // A broken metrics.csv is reported, the rest still read.
        test::writeText(run.metrics(), std::string(kMetricsHeader) + "1,x,0.4,1.2,0.5,0.4,0.01\n");
        info = readRunInfo(run.root);
        QVERIFY2(info.error.find("metrics.csv") != std::string::npos, info.error.c_str());
        QCOMPARE(info.state, RunInfo::State::Finished);

        test::writeText(run.config(), "{\"config\": ");
        info = readRunInfo(run.root);
        QCOMPARE(info.state, RunInfo::State::Unreadable);
        QVERIFY2(info.error.find("config.json") != std::string::npos, info.error.c_str());
    }

    void runsAreListedNewestFirst() {
        const fs::path workspace = dir("listing");
        QVERIFY(listRuns(workspace).empty());  // no runs folder yet
        makeRun(runsFolder(workspace) / "20260101-000000-compact");
        makeRun(runsFolder(workspace) / "20261231-235959-resnet26");
        makeRun(runsFolder(workspace) / "20260615-120000-compact");
        fs::create_directories(runsFolder(workspace) / "20270101-000000-not-a-run");
        test::writeText(runsFolder(workspace) / "20280101-000000-a-file", "x");
        const std::vector<RunInfo> runs = listRuns(workspace);
        QCOMPARE(runs.size(), std::size_t{3});
        QCOMPARE(runs[0].name, std::string("20261231-235959-resnet26"));
        QCOMPARE(runs[1].name, std::string("20260615-120000-compact"));
        QCOMPARE(runs[2].name, std::string("20260101-000000-compact"));
        QCOMPARE(runs[0].dir, runsFolder(workspace) / "20261231-235959-resnet26");
    }

    void bestEpochFollowsTheSelectionMetric() {
        const fs::path dir = fs::path(tmp_.path().toStdString()) / "best";
        TrainConfig config;
        config.epochs = 3;
        config.selectMetric = SelectMetric::Accuracy;
        fs::create_directories(dir);
        test::writeText(RunFolder{dir}.config(), config.toJson());
        // Lowest loss at epoch 2, highest accuracy at epoch 3.
        test::writeText(RunFolder{dir}.metrics(), std::string(kMetricsHeader) +
                                                      "1,1,0.5,0.9,0.5,0.4,0.05,10\n"
                                                      "2,0.8,0.6,0.5,0.6,0.5,0.04,10\n"
                                                      "3,0.7,0.7,0.7,0.8,0.6,0.03,10\n");
        QCOMPARE(readRunInfo(dir).bestEpoch(), std::optional<int>(3));
        config.selectMetric = SelectMetric::Loss;
        test::writeText(RunFolder{dir}.config(), config.toJson());
        QCOMPARE(readRunInfo(dir).bestEpoch(), std::optional<int>(2));
        config.selectMetric = SelectMetric::Last;
        test::writeText(RunFolder{dir}.config(), config.toJson());
        QCOMPARE(readRunInfo(dir).bestEpoch(), std::optional<int>(3));
        // Without validation the last epoch is the one kept.
        test::writeText(RunFolder{dir}.metrics(),
                        std::string(kMetricsHeader) + "1,1,0.5,,,,0.05,10\n2,0.8,0.6,,,,0.04,10\n");
        QCOMPARE(readRunInfo(dir).bestEpoch(), std::optional<int>(2));
    }

    void settingsListEveryKeyOfTheConfig() {
        TrainConfig config;
        config.epochs = 4;
        config.lr = 0.02;
        config.augmentation.cropMin = 180;
        const auto settings = runSettings(config);
        const auto value = [&](const std::string& key) {
            for (const RunSetting& s : settings)
                if (s.key == key) return s.value;
            return std::string("(missing)");
        };
        QCOMPARE(value("model"), std::string("compact"));
        QCOMPARE(value("lr"), std::string("0.02"));
        QCOMPARE(value("epochs"), std::string("4"));
        QCOMPARE(value("schedule"), std::string("cosine"));
        QCOMPARE(value("augmentation.crop_min"), std::string("180"));
        QCOMPARE(value("data_images"), std::string("none"));
        QCOMPARE(settings.front().key.find('.'), std::string::npos);
        QVERIFY(settings.back().key.find('.') != std::string::npos);
        // One setting per label rule, named by its label, its conditions readable.
        const std::string round = value("rules.round");
        QVERIFY2(round.find("Class1.1 >= ") != std::string::npos, round.c_str());
        for (const RunSetting& s : settings)
            QVERIFY2(s.key.find("format") == std::string::npos, s.key.c_str());
    }

    void marksRoundTrip() {
        const RunFolder run = makeRun(dir("marks") / "run");
        QCOMPARE(RunMarks::fileIn(run.root), run.marks());
        RunMarks marks(run.root);
        QVERIFY(marks.all().empty());
        QVERIFY(!fs::exists(run.marks()));  // nothing written until something is marked
        marks.setMark(prediction(42, 4, 1, 0.75f), GalaxyMark::LabelWrong);
        marks.setMark(prediction(7, 0, 2, 0.5f), GalaxyMark::ModelWrong);
        marks.setMark(prediction(9, -1, 3, 0.875f), GalaxyMark::ModelWrong);
        marks.setMark(prediction(9, -1, 3, 0.875f), GalaxyMark::None);
        QCOMPARE(readWholeFile(run.marks()),
                 std::string("GalaxyID,mark,true,predicted,confidence\n"
                             "7,model_wrong,round,cigar,0.500000\n"
                             "42,label_wrong,spiral,in_between,0.750000\n"));
        const RunMarks again(run.root);
        QCOMPARE(again.all().size(), std::size_t{2});
        QCOMPARE(again.mark(42), GalaxyMark::LabelWrong);
        QCOMPARE(again.mark(7), GalaxyMark::ModelWrong);
        QCOMPARE(again.mark(9), GalaxyMark::None);
        QCOMPARE(again.count(GalaxyMark::ModelWrong), std::size_t{1});
        const MarkedGalaxy& m = again.all().at(42);
        QCOMPARE(m.trueLabel, 4);
        QCOMPARE(m.predicted, 1);
        QCOMPARE(m.confidence, 0.75);
        QCOMPARE(markKey(GalaxyMark::LabelWrong), std::string_view("label_wrong"));
        QCOMPARE(markFromKey("model_wrong"), std::optional(GalaxyMark::ModelWrong));
        QVERIFY(!markFromKey("wrong"));
        const fs::path exported = dir("marks") / "exported.csv";
        again.exportCsv(exported);
        QCOMPARE(readWholeFile(exported), readWholeFile(run.marks()));
    }

    void malformedMarksNameTheLine() {
        const RunFolder run = makeRun(dir("bad-marks") / "run");
        const auto errorOf = [&](const std::string& text) -> std::optional<DataError> {
            test::writeText(run.marks(), text);
            try {
                RunMarks marks(run.root);
            } catch (const DataError& e) {
                return e;
            }
            return std::nullopt;
        };
        const std::string header = "GalaxyID,mark,true,predicted,confidence\n";
        auto e =
            errorOf(header + "7,model_wrong,round,cigar,0.5\n\n8,very_wrong,round,cigar,0.5\n");
        QVERIFY(e);
        QCOMPARE(e->line(), std::size_t{4});
        QCOMPARE(e->column(), std::string("mark"));
        QVERIFY2(std::string(e->what()).find("marks.csv:4:") != std::string::npos, e->what());
        QVERIFY2(std::string(e->what()).find("very_wrong") != std::string::npos, e->what());
        e = errorOf("id,mark\n");
        QVERIFY(e && e->line() == 1);
        e = errorOf(header + "7,model_wrong,round,cigar\n");
        QVERIFY(e && e->line() == 2);
        e = errorOf(header + "x7,model_wrong,round,cigar,0.5\n");
        QVERIFY(e && e->line() == 2 && e->column() == "GalaxyID");
        e = errorOf(header + "7,model_wrong,round,blob,0.5\n");
        QVERIFY(e && e->column() == "predicted");
        e = errorOf(header + "7,model_wrong,round,unlabeled,0.5\n");
        QVERIFY(e && e->column() == "predicted");
        e = errorOf(header + "7,model_wrong,round,cigar,1.5\n");
        QVERIFY(e && e->column() == "confidence");
        e = errorOf(header + "7,model_wrong,round,cigar,0.5\r\n7,label_wrong,round,cigar,0.5\r\n");
        QVERIFY(e && e->line() == 3 && e->column() == "GalaxyID");
        QVERIFY(!errorOf(header + "7,model_wrong,unlabeled,cigar,0.5\r\n"));
    }
};

QTEST_APPLESS_MAIN(TestRunFolder)
#include "test_run_folder.moc"
