// How a model with a votes head decides the five classes (--decision): the classification head,
// the vote fractions the label rules read, or both combined; recorded in a run, chosen again at
// evaluate and predict, and old runs decide by the head.

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/error.h"
#include "gz/evaluation.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/run_folder.h"
#include "gz/training.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

// The fraction each class's default rule reads deepest: Class7.1, 7.2, 7.3 (smooth: round,
// in-between, cigar-shaped), Class2.1 (edge-on), Class4.1 (spiral). In the cumulative fractions
// it is the smallest of the rule's columns.
std::array<double, kMorphologyCount> voteScores(const std::vector<float>& f) {
    const auto at = [&](const char* column) {
        return static_cast<double>(f[*voteColumnIndex(column)]);
    };
    return {at("Class7.1"), at("Class7.2"), at("Class7.3"), at("Class2.1"), at("Class4.1")};
}

template <class Values>
int argMax(const Values& v) {
    return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

}  // namespace

class TestDecision : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    fs::path data_, workspace_;

    std::vector<Prediction> predict(const fs::path& run, std::optional<Decision> decision) const {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        const auto galaxies =
            labeledGalaxies(catalog, labelCatalog(catalog, LabelRules::defaults()));
        return predictCatalog(run, catalog, galaxies, workspace_, true, Precision::Fp32, 2, {}, {},
                              nullptr, CheckpointChoice::Best, decision);
    }

