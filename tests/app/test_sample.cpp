// The real Galaxy Zoo 2 sample (GZ2_SAMPLE_DIR): its label counts under the paper's default rules
// (385 round, 380 in-between, 26 cigar, 182 edge-on, 467 spiral of 3,000) and the CLI on it.

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/labeling.h"
#include "gz/partition.h"

namespace fs = std::filesystem;
using namespace gz;

class TestSample : public QObject {
    Q_OBJECT
    std::optional<fs::path> sample_;

private slots:
    void init() {
        sample_ = test::sampleDir();
        if (!sample_)
            QSKIP(
                "GZ2_SAMPLE_DIR is not set: skipping the tests on the real Galaxy Zoo 2 sample "
                "(.ci/run sets it to ../shared/data/gz2-sample)");
        QVERIFY2(fs::is_directory(*sample_), "GZ2_SAMPLE_DIR is set but is not a folder");
    }

    void catalogOpensCompletely() {
        const Catalog c = Catalog::open(CatalogSource::kaggleFolder(*sample_));
        QCOMPARE(c.size(), std::size_t(3000));
        QCOMPARE(c.missingImages().count, std::size_t(0));
        QCOMPARE(c.presentColumns().size(), kVoteColumnCount);
    }

    void labelingGivesTheReferenceCounts() {
        const Catalog c = Catalog::open(CatalogSource::kaggleFolder(*sample_));
        const Labeling l = labelCatalog(c, LabelRules::defaults());
        QCOMPARE(l.counts, (std::array<std::size_t, 5>{385, 380, 26, 182, 467}));
        QCOMPARE(l.unlabeled, std::size_t(1560));
    }

    void cliLabelsAndSplitsTheSample() {
        QTemporaryDir tmp;
        const QString labels = tmp.filePath("labels.csv");
        auto r = test::runCli({"label", "--data", QString::fromStdString(sample_->string()),
                               "--out", labels, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonObject counts = j["counts"].toObject();
        QCOMPARE(counts["round"].toInt(), 385);
        QCOMPARE(counts["in_between"].toInt(), 380);
        QCOMPARE(counts["cigar"].toInt(), 26);
        QCOMPARE(counts["edge_on"].toInt(), 182);
        QCOMPARE(counts["spiral"].toInt(), 467);
        QCOMPARE(j["unlabeled"].toInt(), 1560);

        const auto split = stratifiedSplit(readLabelsCsv(labels.toStdString()), {}, 42);
        QCOMPARE(split.size(), std::size_t(3000));
        const SplitCounts n = countSplit(split);
        QCOMPARE(n.labeledTotal(), std::size_t(1440));
        QCOMPARE(n.unlabeled, (std::array<std::size_t, 3>{1248, 156, 156}));
        for (std::size_t s = 0; s < 3; ++s)
            for (std::size_t k = 0; k < 5; ++k) QVERIFY(n.labeled[s][k] >= 2);
    }
};

QTEST_GUILESS_MAIN(TestSample)
#include "test_sample.moc"
