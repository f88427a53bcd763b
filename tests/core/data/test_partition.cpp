// Partition: stratified, every class in every split, reproducible, order-independent.

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <map>
#include <random>

#include "fixtures.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/partition.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

// Galaxies with the given number per class (ids interleaved across classes), plus unlabeled.
std::vector<LabeledGalaxy> galaxies(const std::array<int, 5>& perClass, int unlabeled = 0) {
    std::vector<LabeledGalaxy> g;
    std::int64_t id = 5000;
    for (int label = 0; label < 5; ++label)
        for (int i = 0; i < perClass[static_cast<std::size_t>(label)]; ++i)
            g.push_back({id += 3, label});
    for (int i = 0; i < unlabeled; ++i) g.push_back({id += 3, kUnlabeled});
    return g;
}

using Counts = std::array<std::array<int, 5>, 3>;  // [subset][label]
Counts count(const std::vector<SplitEntry>& split) {
    Counts c{};
    for (const auto& e : split)
        ++c[static_cast<std::size_t>(e.subset)][static_cast<std::size_t>(e.label)];
    return c;
}

}  // namespace

class TestPartition : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private slots:
    void stratifiesEachClassByTheRatios() {
        // The sample's class sizes.
        const auto split = stratifiedSplit(galaxies({385, 380, 26, 182, 467}, 100), {}, 42);
        QCOMPARE(split.size(), std::size_t(1440));  // unlabeled left out
        const Counts c = count(split);
        const std::array<int, 5> n = {385, 380, 26, 182, 467};
        for (std::size_t k = 0; k < 5; ++k) {
            QCOMPARE(c[0][k] + c[1][k] + c[2][k], n[k]);
            // Each split holds its share of each class, to within one galaxy.
            QVERIFY(std::abs(c[1][k] - 0.1 * n[k]) <= 1.0);
            QVERIFY(std::abs(c[2][k] - 0.1 * n[k]) <= 1.0);
        }
        QCOMPARE(c[2][2], 3);  // 26 cigars: 2.6 -> 3 in test
        QVERIFY(std::is_sorted(split.begin(), split.end(),
                               [](auto& a, auto& b) { return a.id < b.id; }));
    }

    void everyClassInEverySplitFromThreeMembers() {
        for (int n = 3; n <= 12; ++n) {
            const auto c = count(stratifiedSplit(galaxies({n, 3, 4, 5, 40}), {0.8, 0.1, 0.1}, 7));
            for (std::size_t s = 0; s < 3; ++s)
                for (std::size_t k = 0; k < 5; ++k)
                    QVERIFY2(c[s][k] >= 1,
                             qPrintable(QString("n=%1 subset %2 class %3").arg(n).arg(s).arg(k)));
        }
        // Fewer than 3 members: still kept, in training first.
        const auto c = count(stratifiedSplit(galaxies({1, 2, 3, 3, 3}), {}, 1));
        QCOMPARE(c[0][0], 1);
        QCOMPARE(c[0][1] + c[1][1] + c[2][1], 2);
        QVERIFY(c[0][1] >= 1);
    }

    void originalWorkflowRatios() {
        const auto c = count(stratifiedSplit(galaxies({1000, 0, 0, 0, 0}), {0.56, 0.24, 0.2}, 42));
        QCOMPARE(c[0][0], 560);
        QCOMPARE(c[1][0], 240);
        QCOMPARE(c[2][0], 200);
        // Zero validation ratio: no validation split at all.
        const auto noVal =
            count(stratifiedSplit(galaxies({50, 50, 5, 50, 50}), {0.9, 0.0, 0.1}, 42));
        for (std::size_t k = 0; k < 5; ++k) QCOMPARE(noVal[1][k], 0);
    }

    void reproducibleAndOrderIndependent() {
        auto g = galaxies({100, 90, 12, 40, 120}, 30);
        const auto a = stratifiedSplit(g, {}, 42);
        std::mt19937 gen(3);
        std::shuffle(g.begin(), g.end(), gen);
        QCOMPARE(stratifiedSplit(g, {}, 42), a);
        const auto other = stratifiedSplit(g, {}, 43);
        QVERIFY(!(other == a));
        QCOMPARE(count(other)[2], count(a)[2]);  // same sizes, other members
    }

    void refusesBadRatiosAndDuplicates() {
        QVERIFY_THROWS_EXCEPTION(DataError, SplitRatios::parse("0.8,0.1"));
        QVERIFY_THROWS_EXCEPTION(DataError, SplitRatios::parse("0.8,0.1,0.2"));
        QVERIFY_THROWS_EXCEPTION(DataError, SplitRatios::parse("0.8,x,0.1"));
        QVERIFY_THROWS_EXCEPTION(DataError, SplitRatios::parse("1.2,-0.1,-0.1"));
        QVERIFY_THROWS_EXCEPTION(DataError, SplitRatios::parse("0,0.5,0.5"));
        const SplitRatios r = SplitRatios::parse("0.7,0.2,0.1");
        QCOMPARE(r.val, 0.2);
        QVERIFY_THROWS_EXCEPTION(DataError, stratifiedSplit({{1, 0}, {1, 2}}, {}, 1));
    }

    void splitCsvRoundTripAndValidation() {
        const fs::path dir(tmp_.path().toStdString());
        const auto split = stratifiedSplit(galaxies({10, 10, 3, 10, 10}), {}, 42);
        writeSplitCsv(dir / "split.csv", split);
        QVERIFY(readWholeFile(dir / "split.csv").starts_with("GalaxyID,label,split\n5003,0,"));
        QCOMPARE(readSplitCsv(dir / "split.csv"), split);

        test::writeText(dir / "bad-split.csv", "GalaxyID,label,split\n1,0,train\n2,0,holdout\n");
        try {
            readSplitCsv(dir / "bad-split.csv");
            QFAIL("accepted an unknown split");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("bad-split.csv:3: column 'split'"), e.what());
        }
        test::writeText(dir / "dup-split.csv", "GalaxyID,label,split\n1,0,train\n1,0,test\n");
        QVERIFY_THROWS_EXCEPTION(DataError, readSplitCsv(dir / "dup-split.csv"));
    }
};

QTEST_APPLESS_MAIN(TestPartition)
#include "test_partition.moc"
