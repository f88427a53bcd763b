// Labeling: the paper's rules as editable data, first-match order, explanations, JSON, files.

#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

#include <cmath>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/labeling.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

// A catalog of the given columns; each row is GalaxyID followed by the values.
Catalog table(const std::string& columns, const std::vector<std::string>& rows) {
    std::string text = "GalaxyID," + columns + "\n";
    for (const auto& r : rows) text += r + "\n";
    return Catalog::parse(text, "table.csv");
}

const std::string kRuleColumns =
    "Class1.1,Class1.2,Class2.1,Class2.2,Class4.1,Class7.1,Class7.2,Class7.3";

}  // namespace

class TestLabeling : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    void defaultsAreThePapers() {
        const LabelRules r = LabelRules::defaults();
        QCOMPARE(r.rules.size(), std::size_t(5));
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(labelOf(r.rules[i].label), i);
            QVERIFY(r.rules[i].enabled);
        }
        QCOMPARE(r.rules[0].conditions,
                 (std::vector<Condition>{{"Class1.1", 0.469}, {"Class7.1", 0.5}}));
        QCOMPARE(r.rules[2].conditions,
                 (std::vector<Condition>{{"Class1.1", 0.469}, {"Class7.3", 0.5}}));
        QCOMPARE(r.rules[3].conditions,
                 (std::vector<Condition>{{"Class1.2", 0.43}, {"Class2.1", 0.602}}));
        QCOMPARE(
            r.rules[4].conditions,
            (std::vector<Condition>{{"Class1.2", 0.43}, {"Class2.2", 0.715}, {"Class4.1", 0.619}}));
    }

    void labelsEachMorphologyAndCounts() {
        const fs::path d = dir() / "five";
        const std::vector<int> labels = {0, 1, 2, 3, 4, -1, 4, 4, 0, -1};
        test::writeKaggleFolder(d, labels);
        const Catalog c = Catalog::open(CatalogSource::kaggleFolder(d));
        const Labeling l = labelCatalog(c, LabelRules::defaults());
        for (std::size_t i = 0; i < labels.size(); ++i) QCOMPARE(int(l.labels[i]), labels[i]);
        QCOMPARE(l.counts, (std::array<std::size_t, 5>{2, 1, 1, 1, 3}));
        QCOMPARE(l.unlabeled, std::size_t(2));
        // The labeled ones, in row order (ids 1000, 1001, ...), without rows 5 and 9.
        const std::vector<LabeledGalaxy> g = labeledGalaxies(c, l);
        QCOMPARE(g.size(), std::size_t(8));
        for (std::size_t i = 0, r = 0; r < labels.size(); ++r) {
            if (labels[r] < 0) continue;
            QCOMPARE(g[i].id, std::int64_t(1000 + r));
            QCOMPARE(g[i].label, labels[r]);
            ++i;
        }
    }

    void firstMatchWinsAndOrderIsData() {
        // Round and in-between both hold (7.1 = 7.2 = 0.5): the first rule in the list wins.
        const Catalog c = table(kRuleColumns, {"1,1.0,0,0,0,0,0.5,0.5,0"});
        LabelRules rules = LabelRules::defaults();
        QCOMPARE(int(labelCatalog(c, rules).labels[0]), 0);
        std::swap(rules.rules[0], rules.rules[1]);
        QCOMPARE(int(labelCatalog(c, rules).labels[0]), 1);
        const LabelExplanation e = explainLabel(c, 0, rules);
        QCOMPARE(e.label, 1);
        QCOMPARE(e.matchedRule, std::optional<std::size_t>(0));
        QVERIFY(e.failures.empty());
    }

    void thresholdsAreInclusiveAndEditable() {
        // Exactly at the thresholds (0.43 and 0.602 are not exact in binary): edge-on.
        const Catalog c = table(kRuleColumns, {"1,0.1,0.43,0.602,0,0,0,0,0"});
        LabelRules rules = LabelRules::defaults();
        QCOMPARE(int(labelCatalog(c, rules).labels[0]), 3);
        rules.rules[3].conditions[1].threshold = 0.61;
        QCOMPARE(int(labelCatalog(c, rules).labels[0]), kUnlabeled);
    }

    void spiralThresholdDefaultIs0619() {
        const Catalog c = table(kRuleColumns, {"1,0.1,0.9,0.1,0.8,0.65,0,0,0"});
        LabelRules rules = LabelRules::defaults();
        QCOMPARE(int(labelCatalog(c, rules).labels[0]), 4);
        rules.rules[4].conditions[2].threshold = 0.69;  // the paper's table
        QCOMPARE(int(labelCatalog(c, rules).labels[0]), kUnlabeled);
    }

    void switchedOffRuleIsSkipped() {
        const Catalog c = table(kRuleColumns, {"1,1.0,0,0,0,0,0.5,0.5,0"});
        LabelRules rules = LabelRules::defaults();
        rules.rules[0].enabled = false;
        QCOMPARE(int(labelCatalog(c, rules).labels[0]), 1);
        rules.rules[1].enabled = false;
        QCOMPARE(int(labelCatalog(c, rules).labels[0]), kUnlabeled);
    }

    void missingColumnRefusesUnlessRuleIsOff() {
        // No Class7.3: the cigar rule cannot be evaluated; never read as zero.
        const Catalog c = table("Class1.1,Class1.2,Class2.1,Class2.2,Class4.1,Class7.1,Class7.2",
                                {"1,0.9,0.1,0,0,0,0.1,0.1"});
        try {
            labelCatalog(c, LabelRules::defaults());
            QFAIL("labeled without a needed column");
        } catch (const DataError& e) {
            const QString msg = e.what();
            QVERIFY2(msg.contains("table.csv"), qPrintable(msg));
            QVERIFY2(msg.contains("'Class7.3'"), qPrintable(msg));
            QVERIFY2(msg.contains("'cigar'"), qPrintable(msg));
        }
        LabelRules rules = LabelRules::defaults();
        rules.rules[2].enabled = false;
        const Labeling l = labelCatalog(c, rules);
        QCOMPARE(int(l.labels[0]), kUnlabeled);
    }

    void explainsWhyNoRuleMatched() {
        const Catalog c = table(kRuleColumns, {"1,0.6,0.3,0.1,0.2,0.1,0.2,0.3,0.1"});
        const LabelExplanation e = explainLabel(c, 0, LabelRules::defaults());
        QCOMPARE(e.label, kUnlabeled);
        QVERIFY(!e.matchedRule);
        QCOMPARE(e.failures.size(), std::size_t(5));
        QCOMPARE(e.failures[0].condition.column, std::string("Class7.1"));  // 1.1 passed
        QCOMPARE(e.failures[0].value, 0.2);
        QCOMPARE(e.failures[0].condition.threshold, 0.5);
        QCOMPARE(e.failures[3].condition.column, std::string("Class1.2"));
        QCOMPARE(e.failures[3].value, 0.3);
        QCOMPARE(e.failures[3].label, Morphology::EdgeOn);
        const QString text = QString::fromStdString(e.text());
        QVERIFY2(text.contains("not round: Class7.1 = 0.200 < 0.500"), qPrintable(text));
        QVERIFY2(text.contains("not edge_on: Class1.2 = 0.300 < 0.430"), qPrintable(text));
        QVERIFY2(text.contains("unlabeled"), qPrintable(text));
    }

    void explainsTheMatch() {
        const Catalog c = table(kRuleColumns, {"1,0.1,0.9,0.1,0.8,0.65,0,0,0"});
        const LabelExplanation e = explainLabel(c, 0, LabelRules::defaults());
        QCOMPARE(e.label, 4);
        QCOMPARE(e.matchedRule, std::optional<std::size_t>(4));
        QCOMPARE(e.failures.size(), std::size_t(4));
        QVERIFY(QString::fromStdString(e.text()).contains("spiral: rule 5 matched"));
    }

    void jsonRoundTrip() {
        LabelRules rules = LabelRules::defaults();
        rules.rules[4].conditions[2].threshold = 0.69;
        rules.rules[2].enabled = false;
        std::swap(rules.rules[0], rules.rules[3]);
        const fs::path file = dir() / "rules" / "my-rules.json";
        rules.save(file);
        QCOMPARE(LabelRules::load(file), rules);
        QVERIFY(!(LabelRules::load(file) == LabelRules::defaults()));
    }

    void jsonRefusals_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("not json") << "{rules: oops"
                                  << "not valid JSON";
        QTest::newRow("no rules") << "{\"x\": 1}"
                                  << "\"rules\" array";
        QTest::newRow("unknown label")
            << R"({"rules":[{"label":"blob","conditions":[{"column":"Class1.1","at_least":0.5}]}]})"
            << "unknown label";
        QTest::newRow("unknown column")
            << R"({"rules":[{"label":"round","conditions":[{"column":"Class99","at_least":0.5}]}]})"
            << "unknown vote column 'Class99'";
        QTest::newRow("threshold out of range")
            << R"({"rules":[{"label":"round","conditions":[{"column":"Class1.1","at_least":2}]}]})"
            << "within [0, 1]";
        QTest::newRow("threshold not a number")
            << R"({"rules":[{"label":"round","conditions":[{"column":"Class1.1","at_least":"x"}]}]})"
            << "malformed";
    }

    void jsonRefusals() {
        QFETCH(QString, json);
        QFETCH(QString, fragment);
        try {
            LabelRules::fromJson(json.toStdString(), "rules.json");
            QFAIL("accepted bad rules");
        } catch (const DataError& e) {
            const QString msg = e.what();
            QVERIFY2(msg.startsWith("rules.json: "), qPrintable(msg));
            QVERIFY2(msg.contains(fragment), qPrintable(msg));
        }
    }

    void labelsCsvRoundTripAndValidation() {
        const fs::path d = dir() / "lab";
        test::writeKaggleFolder(d, {2, -1, 4});
        const Catalog c = Catalog::open(CatalogSource::kaggleFolder(d));
        const fs::path out = dir() / "out" / "labels.csv";
        writeLabelsCsv(out, c, labelCatalog(c, LabelRules::defaults()));
        QCOMPARE(readWholeFile(out),
                 std::string("GalaxyID,label,morphology\n1000,2,cigar\n1001,-1,unlabeled\n"
                             "1002,4,spiral\n"));
        const auto back = readLabelsCsv(out);
        QCOMPARE(back.size(), std::size_t(3));
        QCOMPARE(back[1].label, kUnlabeled);
        QCOMPARE(back[2].id, std::int64_t(1002));

        test::writeText(dir() / "bad-labels.csv", "GalaxyID,label,morphology\r\n5,7,spiral\r\n");
        try {
            readLabelsCsv(dir() / "bad-labels.csv");
            QFAIL("accepted label 7");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("bad-labels.csv:2: column 'label'"), e.what());
        }
        test::writeText(dir() / "mismatch.csv", "GalaxyID,label,morphology\n5,1,spiral\n");
        QVERIFY_THROWS_EXCEPTION(DataError, readLabelsCsv(dir() / "mismatch.csv"));
    }

    void unwritableOutputLeavesNothingBehind() {
        const fs::path d = dir() / "w";
        test::writeKaggleFolder(d, {0});
        const Catalog c = Catalog::open(CatalogSource::kaggleFolder(d));
        // A path below a regular file cannot be created.
        const fs::path blocker = dir() / "blocker";
        test::writeText(blocker, "x");
        QVERIFY_THROWS_EXCEPTION(
            DataError,
            writeLabelsCsv(blocker / "labels.csv", c, labelCatalog(c, LabelRules::defaults())));
        // An existing output is replaced whole or not at all.
        const fs::path existing = dir() / "existing.csv";
        test::writeText(existing, "previous content\n");
        fs::permissions(dir(), fs::perms::owner_write, fs::perm_options::remove);
        const bool canStillWrite = ::access(dir().c_str(), W_OK) == 0;  // root ignores modes
        if (!canStillWrite) {
            QVERIFY_THROWS_EXCEPTION(
                DataError, writeLabelsCsv(existing, c, labelCatalog(c, LabelRules::defaults())));
            QCOMPARE(readWholeFile(existing), std::string("previous content\n"));
        }
        fs::permissions(dir(), fs::perms::owner_write, fs::perm_options::add);
    }
};

QTEST_APPLESS_MAIN(TestLabeling)
#include "test_labeling.moc"
