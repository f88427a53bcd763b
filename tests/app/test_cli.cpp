// galaxy-cli as scripts use it: exit codes, one-line errors, JSON, files written.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <array>
#include <cmath>
#include <cstdio>
#include <opencv2/core/utility.hpp>
#include <random>
#include <string>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/morphology.h"
#include "gz/run_folder.h"
#include "gz/run_info.h"
#include "gz/training.h"

namespace fs = std::filesystem;
using namespace gz;
using test::q;
using test::runCli;

namespace {

QJsonObject parseJson(const QString& text) {
    QJsonParseError err;
    const auto doc = QJsonDocument::fromJson(text.toUtf8(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) return {};
    return doc.object();
}

// A failed run: non-zero exit and exactly one line on stderr, containing `fragment`.
void expectOneLineError(const test::CliResult& r, const QString& fragment) {
    QVERIFY2(r.exitCode != 0, qPrintable(r.out));
    const QStringList lines = r.err.trimmed().split('\n');
    QVERIFY2(lines.size() == 1, qPrintable(r.err));
    QVERIFY2(r.err.contains(fragment), qPrintable(r.err));
}

}  // namespace

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    fs::path data_;

private slots:
    void initTestCase() {
        data_ = dir() / "data";
        test::writeKaggleFolder(data_, {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, -1, -1});
    }

