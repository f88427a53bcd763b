// Data-parallel training end to end through galaxy-cli: two rank processes on this machine train
// one run, rank 0 alone writes it, and its figures equal a single-process evaluation of the same
// model; SIGTERM on one rank stops both at the same step with a checkpoint that resumes at another
// world size; a killed rank and a rank that never starts are named in the others' errors, never a
// hang.

#include <signal.h>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <memory>

#include "fixtures.h"
#include "gz/world.h"

namespace fs = std::filesystem;
using gz::test::q;

namespace {

int metricsRows(const fs::path& run) {
    QFile f(q(run / "metrics.csv"));
    if (!f.open(QIODevice::ReadOnly)) return -1;
    return static_cast<int>(f.readAll().trimmed().split('\n').size()) - 1;
}

QJsonObject jsonFile(const fs::path& file) {
    QFile f(q(file));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

}  // namespace

class TestDistributedCli : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path data_, workspace_;

    fs::path dir() const { return tmp_.path().toStdString(); }

    // One rank's galaxy-cli train (or resume, with `resumeRun`) of a 2-rank world.
    std::unique_ptr<QProcess> startRank(int rank, int port, const fs::path& run, int epochs,
                                        bool resume = false, int worldSize = 2) {
        QStringList args;
        if (resume)
            args = QStringList{"resume", "--run", q(run)};
        else
            args = QStringList{"train",   "--data",  q(data_),  "--out", q(run),
                               "--model", "compact", "--batch", "16",    "--threads",
                               "1",       "--seed",  "5"};
        args << "--epochs" << QString::number(epochs) << "--workspace" << q(workspace_)
             << "--world-size" << QString::number(worldSize) << "--rank" << QString::number(rank)
             << "--master" << QString("127.0.0.1:%1").arg(port) << "--dist-timeout"
             << "20";
        auto p = std::make_unique<QProcess>();
        p->start(gz::test::cliPath(), args);
        return p;
    }

    static bool finish(QProcess& p, int ms = 240000) {
        return p.waitForFinished(ms) && p.exitStatus() == QProcess::NormalExit;
    }

    static QString err(QProcess& p) { return QString::fromUtf8(p.readAllStandardError()); }

