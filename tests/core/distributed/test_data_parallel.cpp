// Data-parallel training's parts: where a rank finds the others (command line, PyTorch's
// variables, Slurm's), the shares, and the c10d steps with the ranks as threads of this
// process — parameters the same bits on every rank after every step, and equal to one process
// on the joint batch; ranks that do not come are named.

#include <QtTest>
#include <map>
#include <optional>

#include "data_parallel_runs.h"
#include "distributed/shares.h"
#include "fixtures.h"
#include "gz/error.h"
#include "gz/world.h"

using namespace gz;

namespace {

EnvironmentFn envOf(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

World local(int rank, int size, int port, double timeout) {
    World w;
    w.size = size;
    w.rank = rank;
    w.masterPort = port;
    w.timeoutSeconds = timeout;
    return w;
}

bool contains(const std::string& text, const char* needle) {
    return text.find(needle) != std::string::npos;
}

}  // namespace

class TestDataParallel : public QObject {
    Q_OBJECT

private slots:
    void worldFromOptionsFirst() {
        WorldArgs args;
        args.size = 4;
        args.rank = 2;
        args.master = "node3:1234";
        const World w =
            resolveWorld(args, envOf({{"WORLD_SIZE", "8"}, {"RANK", "1"}, {"SLURM_PROCID", "5"}}));
        QCOMPARE(w.size, 4);
        QCOMPARE(w.rank, 2);
        QCOMPARE(w.masterAddr, std::string("node3"));
        QCOMPARE(w.masterPort, 1234);
        QCOMPARE(w.origin, std::string("options"));
    }

    void worldFromLauncherThenSlurm() {
        const World launcher = resolveWorld({}, envOf({{"WORLD_SIZE", "3"},
                                                       {"RANK", "1"},
                                                       {"MASTER_ADDR", "10.0.0.5"},
                                                       {"MASTER_PORT", "29999"},
                                                       {"SLURM_PROCID", "0"},
                                                       {"SLURM_NTASKS", "9"}}));
        QCOMPARE(launcher.size, 3);
        QCOMPARE(launcher.rank, 1);
        QCOMPARE(launcher.masterAddr, std::string("10.0.0.5"));
        QCOMPARE(launcher.masterPort, 29999);
        QCOMPARE(launcher.origin, std::string("environment"));

        const World slurm = resolveWorld({}, envOf({{"SLURM_PROCID", "3"},
                                                    {"SLURM_STEP_ID", "0"},
                                                    {"SLURM_NTASKS", "8"},
                                                    {"SLURM_STEP_NODELIST", "cn[017-020],gpu1"},
                                                    {"SLURM_JOB_ID", "123456"}}));
        QCOMPARE(slurm.size, 8);
        QCOMPARE(slurm.rank, 3);
        QCOMPARE(slurm.masterAddr, std::string("cn017"));
        QCOMPARE(slurm.masterPort, slurmPort(123456));
        QVERIFY(slurm.masterPort >= 20000 && slurm.masterPort < 30000);
        // MASTER_ADDR wins over the node list (emulated nodes do not resolve); the step's task
        // count over the job's.
        const World step = resolveWorld({}, envOf({{"SLURM_PROCID", "1"},
                                                   {"SLURM_NTASKS", "8"},
                                                   {"SLURM_STEP_NUM_TASKS", "2"},
                                                   {"SLURM_STEP_NODELIST", "n[1-2]"},
                                                   {"MASTER_ADDR", "127.0.0.1"},
                                                   {"SLURM_JOB_ID", "7"}}));
        QCOMPARE(step.size, 2);
        QCOMPARE(step.masterAddr, std::string("127.0.0.1"));

        const World plain = resolveWorld({}, envOf({}));
        QVERIFY(!plain.distributed());
        QVERIFY(plain.origin.empty());
        // A batch script's own shell (what sbatch -n 2 runs before any srun) is one process.
        const World batchStep = resolveWorld({}, envOf({{"SLURM_PROCID", "0"},
                                                        {"SLURM_NTASKS", "2"},
                                                        {"SLURM_JOB_ID", "9"},
                                                        {"SLURM_JOB_NODELIST", "n[1-2]"}}));
        QVERIFY(!batchStep.distributed());
    }

    void badWorldsAreNamed() {
        auto fails = [](const WorldArgs& args, const EnvironmentFn& env, const char* needle) {
            try {
                resolveWorld(args, env);
            } catch (const DataError& e) {
                QVERIFY2(contains(e.what(), needle), e.what());
                return;
            }
            QFAIL("no error");
        };
        WorldArgs noRank;
        noRank.size = 2;
        fails(noRank, envOf({}), "--rank");
        WorldArgs outside;
        outside.size = 2;
        outside.rank = 2;
        fails(outside, envOf({}), "rank 2 is outside 0..1");
        WorldArgs badMaster;
        badMaster.size = 2;
        badMaster.rank = 0;
        badMaster.master = "node3";
        fails(badMaster, envOf({}), "HOST:PORT");
        fails({}, envOf({{"WORLD_SIZE", "2"}}), "RANK is not");
        fails({}, envOf({{"WORLD_SIZE", "two"}, {"RANK", "0"}}), "WORLD_SIZE must be a whole");
    }

    void firstSlurmHosts() {
        QCOMPARE(firstSlurmHost("n1"), std::string("n1"));
        QCOMPARE(firstSlurmHost("n[1-2]"), std::string("n1"));
        QCOMPARE(firstSlurmHost("node[007-009,012],gpu[1-2]"), std::string("node007"));
        QCOMPARE(firstSlurmHost("login,cn[3-4]"), std::string("login"));
    }

