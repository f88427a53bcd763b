#include "gz/evaluation.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>

#include "data/csv_reader.h"
#include "gz/error.h"
#include "gz/files.h"
#include "util/percentile.h"
#include "util/portable_random.h"

namespace gz {
namespace fs = std::filesystem;

int Prediction::predicted() const {
    return static_cast<int>(std::max_element(probabilities.begin(), probabilities.end()) -
                            probabilities.begin());
}

double rocAuc(const std::vector<float>& scores, const std::vector<bool>& positive) {
    // Rank-sum formulation with average ranks for ties: O(n log n).
    const std::size_t n = scores.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return scores[a] < scores[b]; });
    double positiveRankSum = 0;
    std::size_t positives = 0;
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        while (j < n && scores[order[j]] == scores[order[i]]) ++j;
        const double averageRank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
        for (std::size_t k = i; k < j; ++k)
            if (positive[order[k]]) {
                positiveRankSum += averageRank;
                ++positives;
            }
        i = j;
    }
    const std::size_t negatives = n - positives;
    if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
    const double p = static_cast<double>(positives);
    return (positiveRankSum - p * (p + 1) / 2.0) / (p * static_cast<double>(negatives));
}

Interval wilsonInterval(std::size_t successes, std::size_t trials) {
    if (trials == 0) return {};
    constexpr double z = 1.959963984540054;  // two-sided 95%
    const double n = static_cast<double>(trials);
    const double p = static_cast<double>(successes) / n;
    const double d = 1 + z * z / n;
    const double centre = (p + z * z / (2 * n)) / d;
    const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d;
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

namespace {

using Confusion = std::array<std::array<std::size_t, kMorphologyCount>, kMorphologyCount>;

struct ClassCounts {
    std::size_t truePositives = 0, support = 0, predicted = 0;
};

ClassCounts countsOf(const Confusion& confusion, std::size_t c) {
    ClassCounts k{confusion[c][c], 0, 0};
    for (std::size_t t = 0; t < kMorphologyCount; ++t) {
        k.support += confusion[c][t];
        k.predicted += confusion[t][c];
    }
    return k;
}

double ratio(std::size_t a, std::size_t b) {
    return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
}

double f1Of(const ClassCounts& k) {
    const double precision = ratio(k.truePositives, k.predicted);
    const double recall = ratio(k.truePositives, k.support);
    return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
}

double macroF1Of(const Confusion& confusion) {
    double sum = 0;
    for (std::size_t c = 0; c < kMorphologyCount; ++c) sum += f1Of(countsOf(confusion, c));
    return sum / kMorphologyCount;
}

/// Percentile bootstrap of the macro F1: galaxies are drawn with replacement, which only changes
/// how often each (true, predicted) cell occurs, so a resample is a confusion matrix.
Interval bootstrapMacroF1(const std::vector<std::uint8_t>& cellOfGalaxy) {
    const std::size_t n = cellOfGalaxy.size();
    if (n == 0) return {};
    std::mt19937_64 gen(0x6a1a5e);  // fixed: the same predictions give the same interval
    std::vector<double> values(EvaluationResult::kBootstrapResamples);
    for (double& value : values) {
        Confusion resample{};
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint8_t cell = cellOfGalaxy[detail::uniformBelow(gen, n)];
            ++resample[cell / kMorphologyCount][cell % kMorphologyCount];
        }
        value = macroF1Of(resample);
    }
    return detail::percentileInterval95(values);
}

}  // namespace

EvaluationResult evaluate(const std::vector<Prediction>& predictions) {
    EvaluationResult r;
    std::vector<const Prediction*> known;
    for (const auto& p : predictions)
        if (p.trueLabel >= 0 && p.trueLabel < kMorphologyCount) known.push_back(&p);
    r.n = known.size();
    if (r.n == 0) return r;

    std::size_t correct = 0;
    double loss = 0;
    std::vector<std::uint8_t> cellOfGalaxy;
    cellOfGalaxy.reserve(r.n);
    for (const Prediction* p : known) {
        const int t = p->trueLabel, y = p->predicted();
        ++r.confusion[static_cast<std::size_t>(t)][static_cast<std::size_t>(y)];
        cellOfGalaxy.push_back(static_cast<std::uint8_t>(t * kMorphologyCount + y));
        correct += t == y;
        loss -= std::log(std::max(p->probabilities[static_cast<std::size_t>(t)], 1e-12f));
    }
    r.accuracy = ratio(correct, r.n);
    r.accuracyInterval = wilsonInterval(correct, r.n);
    r.meanLoss = loss / static_cast<double>(r.n);

    for (std::size_t c = 0; c < kMorphologyCount; ++c) {
        ClassMetrics& m = r.perClass[c];
        const ClassCounts k = countsOf(r.confusion, c);
        m.support = k.support;
        m.precision = ratio(k.truePositives, k.predicted);
        m.recall = ratio(k.truePositives, k.support);
        m.f1 = f1Of(k);
        m.precisionInterval = wilsonInterval(k.truePositives, k.predicted);
        m.recallInterval = wilsonInterval(k.truePositives, k.support);

        std::vector<float> scores;
        std::vector<bool> positive;
        scores.reserve(r.n);
        positive.reserve(r.n);
        for (const Prediction* p : known) {
            scores.push_back(p->probabilities[c]);
            positive.push_back(static_cast<std::size_t>(p->trueLabel) == c);
        }
        m.auc = rocAuc(scores, positive);
    }
    r.macroF1 = macroF1Of(r.confusion);
    r.macroF1Interval = bootstrapMacroF1(cellOfGalaxy);
    return r;
}