    void helpAndUsage() {
        auto r = runCli({"--help"});
        QCOMPARE(r.exitCode, 0);
        for (auto cmd : {"label", "split", "demo", "bench"})
            QVERIFY2(r.out.contains(cmd), qPrintable(r.out));
        r = runCli({"label", "--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("--rules") && r.out.contains("--json") && r.out.contains("--csv"));
        expectOneLineError(runCli({}), "a command is required");
        expectOneLineError(runCli({"bench"}), "bench needs a benchmark name");
        expectOneLineError(runCli({"frobnicate"}), "frobnicate");
        expectOneLineError(runCli({"label", "--data", q(data_)}), "--out");
        expectOneLineError(runCli({"label", "--out", q(dir() / "x.csv")}), "--data or --csv");
    }

    void trainHelpListsTheOptionKeys() {
        const auto r = runCli({"train", "--help"});
        QCOMPARE(r.exitCode, 0);
        for (auto line :
             {"--model TEXT=compact        compact|compact-wide|compact-deep|resnet26|bench-resnet",
              "--schedule TEXT=cosine      cosine|step|constant",
              "--balance TEXT=sqrt         none|sample|weight|sqrt",
              "--select TEXT=last          The run's model: the last epoch's, or the epoch best "
              "by a validation metric: last|loss|accuracy|macro_f1",
              "--device TEXT=auto          auto|cpu|cuda"})
            QVERIFY2(r.out.contains(line), qPrintable(r.out));
        expectOneLineError(runCli({"train", "--out", q(dir() / "run"), "--schedule", "linear"}),
                           "schedule must be cosine, step or constant");
        expectOneLineError(runCli({"train", "--out", q(dir() / "run"), "--device", "gpu"}),
                           "device must be auto, cpu or cuda");
    }

    void versionIsTheProjects() {
        const auto r = runCli({"--version"});
        QCOMPARE(r.exitCode, 0);
        const QStringList lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QStringLiteral("galaxy-cli " GZ_PROJECT_VERSION));
        // The OpenCV this process loaded, as the program must report it.
        QCOMPARE(lines[1],
                 QStringLiteral("OpenCV ") + QString::fromStdString(cv::getVersionString()));
        QVERIFY2(lines[2].startsWith(QStringLiteral("LibTorch ")), qPrintable(r.out));
    }

    void labelJsonAndFile() {
        const fs::path out = dir() / "labels.csv";
        const auto r = runCli({"label", "--data", q(data_), "--out", q(out), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = parseJson(r.out);
        QCOMPARE(j["unlabeled"].toInt(), 2);
        const QJsonObject counts = j["counts"].toObject();
        QCOMPARE(counts["round"].toInt(), 3);
        QCOMPARE(counts["in_between"].toInt(), 3);
        QCOMPARE(counts["cigar"].toInt(), 3);
        QCOMPARE(counts["edge_on"].toInt(), 3);
        QCOMPARE(counts["spiral"].toInt(), 4);
        QCOMPARE(counts.size(), 5);
        const auto labels = readLabelsCsv(out);
        QCOMPARE(labels.size(), std::size_t(18));
        QCOMPARE(labels[12].label, 4);

        // Human-readable form.
        const auto text = runCli({"label", "--data", q(data_), "--out", q(out)});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains(QRegularExpression("spiral\\s+4")));
        QVERIFY(text.out.contains(QRegularExpression("unlabeled\\s+2")));
    }

    void labelCsvAloneAndWithImages() {
        const fs::path csv = data_ / "training_solutions_rev1.csv";
        auto r = runCli({"label", "--csv", q(csv), "--out", q(dir() / "a.csv"), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(parseJson(r.out)["unlabeled"].toInt(), 2);

        // An image folder missing two images: those rows are reported and left out.
        const fs::path images = dir() / "images";
        fs::copy(data_ / "images_training_rev1", images);
        fs::remove(images / "1016.jpg");
        fs::remove(images / "1000.jpg");
        r = runCli({"label", "--csv", q(csv), "--images", q(images), "--out", q(dir() / "b.csv"),
                    "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(parseJson(r.out)["unlabeled"].toInt(), 1);
        QCOMPARE(parseJson(r.out)["counts"].toObject()["round"].toInt(), 2);
        QVERIFY2(r.err.contains("2 galaxies have no image") && r.err.contains("1000, 1016"),
                 qPrintable(r.err));
    }

    void labelWithRulesFile() {
        LabelRules rules = LabelRules::defaults();
        rules.rules[4].enabled = false;
        rules.save(dir() / "rules.json");
        const auto r = runCli({"label", "--data", q(data_), "--rules", q(dir() / "rules.json"),
                               "--out", q(dir() / "r.csv"), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(parseJson(r.out)["counts"].toObject()["spiral"].toInt(), 0);
        QCOMPARE(parseJson(r.out)["unlabeled"].toInt(), 6);
        test::writeText(dir() / "broken-rules.json", "{\"rules\": [");
        expectOneLineError(runCli({"label", "--data", q(data_), "--rules",
                                   q(dir() / "broken-rules.json"), "--out", q(dir() / "r.csv")}),
                           "broken-rules.json");
    }

    void labelRefusesBadInputWithFileAndLine() {
        const fs::path bad = dir() / "bad" / "training_solutions_rev1.csv";
        test::writeText(bad, test::kaggleHeader() + "\n" + test::kaggleRow(1, 0) + "\n" +
                                 test::kaggleRow(2, 1).replace(2, 3, "NaN") + "\n");
        const auto r = runCli({"label", "--csv", q(bad), "--out", q(dir() / "l.csv")});
        expectOneLineError(r, q(bad) + ":3: column ");
        QVERIFY(r.err.contains("not a finite number"));
        QVERIFY(!fs::exists(dir() / "l.csv"));

        expectOneLineError(
            runCli({"label", "--data", q(dir() / "nowhere"), "--out", q(dir() / "l.csv")}),
            "nowhere");
    }

    void refusesToOverwriteInputOrWriteNowhere() {
        const fs::path copy = dir() / "copy";
        fs::copy(data_, copy, fs::copy_options::recursive);
        const fs::path csv = copy / "training_solutions_rev1.csv";
        const std::string before = readWholeFile(csv);
        expectOneLineError(runCli({"label", "--data", q(copy), "--out", q(csv)}),
                           "inside the data set");
        QCOMPARE(readWholeFile(csv), before);
        // An input outside the data set (the rules file) is not overwritten either.
        LabelRules::defaults().save(dir() / "own-rules.json");
        const std::string rules = readWholeFile(dir() / "own-rules.json");
        expectOneLineError(
            runCli({"label", "--data", q(copy), "--rules", q(dir() / "own-rules.json"), "--out",
                    q(dir() / "own-rules.json")}),
            "is an input file");
        QCOMPARE(readWholeFile(dir() / "own-rules.json"), rules);
        // Nothing is written into the data set's folder, not even a new file.
        expectOneLineError(runCli({"label", "--data", q(copy), "--out", q(copy / "labels.csv")}),
                           "inside the data set");
        expectOneLineError(runCli({"label", "--data", q(copy), "--out",
                                   q(copy / "images_training_rev1" / "1001.jpg")}),
                           "inside the data set");
        QVERIFY(!fs::exists(copy / "labels.csv"));
        test::writeText(dir() / "plain-file", "x");
        expectOneLineError(
            runCli({"label", "--data", q(data_), "--out", q(dir() / "plain-file" / "l.csv")}),
            "plain-file");
    }

    void splitIsReproducible() {
        const fs::path labels = dir() / "labels-for-split.csv";
        QCOMPARE(runCli({"label", "--data", q(data_), "--out", q(labels)}).exitCode, 0);
        auto r = runCli({"split", "--labels", q(labels), "--out", q(dir() / "s1.csv"), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = parseJson(r.out);
        for (auto subset : {"train", "val", "test"})
            for (auto cls : {"round", "in_between", "cigar", "edge_on", "spiral"})
                QVERIFY2(j[subset].toObject()[cls].toInt() >= 1, qPrintable(r.out));
        QCOMPARE(runCli({"split", "--labels", q(labels), "--out", q(dir() / "s2.csv")}).exitCode,
                 0);
        QCOMPARE(readWholeFile(dir() / "s1.csv"), readWholeFile(dir() / "s2.csv"));
        QCOMPARE(runCli({"split", "--labels", q(labels), "--seed", "7", "--ratios", "0.5,0.25,0.25",
                         "--out", q(dir() / "s3.csv")})
                     .exitCode,
                 0);
        QVERIFY(readWholeFile(dir() / "s1.csv") != readWholeFile(dir() / "s3.csv"));
        expectOneLineError(runCli({"split", "--labels", q(labels), "--ratios", "0.9,0.9,0.1",
                                   "--out", q(dir() / "s4.csv")}),
                           "sum to 1");
        expectOneLineError(runCli({"split", "--labels", q(data_ / "training_solutions_rev1.csv"),
                                   "--out", q(dir() / "s5.csv")}),
                           "'label'");
    }

    void demoThenLabel() {
        // A real data folder is never overwritten by a mistyped --out.
        expectOneLineError(runCli({"demo", "--out", q(data_), "--count", "5"}), "not empty");
        QVERIFY(fs::exists(data_ / "images_training_rev1" / "1000.jpg"));
        const fs::path demo = dir() / "demo";
        auto r = runCli({"demo", "--out", q(demo), "--count", "40", "--seed", "3"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({"label", "--data", q(demo), "--out", q(dir() / "demo-labels.csv"), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // The counts of the labels the generator intended (the same demo made in this process).
        DemoOptions options;
        options.count = 40;
        options.seed = 3;
        std::array<int, kMorphologyCount> intended{};
        int unlabeled = 0;
        for (const auto& t : writeDemoDataset(dir() / "demo-here", options))
            ++(t.label >= 0 ? intended[static_cast<std::size_t>(t.label)] : unlabeled);
        const QJsonObject j = parseJson(r.out);
        for (int label = 0; label < kMorphologyCount; ++label) {
            const QString key = QString::fromStdString(std::string(morphologyKey(label)));
            QVERIFY2(intended[static_cast<std::size_t>(label)] >= 1, qPrintable(key));
            QCOMPARE(j["counts"].toObject()[key].toInt(),
                     intended[static_cast<std::size_t>(label)]);
        }
        QCOMPARE(j["unlabeled"].toInt(), unlabeled);
    }

    void runsListsAWorkspacesRuns() {
        const fs::path workspace = dir() / "runs-workspace";
        auto r = runCli({"runs", "--workspace", q(workspace), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(parseJson(r.out)["runs"].toArray().isEmpty());

        // A finished run, a stopped one with a checkpoint, and one whose config is broken.
        const auto makeRun = [&](const std::string& name, const std::string& model) {
            TrainConfig config;
            config.model = model;
            config.epochs = 2;
            const RunFolder run{runsFolder(workspace) / name};
            fs::create_directories(run.checkpoints());
            test::writeText(run.config(), config.toJson());
            return run;
        };
        const std::string header =
            "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,lr,batches\n";
        const RunFolder finished = makeRun("20260101-120000-compact", "compact");
        test::writeText(finished.metrics(), header + "1,1.2,0.5,1.1,0.625,0.5,0.01,4\n" +
                                                "2,1.0,0.6,1.0,0.5,0.4,0.01,4\n");
        test::writeText(finished.lastCheckpoint(), "weights");
        test::writeText(finished.confusion(), "{\"accuracy\": 0.75}");
        const RunFolder stopped = makeRun("20260202-120000-resnet26", "resnet26");
        test::writeText(stopped.metrics(), header + "1,1.2,0.5,1.1,0.25,0.2,0.01,4\n");
        test::writeText(stopped.lastCheckpoint(), "weights");
        const RunFolder broken = makeRun("20250303-120000-compact", "compact");
        test::writeText(broken.config(), "{");

        r = runCli({"runs", "--workspace", q(workspace), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray runs = parseJson(r.out)["runs"].toArray();
        QCOMPARE(runs.size(), 3);
        const std::vector<RunInfo> infos = listRuns(workspace);  // what the GUI's Runs panel shows
        for (qsizetype i = 0; i < runs.size(); ++i) {
            const QJsonObject j = runs[i].toObject();
            const RunInfo& info = infos[static_cast<std::size_t>(i)];
            QCOMPARE(j["name"].toString().toStdString(), info.name);
            QCOMPARE(j["state"].toString().toStdString(), info.stateText());
            QCOMPARE(static_cast<std::size_t>(j["epochs"].toInt()), info.epochs.size());
        }
        QCOMPARE(runs[0]["name"].toString(), QStringLiteral("20260202-120000-resnet26"));
        QCOMPARE(runs[0]["model"].toString(), QStringLiteral("resnet26"));
        QCOMPARE(runs[0]["epochs"].toInt(), 1);
        QCOMPARE(runs[0]["epoch_limit"].toInt(), 2);
        QCOMPARE(runs[0]["state"].toString(), QStringLiteral("stopped (resumable)"));
        QCOMPARE(runs[0]["best_val_accuracy"].toDouble(), 0.25);
        QVERIFY(runs[0]["test_accuracy"].isNull());
        QCOMPARE(runs[1]["name"].toString(), QStringLiteral("20260101-120000-compact"));
        QCOMPARE(runs[1]["state"].toString(), QStringLiteral("finished"));
        QCOMPARE(runs[1]["epochs"].toInt(), 2);
        QCOMPARE(runs[1]["best_val_accuracy"].toDouble(), 0.625);
        QCOMPARE(runs[1]["test_accuracy"].toDouble(), 0.75);
        QCOMPARE(runs[2]["state"].toString(), QStringLiteral("unreadable"));
        QVERIFY(runs[2]["model"].isNull());
        QVERIFY2(runs[2]["error"].toString().contains("config.json"), qPrintable(r.out));

        // As a table: one line per run, newest first, under a header.
        r = runCli({"runs", "--workspace", q(workspace)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QVERIFY2(
            lines[1].contains(QRegularExpression("^20260202-120000-resnet26\\s+resnet26\\s+1/2"
                                                 "\\s+stopped \\(resumable\\)\\s+25.0 %\\s+-$")),
            qPrintable(lines[1]));
        QVERIFY2(lines[2].contains(QRegularExpression("^20260101-120000-compact\\s+compact\\s+2/2"
                                                      "\\s+finished\\s+62.5 %\\s+75.0 %$")),
                 qPrintable(lines[2]));
        QVERIFY2(lines[3].startsWith("20250303-120000-compact") && lines[3].contains("unreadable"),
                 qPrintable(lines[3]));
    }

    void benchCatalogReportsSaneNumbers() {
        const auto r = runCli({"bench", "catalog", "--rows", "3000", "--repeat", "2", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = parseJson(r.out);
        QCOMPARE(j["rows"].toInt(), 3000);
        QCOMPARE(j["repeat"].toInt(), 2);
        QVERIFY(j["parse_ms"].toDouble() > 0);
        const double openMs = j["open_ms"].toDouble();
        QVERIFY(openMs > 0);
        // The rate is the rows over the time to open them.
        const double rate = j["rows_per_s"].toDouble();
        QVERIFY2(std::abs(rate - 3000 / (openMs / 1000)) <= 1e-9 * rate, qPrintable(r.out));
        // The generated file's size: ids 100008 + 16 r, 37 uniform values at 9 significant digits
        // (std::mt19937_64 seeded 7, the top 53 bits).
        std::mt19937_64 gen(7);
        std::size_t bytes = test::kaggleHeader().size() + 1;  // the same header
        for (std::size_t row = 0; row < 3000; ++row) {
            bytes += std::to_string(100008 + row * 16).size() + 1;  // + '\n'
            for (std::size_t c = 0; c < kVoteColumnCount; ++c) {
                char value[32];
                const int n = std::snprintf(value, sizeof value, ",%.9g",
                                            std::ldexp(static_cast<double>(gen() >> 11), -53));
                bytes += static_cast<std::size_t>(n);
            }
        }
        QCOMPARE(static_cast<std::size_t>(j["bytes"].toDouble()), bytes);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
