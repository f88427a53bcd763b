// The votes head (issue 17): a run trained with --votes-weight predicts the 37 vote fractions
// consistently with the Galaxy Zoo 2 decision tree, keeps them in Kaggle's layout, measures
// them with Kaggle's RMSE and an interval, and galaxy-cli evaluate and predict report and
// write them.

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <sstream>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/error.h"
#include "gz/evaluation.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/partition.h"
#include "gz/run_folder.h"
#include "gz/training.h"
#include "gz/vote_fit.h"
#include "gz/vote_tree.h"
#include "votes_loss_values.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

// The largest difference, over the questions after the first, between a question's answers'
// sum and the fraction of the answer leading to it (or 1 for Q1 and Q6).
double treeInconsistency(const std::vector<float>& f) {
    double worst = 0;
    for (const auto& q : kVoteQuestions) {
        double sum = 0;
        for (std::size_t a = 0; a < q.count; ++a) sum += f[q.first + a];
        const double reached = q.reachedBy < 0 ? 1.0 : f[static_cast<std::size_t>(q.reachedBy)];
        worst = std::max(worst, std::abs(sum - reached));
    }
    return worst;
}

Prediction withFractions(std::int64_t id, std::vector<float> fractions) {
    Prediction p;
    p.id = id;
    p.fractions = std::move(fractions);
    return p;
}

std::vector<float> rowOf(const Catalog& catalog, std::size_t row, float add = 0) {
    std::vector<float> v;
    for (double x : catalog.row(row)) v.push_back(static_cast<float>(x) + add);
    return v;
}

}  // namespace

class TestVotes : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    fs::path data_, workspace_, votesRun_, plainRun_;