std::string EvaluationResult::toJson() const {
    using nlohmann::json;
    auto number = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    auto interval = [&](const Interval& i) { return json::array({number(i.low), number(i.high)}); };
    json labels = json::array(), recall = json::array(), precision = json::array(),
         f1 = json::array(), support = json::array(), auc = json::array(), matrix = json::array(),
         recallCi = json::array(), precisionCi = json::array();
    for (std::size_t c = 0; c < kMorphologyCount; ++c) {
        labels.push_back(kMorphologyKeys[c]);
        recall.push_back(number(perClass[c].recall));
        precision.push_back(number(perClass[c].precision));
        f1.push_back(number(perClass[c].f1));
        support.push_back(perClass[c].support);
        auc.push_back(number(perClass[c].auc));
        matrix.push_back(confusion[c]);
        recallCi.push_back(interval(perClass[c].recallInterval));
        precisionCi.push_back(interval(perClass[c].precisionInterval));
    }
    const json intervals = {
        {"level", 0.95},
        {"accuracy", interval(accuracyInterval)},
        {"macro_f1", interval(macroF1Interval)},
        {"recall", recallCi},
        {"precision", precisionCi},
        {"methods",
         {{"accuracy", "Wilson score"},
          {"recall", "Wilson score"},
          {"precision", "Wilson score"},
          {"macro_f1", "percentile bootstrap, " + std::to_string(kBootstrapResamples) +
                           " resamples of the galaxies, fixed seed"}}}};
    return json{{"n", n},
                {"accuracy", number(accuracy)},
                {"macro_f1", number(macroF1)},
                {"loss", number(meanLoss)},
                {"labels", labels},
                {"recall", recall},
                {"precision", precision},
                {"f1", f1},
                {"support", support},
                {"auc", auc},
                {"confusion", matrix},
                {"intervals", intervals}}
        .dump();
}

std::vector<Prediction> labeledOnly(const std::vector<Prediction>& predictions) {
    std::vector<Prediction> labeled;
    std::copy_if(predictions.begin(), predictions.end(), std::back_inserter(labeled),
                 [](const Prediction& p) { return p.trueLabel != kUnlabeled; });
    return labeled;
}

void writePredictionsCsv(const fs::path& file, const std::vector<Prediction>& rows) {
    writeFileAtomically(file, [&](std::ostream& out) {
        out << "GalaxyID,true_label,predicted_label";
        for (auto key : kMorphologyKeys) out << ",p_" << key;
        out << '\n';
        char buf[32];
        for (const auto& p : rows) {
            out << p.id << ',' << p.trueLabel << ',' << p.predicted();
            for (float v : p.probabilities) {
                std::snprintf(buf, sizeof buf, ",%.6g", static_cast<double>(v));
                out << buf;
            }
            out << '\n';
        }
    });
}

std::vector<Prediction> readPredictionsCsv(const fs::path& file) {
    const std::string text = readWholeFile(file);
    detail::CsvReader csv(text, file);
    const std::size_t idField = csv.require("GalaxyID");
    const std::size_t trueField = csv.require("true_label");
    std::array<std::size_t, kMorphologyCount> pField{};
    for (std::size_t c = 0; c < kMorphologyCount; ++c)
        pField[c] = csv.require("p_" + std::string(kMorphologyKeys[c]));
    std::vector<Prediction> out;
    while (csv.next()) {
        Prediction p;
        p.id = csv.integer(idField);
        const std::int64_t t = csv.integer(trueField);
        if (t < kUnlabeled || t >= kMorphologyCount)
            csv.fail(trueField, "true_label " + std::to_string(t) + " is not -1..4");
        p.trueLabel = static_cast<int>(t);
        for (std::size_t c = 0; c < kMorphologyCount; ++c) {
            const double v = csv.number(pField[c]);
            if (v < 0 || v > 1) csv.fail(pField[c], "probability outside [0, 1]");
            p.probabilities[c] = static_cast<float>(v);
        }
        out.push_back(p);
    }
    return out;
}

}  // namespace gz
