// Metrics on hand-made predictions equal hand-computed values; predictions.csv round trip.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>

#include "fixtures.h"
#include "gz/error.h"
#include "gz/evaluation.h"
#include "gz/files.h"
#include "gz/prediction_table.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

std::vector<Prediction> handMade() {
    return {
        {101, 0, {0.7f, 0.1f, 0.1f, 0.05f, 0.05f}},         // round, right
        {102, 0, {0.3f, 0.5f, 0.1f, 0.05f, 0.05f}},         // round taken for in-between
        {103, 1, {0.1f, 0.8f, 0.05f, 0.03f, 0.02f}},        // in-between, right
        {104, 2, {0.4f, 0.2f, 0.3f, 0.05f, 0.05f}},         // cigar taken for round
        {105, 3, {0.05f, 0.05f, 0.05f, 0.8f, 0.05f}},       // edge-on, right
        {106, 4, {0.1f, 0.1f, 0.1f, 0.1f, 0.6f}},           // spiral, right
        {107, kUnlabeled, {0.0f, 0.0f, 1.0f, 0.0f, 0.0f}},  // unknown truth: not counted
    };
}

bool near(double a, double b) {
    return std::abs(a - b) < 1e-6;
}

// The percentile bootstrap of the macro F1 that EvaluationResult documents, computed again:
// kBootstrapResamples resamples of the labelled galaxies, each index drawn from a
// std::mt19937_64 of the fixed seed 0x6a1a5e by rejection sampling, and the values at 2.5% and
// 97.5% (nearest rank) of the sorted macro F1s. A class never predicted has precision 0.
Interval referenceMacroF1Interval(const std::vector<Prediction>& predictions) {
    std::vector<Prediction> known;
    for (const Prediction& p : predictions)
        if (p.trueLabel != kUnlabeled) known.push_back(p);
    const std::uint64_t n = known.size();
    const std::uint64_t threshold = (0 - n) % n;
    std::mt19937_64 gen(0x6a1a5e);
    std::vector<double> macroF1s;
    for (int k = 0; k < EvaluationResult::kBootstrapResamples; ++k) {
        std::array<double, 5> truePositives{}, predicted{}, support{};
        for (std::uint64_t i = 0; i < n; ++i) {
            std::uint64_t r = gen();
            while (r < threshold) r = gen();
            const Prediction& p = known[r % n];
            const auto truth = static_cast<std::size_t>(p.trueLabel);
            const auto guess = static_cast<std::size_t>(p.predicted());
            ++support[truth];
            ++predicted[guess];
            if (truth == guess) ++truePositives[truth];
        }
        double sum = 0;
        for (std::size_t c = 0; c < 5; ++c) {
            const double precision = predicted[c] > 0 ? truePositives[c] / predicted[c] : 0;
            const double recall = support[c] > 0 ? truePositives[c] / support[c] : 0;
            if (precision + recall > 0) sum += 2 * precision * recall / (precision + recall);
        }
        macroF1s.push_back(sum / 5);
    }
    std::sort(macroF1s.begin(), macroF1s.end());
    const auto at = [&](double q) {
        return macroF1s[static_cast<std::size_t>(q * static_cast<double>(macroF1s.size() - 1) +
                                                 0.5)];
    };
    return {at(0.025), at(0.975)};
}

}  // namespace

