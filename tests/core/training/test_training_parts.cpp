// The training engine's parts on their own (private headers of core/src/training): the plan and
// learning-rate schedule, class balance, metrics.csv/timing.csv and the checkpointed loop state.

#include <QTemporaryDir>
#include <QtTest>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

#include "gz/error.h"
#include "gz/files.h"
#include "gz/run_folder.h"
#include "training/class_balance.h"
#include "training/metrics_csv.h"
#include "training/schedule.h"
#include "training/training_state.h"

namespace fs = std::filesystem;
using namespace gz;
using namespace gz::detail;

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

TrainConfig config(Schedule schedule, int epochs, double minutes = 0) {
    TrainConfig c;
    c.lr = 0.1;
    c.schedule = schedule;
    c.epochs = epochs;
    c.minutes = minutes;
    c.batch = 10;
    return c;
}

bool same(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) ||
           std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(b));
}

EpochRecord record(int epoch, double valLoss) {
    EpochRecord r;
    r.epoch = epoch;
    r.trainLoss = 1.5;
    r.trainAccuracy = 0.25;
    r.trainVotesLoss = epoch == 1 ? 0.0625 : kNan;
    r.valLoss = valLoss;
    r.valAccuracy = std::isnan(valLoss) ? kNan : 0.5;
    r.valMacroF1 = std::isnan(valLoss) ? kNan : 0.375;
    r.lr = 0.0125;
    r.imagesPerSecond = 250;
    r.seconds = 2.5;
    r.elapsedSeconds = 2.5 * epoch;
    r.batches = 7;
    return r;
}

void compareRecords(const EpochRecord& a, const EpochRecord& b) {
    QCOMPARE(a.epoch, b.epoch);
    QCOMPARE(a.batches, b.batches);
    for (auto [x, y] : {std::pair{a.trainLoss, b.trainLoss},
                        {a.trainAccuracy, b.trainAccuracy},
                        {a.trainVotesLoss, b.trainVotesLoss},
                        {a.valLoss, b.valLoss},
                        {a.valAccuracy, b.valAccuracy},
                        {a.valMacroF1, b.valMacroF1},
                        {a.lr, b.lr},
                        {a.imagesPerSecond, b.imagesPerSecond},
                        {a.seconds, b.seconds},
                        {a.elapsedSeconds, b.elapsedSeconds}})
        QVERIFY2(same(x, y), qPrintable(QString("%1 != %2").arg(x).arg(y)));
}

}  // namespace