    static bool waitForFile(const fs::path& file, int ms) {
        return QTest::qWaitFor([&] { return fs::exists(file); }, ms);
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        data_ = dir() / "data";
        workspace_ = dir() / "workspace";
        const auto r =
            gz::test::runCli({"demo", "--out", q(data_), "--count", "160", "--seed", "11"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    void twoRanksTrainOneRunThatEvaluatesAsOne() {
        const fs::path run = dir() / "run-two";
        const int port = gz::freeLocalPort();
        auto r0 = startRank(0, port, run, 2);
        auto r1 = startRank(1, port, run, 2);
        QVERIFY(finish(*r0) && finish(*r1));
        const QString e0 = err(*r0), e1 = err(*r1);
        QVERIFY2(r0->exitCode() == 0, qPrintable(e0));
        QVERIFY2(r1->exitCode() == 0, qPrintable(e1));
        QVERIFY2(e1.contains("rank 1: ") && e0.contains("2 ranks, 8 images each a step"),
                 qPrintable(e0 + e1));

        QCOMPARE(metricsRows(run), 2);
        const QJsonObject config = jsonFile(run / "config.json")["config"].toObject();
        QCOMPARE(config["world_size"].toInt(), 2);
        QVERIFY(fs::exists(run / "checkpoints" / "last.pt"));
        QVERIFY(fs::exists(run / "checkpoints" / "best.pt"));
        QVERIFY(fs::exists(run / "log.txt"));

        // The test figures the two ranks agreed on equal one process evaluating the same model.
        const fs::path single = dir() / "eval-single";
        const auto ev = gz::test::runCli({"evaluate", "--run", q(run), "--data", q(data_),
                                          "--split", q(run / "split.csv"), "--subset", "test",
                                          "--workspace", q(workspace_), "--out", q(single)});
        QVERIFY2(ev.exitCode == 0, qPrintable(ev.err));
        const QJsonObject two = jsonFile(run / "confusion.json");
        const QJsonObject one = jsonFile(single / "confusion.json");
        QVERIFY(!two.isEmpty() && !one.isEmpty());
        QCOMPARE(two["n"].toInt(), one["n"].toInt());
        QCOMPARE(two["confusion"], one["confusion"]);
        QCOMPARE(two["accuracy"].toDouble(), one["accuracy"].toDouble());
        QVERIFY(std::abs(two["loss"].toDouble() - one["loss"].toDouble()) < 1e-5);
    }

    void sigtermOnOneRankStopsBothAndResumesAlone() {
        const fs::path run = dir() / "run-term";
        const int port = gz::freeLocalPort();
        auto r0 = startRank(0, port, run, 200);
        auto r1 = startRank(1, port, run, 200);
        QVERIFY2(waitForFile(run / "checkpoints" / "last.pt", 120000), qPrintable(err(*r0)));
        ::kill(static_cast<pid_t>(r1->processId()), SIGTERM);
        QVERIFY(finish(*r0, 60000) && finish(*r1, 60000));
        const QString e0 = err(*r0);
        QCOMPARE(r1->exitCode(), 130);
        QVERIFY2(r0->exitCode() == 130, qPrintable(e0));
        QVERIFY2(e0.contains("galaxy-cli resume"), qPrintable(e0));
        const QString out0 = QString::fromUtf8(r0->readAllStandardOutput());
        QVERIFY2(out0.contains("asked by rank 1"), qPrintable(out0));

        const int done = metricsRows(run);
        QVERIFY(done >= 1);
        // A plain, single-process resume finishes the run with the asked epoch count.
        const auto resumed =
            gz::test::runCli({"resume", "--run", q(run), "--epochs", QString::number(done + 1),
                              "--workspace", q(workspace_)},
                             240000);
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QCOMPARE(metricsRows(run), done + 1);
        QCOMPARE(jsonFile(run / "config.json")["config"].toObject()["world_size"].toInt(), 1);
    }

    void aKilledRankIsNamedAndTheRunResumes() {
        const fs::path run = dir() / "run-kill";
        const int port = gz::freeLocalPort();
        auto r0 = startRank(0, port, run, 200);
        auto r1 = startRank(1, port, run, 200);
        QVERIFY2(waitForFile(run / "checkpoints" / "last.pt", 120000), qPrintable(err(*r0)));
        QElapsedTimer clock;
        clock.start();
        r1->kill();  // SIGKILL: no goodbye
        QVERIFY(finish(*r0, 90000));
        const QString e0 = err(*r0);
        QVERIFY2(r0->exitCode() == 1, qPrintable(e0));
        QVERIFY2(e0.contains("rank 1"), qPrintable(e0));
        QVERIFY(clock.elapsed() < 60000);

        // What rank 0 wrote is intact: two ranks resume it to one more epoch.
        const int done = metricsRows(run);
        QVERIFY(done >= 1);
        const int port2 = gz::freeLocalPort();
        auto a = startRank(0, port2, run, done + 1, true);
        auto b = startRank(1, port2, run, done + 1, true);
        QVERIFY(finish(*a) && finish(*b));
        QVERIFY2(a->exitCode() == 0, qPrintable(err(*a)));
        QVERIFY2(b->exitCode() == 0, qPrintable(err(*b)));
        QCOMPARE(metricsRows(run), done + 1);
    }

    void aRankThatNeverStartsIsNamedBeforeTheTimeout() {
        const fs::path run = dir() / "run-alone";
        QElapsedTimer clock;
        clock.start();
        const auto r = gz::test::runCli(
            {"train", "--data", q(data_), "--out", q(run), "--epochs", "1", "--workspace",
             q(workspace_), "--world-size", "4", "--rank", "0", "--master",
             QString("127.0.0.1:%1").arg(gz::freeLocalPort()), "--dist-timeout", "3"},
            60000);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("ranks 1, 2, 3 never arrived"), qPrintable(r.err));
        QVERIFY(clock.elapsed() < 30000);
        QVERIFY(!fs::exists(run));  // nothing written for a run that never met
    }
};

QTEST_GUILESS_MAIN(TestDistributedCli)
#include "test_distributed_cli.moc"
