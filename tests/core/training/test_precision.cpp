// The forward pass's precision (gz/precision.h, TrainConfig::precision): bfloat16 only where the
// CPU has it and refused elsewhere naming the instructions; a bfloat16 run keeps fp32 weights,
// predicts in either precision, and runs from before the option resume in fp32; --fp32-finish
// trains a bfloat16 run's end in fp32.

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/error.h"
#include "gz/evaluation.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/precision.h"
#include "gz/training.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

double largestDifference(const std::vector<Prediction>& a, const std::vector<Prediction>& b) {
    double worst = 0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        for (std::size_t k = 0; k < kMorphologyCount; ++k)
            worst = std::max(worst, std::abs(static_cast<double>(a[i].probabilities[k]) -
                                             b[i].probabilities[k]));
    return worst;
}

QString skipReason() {
    return "this CPU computes no bfloat16 (" + QString::fromStdString(bf16Support().reason) +
           "); the refusal is tested instead";
}

// The fp32-finish tests' quick training: one thread, one summation order, so that runs of the
// same arithmetic are identical.
TrainConfig finishTraining(int epochs) {
    TrainConfig c = test::quickTraining(epochs);
    c.threads = 1;
    c.tta = false;
    return c;
}

// The "config" object of `c`'s config.json, to edit as an older or a broken file would be.
QJsonObject configFields(const TrainConfig& c) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(c.toJson()))
        .object()["config"]
        .toObject();
}

// `c`'s config.json with `fields` as its "config" object.
std::string configJson(const TrainConfig& c, const QJsonObject& fields) {
    QJsonObject all = QJsonDocument::fromJson(QByteArray::fromStdString(c.toJson())).object();
    all["config"] = fields;
    return QJsonDocument(all).toJson().toStdString();
}

}  // namespace

