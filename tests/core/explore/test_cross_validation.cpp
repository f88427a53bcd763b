// k-fold cross-validation (gz/cross_validation.h) and `galaxy-cli crossval`: the folds, and every
// galaxy predicted by the one fold run that did not train on it.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <map>
#include <set>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/cross_validation.h"
#include "gz/demo.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/partition.h"
#include "gz/run_folder.h"
#include "gz/vote_fit.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

QJsonObject parseJson(const QString& text) {
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

}  // namespace

class TestCrossValidation : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    // A small demo data set: its galaxies, and those the rules label.
    fs::path data_;
    std::size_t galaxies_ = 0, labeled_ = 0;

    // galaxy-cli crossval on the small folder into `out`, 2 folds of one epoch, and `extra`.
    test::CliResult crossval(const fs::path& data, const fs::path& out, const QStringList& extra) {
        const QStringList args = {"crossval",   "--data",      test::q(data),        "--out",
                                  test::q(out), "--workspace", test::q(dir() / "ws")};
        const QStringList quick = {"--folds", "2",         "--epochs", "1",       "--batch",
                                   "8",       "--threads", "2",        "--no-tta"};
        return test::runCli(args + quick + extra, 300000);
    }

    // Of each fold run's training and validation galaxies, the share validated on, to 0.1.
    std::vector<double> validationShares(const fs::path& out, int folds) {
        std::vector<double> shares;
        for (int f = 1; f <= folds; ++f) {
            std::size_t train = 0, val = 0;
            for (const SplitEntry& e :
                 readSplitCsv(RunFolder{out / ("fold-" + std::to_string(f))}.split())) {
                train += e.subset == Subset::Train;
                val += e.subset == Subset::Val;
            }
            shares.push_back(
                std::round(10.0 * static_cast<double>(val) / static_cast<double>(train + val)) /
                10);
        }
        return shares;
    }