class TestTrainingParts : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private slots:
    void planDropsThePartialBatch() {
        TrainConfig c = config(Schedule::Cosine, 3, 2);
        c.warmupEpochs = 1.5;
        const TrainingPlan plan(c, 95);
        QCOMPARE(plan.batchSize, std::size_t(10));
        QCOMPARE(plan.batchesPerEpoch, std::size_t(9));
        QCOMPARE(plan.warmupSteps, std::int64_t(13));  // 1.5 x 9, rounded down
        QCOMPARE(plan.totalSteps, std::int64_t(27));
        QCOMPARE(plan.budgetSeconds, 120.0);
        // A batch larger than the training set is the training set.
        const TrainingPlan small(c, 6);
        QCOMPARE(small.batchSize, std::size_t(6));
        QCOMPARE(small.batchesPerEpoch, std::size_t(1));
        QCOMPARE(TrainingPlan(config(Schedule::Cosine, 0, 1), 95).totalSteps, std::int64_t(0));
    }

    void warmUpRisesLinearlyFromATenth() {
        TrainConfig c = config(Schedule::Constant, 10);
        c.warmupEpochs = 2;
        const TrainingPlan plan(c, 100);  // 10 batches an epoch: 20 warm-up steps
        QVERIFY(same(learningRate(c, plan, 0, 0), 0.01));
        QVERIFY(same(learningRate(c, plan, 10, 0), 0.055));
        QVERIFY(same(learningRate(c, plan, 19, 0), 0.1 * (0.1 + 0.9 * 19 / 20.0)));
        QVERIFY(same(learningRate(c, plan, 20, 0), 0.1));
        QVERIFY(same(learningRate(c, plan, 99, 1e6), 0.1));
    }

    void cosineFollowsStepsOrTimeWhicheverIsFurther() {
        const TrainConfig c = config(Schedule::Cosine, 10);
        const TrainingPlan plan(c, 100);  // 100 steps in all
        QVERIFY(same(learningRate(c, plan, 0, 0), 0.1));
        QVERIFY(same(learningRate(c, plan, 50, 0), 0.05));
        QVERIFY(same(learningRate(c, plan, 25, 0), 0.05 * (1 + std::cos(M_PI / 4))));
        QVERIFY(learningRate(c, plan, 100, 0) < 1e-15);
        QVERIFY(learningRate(c, plan, 150, 0) < 1e-15);  // clamped at the end
        // A time budget only: the fraction of the time used.
        const TrainConfig timed = config(Schedule::Cosine, 0, 1);
        const TrainingPlan timedPlan(timed, 100);
        QVERIFY(same(learningRate(timed, timedPlan, 1000, 30), 0.05));
        // Both limits: whichever is further along.
        const TrainConfig both = config(Schedule::Cosine, 10, 1);
        const TrainingPlan bothPlan(both, 100);
        QVERIFY(same(learningRate(both, bothPlan, 50, 15), 0.05));
        QVERIFY(same(learningRate(both, bothPlan, 25, 30), 0.05));
    }

    void stepDividesByTenEveryStepEvery() {
        TrainConfig c = config(Schedule::Step, 10);
        c.stepEvery = 30;
        const TrainingPlan plan(c, 100);
        QVERIFY(same(learningRate(c, plan, 0, 0), 0.1));
        QVERIFY(same(learningRate(c, plan, 29, 0), 0.1));
        QVERIFY(same(learningRate(c, plan, 30, 0), 0.01));
        QVERIFY(same(learningRate(c, plan, 65, 1e6), 0.001));
    }

    void lossWeightsAverageOneOverTheImages() {
        // Class 0: 6 images, class 1: 2, class 2: 1; classes 3 and 4 absent.
        const std::vector<int> labels = {0, 0, 1, 0, 2, 0, 1, 0, 0};
        for (Balance mode : {Balance::Weight, Balance::Sqrt}) {
            const std::vector<float> w = ClassBalance(mode, labels).lossWeights();
            QCOMPARE(w.size(), std::size_t(kMorphologyCount));
            QCOMPARE(w[3], 0.0f);
            QCOMPARE(w[4], 0.0f);
            double mean = 0;
            for (int l : labels) mean += w[static_cast<std::size_t>(l)];
            QVERIFY2(std::abs(mean / static_cast<double>(labels.size()) - 1) < 1e-6,
                     optionKey(mode).data());
            QVERIFY(w[2] > w[1] && w[1] > w[0]);
        }
        // "weight": every present class weighs the same in all.
        const std::vector<float> w = ClassBalance(Balance::Weight, labels).lossWeights();
        QVERIFY(std::abs(6 * w[0] - 2 * w[1]) < 1e-5 && std::abs(2 * w[1] - w[2]) < 1e-5);
        // "sqrt": the weight goes with the inverse square root of the count.
        const std::vector<float> s = ClassBalance(Balance::Sqrt, labels).lossWeights();
        QVERIFY(std::abs(s[2] / s[0] - std::sqrt(6.0f)) < 1e-5);
        QVERIFY(ClassBalance(Balance::None, labels).lossWeights().empty());
        QVERIFY(ClassBalance(Balance::Sample, labels).lossWeights().empty());
    }

    void epochOrderIsASeededPermutation() {
        const ClassBalance balance(Balance::Sqrt, std::vector<int>(50, 1));
        const auto order = balance.epochOrder(7, 0);
        QCOMPARE(order, balance.epochOrder(7, 0));
        QVERIFY(order != balance.epochOrder(7, 1));
        QVERIFY(order != balance.epochOrder(8, 0));
        std::vector<std::size_t> sorted = order;
        std::sort(sorted.begin(), sorted.end());
        std::vector<std::size_t> all(50);
        std::iota(all.begin(), all.end(), std::size_t{0});
        QCOMPARE(sorted, all);
    }

    void sampleDrawsTheClassesEvenly() {
        std::vector<int> labels(900, 0);
        labels.resize(1000, 3);  // 10% of class 3
        const ClassBalance balance(Balance::Sample, labels);
        const auto order = balance.epochOrder(42, 2);
        QCOMPARE(order, balance.epochOrder(42, 2));
        QCOMPARE(order.size(), labels.size());
        std::size_t rare = 0;
        for (std::size_t i : order) {
            QVERIFY(i < labels.size());
            rare += labels[i] == 3;
        }
        QVERIFY2(rare > 400 && rare < 600, qPrintable(QString::number(rare)));
        QVERIFY(std::set<std::size_t>(order.begin(), order.end()).size() < order.size());
    }

    void unlabeledImagesHaveNoClassAndKeepTheirShare() {
        // A votes head's training set: the labeled images of lossWeightsAverageOneOverTheImages
        // and 9 unlabeled ones. The weights are those of the labeled images alone.
        const std::vector<int> labeled = {0, 0, 1, 0, 2, 0, 1, 0, 0};
        std::vector<int> labels = labeled;
        labels.insert(labels.begin() + 3, 9, kUnlabeled);
        for (Balance mode : {Balance::Weight, Balance::Sqrt})
            QCOMPARE(ClassBalance(mode, labels).lossWeights(),
                     ClassBalance(mode, labeled).lossWeights());
        // Sampling: every present class as likely as any other, the unlabeled images as often
        // as their half of the set.
        std::vector<int> many(600, 0);
        many.resize(700, 2);
        many.resize(1400, kUnlabeled);
        const auto order = ClassBalance(Balance::Sample, many).epochOrder(5, 0);
        std::array<double, 3> drawn{};  // class 0, class 2, unlabeled
        for (std::size_t i : order) ++drawn[many[i] == 0 ? 0 : many[i] == 2 ? 1 : 2];
        QVERIFY2(std::abs(drawn[2] / 1400.0 - 0.5) < 0.05, qPrintable(QString::number(drawn[2])));
        QVERIFY2(std::abs(drawn[0] / drawn[1] - 1) < 0.2, qPrintable(QString::number(drawn[0])));
    }

    void metricsCsvRoundTrip() {
        const RunFolder run{fs::path(tmp_.path().toStdString()) / "metrics"};
        fs::create_directories(run.root);
        const std::vector<EpochRecord> rows = {record(1, 1.25), record(2, kNan)};
        writeMetricsCsv(run, rows);
        QCOMPARE(readWholeFile(run.metrics()),
                 std::string("epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,"
                             "lr,batches,train_votes_loss\n1,1.5,0.25,1.25,0.5,0.375,0.0125,7,"
                             "0.0625\n2,1.5,0.25,,,,0.0125,7,\n"));
        QCOMPARE(readWholeFile(run.timing()),
                 std::string("epoch,seconds,elapsed_seconds,images_per_s\n1,2.5,2.5,250\n"
                             "2,2.5,5,250\n"));
        const auto back = readMetricsCsv(run.metrics());
        QCOMPARE(back.size(), rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) compareRecords(back[i], rows[i]);

        // Without timing.csv the timings stay unknown (0).
        fs::remove(run.timing());
        const auto untimed = readMetricsCsv(run.metrics());
        QCOMPARE(untimed.size(), rows.size());
        QCOMPARE(untimed[1].seconds, 0.0);
        QCOMPARE(untimed[1].imagesPerSecond, 0.0);
        QVERIFY(std::isnan(untimed[1].valLoss));

        // A metrics.csv from before the votes loss had its column: the rest reads as before.
        std::ofstream(run.metrics())
            << "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,lr,batches\n"
               "1,1.5,0.25,1.25,0.5,0.375,0.0125,7\n";
        const auto old = readMetricsCsv(run.metrics());
        QCOMPARE(old.size(), std::size_t(1));
        QCOMPARE(old[0].trainLoss, 1.5);
        QCOMPARE(old[0].valMacroF1, 0.375);
        QVERIFY(std::isnan(old[0].trainVotesLoss));
    }

    void formatNumberIsSixDigitsOrEmpty() {
        QCOMPARE(formatNumber(0.123456789), std::string("0.123457"));
        QCOMPARE(formatNumber(1234567.0), std::string("1.23457e+06"));
        QCOMPARE(formatNumber(kNan), std::string());
        QCOMPARE(formatNumber(std::numeric_limits<double>::infinity()), std::string());
    }

    void stateRoundTripsThroughJson() {
        TrainingState s;
        s.epoch = 2;
        s.batchInEpoch = 3;
        s.step = 17;
        s.elapsed = 12.5;
        s.bestEpoch = 1;
        s.badEpochs = 1;
        s.history = {record(1, 0.75), record(2, kNan)};
        s.partClassesLoss = 4.5;
        s.partVotesLoss = 0.375;
        s.partLabeled = 30;
        s.partCorrect = 11;
        s.partSeen = 48;
        s.partSeconds = 1.75;
        // No best value yet (-infinity) is stored as null and read back as -infinity.
        TrainingState back = TrainingState::fromJson(s.toJson(9), "c.pt");
        QVERIFY(std::isinf(back.bestValue) && back.bestValue < 0);
        s.bestValue = -0.75;
        back = TrainingState::fromJson(s.toJson(9), "c.pt");
        QCOMPARE(back.epoch, s.epoch);
        QCOMPARE(back.batchInEpoch, s.batchInEpoch);
        QCOMPARE(back.step, s.step);
        QCOMPARE(back.elapsed, s.elapsed);
        QCOMPARE(back.bestValue, s.bestValue);
        QCOMPARE(back.bestEpoch, s.bestEpoch);
        QCOMPARE(back.badEpochs, s.badEpochs);
        QCOMPARE(back.partClassesLoss, s.partClassesLoss);
        QCOMPARE(back.partVotesLoss, s.partVotesLoss);
        QCOMPARE(back.partLabeled, s.partLabeled);
        QCOMPARE(back.partCorrect, s.partCorrect);
        QCOMPARE(back.partSeen, s.partSeen);
        QCOMPARE(back.partSeconds, s.partSeconds);
        QCOMPARE(back.history.size(), s.history.size());
        for (std::size_t i = 0; i < s.history.size(); ++i)
            compareRecords(back.history[i], s.history[i]);
        // The checkpoint format: one JSON object with these keys (and the run's seed).
        QVERIFY(s.toJson(9).find("\"seed\":9") != std::string::npos);
        QVERIFY(s.toJson(9).find("\"batch_in_epoch\":3") != std::string::npos);
    }

    void anOlderStateKeepsWhatItKnew() {
        // Before the loss's parts were kept apart a checkpoint had their sum only (part_loss):
        // within an epoch the parts are unknown, at an epoch's end there is nothing to know.
        TrainingState s;
        s.history = {record(1, 0.75)};
        s.partSeen = 48;
        s.partLabeled = 30;
        nlohmann::json j = nlohmann::json::parse(s.toJson(9));
        j.erase("part_classes_loss");
        j.erase("part_votes_loss");
        j["part_loss"] = 4.5;
        j["history"][0].erase("train_votes_loss");
        TrainingState back = TrainingState::fromJson(j.dump(), "c.pt");
        QVERIFY(std::isnan(back.partClassesLoss) && std::isnan(back.partVotesLoss));
        QCOMPARE(back.history[0].trainLoss, 1.5);
        QVERIFY(std::isnan(back.history[0].trainVotesLoss));
        j["part_seen"] = 0;
        back = TrainingState::fromJson(j.dump(), "c.pt");
        QCOMPARE(back.partClassesLoss, 0.0);
        QCOMPARE(back.partVotesLoss, 0.0);
    }

    void aBrokenStateNamesItsCheckpoint() {
        try {
            TrainingState::fromJson("{\"epoch\": 1}", "runs/x/checkpoints/last.pt");
            QFAIL("no exception");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("last.pt") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("cannot read checkpoint") != std::string::npos,
                     e.what());
        }
        QVERIFY_THROWS_EXCEPTION(DataError, TrainingState::fromJson("not json", "c.pt"));
    }

    void selectionPrefersHigherValues() {
        const EpochRecord r = record(1, 0.8);
        QCOMPARE(selectionValue(r, SelectMetric::Loss), -0.8);
        QCOMPARE(selectionValue(r, SelectMetric::Accuracy), 0.5);
        QCOMPARE(selectionValue(r, SelectMetric::MacroF1), 0.375);
        // The last epoch: every epoch is the best so far.
        QCOMPARE(selectionValue(r, SelectMetric::Last), 1.0);
        QVERIFY(selectionValue(record(2, 0.9), SelectMetric::Last) > 1.0);
    }
};

QTEST_APPLESS_MAIN(TestTrainingParts)
#include "test_training_parts.moc"