class TestEvaluation : public QObject {
    Q_OBJECT

private slots:
    void metricsEqualHandComputedValues() {
        const EvaluationResult r = evaluate(handMade());
        QCOMPARE(r.n, std::size_t(6));
        QVERIFY(near(r.accuracy, 4.0 / 6.0));
        const std::array<std::array<std::size_t, 5>, 5> confusion = {
            {{1, 1, 0, 0, 0}, {0, 1, 0, 0, 0}, {1, 0, 0, 0, 0}, {0, 0, 0, 1, 0}, {0, 0, 0, 0, 1}}};
        QCOMPARE(r.confusion, confusion);
        // round: TP 1, predicted round 2, support 2.
        QVERIFY(near(r.perClass[0].precision, 0.5) && near(r.perClass[0].recall, 0.5));
        QVERIFY(near(r.perClass[0].f1, 0.5));
        // in-between: TP 1, predicted 2, support 1 -> F1 2/3.
        QVERIFY(near(r.perClass[1].precision, 0.5) && near(r.perClass[1].recall, 1.0));
        QVERIFY(near(r.perClass[1].f1, 2.0 / 3.0));
        // cigar: never predicted, never right.
        QVERIFY(near(r.perClass[2].precision, 0) && near(r.perClass[2].recall, 0) &&
                near(r.perClass[2].f1, 0));
        QCOMPARE(r.perClass[2].support, std::size_t(1));
        QVERIFY(near(r.perClass[3].f1, 1) && near(r.perClass[4].f1, 1));
        QVERIFY(near(r.macroF1, (0.5 + 2.0 / 3.0 + 0 + 1 + 1) / 5));
        // AUC round: positives score 0.7 and 0.3, negatives 0.1 0.4 0.05 0.1: 7 of 8 pairs.
        QVERIFY(near(r.perClass[0].auc, 7.0 / 8.0));
        // cigar's one positive (0.3) outscores all five negatives.
        QVERIFY(near(r.perClass[2].auc, 1.0));
        QVERIFY(near(r.perClass[4].auc, 1.0));
        const double loss = -(std::log(0.7) + std::log(0.3) + std::log(0.8) + std::log(0.3) +
                              std::log(0.8) + std::log(0.6)) /
                            6;
        QVERIFY(std::abs(r.meanLoss - loss) < 1e-5);
    }

    void aucHandlesTiesAndDegenerateCases() {
        QVERIFY(near(rocAuc({0.5f, 0.5f}, {true, false}), 0.5));
        QVERIFY(near(rocAuc({0.1f, 0.9f, 0.5f, 0.5f}, {false, true, true, false}),
                     (1 + 1 + 1 + 0.5) / 4));
        QVERIFY(std::isnan(rocAuc({0.2f, 0.3f}, {true, true})));
        QVERIFY(std::isnan(rocAuc({}, {})));
        // Perfectly wrong ranking.
        QVERIFY(near(rocAuc({0.9f, 0.8f, 0.1f}, {false, false, true}), 0.0));
    }

    void jsonHasTheAgreedKeys() {
        const QJsonObject j =
            QJsonDocument::fromJson(QByteArray::fromStdString(evaluate(handMade()).toJson()))
                .object();
        QCOMPARE(j["n"].toInt(), 6);
        QVERIFY(near(j["accuracy"].toDouble(), 4.0 / 6.0));
        QCOMPARE(j["recall"].toArray().size(), 5);
        QVERIFY(near(j["recall"].toArray()[1].toDouble(), 1.0));
        QCOMPARE(j["confusion"].toArray()[2].toArray()[0].toInt(), 1);
        QCOMPARE(j["labels"].toArray()[4].toString(), QString("spiral"));
        QVERIFY(j.contains("macro_f1") && j.contains("auc") && j.contains("precision"));
    }

    void wilsonIntervalsMatchPublishedValues() {
        // Reference values: statsmodels proportion_confint(method="wilson"), R
        // prop.test(correct=F).
        auto close = [](const Interval& i, double low, double high) {
            return std::abs(i.low - low) < 5e-4 && std::abs(i.high - high) < 5e-4;
        };
        QVERIFY(close(wilsonInterval(1, 3), 0.0615, 0.7923));  // one cigar of three
        QVERIFY(close(wilsonInterval(0, 9), 0.0, 0.2992));     // none of nine: still not zero
        QVERIFY(close(wilsonInterval(134, 145), 0.8690, 0.9574));
        QVERIFY(close(wilsonInterval(3, 3), 0.4385, 1.0));
        QVERIFY(std::isnan(wilsonInterval(0, 0).low) && std::isnan(wilsonInterval(0, 0).high));
    }