private slots:
    void initTestCase() {
        data_ = dir() / "data";
        workspace_ = dir() / "workspace";
        writeDemoDataset(data_, DemoOptions{60, 7, kKaggleImageSide});
    }

    void theDecisionIsRecordedAndOldRunsDecideByTheHead() {
        QVERIFY(TrainConfig{}.decision == Decision::Combined);
        for (Decision d : {Decision::Combined, Decision::Head, Decision::Fractions}) {
            TrainConfig c;
            c.epochs = 1;
            c.decision = d;
            QVERIFY(TrainConfig::fromJson(c.toJson()).decision == d);
        }
        // A config.json from before the option has no "decision": its run decided by the head.
        TrainConfig c;
        c.epochs = 1;
        std::string text = c.toJson();
        const std::string line = "\"decision\": \"combined\",";
        const auto at = text.find(line);
        QVERIFY(at != std::string::npos);
        text.erase(at, line.size());
        QVERIFY(TrainConfig::fromJson(text).decision == Decision::Head);
        // An unknown key is refused, naming the file and the keys.
        std::string unknown = c.toJson();
        unknown.replace(unknown.find("\"combined\""), 10, "\"vote\"");
        try {
            TrainConfig::fromJson(unknown, "config.json");
            QFAIL("an unknown decision was accepted");
        } catch (const DataError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("config.json") != std::string::npos &&
                         what.find("fractions") != std::string::npos,
                     e.what());
        }
    }

    void theDecisionsReadTheHeadAndTheRulesFractions() {
        TrainConfig config = test::quickTraining(2);
        config.votesWeight = 10;
        const auto run = test::trainRun(data_, workspace_, {0.6, 0.2, 0.2}, config);
        QCOMPARE(run.outcome.status, TrainOutcome::Status::Finished);
        const auto head = predict(run.dir, Decision::Head);
        const auto fractions = predict(run.dir, Decision::Fractions);
        const auto combined = predict(run.dir, Decision::Combined);
        const auto asTrained = predict(run.dir, std::nullopt);
        QVERIFY(!head.empty());
        QCOMPARE(fractions.size(), head.size());
        QCOMPARE(combined.size(), head.size());
        int differ = 0;
        for (std::size_t i = 0; i < head.size(); ++i) {
            QCOMPARE(fractions[i].id, head[i].id);
            QCOMPARE(head[i].fractions, fractions[i].fractions);  // the same network
            const auto s = voteScores(head[i].fractions);
            double sum = 0, combinedSum = 0;
            for (std::size_t k = 0; k < s.size(); ++k) {
                sum += s[k];
                combinedSum += std::sqrt(head[i].probabilities[k] * s[k]);
            }
            QVERIFY(sum > 0);
            for (std::size_t k = 0; k < s.size(); ++k) {
                // fractions: the scores normalised; combined: the geometric mean of the head's
                // probability and the score, normalised.
                QVERIFY(std::abs(fractions[i].probabilities[k] - s[k] / sum) < 1e-5);
                const double expected = std::sqrt(head[i].probabilities[k] * s[k]) / combinedSum;
                QVERIFY(std::abs(combined[i].probabilities[k] - expected) < 1e-5);
            }
            QCOMPARE(fractions[i].predicted(), argMax(s));
            differ += fractions[i].predicted() != head[i].predicted();
            // Without --decision the run's own: combined, the default.
            QCOMPARE(asTrained[i].probabilities, combined[i].probabilities);
        }
        qInfo("the fractions decide %d of %zu galaxies otherwise than the head", differ,
              head.size());
        // The run's own test predictions are the combined decision's.
        QVERIFY(loadRunConfig(run.dir).decision == Decision::Combined);
        const auto written = readPredictionsCsv(RunFolder{run.dir}.predictions());
        QVERIFY(!written.empty());
        for (const auto& w : written) {
            const auto it = std::find_if(combined.begin(), combined.end(),
                                         [&](const Prediction& p) { return p.id == w.id; });
            QVERIFY(it != combined.end());
            QCOMPARE(w.predicted(), it->predicted());
        }
    }

    void aRunWithoutTheHeadDecidesByItsClassifier() {
        TrainConfig config = test::quickTraining(1);
        config.votesWeight = 0;
        config.decision = Decision::Fractions;  // nothing to read: the classifier decides
        const auto run = test::trainRun(data_, workspace_, {0.6, 0.2, 0.2}, config);
        QCOMPARE(run.outcome.status, TrainOutcome::Status::Finished);
        const auto head = predict(run.dir, Decision::Head);
        const auto fractions = predict(run.dir, std::nullopt);
        QCOMPARE(fractions.size(), head.size());
        for (std::size_t i = 0; i < head.size(); ++i) {
            QVERIFY(fractions[i].fractions.empty());
            QCOMPARE(fractions[i].probabilities, head[i].probabilities);
        }
    }

    void galaxyCliTrainsEvaluatesAndPredictsWithADecision() {
        const fs::path run = dir() / "cli-run";
        const auto trained =
            test::runCli({"train", "--data", test::q(data_), "--out", test::q(run), "--epochs", "1",
                          "--votes-weight", "10", "--decision", "head", "--threads", "2",
                          "--workspace", test::q(workspace_)});
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
        QVERIFY(loadRunConfig(run).decision == Decision::Head);
        // evaluate --decision fractions: each predicted class is the one whose rule's fraction
        // is highest in the fractions file written beside it.
        const fs::path out = dir() / "evaluated";
        const auto evaluated = test::runCli(
            {"evaluate", "--run", test::q(run), "--data", test::q(data_), "--decision", "fractions",
             "--threads", "2", "--workspace", test::q(workspace_), "--out", test::q(out)});
        QVERIFY2(evaluated.exitCode == 0, qPrintable(evaluated.err));
        const auto predictions = readPredictionsCsv(RunFolder{out}.predictions());
        const fs::path fractionsFile = RunFolder{out}.fractions();
        const Catalog predicted = Catalog::open(CatalogSource{fractionsFile, std::nullopt});
        QVERIFY(!predictions.empty());
        for (const auto& p : predictions) {
            const auto row = predicted.rowOf(p.id);
            QVERIFY(row.has_value());
            std::vector<float> f;
            for (double x : predicted.row(*row)) f.push_back(static_cast<float>(x));
            QCOMPARE(p.predicted(), argMax(voteScores(f)));
        }
        // predict on a folder takes it too; an unknown decision is refused, naming the keys.
        const fs::path folderOut = dir() / "folder-predictions.csv";
        const auto folder =
            test::runCli({"predict", "--run", test::q(run), "--images",
                          test::q(data_ / std::string(kKaggleImageDirName)), "--out",
                          test::q(folderOut), "--decision", "combined", "--threads", "2"});
        QVERIFY2(folder.exitCode == 0, qPrintable(folder.err));
        QVERIFY(fs::exists(folderOut));
        const auto unknown =
            test::runCli({"evaluate", "--run", test::q(run), "--data", test::q(data_), "--decision",
                          "vote", "--workspace", test::q(workspace_)});
        QVERIFY(unknown.exitCode != 0);
        QVERIFY2(unknown.err.contains("combined") && unknown.err.contains("fractions"),
                 qPrintable(unknown.err));
    }
};

QTEST_GUILESS_MAIN(TestDecision)
#include "test_decision.moc"
