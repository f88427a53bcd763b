#include "gz/evaluation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>

#include "csv_reader.h"
#include "gz/error.h"
#include "gz/files.h"

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

EvaluationResult evaluate(const std::vector<Prediction>& predictions) {
    EvaluationResult r;
    std::vector<const Prediction*> known;
    for (const auto& p : predictions)
        if (p.trueLabel >= 0 && p.trueLabel < kMorphologyCount) known.push_back(&p);
    r.n = known.size();
    if (r.n == 0) return r;

    std::size_t correct = 0;
    double loss = 0;
    for (const Prediction* p : known) {
        const int t = p->trueLabel, y = p->predicted();
        ++r.confusion[static_cast<std::size_t>(t)][static_cast<std::size_t>(y)];
        correct += t == y;
        loss -= std::log(std::max(p->probabilities[static_cast<std::size_t>(t)], 1e-12f));
    }
    r.accuracy = static_cast<double>(correct) / static_cast<double>(r.n);
    r.meanLoss = loss / static_cast<double>(r.n);

    double f1Sum = 0;
    for (std::size_t c = 0; c < kMorphologyCount; ++c) {
        ClassMetrics& m = r.perClass[c];
        std::size_t predictedAsC = 0;
        for (std::size_t t = 0; t < kMorphologyCount; ++t) {
            m.support += r.confusion[c][t];
            predictedAsC += r.confusion[t][c];
        }
        const double tp = static_cast<double>(r.confusion[c][c]);
        m.precision = predictedAsC ? tp / static_cast<double>(predictedAsC) : 0.0;
        m.recall = m.support ? tp / static_cast<double>(m.support) : 0.0;
        m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall)
                                          : 0.0;
        f1Sum += m.f1;

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
    r.macroF1 = f1Sum / kMorphologyCount;
    return r;
}

std::string EvaluationResult::toJson() const {
    using nlohmann::json;
    auto number = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    json labels = json::array(), recall = json::array(), precision = json::array(),
         f1 = json::array(), support = json::array(), auc = json::array(), matrix = json::array();
    for (std::size_t c = 0; c < kMorphologyCount; ++c) {
        labels.push_back(kMorphologyKeys[c]);
        recall.push_back(number(perClass[c].recall));
        precision.push_back(number(perClass[c].precision));
        f1.push_back(number(perClass[c].f1));
        support.push_back(perClass[c].support);
        auc.push_back(number(perClass[c].auc));
        matrix.push_back(confusion[c]);
    }
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
                {"confusion", matrix}}
        .dump();
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