private slots:
    void initTestCase() {
        data_ = dir() / "demo";
        writeDemoDataset(data_, DemoOptions{40, 2, kKaggleImageSide});
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        galaxies_ = catalog.size();
        labeled_ = labeledGalaxies(catalog, labelCatalog(catalog, LabelRules::defaults())).size();
        // Some galaxies the rules leave unlabeled, for the votes head to learn from.
        QVERIFY2(labeled_ >= 20 && labeled_ < galaxies_, qPrintable(QString::number(labeled_)));
    }

    void foldsAreStratifiedAndStable() {
        std::vector<LabeledGalaxy> g;
        for (int i = 0; i < 103; ++i) g.push_back({500 + i * 3, i % 5 == 2 ? 2 : i % 4});
        for (int i = 0; i < 21; ++i) g.push_back({900 + i, kUnlabeled});  // one more group
        const auto folds = stratifiedFolds(g, 5, 1);
        std::map<int, std::array<int, 5>> perClass;
        for (std::size_t i = 0; i < g.size(); ++i) {
            QVERIFY(folds[i] >= 0 && folds[i] < 5);
            ++perClass[g[i].label][static_cast<std::size_t>(folds[i])];
        }
        QCOMPARE(perClass.size(), std::size_t{5});
        for (const auto& [label, counts] : perClass)
            QVERIFY(*std::max_element(counts.begin(), counts.end()) -
                        *std::min_element(counts.begin(), counts.end()) <=
                    1);
        // Input order does not matter; the seed does.
        auto reversed = g;
        std::reverse(reversed.begin(), reversed.end());
        auto back = stratifiedFolds(reversed, 5, 1);
        std::reverse(back.begin(), back.end());
        QCOMPARE(back, folds);
        QVERIFY(stratifiedFolds(g, 5, 2) != folds);
        QVERIFY_THROWS_EXCEPTION(DataError, stratifiedFolds(g, 1, 1));
        QVERIFY_THROWS_EXCEPTION(DataError, stratifiedFolds({{1, 0}, {2, 1}}, 3, 1));
    }

    void everyGalaxyIsPredictedByTheRunThatNeverSawIt() {
        const fs::path& data = data_;
        const std::string csvBefore = readWholeFile(data / "training_solutions_rev1.csv");
        const fs::path out = dir() / "cv-votes";
        const auto r = crossval(data, out, {"--votes-weight", "1", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject summary = parseJson(r.out);
        QCOMPARE(summary["folds"].toInt(), 2);
        // The printed summary is the one kept in the folder.
        QCOMPARE(
            parseJson(QString::fromStdString(readWholeFile(crossValidationSummaryFileIn(out)))),
            summary);

        // Each fold run tested on its own galaxies, trained and validated on the others'.
        std::map<std::int64_t, int> testedBy;
        for (int f = 1; f <= 2; ++f) {
            const RunFolder run{out / ("fold-" + std::to_string(f))};
            for (const SplitEntry& e : readSplitCsv(run.split()))
                if (e.subset == Subset::Test) QVERIFY(testedBy.emplace(e.id, f).second);
        }
        // Every galaxy, the unlabeled ones too (they teach the votes head), in one fold's test.
        QCOMPARE(testedBy.size(), galaxies_);

        const auto labeled = readPredictionsCsv(outOfSampleFileIn(out));
        QCOMPARE(labeled.size(), labeled_);
        for (const Prediction& p : labeled) {
            QVERIFY(p.trueLabel >= 0);
            // The probabilities are those of the run that tested it.
            const RunFolder run{out / ("fold-" + std::to_string(testedBy.at(p.id)))};
            bool found = false;
            for (const Prediction& q : readPredictionsCsv(run.predictions()))
                if (q.id == p.id) found = q.probabilities == p.probabilities;
            QVERIFY2(found, qPrintable(QString::number(p.id)));
        }
        // The metrics are those of the out-of-sample predictions, and the folds add up to them.
        const EvaluationResult all = evaluate(labeled);
        const QJsonObject metrics = summary["metrics"].toObject();
        QCOMPARE(metrics["n"].toInt(), static_cast<int>(labeled_));
        QCOMPARE(metrics["accuracy"].toDouble(), all.accuracy);
        int perFoldN = 0;
        for (const auto& fold : summary["per_fold"].toArray())
            perFoldN += fold.toObject()["n"].toInt();
        QCOMPARE(perFoldN, static_cast<int>(labeled_));

        // The fractions of every galaxy, and their RMSE against the volunteers'.
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data));
        const CatalogFractions fractions =
            readCatalogFractions(outOfSampleFractionsFileIn(out), catalog);
        QCOMPARE(fractions.matched, galaxies_);
        const QJsonObject votes = summary["votes"].toObject();
        QCOMPARE(votes["n"].toInt(), static_cast<int>(galaxies_));
        QVERIFY(votes["rmse"].toDouble() > 0 && votes["rmse"].toDouble() < 1);
        QVERIFY(votes["baseline_rmse"].toDouble() > 0);
        QCOMPARE(readWholeFile(data / "training_solutions_rev1.csv"), csvBefore);
    }

    void withoutAVotesHeadOnlyTheLabeledGalaxiesTakePart() {
        const fs::path& data = data_;
        const fs::path out = dir() / "cv-plain";
        const auto r = crossval(data, out, {"--votes-weight", "0"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("fold 1: ") && r.out.contains("fold 2: "), qPrintable(r.out));
        QVERIFY2(r.out.contains(QString("%1 galaxies: accuracy").arg(labeled_)), qPrintable(r.out));
        QVERIFY(!r.out.contains("vote fractions"));
        std::size_t tested = 0;
        for (int f = 1; f <= 2; ++f)
            for (const SplitEntry& e :
                 readSplitCsv(RunFolder{out / ("fold-" + std::to_string(f))}.split())) {
                QVERIFY(e.label != kUnlabeled);
                tested += e.subset == Subset::Test;
            }
        QCOMPARE(tested, labeled_);
        // The default keeps some for validation (a tenth, stratified: of this fixture's dozen
        // galaxies a fold, one or two classes' worth).
        QVERIFY(validationShares(out, 2)[0] > 0);
        QVERIFY(!fs::exists(outOfSampleFractionsFileIn(out)));
        QVERIFY(parseJson(QString::fromStdString(
            readWholeFile(crossValidationSummaryFileIn(out))))["votes"]
                    .isNull());

        // An --out that holds something is refused and left as it was; so is one in the data.
        const fs::path taken = dir() / "taken";
        test::writeText(taken / "notes.txt", "mine");
        const auto refused = crossval(data, taken, {});
        QVERIFY(refused.exitCode != 0);
        QVERIFY2(refused.err.contains("not empty"), qPrintable(refused.err));
        QCOMPARE(readWholeFile(taken / "notes.txt"), std::string("mine"));
        QCOMPARE(std::distance(fs::directory_iterator(taken), fs::directory_iterator()), 1);
        const auto intoData = crossval(data, data / "cv", {});
        QVERIFY(intoData.exitCode != 0);
        QVERIFY(!fs::exists(data / "cv"));
    }

    void theValidationShareIsEachFoldsToChoose() {
        // --val-share 0: each fold run trains on all the galaxies it does not test (its last
        // epoch is its model), and still predicts every labeled galaxy once.
        const fs::path all = dir() / "cv-no-validation";
        const auto r = crossval(data_, all, {"--val-share", "0"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(validationShares(all, 2), (std::vector<double>{0, 0}));
        QCOMPARE(readPredictionsCsv(outOfSampleFileIn(all)).size(), labeled_);
        const auto third =
            crossval(data_, dir() / "cv-third", {"--val-share", "0.3", "--votes-weight", "0"});
        QVERIFY2(third.exitCode == 0, qPrintable(third.err));
        QCOMPARE(validationShares(dir() / "cv-third", 2), (std::vector<double>{0.3, 0.3}));

        // Without validation galaxies nothing can choose an epoch or stop early: refused before
        // anything is written, naming what to change.
        for (const QStringList& watch : {QStringList{"--select", "loss"},
                                         QStringList{"--select", "accuracy", "--patience", "3"}}) {
            const fs::path out = dir() / "cv-refused";
            const auto refused = crossval(data_, out, QStringList{"--val-share", "0"} + watch);
            QVERIFY(refused.exitCode != 0);
            QVERIFY2(refused.err.contains("validation share of 0") &&
                         refused.err.contains("select the last epoch"),
                     qPrintable(refused.err));
            QVERIFY(!fs::exists(out));
        }
        const auto tooMany = crossval(data_, dir() / "cv-half", {"--val-share", "0.6"});
        QVERIFY(tooMany.exitCode != 0);
        QVERIFY2(tooMany.err.contains("--val-share"), qPrintable(tooMany.err));
        CrossValidationOptions options;
        options.validationShare = -0.1;
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        QVERIFY_THROWS_EXCEPTION(
            DataError, crossValidate(catalog, {}, dir() / "ws", dir() / "cv-negative", options));
        QVERIFY(!fs::exists(dir() / "cv-negative"));
    }
};

QTEST_GUILESS_MAIN(TestCrossValidation)
#include "test_cross_validation.moc"
