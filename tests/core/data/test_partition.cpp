// Partition: stratified, every class in every split, reproducible, order-independent.

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/labeling.h"
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

using Counts = std::array<std::array<int, 5>, 3>;  // [subset][label], labeled galaxies
Counts count(const std::vector<SplitEntry>& split) {
    Counts c{};
    for (const auto& e : split)
        if (e.label != kUnlabeled)
            ++c[static_cast<std::size_t>(e.subset)][static_cast<std::size_t>(e.label)];
    return c;
}

std::vector<SplitEntry> labeledOnly(std::vector<SplitEntry> split) {
    std::erase_if(split, [](const SplitEntry& e) { return e.label == kUnlabeled; });
    return split;
}

}  // namespace

class TestPartition : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private slots:
    void stratifiesEachClassByTheRatios() {
        // The sample's class sizes.
        const auto split = stratifiedSplit(galaxies({385, 380, 26, 182, 467}, 1560), {}, 42);
        QCOMPARE(split.size(), std::size_t(3000));
        const SplitCounts counts = countSplit(split);
        QCOMPARE(counts.labeledTotal(), std::size_t(1440));
        // The unlabeled galaxies by the same ratios.
        QCOMPARE(counts.unlabeled, (std::array<std::size_t, 3>{1248, 156, 156}));
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

    void unlabeledGalaxiesNeverMoveLabeledOnes() {
        // A split.csv from before unlabeled galaxies were recorded holds the same labeled
        // galaxies in the same subsets as today's.
        const auto with = stratifiedSplit(galaxies({40, 30, 6, 20, 50}, 90), {0.7, 0.15, 0.15}, 9);
        const auto without = stratifiedSplit(galaxies({40, 30, 6, 20, 50}), {0.7, 0.15, 0.15}, 9);
        QCOMPARE(without.size(), std::size_t(146));
        QCOMPARE(labeledOnly(with), without);
        QCOMPARE(countSplit(with).unlabeledTotal(), std::size_t(90));
        QVERIFY_THROWS_EXCEPTION(DataError, stratifiedSplit({{1, 5}}, {}, 1));
        QVERIFY_THROWS_EXCEPTION(DataError, stratifiedSplit({{1, -2}}, {}, 1));
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
        const auto split = stratifiedSplit(galaxies({10, 10, 3, 10, 10}, 5), {}, 42);
        writeSplitCsv(dir / "split.csv", split);
        const std::string text = readWholeFile(dir / "split.csv");
        QVERIFY(text.starts_with("GalaxyID,label,split\n5003,0,"));
        QVERIFY(text.find("\n5132,-1,") != std::string::npos);  // the first unlabeled galaxy
        QCOMPARE(readSplitCsv(dir / "split.csv"), split);

        test::writeText(dir / "label-split.csv", "GalaxyID,label,split\n1,0,train\n2,-2,test\n");
        try {
            readSplitCsv(dir / "label-split.csv");
            QFAIL("accepted label -2");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("label-split.csv:3: column 'label'"), e.what());
        }

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

    void ratiosTextIsWhatParseReads() {
        QCOMPARE(SplitRatios{}.text(), std::string("0.8,0.1,0.1"));
        QCOMPARE((SplitRatios{0.75, 0.15, 0.1}.text('-')), std::string("0.75-0.15-0.1"));
        QCOMPARE((SplitRatios{1, 0, 0}.text('/')), std::string("1/0/0"));
        const SplitRatios r = SplitRatios::parse(SplitRatios{0.6, 0.25, 0.15}.text());
        QCOMPARE(r.train, 0.6);
        QCOMPARE(r.val, 0.25);
        QCOMPARE(r.test, 0.15);
    }

    void splitFileNameNamesDataRatiosAndSeed() {
        QCOMPARE(splitFileName("/ws", "demo-data", {}, 42),
                 fs::path("/ws/splits/demo-data-0.8-0.1-0.1-seed42.csv"));
        QCOMPARE(splitFileName("/ws", "gz2", {0.7, 0.2, 0.1}, 7),
                 fs::path("/ws/splits/gz2-0.7-0.2-0.1-seed7.csv"));
    }

    void partitionDatasetLabelsThenSplits() {
        const fs::path dir = fs::path(tmp_.path().toStdString()) / "data";
        test::writeKaggleFolder(dir, {0, 1, 2, 3, 4, 0, 1, -1, 3, 4, 0, 0, 1, 1, -1}, false);
        const Catalog catalog = Catalog::open(CatalogSource{dir / kKaggleCsvName, std::nullopt});
        const SplitRatios ratios{0.6, 0.2, 0.2};
        const auto split = partitionDataset(catalog, LabelRules::defaults(), ratios, 5);
        QCOMPARE(split, test::defaultRulesSplit(catalog, ratios, 5));
        QCOMPARE(split.size(), std::size_t(15));
        QCOMPARE(countSplit(split).unlabeledTotal(), std::size_t(2));

        // Rules that label nothing, bad ratios and a stop request are refused.
        LabelRules none = LabelRules::defaults();
        for (LabelRule& rule : none.rules) rule.enabled = false;
        QVERIFY_THROWS_EXCEPTION(DataError, partitionDataset(catalog, none, ratios, 5));
        QVERIFY_THROWS_EXCEPTION(
            DataError, partitionDataset(catalog, LabelRules::defaults(), {0.5, 0.1, 0.1}, 5));
        std::stop_source stop;
        stop.request_stop();
        QVERIFY_THROWS_EXCEPTION(Cancelled, partitionDataset(catalog, LabelRules::defaults(),
                                                             ratios, 5, stop.get_token()));
    }

    void readSplitSubsetKeepsOneSubset() {
        const fs::path file = fs::path(tmp_.path().toStdString()) / "subsets.csv";
        test::writeText(file,
                        "GalaxyID,label,split\n3,1,test\n1,0,train\n7,-1,test\n2,4,test\n5,2,"
                        "train\n8,-1,val\n");
        const auto test = readSplitSubset(file, Subset::Test);
        QCOMPARE(test.size(), std::size_t(2));
        QCOMPARE(test[0].id, std::int64_t(3));
        QCOMPARE(test[0].label, 1);
        QCOMPARE(test[1].id, std::int64_t(2));
        QCOMPARE(test[1].label, 4);
        // For a votes head: the unlabeled galaxies too, in the file's order.
        const auto all = readSplitSubset(file, Subset::Test, SplitRows::LabeledAndUnlabeled);
        QCOMPARE(all.size(), std::size_t(3));
        QCOMPARE(all[1].id, std::int64_t(7));
        QCOMPARE(all[1].label, kUnlabeled);
        // A subset of unlabeled galaxies alone is refused either way.
        QVERIFY_THROWS_EXCEPTION(
            DataError, readSplitSubset(file, Subset::Val, SplitRows::LabeledAndUnlabeled));
        try {
            readSplitSubset(file, Subset::Val);
            QFAIL("an empty subset was accepted");
        } catch (const DataError& e) {
            QCOMPARE(std::string(e.what()),
                     file.string() + ": the split has no labeled val galaxies");
        }
    }

    void latestSplitFileFindsOnlyThisDataSetsNewest() {
        const fs::path ws = fs::path(tmp_.path().toStdString()) / "ws-latest";
        QVERIFY(!latestSplitFile(ws, "demo"));  // no splits folder yet
        const auto touch = [&](const std::string& name, int minutesAgo) {
            test::writeText(ws / "splits" / name, "GalaxyID,label,split\n");
            fs::last_write_time(ws / "splits" / name, fs::file_time_type::clock::now() -
                                                          std::chrono::minutes(minutesAgo));
        };
        touch("demo-0.8-0.1-0.1-seed42.csv", 30);
        touch("demo-0.7-0.2-0.1-seed7.csv", 20);
        touch("demo-2-0.8-0.1-0.1-seed1.csv", 10);  // another data set, "demo-2"
        touch("demo-notes.csv", 5);
        touch("demo-0.8-0.1-0.1-seed9.csv.tmp", 1);
        const auto found = latestSplitFile(ws, "demo");
        QVERIFY(found);
        QCOMPARE(found->file, ws / "splits" / "demo-0.7-0.2-0.1-seed7.csv");
        QCOMPARE(found->seed, std::uint64_t(7));
        QCOMPARE(found->ratios.text(), std::string("0.7,0.2,0.1"));
        QCOMPARE(latestSplitFile(ws, "demo-2")->seed, std::uint64_t(1));
        QVERIFY(!latestSplitFile(ws, "gz2"));
    }

    void splitFitsOnlyItsLabeling() {
        const fs::path dir = fs::path(tmp_.path().toStdString()) / "data-fits";
        test::writeKaggleFolder(dir, {0, 1, 2, 3, 4, 0, 1, -1, 3, 4, 0, 0, 1, 1}, false);
        const Catalog catalog = Catalog::open(CatalogSource{dir / kKaggleCsvName, std::nullopt});
        const Labeling labeling = labelCatalog(catalog, LabelRules::defaults());
        auto split = partitionDataset(catalog, LabelRules::defaults(), {0.6, 0.2, 0.2}, 5);
        QVERIFY(splitFitsLabeling(split, catalog, labeling));
        // A split.csv written before the unlabeled galaxies were recorded is made again.
        QVERIFY(!splitFitsLabeling(labeledOnly(split), catalog, labeling));
        split.back().label = (split.back().label + 1) % kMorphologyCount;  // other rules
        QVERIFY(!splitFitsLabeling(split, catalog, labeling));
        split.pop_back();  // a galaxy the rules label is missing
        QVERIFY(!splitFitsLabeling(split, catalog, labeling));
    }
};

QTEST_APPLESS_MAIN(TestPartition)
#include "test_partition.moc"