    void sharesCoverEveryItemOnce() {
        for (std::size_t n : {0, 1, 7, 28, 100})
            for (int size : {1, 2, 3, 8}) {
                std::vector<int> seen(n, 0);
                for (int r = 0; r < size; ++r) {
                    const auto [first, last] = detail::shareOf(n, r, size);
                    QVERIFY(last - first <= n / static_cast<std::size_t>(size) + 1);
                    for (std::size_t i = first; i < last; ++i) ++seen[i];
                }
                for (int s : seen) QCOMPARE(s, 1);
            }
    }

    // In an epoch of whole batches, the ranks' shares take every position once, each rank the
    // same number; the positions are those a single process trains.
    void batchSharesTakeEveryTrainingGalaxyOnce() {
        for (int size : {1, 2, 4, 8}) {
            const std::size_t batch = 64, batches = 9;
            std::vector<int> taken(batches * batch, 0);
            for (int r = 0; r < size; ++r) {
                std::size_t mine = 0;
                for (std::size_t b = 0; b < batches; ++b) {
                    const auto share = detail::batchShareOf(b, batch, r, size);
                    QVERIFY(share.first >= b * batch &&
                            share.first + share.count <= (b + 1) * batch);
                    for (std::size_t p = share.first; p < share.first + share.count; ++p)
                        ++taken[p];
                    mine += share.count;
                }
                QCOMPARE(mine, batches * batch / static_cast<std::size_t>(size));
            }
            for (int t : taken) QCOMPARE(t, 1);
        }
    }

    // 2 ranks x 16 take the same steps as 1 process x 32, with and without class weights (the
    // global batch's weight is the denominator), with and without unlabeled images (a votes
    // head's, which add nothing to the cross-entropy); the ranks hold the same bits after every
    // step.
    void twoRanksEqualOneProcessWithoutBatchNorm_data() {
        QTest::addColumn<bool>("weighted");
        QTest::addColumn<bool>("unlabeled");
        QTest::newRow("mean") << false << false;
        QTest::newRow("class weights") << true << false;
        QTest::newRow("class weights, a third unlabeled") << true << true;
    }
    void twoRanksEqualOneProcessWithoutBatchNorm() {
        QFETCH(bool, weighted);
        QFETCH(bool, unlabeled);
        const auto c = test::twoRanksAgainstOneProcess(weighted, unlabeled, freeLocalPort());
        QVERIFY2(std::abs(c.firstLossFromLibTorch) < 1e-6,
                 qPrintable(QString::number(c.firstLossFromLibTorch)));
        QCOMPARE(c.ranksIdentical.size(), std::size_t{4});
        for (std::size_t s = 0; s < c.ranksIdentical.size(); ++s) {
            QVERIFY2(c.ranksIdentical[s], qPrintable(QString("ranks differ after step %1").arg(s)));
            QVERIFY2(c.fromOneProcess[s] < 1e-6,
                     qPrintable(
                         QString("step %1: %2 from one process").arg(s).arg(c.fromOneProcess[s])));
            QVERIFY(std::abs(c.lossDifference[s]) < 1e-6);
            QVERIFY(c.lossAgreed[s]);
        }
    }

    // A network with BatchNorm: the same bits on every rank after every step, the running
    // statistics after their broadcast, and a loss curve close to one process's.
    void compactStaysIdenticalOnEveryRank_data() {
        QTest::addColumn<int>("votesLoss");  // -1: no votes head
        QTest::newRow("classes") << -1;
        QTest::newRow("classes and votes, squared error")
            << static_cast<int>(VotesLoss::SquaredError);
        QTest::newRow("classes and votes, cross-entropy")
            << static_cast<int>(VotesLoss::CrossEntropy);
    }
    void compactStaysIdenticalOnEveryRank() {
        QFETCH(int, votesLoss);
        const auto run = test::compactOnTwoRanks(
            freeLocalPort(),
            votesLoss < 0 ? std::nullopt : std::optional(static_cast<VotesLoss>(votesLoss)));
        QCOMPARE(run.ranksIdentical.size(), std::size_t{6});
        for (bool same : run.ranksIdentical) QVERIFY(same);
        // The loss curve follows one process on the joint batch: BatchNorm's batch statistics
        // over 8 images instead of 16 move it a little, never far.
        for (std::size_t s = 0; s < run.lossDifference.size(); ++s) {
            qInfo("step %zu: loss %+.4f from one process", s + 1, run.lossDifference[s]);
            QVERIFY(std::abs(run.lossDifference[s]) < 0.08);
        }
        QVERIFY(run.buffersIdentical);
        QVERIFY(run.reduceSeconds > 0);
    }

    void ranksThatNeverArriveAreNamed() {
        const auto alone = test::meetingErrors({local(0, 3, freeLocalPort(), 1)});
        QVERIFY2(contains(alone[0], "ranks 1, 2 never arrived"), alone[0].c_str());
        const auto orphan = test::meetingErrors({local(1, 2, freeLocalPort(), 1)});
        QVERIFY2(contains(orphan[0], "could not reach rank 0"), orphan[0].c_str());
    }

    void aDifferentWorldSizeIsRefused() {
        const int port = freeLocalPort();
        const auto errors = test::meetingErrors({local(0, 2, port, 3), local(1, 3, port, 3)});
        QVERIFY2(contains(errors[0], "world size 3"), errors[0].c_str());
    }
};

QTEST_GUILESS_MAIN(TestDataParallel)
#include "test_data_parallel.moc"