private slots:
    void initTestCase() {
        data_ = dir() / "data";
        workspace_ = dir() / "workspace";
        writeDemoDataset(data_, DemoOptions{60, 7, kKaggleImageSide});
    }

    void aVotesRunPredictsFractionsThatFollowTheTree() {
        TrainConfig config = test::quickTraining(2);
        config.votesWeight = 10;
        const auto run = test::trainRun(data_, workspace_, {0.6, 0.2, 0.2}, config);
        QCOMPARE(run.outcome.status, TrainOutcome::Status::Finished);
        votesRun_ = run.dir;
        const RunFolder folder{run.dir};
        QCOMPARE(loadRunConfig(run.dir).votesWeight, 10.0);

        // The head learned from the unlabeled training galaxies too, and the final evaluation's
        // fractions cover every test galaxy, labeled or not, in Kaggle's layout: the catalog
        // reader takes them.
        const SplitCounts counts = countSplit(readSplitCsv(folder.split()));
        QVERIFY(counts.unlabeled[0] > 0 && counts.unlabeled[2] > 0);
        const std::string log = readWholeFile(folder.log());
        const std::string trainedOn =
            " on " + std::to_string(counts.labeledIn(Subset::Train) + counts.unlabeled[0]) +
            " images (" + std::to_string(counts.unlabeled[0]) + " of them unlabeled)";
        QVERIFY2(log.find(trainedOn) != std::string::npos, trainedOn.c_str());
        const Catalog fractions = Catalog::open(CatalogSource{folder.fractions(), std::nullopt});
        QCOMPARE(fractions.size(), counts.labeledIn(Subset::Test) + counts.unlabeled[2]);
        QCOMPARE(fractions.presentColumns().size(), kVoteColumnCount);
        // The training mean: one row, every column, Q1 summing to 1 as every galaxy's does.
        const auto mean = readVotesMean(folder.votesMean());
        QCOMPARE(mean.size(), kVoteColumnCount);
        QVERIFY(std::abs(mean[0] + mean[1] + mean[2] - 1.0F) < 1e-4F);
        QVERIFY2(readWholeFile(folder.log()).find("vote fractions: RMSE") != std::string::npos,
                 "the log reports the fractions' RMSE");

        // Every galaxy of the catalog, labeled or not, gets 37 fractions obeying the tree.
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        std::vector<LabeledGalaxy> all;
        for (std::size_t r = 0; r < catalog.size(); ++r) all.push_back({catalog.id(r), kUnlabeled});
        const auto predictions = predictCatalog(run.dir, catalog, all, workspace_, true, {});
        QCOMPARE(predictions.size(), catalog.size());
        for (const auto& p : predictions) {
            QCOMPARE(p.fractions.size(), kVoteColumnCount);
            for (float f : p.fractions) QVERIFY(f >= 0.0F && f <= 1.0F);
            QVERIFY2(treeInconsistency(p.fractions) < 1e-5,
                     qPrintable(QString::number(treeInconsistency(p.fractions))));
        }
        const VoteFit fit = evaluateVotes(predictions, catalog, mean);
        QCOMPARE(fit.n, catalog.size());
        QVERIFY(std::isfinite(fit.rmse) && fit.rmse > 0 && fit.rmse < 1);
        QVERIFY(fit.rmseInterval.low <= fit.rmse && fit.rmse <= fit.rmseInterval.high);
    }

    void aRunWithoutTheHeadHasNoFractions() {
        TrainConfig config = test::quickTraining(1);
        config.votesWeight = 0;
        const auto run = test::trainRun(data_, workspace_, {0.6, 0.2, 0.2}, config);
        QCOMPARE(run.outcome.status, TrainOutcome::Status::Finished);
        plainRun_ = run.dir;
        QCOMPARE(loadRunConfig(run.dir).votesWeight, 0.0);
        // Without the head, the unlabeled galaxies of the split are not trained on.
        const SplitCounts counts = countSplit(readSplitCsv(RunFolder{run.dir}.split()));
        const std::string trainedOn =
            " on " + std::to_string(counts.labeledIn(Subset::Train)) + " images, ";
        QVERIFY2(readWholeFile(RunFolder{run.dir}.log()).find(trainedOn) != std::string::npos,
                 trainedOn.c_str());
        QVERIFY(!fs::exists(RunFolder{run.dir}.fractions()));
        QVERIFY(!fs::exists(RunFolder{run.dir}.votesMean()));
    }

    void rmseIsKagglesMetricWithAnInterval() {
        const Catalog truth =
            Catalog::parse(test::kaggleHeader() + "\n" + test::kaggleRow(1, 0) + "\n" +
                               test::kaggleRow(2, 4) + "\n" + test::kaggleRow(3, 3) + "\n",
                           "truth.csv");
        // Every fraction off by 0.1: the RMSE is 0.1, and so is every resample's.
        std::vector<Prediction> off;
        for (std::size_t r = 0; r < truth.size(); ++r)
            off.push_back(withFractions(truth.id(r), rowOf(truth, r, 0.1F)));
        off.push_back(withFractions(99, rowOf(truth, 0)));  // not in the catalog: left out
        Prediction noFractions;
        noFractions.id = 1;
        off.push_back(noFractions);  // a model without a votes head: left out
        const VoteFit fit = evaluateVotes(off, truth, rowOf(truth, 0));
        QCOMPARE(fit.n, std::size_t{3});
        QVERIFY(std::abs(fit.rmse - 0.1) < 1e-6);
        QVERIFY(std::abs(fit.rmseInterval.low - 0.1) < 1e-6);
        QVERIFY(std::abs(fit.rmseInterval.high - 0.1) < 1e-6);
        // The baseline (galaxy 1's fractions for all three) is exact on galaxy 1 only.
        double sum = 0;
        for (std::size_t r = 1; r < 3; ++r)
            for (std::size_t c = 0; c < kVoteColumnCount; ++c)
                sum += std::pow(truth.value(r, c) - truth.value(0, c), 2);
        QVERIFY(std::abs(fit.baselineRmse - std::sqrt(sum / (3.0 * kVoteColumnCount))) < 1e-6);
        // Exact predictions: 0, and no baseline without one.
        std::vector<Prediction> exact;
        for (std::size_t r = 0; r < truth.size(); ++r)
            exact.push_back(withFractions(truth.id(r), rowOf(truth, r)));
        const VoteFit perfect = evaluateVotes(exact, truth, {});
        QVERIFY(perfect.rmse < 1e-6);
        QVERIFY(std::isnan(perfect.baselineRmse));
        const QJsonObject json =
            QJsonDocument::fromJson(QByteArray::fromStdString(perfect.toJson())).object();
        QCOMPARE(json.value("n").toInt(), 3);
        QVERIFY(json.value("baseline_rmse").isNull());
    }

    void fractionsFilesAreKagglesLayoutAndRefuseWhatTheyCannotHold() {
        const Catalog truth =
            Catalog::parse(test::kaggleHeader() + "\n" + test::kaggleRow(7, 2) + "\n", "t.csv");
        const fs::path file = dir() / "submission.csv";
        writeFractionsCsv(file, {withFractions(7, rowOf(truth, 0))});
        const std::string text = readWholeFile(file);
        QVERIFY(text.rfind("GalaxyID,Class1.1,Class1.2,", 0) == 0);
        const Catalog back = Catalog::open(CatalogSource{file, std::nullopt});
        QCOMPARE(back.size(), std::size_t{1});
        for (std::size_t c = 0; c < kVoteColumnCount; ++c)
            QVERIFY(std::abs(back.value(0, c) - truth.value(0, c)) < 1e-5);

        // A prediction without fractions: refused, naming the file and the galaxy; the file
        // the user had stays as it was.
        Prediction plain;
        plain.id = 8;
        const std::string error = test::dataErrorOf([&] { writeFractionsCsv(file, {plain}); });
        QVERIFY2(error.find("submission.csv") != std::string::npos &&
                     error.find("galaxy 8") != std::string::npos,
                 error.c_str());
        QCOMPARE(readWholeFile(file), text);

        // A training mean: round trip, and a damaged one named.
        const fs::path meanFile = dir() / "votes-mean.csv";
        writeVotesMean(meanFile, rowOf(truth, 0));
        QCOMPARE(readVotesMean(meanFile), rowOf(truth, 0));
        test::writeText(meanFile, text.substr(0, text.size() / 2));
        const std::string damaged = test::dataErrorOf([&] { readVotesMean(meanFile); });
        QVERIFY2(damaged.find("votes-mean.csv") != std::string::npos, damaged.c_str());
    }

    void aFractionsFileMatchesTheCatalogsRows() {
        const Catalog catalog =
            Catalog::parse(test::kaggleHeader() + "\n" + test::kaggleRow(1, 0) + "\n" +
                               test::kaggleRow(2, 4) + "\n" + test::kaggleRow(3, 3) + "\n",
                           "catalog.csv");
        // Galaxy 3 predicted, 2 off by 0.1 everywhere, 1 not predicted; 9 not in the catalog.
        const fs::path file = dir() / "fractions.csv";
        writeFractionsCsv(
            file, {withFractions(3, rowOf(catalog, 2)), withFractions(2, rowOf(catalog, 1, 0.1F)),
                   withFractions(9, rowOf(catalog, 0))});
        const CatalogFractions read = readCatalogFractions(file, catalog);
        QCOMPARE(read.matched, std::size_t{2});
        QCOMPARE(read.notInCatalog, std::size_t{1});
        QVERIFY(!read.has(0) && read.has(1) && read.has(2));
        QVERIFY(std::abs(read.row(2)[5] - catalog.value(2, 5)) < 1e-5);
        QVERIFY(galaxyRmse(read.row(2), catalog.row(2)) < 1e-5);
        QVERIFY(std::abs(galaxyRmse(read.row(1), catalog.row(1)) - 0.1) < 1e-5);

        // A file missing a column, or another data set's: refused, naming the file.
        const fs::path partial = dir() / "partial.csv";
        const std::string text = readWholeFile(file);
        test::writeText(partial, "GalaxyID,Class1.1\n3,0.5\n");
        const std::string missing =
            test::dataErrorOf([&] { readCatalogFractions(partial, catalog); });
        QVERIFY2(missing.find("partial.csv") != std::string::npos &&
                     missing.find("Class1.2") != std::string::npos,
                 missing.c_str());
        const fs::path other = dir() / "other.csv";
        writeFractionsCsv(other, {withFractions(9, rowOf(catalog, 0))});
        const std::string foreign =
            test::dataErrorOf([&] { readCatalogFractions(other, catalog); });
        QVERIFY2(foreign.find("other.csv") != std::string::npos &&
                     foreign.find("none of the catalog") != std::string::npos,
                 foreign.c_str());
        QCOMPARE(readWholeFile(file), text);  // only read
    }

    void crossEntropyIsSmallestAtTheVolunteersAnswers() {
        const auto v = test::votesCrossEntropyValues();
        // Each question's cross-entropy, weighted by the share of volunteers who reached it.
        QVERIFY2(std::abs(v.loss - v.byHand) < 1e-4 * v.byHand,
                 qPrintable(QString("%1 against %2 by hand").arg(v.loss).arg(v.byHand)));
        // At the volunteers' own answers it is their entropy, and nothing pulls away from there.
        QVERIFY2(std::abs(v.atTheVotes - v.volunteersEntropy) < 1e-4 * v.volunteersEntropy,
                 qPrintable(QString::number(v.atTheVotes - v.volunteersEntropy)));
        QVERIFY(v.loss > v.atTheVotes + 1);
        QVERIFY2(v.gradientAtTheVotes < 1e-5, qPrintable(QString::number(v.gradientAtTheVotes)));
        // A question no volunteer reached says nothing, whatever the model answers there.
        QCOMPARE(v.unreachedQuestionMoves, 0.0);
    }

    void galaxyCliTrainsWithTheCrossEntropy() {
        const fs::path run = dir() / "cross-entropy-run";
        const auto trained =
            test::runCli({"train", "--data", test::q(data_), "--out", test::q(run), "--epochs", "1",
                          "--votes-weight", "10", "--votes-loss", "cross_entropy", "--threads", "2",
                          "--workspace", test::q(workspace_)});
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
        const TrainConfig config = loadRunConfig(run);
        QVERIFY(config.votesLoss == VotesLoss::CrossEntropy && config.votesWeight == 10);
        QVERIFY(readWholeFile(RunFolder{run}.config()).find("\"votes_loss\": \"cross_entropy\"") !=
                std::string::npos);
        const std::string log = readWholeFile(RunFolder{run}.log());
        QVERIFY2(log.find("vote fractions: RMSE") != std::string::npos, log.c_str());
        // An unknown loss: refused before anything is written, naming the keys.
        const fs::path refused = dir() / "refused-run";
        const auto hinge =
            test::runCli({"train", "--data", test::q(data_), "--out", test::q(refused), "--epochs",
                          "1", "--votes-weight", "1", "--votes-loss", "hinge"});
        QVERIFY(hinge.exitCode != 0);
        QVERIFY2(hinge.err.contains("squared_error") && hinge.err.contains("cross_entropy"),
                 qPrintable(hinge.err));
        QVERIFY(!fs::exists(refused));
    }

    void theHeadIsTheDefaultAndNeedsEveryVoteColumn() {
        QVERIFY(TrainConfig{}.hasVotesHead());
        // A catalog without its last column, Class11.6 (the label rules do not read it).
        const fs::path data = dir() / "without-11.6";
        fs::copy(data_, data, fs::copy_options::recursive);
        const fs::path csv = data / std::string(kKaggleCsvName);
        std::istringstream lines(readWholeFile(csv));
        std::string cut;
        for (std::string line; std::getline(lines, line);)
            cut += line.substr(0, line.rfind(',')) + "\n";
        test::writeText(csv, cut);
        // By default it is refused before the run folder exists, naming the file, the column
        // and the way out; without the head the same command trains.
        const fs::path refused = dir() / "no-column-run";
        const auto byDefault =
            test::runCli({"train", "--data", test::q(data), "--out", test::q(refused), "--epochs",
                          "1", "--threads", "2", "--workspace", test::q(workspace_)});
        QVERIFY(byDefault.exitCode != 0);
        QVERIFY2(byDefault.err.contains(QString::fromStdString(std::string(kKaggleCsvName))) &&
                     byDefault.err.contains("Class11.6") &&
                     byDefault.err.contains("--votes-weight 0"),
                 qPrintable(byDefault.err));
        QVERIFY(!fs::exists(refused));
        const fs::path plain = dir() / "no-head-run";
        const auto withoutHead = test::runCli(
            {"train", "--data", test::q(data), "--out", test::q(plain), "--epochs", "1",
             "--threads", "2", "--votes-weight", "0", "--workspace", test::q(workspace_)});
        QVERIFY2(withoutHead.exitCode == 0, qPrintable(withoutHead.err));
        QVERIFY(!loadRunConfig(plain).hasVotesHead());
    }

    void configRecordsTheHeadAndOldRunsHaveNone() {
        TrainConfig c = test::quickTraining();
        c.votesWeight = 2.5;
        c.votesLoss = VotesLoss::CrossEntropy;
        const TrainConfig back = TrainConfig::fromJson(c.toJson());
        QCOMPARE(back.votesWeight, 2.5);
        QVERIFY(back.votesLoss == VotesLoss::CrossEntropy);
        std::string old = test::quickTraining().toJson();
        for (const char* key : {"\"votes_weight\"", "\"votes_loss\""}) {
            const auto at = old.find(key);
            QVERIFY(at != std::string::npos);
            old.erase(at, old.find('\n', at) - at + 1);  // a config from before the options
        }
        QCOMPARE(TrainConfig::fromJson(old).votesWeight, 0.0);
        QVERIFY(TrainConfig::fromJson(old).votesLoss == VotesLoss::SquaredError);
        c.votesWeight = -1;
        QVERIFY(test::dataErrorOf([&] { c.validate(); }).find("votes weight") != std::string::npos);
    }

    void galaxyCliReportsAndWritesTheFractions() {
        QVERIFY(!votesRun_.empty() && !plainRun_.empty());
        const auto evaluated =
            test::runCli({"evaluate", "--run", test::q(votesRun_), "--data", test::q(data_),
                          "--every-galaxy", "--workspace", test::q(workspace_), "--json"});
        QVERIFY2(evaluated.exitCode == 0, qPrintable(evaluated.err));
        const QJsonObject report = QJsonDocument::fromJson(evaluated.out.toUtf8()).object();
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        const Labeling labeling = labelCatalog(catalog, LabelRules::defaults());
        QVERIFY(labeling.unlabeled > 0);
        const QJsonObject votes = report.value("votes").toObject();
        // Every galaxy for the fractions, labeled or not; the labeled ones for the accuracy.
        QCOMPARE(votes.value("n").toInt(), static_cast<int>(catalog.size()));
        QVERIFY(votes.value("rmse").toDouble() > 0);
        QVERIFY(votes.value("baseline_rmse").toDouble() > 0);
        QCOMPARE(report.value("n").toInt(), static_cast<int>(catalog.size() - labeling.unlabeled));

        // A split's test subset: its labeled galaxies for the accuracy, all of them for the
        // fractions, as the training log counts them.
        const fs::path split = RunFolder{votesRun_}.split();
        const fs::path evalOut = dir() / "evaluated-test";
        const auto onTest =
            test::runCli({"evaluate", "--run", test::q(votesRun_), "--data", test::q(data_),
                          "--split", test::q(split), "--subset", "test", "--workspace",
                          test::q(workspace_), "--out", test::q(evalOut), "--json"});
        QVERIFY2(onTest.exitCode == 0, qPrintable(onTest.err));
        const QJsonObject testReport = QJsonDocument::fromJson(onTest.out.toUtf8()).object();
        const SplitCounts counts = countSplit(readSplitCsv(split));
        QVERIFY(counts.unlabeled[2] > 0);
        QCOMPARE(testReport.value("n").toInt(), static_cast<int>(counts.labeledIn(Subset::Test)));
        QCOMPARE(testReport.value("votes").toObject().value("n").toInt(),
                 static_cast<int>(counts.labeledIn(Subset::Test) + counts.unlabeled[2]));
        // predictions.csv holds the labeled test galaxies, as a run folder's does; fractions.csv
        // every test galaxy.
        const auto written = readPredictionsCsv(RunFolder{evalOut}.predictions());
        QCOMPARE(written.size(), counts.labeledIn(Subset::Test));
        for (const auto& p : written) QVERIFY(p.trueLabel != kUnlabeled);
        QCOMPARE(Catalog::open(CatalogSource{RunFolder{evalOut}.fractions(), std::nullopt}).size(),
                 counts.labeledIn(Subset::Test) + counts.unlabeled[2]);

        const fs::path images = data_ / std::string(kKaggleImageDirName);
        const fs::path out = dir() / "predicted.csv", submission = dir() / "kaggle.csv";
        const auto predicted =
            test::runCli({"predict", "--run", test::q(votesRun_), "--images", test::q(images),
                          "--out", test::q(out), "--fractions", test::q(submission)});
        QVERIFY2(predicted.exitCode == 0, qPrintable(predicted.err));
        QCOMPARE(Catalog::open(CatalogSource{submission, std::nullopt}).size(), catalog.size());

        // A run without the head has no fractions to write: said, and nothing written.
        const fs::path none = dir() / "none.csv";
        const auto refused =
            test::runCli({"predict", "--run", test::q(plainRun_), "--images", test::q(images),
                          "--out", test::q(dir() / "p2.csv"), "--fractions", test::q(none)});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("no votes head"), qPrintable(refused.err));
        QVERIFY(!fs::exists(none));
    }
};

QTEST_GUILESS_MAIN(TestVotes)
#include "test_votes.moc"