    void resultsCarryIntervals() {
        const EvaluationResult r = evaluate(handMade());
        QVERIFY(near(r.accuracyInterval.low, wilsonInterval(4, 6).low));
        QVERIFY(near(r.perClass[0].recallInterval.high, wilsonInterval(1, 2).high));
        QVERIFY(near(r.perClass[1].precisionInterval.low, wilsonInterval(1, 2).low));
        // Cigar was never predicted: its precision is unknown, not 0 with an interval.
        QVERIFY(std::isnan(r.perClass[2].precisionInterval.low));

        // The bootstrap interval of the macro F1 is the documented one (so the same predictions
        // always give the same interval), holds the estimate, and narrows with ten times the
        // galaxies in the same proportions.
        std::vector<Prediction> small, large;
        for (int copy = 0; copy < 10; ++copy)
            for (int i = 0; i < 3; ++i)
                for (const Prediction& p : handMade()) {
                    if (copy == 0) small.push_back(p);
                    large.push_back(p);
                }
        const EvaluationResult a = evaluate(small), c = evaluate(large);
        const Interval expectedSmall = referenceMacroF1Interval(small);
        const Interval expectedLarge = referenceMacroF1Interval(large);
        QVERIFY(near(a.macroF1Interval.low, expectedSmall.low));
        QVERIFY(near(a.macroF1Interval.high, expectedSmall.high));
        QVERIFY(near(c.macroF1Interval.low, expectedLarge.low));
        QVERIFY(near(c.macroF1Interval.high, expectedLarge.high));
        QVERIFY(a.macroF1Interval.low <= a.macroF1 && a.macroF1 <= a.macroF1Interval.high);
        QVERIFY(c.macroF1Interval.low <= c.macroF1 && c.macroF1 <= c.macroF1Interval.high);
        QVERIFY(near(a.macroF1, c.macroF1));
        const double wide = a.macroF1Interval.high - a.macroF1Interval.low;
        const double narrow = c.macroF1Interval.high - c.macroF1Interval.low;
        QVERIFY2(narrow < 0.6 * wide && narrow > 0.01,
                 qPrintable(QString("widths %1 and %2").arg(wide).arg(narrow)));

        const QJsonObject j = QJsonDocument::fromJson(QByteArray::fromStdString(a.toJson()))
                                  .object()["intervals"]
                                  .toObject();
        QVERIFY(near(j["accuracy"].toArray()[0].toDouble(), a.accuracyInterval.low));
        QVERIFY(near(j["macro_f1"].toArray()[1].toDouble(), a.macroF1Interval.high));
        QCOMPARE(j["recall"].toArray().size(), 5);
        QVERIFY(j["precision"].toArray()[2].toArray()[0].isNull());
        QVERIFY(j["methods"].toObject()["macro_f1"].toString().contains("bootstrap"));
    }

    void emptyAndUnknownOnly() {
        const EvaluationResult r = evaluate({{1, kUnlabeled, {0.2f, 0.2f, 0.2f, 0.2f, 0.2f}}});
        QCOMPARE(r.n, std::size_t(0));
        QVERIFY(!evaluate({}).toJson().empty());
    }

    void predictionsCsvRoundTrip() {
        QTemporaryDir tmp;
        const fs::path file = fs::path(tmp.path().toStdString()) / "predictions.csv";
        writePredictionsCsv(file, handMade());
        const std::string text = readWholeFile(file);
        QVERIFY(
            text.starts_with("GalaxyID,true_label,predicted_label,p_round,p_in_between,p_cigar,"
                             "p_edge_on,p_spiral\n101,0,0,0.7,0.1,0.1,0.05,0.05\n102,0,1,"));
        const auto back = readPredictionsCsv(file);
        QCOMPARE(back.size(), std::size_t(7));
        QCOMPARE(back[6].trueLabel, kUnlabeled);
        QCOMPARE(back[3].predicted(), 0);
        QCOMPARE(back[2].probabilities[1], 0.8f);
        test::writeText(
            file,
            "GalaxyID,true_label,predicted_label,p_round,p_in_between,p_cigar,p_edge_on,"
            "p_spiral\n1,9,0,1,0,0,0,0\n");
        QVERIFY_THROWS_EXCEPTION(DataError, readPredictionsCsv(file));
    }

    void predictionTableNamesClassesAndQuotesFiles() {
        QTemporaryDir tmp;
        const fs::path file = fs::path(tmp.path().toStdString()) / "table.csv";
        const auto rows = handMade();
        writePredictionTableCsv(file, {{rows[0], "101.jpg"}, {rows[2], "odd, \"name\".jpg"}});
        QCOMPARE(
            readWholeFile(file),
            std::string("GalaxyID,file,predicted,confidence,p_round,p_in_between,p_cigar,"
                        "p_edge_on,p_spiral\n"
                        "101,101.jpg,round,0.7,0.7,0.1,0.1,0.05,0.05\n"
                        "103,\"odd, \"\"name\"\".jpg\",in_between,0.8,0.1,0.8,0.05,0.03,0.02\n"));
    }
};

QTEST_APPLESS_MAIN(TestEvaluation)
#include "test_evaluation.moc"