class TestPrecision : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    void cpuFlagsDecideSupport() {
        const auto zen4 = bf16SupportFromFlags("fpu sse2 avx2 avx512f avx512bw avx512_bf16 vaes");
        QVERIFY(zen4.available);
        QVERIFY2(zen4.reason.find("avx512_bf16") != std::string::npos, zen4.reason.c_str());
        QVERIFY(bf16SupportFromFlags("fpu avx512f amx_bf16 amx_tile").available);
        // AVX-512 alone is not enough: oneDNN would emulate bfloat16 in fp32.
        const auto skylake = bf16SupportFromFlags("fpu sse2 avx2 avx512f avx512bw avx512vl");
        QVERIFY(!skylake.available);
        QVERIFY2(skylake.reason.find("AVX512_BF16") != std::string::npos, skylake.reason.c_str());
        // Whole words only.
        QVERIFY(!bf16SupportFromFlags("avx512_bf16x xamx_bf16").available);
        QVERIFY(!bf16SupportFromFlags("").available);
    }

    void thisMachineResolvesEachChoice() {
        const Bf16Support support = bf16Support();
        QVERIFY(!resolveBf16(Precision::Fp32));
        // Auto: bfloat16 exactly where the CPU has it, never refused.
        QCOMPARE(resolveBf16(Precision::Auto), support.available);
        // Evaluating and predicting: as asked, else as trained, but fp32 without bfloat16; a run
        // trained with auto decides on the machine that predicts.
        QVERIFY(inferencePrecision(std::nullopt, Precision::Auto) == Precision::Auto);
        QVERIFY(inferencePrecision(Precision::Fp32, Precision::Auto) == Precision::Fp32);
        QVERIFY(inferencePrecision(Precision::Fp32, Precision::Bf16) == Precision::Fp32);
        QVERIFY(inferencePrecision(Precision::Bf16, Precision::Fp32) == Precision::Bf16);
        QVERIFY(inferencePrecision(std::nullopt, Precision::Fp32) == Precision::Fp32);
        QVERIFY(inferencePrecision(std::nullopt, Precision::Bf16) ==
                (support.available ? Precision::Bf16 : Precision::Fp32));
        if (support.available) {
            QVERIFY(resolveBf16(Precision::Bf16));
        } else {
            const std::string message = test::dataErrorOf([] { resolveBf16(Precision::Bf16); });
            QVERIFY2(message.find("AVX512_BF16") != std::string::npos &&
                         message.find("--precision fp32") != std::string::npos,
                     message.c_str());
        }
    }

    void configKeepsThePrecisionAndOlderRunsAreFp32() {
        TrainConfig c;
        c.epochs = 3;
        // auto by default: bfloat16 where the CPU has it (README, --precision).
        QVERIFY(c.precision == Precision::Auto);
        for (const Precision p : {Precision::Auto, Precision::Fp32, Precision::Bf16}) {
            c.precision = p;
            QVERIFY(TrainConfig::fromJson(c.toJson()).precision == p);
        }
        // A config.json written before the option: its run trained in fp32 and resumes so.
        c.precision = Precision::Bf16;
        QJsonObject fields = configFields(c);
        QVERIFY(fields.contains("precision"));
        fields.remove("precision");
        QVERIFY(TrainConfig::fromJson(configJson(c, fields)).precision == Precision::Fp32);
        fields["precision"] = "fp16";
        const std::string message = test::dataErrorOf(
            [&] { TrainConfig::fromJson(configJson(c, fields), "run/config.json"); });
        QVERIFY2(message.find("precision must be auto, fp32 or bf16") != std::string::npos &&
                     message.find("run/config.json") != std::string::npos,
                 message.c_str());
    }

    void autoTrainsInWhatThisCpuHas() {
        // The default: never refused; bfloat16 where the CPU has it, fp32 elsewhere, and the
        // run records the choice (auto) while its log says what it computed in.
        const fs::path data = dir() / "auto";
        writeDemoDataset(data, DemoOptions{20, 3, kKaggleImageSide});
        const fs::path run = dir() / "auto-run";
        const auto t = test::runCli({"train", "--data", test::q(data), "--out", test::q(run),
                                     "--epochs", "1", "--batch", "8", "--threads", "2",
                                     "--workspace", test::q(dir() / "auto-ws")});
        QVERIFY2(t.exitCode == 0, qPrintable(t.err));
        QVERIFY(loadRunConfig(run).precision == Precision::Auto);
        const std::string log = readWholeFile(run / "log.txt");
        const char* expected = bf16Support().available ? "in bfloat16" : "in fp32";
        QVERIFY2(log.find(expected) != std::string::npos, log.c_str());
        // The benchmark reports what auto resolved to, not "auto".
        const auto b = test::runCli({"bench", "train", "--model", "compact", "--batch", "4",
                                     "--seconds", "0", "--precision", "auto", "--json"});
        QVERIFY2(b.exitCode == 0, qPrintable(b.err));
        QCOMPARE(QJsonDocument::fromJson(b.out.toUtf8()).object()["precision"].toString(),
                 QString(bf16Support().available ? "bf16" : "fp32"));
    }

    void commandLineRefusesBf16WithoutTheInstructions() {
        if (bf16Support().available)
            QSKIP("this CPU has bfloat16; the refusal is tested on CPUs without it");
        const auto r = test::runCli(
            {"bench", "train", "--model", "compact", "--batch", "4", "--precision", "bf16"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("AVX512_BF16"), qPrintable(r.err));
        // Training too, before any image is decoded; and a bfloat16 run's checkpoint predicts
        // here in fp32 (bf16RunKeepsFp32WeightsAndPredictsInBoth makes one where it can).
        const fs::path data = dir() / "refused";
        writeDemoDataset(data, DemoOptions{20, 3, kKaggleImageSide});
        const auto t = test::runCli({"train", "--data", test::q(data), "--out",
                                     test::q(dir() / "refused-run"), "--epochs", "1", "--precision",
                                     "bf16", "--workspace", test::q(dir() / "refused-ws")});
        QVERIFY(t.exitCode != 0);
        QVERIFY2(t.err.contains("AVX512_BF16"), qPrintable(t.err));
        QVERIFY(!fs::exists(dir() / "refused-ws" / "cache"));
    }

    void fp32FinishIsRecordedAndChecked() {
        TrainConfig c;
        c.epochs = 3;
        QCOMPARE(c.fp32Finish, 0.25);  // the last quarter in fp32 (README, --fp32-finish)
        c.fp32Finish = 0.4;
        QCOMPARE(TrainConfig::fromJson(c.toJson()).fp32Finish, 0.4);
        // A config.json from before the option: bfloat16 to the end.
        QJsonObject fields = configFields(c);
        QVERIFY(fields.contains("fp32_finish"));
        fields.remove("fp32_finish");
        QCOMPARE(TrainConfig::fromJson(configJson(c, fields)).fp32Finish, 0.0);
        fields["fp32_finish"] = 1.5;
        const std::string message = test::dataErrorOf(
            [&] { TrainConfig::fromJson(configJson(c, fields), "run/config.json"); });
        QVERIFY2(message.find("fp32 finish must be in [0, 1]") != std::string::npos &&
                     message.find("run/config.json") != std::string::npos,
                 message.c_str());
        // The command line refuses a share outside 0..1 before anything is written.
        const fs::path data = dir() / "finish-cli";
        writeDemoDataset(data, DemoOptions{20, 3, kKaggleImageSide});
        const auto t =
            test::runCli({"train", "--data", test::q(data), "--out",
                          test::q(dir() / "finish-cli-run"), "--epochs", "1", "--fp32-finish", "2",
                          "--workspace", test::q(dir() / "finish-cli-ws")});
        QVERIFY(t.exitCode != 0);
        QVERIFY2(t.err.contains("--fp32-finish"), qPrintable(t.err));
        QVERIFY(!fs::exists(dir() / "finish-cli-run"));
    }

    void fp32FinishTrainsTheRunsEndInFp32() {
        if (!bf16Support().available) QSKIP(qPrintable(skipReason()));
        const fs::path data = dir() / "finish", workspace = dir() / "finish-ws";
        writeDemoDataset(data, DemoOptions{40, 3, kKaggleImageSide});
        TrainConfig c = finishTraining(2);
        const auto train = [&](Precision precision, double finish) {
            c.precision = precision;
            c.fp32Finish = finish;
            return test::trainRun(data, workspace, {0.6, 0.2, 0.2}, c).dir;
        };
        const fs::path bf16 = train(Precision::Bf16, 0), half = train(Precision::Bf16, 0.5),
                       whole = train(Precision::Bf16, 1), fp32 = train(Precision::Fp32, 0);
        const auto epochs = [](const fs::path& run) {
            return QString::fromStdString(readWholeFile(run / "metrics.csv")).split('\n');
        };
        const auto logOf = [](const fs::path& run) { return readWholeFile(run / "log.txt"); };
        // Half: the first epoch as in bfloat16, the second in fp32, and the log says so.
        QCOMPARE(epochs(half).size(), epochs(bf16).size());
        QCOMPARE(epochs(half)[1], epochs(bf16)[1]);
        QVERIFY(epochs(half)[2] != epochs(bf16)[2]);
        QVERIFY2(logOf(half).find("fp32 from epoch 2") != std::string::npos, logOf(half).c_str());
        QVERIFY(logOf(bf16).find("fp32 from") == std::string::npos);
        // All of it: exactly the fp32 run.
        QCOMPARE(epochs(whole), epochs(fp32));
        QVERIFY2(logOf(whole).find("fp32 from epoch 1") != std::string::npos, logOf(whole).c_str());
    }

    void aRunStoppedPastTheSwitchResumesExactly() {
        if (!bf16Support().available) QSKIP(qPrintable(skipReason()));
        const fs::path data = dir() / "finish-stop", workspace = dir() / "finish-stop-ws";
        writeDemoDataset(data, DemoOptions{40, 3, kKaggleImageSide});
        TrainConfig c = finishTraining(3);
        c.precision = Precision::Bf16;
        c.fp32Finish = 0.5;  // epoch 2 starts at a third of the run and ends past half of it
        const fs::path whole = test::trainRun(data, workspace, {0.6, 0.2, 0.2}, c).dir;
        // Stopped at epoch 2's last batch, past half of the run: the resumed run still trains
        // the rest of epoch 2 in bfloat16, as the run never stopped did.
        std::stop_source stop;
        TrainCallbacks callbacks;
        callbacks.onBatch = [&](const BatchProgress& b) {
            if (b.epoch == 2 && b.batch == b.batches - 1) stop.request_stop();
        };
        const auto stopped =
            test::trainRun(data, workspace, {0.6, 0.2, 0.2}, c, stop.get_token(), callbacks);
        QCOMPARE(stopped.outcome.status, TrainOutcome::Status::Stopped);
        const TrainOutcome resumed =
            resumeTraining(stopped.dir, workspace, std::nullopt, std::nullopt, {}, {});
        QCOMPARE(resumed.status, TrainOutcome::Status::Finished);
        QCOMPARE(readWholeFile(stopped.dir / "metrics.csv"), readWholeFile(whole / "metrics.csv"));
        const std::string log = readWholeFile(stopped.dir / "log.txt");
        QVERIFY2(log.find("fp32 from epoch 3") != std::string::npos, log.c_str());
        QVERIFY2(log.find("fp32 from epoch 2") == std::string::npos, log.c_str());
    }

    void bf16RunKeepsFp32WeightsAndPredictsInBoth() {
        if (!bf16Support().available) QSKIP(qPrintable(skipReason()));
        const fs::path data = dir() / "demo", workspace = dir() / "workspace";
        writeDemoDataset(data, DemoOptions{60, 3, kKaggleImageSide});
        TrainConfig c;
        c.model = "compact";
        c.batch = 16;
        c.epochs = 3;
        c.threads = 2;
        c.precision = Precision::Bf16;
        const auto run = test::trainRun(data, workspace, {0.6, 0.2, 0.2}, c);
        QCOMPARE(run.outcome.status, TrainOutcome::Status::Finished);
        QVERIFY(loadRunConfig(run.dir).precision == Precision::Bf16);
        const std::string log = readWholeFile(run.dir / "log.txt");
        QVERIFY2(log.find("in bfloat16") != std::string::npos, log.c_str());
        // The weights on disk are fp32: 4 bytes a parameter at least (best.pt holds the model).
        QVERIFY(fs::file_size(run.dir / "checkpoints" / "best.pt") >= 4u * 1227813u);

        // The same checkpoint predicts in fp32 (a machine without bfloat16) and in bfloat16,
        // the probabilities a bfloat16 rounding apart.
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data));
        const auto galaxies = labeledGalaxies(catalog, labelCatalog(catalog, c.rules));
        const auto fp32 =
            predictCatalog(run.dir, catalog, galaxies, workspace, false, Precision::Fp32, 2);
        const auto bf16 =
            predictCatalog(run.dir, catalog, galaxies, workspace, false, Precision::Bf16, 2);
        QCOMPARE(fp32.size(), galaxies.size());
        QCOMPARE(bf16.size(), fp32.size());
        std::size_t same = 0;
        for (std::size_t i = 0; i < fp32.size(); ++i) {
            QCOMPARE(bf16[i].id, fp32[i].id);
            same += bf16[i].predicted() == fp32[i].predicted();
        }
        const double worst = largestDifference(fp32, bf16);
        QVERIFY2(worst > 0, "bfloat16 changed nothing: was it used?");
        QVERIFY2(worst < 0.1, qPrintable(QString::number(worst)));
        QVERIFY2(same * 100 >= fp32.size() * 95, qPrintable(QString::number(same)));

        // Without a precision, as the run trained.
        const auto asTrained =
            predictCatalog(run.dir, catalog, galaxies, workspace, false, std::nullopt, 2);
        QCOMPARE(largestDifference(asTrained, bf16), 0.0);

        // The command line: the same in fp32 and as trained.
        for (const char* precision : {"fp32", ""}) {
            QStringList args{"evaluate",
                             "--run",
                             test::q(run.dir),
                             "--data",
                             test::q(data),
                             "--workspace",
                             test::q(workspace),
                             "--no-tta",
                             "--json",
                             "--threads",
                             "2"};
            if (*precision) args << "--precision" << precision;
            const auto e = test::runCli(args);
            QVERIFY2(e.exitCode == 0, qPrintable(e.err));
            const QJsonObject j = QJsonDocument::fromJson(e.out.toUtf8()).object();
            QCOMPARE(j["accuracy"].toDouble(), evaluate(*precision ? fp32 : bf16).accuracy);
        }
        const auto b = test::runCli({"bench", "train", "--model", "compact", "--batch", "4",
                                     "--seconds", "0", "--precision", "bf16", "--json"});
        QVERIFY2(b.exitCode == 0, qPrintable(b.err));
        const QJsonObject j = QJsonDocument::fromJson(b.out.toUtf8()).object();
        QCOMPARE(j["precision"].toString(), QString("bf16"));
        // The arithmetic is counted as in fp32, and the bfloat16 peak is measured.
        QCOMPARE(j["flops_per_image"].toDouble(), 397942272.0);
        QVERIFY(j["fp32_peak"].toObject()["bf16_measured_gflops"].toDouble() > 0);
    }
};

QTEST_GUILESS_MAIN(TestPrecision)
#include "test_precision.moc"
