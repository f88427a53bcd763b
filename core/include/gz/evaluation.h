#pragma once
// Classification metrics on predicted probabilities, and the predictions.csv file.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "gz/morphology.h"

namespace gz {

using Probabilities = std::array<float, kMorphologyCount>;

/// One galaxy's prediction: its true label (-1 when unknown), the model's probabilities and,
/// from a model with a votes head, its 37 vote fractions (in kVoteColumns order; else empty).
struct Prediction {
    std::int64_t id = 0;
    int trueLabel = kUnlabeled;
    Probabilities probabilities{};
    std::vector<float> fractions{};
    int predicted() const;  ///< arg max (the first on ties)
    float confidence() const { return probabilities[static_cast<std::size_t>(predicted())]; }
};

/// A 95% confidence interval; NaN bounds when there is nothing to estimate from.
struct Interval {
    double low = std::numeric_limits<double>::quiet_NaN();
    double high = std::numeric_limits<double>::quiet_NaN();
};

/// Wilson score interval for a proportion of `successes` out of `trials` at 95%.
Interval wilsonInterval(std::size_t successes, std::size_t trials);

struct ClassMetrics {
    double precision = 0, recall = 0, f1 = 0;
    std::size_t support = 0;  ///< galaxies of this true class
    double auc = 0;           ///< one-vs-rest ROC AUC (NaN when the class or the rest is absent)
    Interval precisionInterval, recallInterval;  ///< Wilson, 95%
};

/// Metrics over the predictions whose true label is known.
struct EvaluationResult {
    std::size_t n = 0;
    double accuracy = 0;
    double macroF1 = 0;
    double meanLoss = 0;        ///< cross-entropy of the true class (natural log)
    Interval accuracyInterval;  ///< Wilson, 95%
    /// Percentile bootstrap, 95%: kBootstrapResamples resamples of the galaxies with replacement,
    /// from a fixed seed, so the same predictions always give the same interval.
    Interval macroF1Interval;
    static constexpr int kBootstrapResamples = 2000;
    std::array<ClassMetrics, kMorphologyCount> perClass{};
    /// confusion[true][predicted]
    std::array<std::array<std::size_t, kMorphologyCount>, kMorphologyCount> confusion{};

    /// {"n", "accuracy", "macro_f1", "loss", "recall": [5], "precision": [5], "f1": [5],
    ///  "support": [5], "auc": [5], "confusion": 5x5, "labels": [names], "intervals":
    ///  {"level": 0.95, "accuracy": [lo, hi], "macro_f1": [lo, hi], "recall": [[lo, hi] x5],
    ///  "precision": [[lo, hi] x5], "methods": {...}}}; unknown numbers are null.
    std::string toJson() const;
};

/// Computes every metric; predictions with an unknown true label are ignored.
EvaluationResult evaluate(const std::vector<Prediction>& predictions);

/// The predictions whose true label is known, in order: what a predictions.csv holds (the
/// unlabeled galaxies a votes head is scored on go to fractions.csv only).
std::vector<Prediction> labeledOnly(const std::vector<Prediction>& predictions);

/// One-vs-rest ROC AUC from scores: the probability that a random positive scores above a random
/// negative, ties counting one half (Mann-Whitney). NaN without positives or negatives.
double rocAuc(const std::vector<float>& scores, const std::vector<bool>& positive);

/// predictions.csv, the original workflow's format:
/// GalaxyID,true_label,predicted_label,p_round,...,p_spiral.
void writePredictionsCsv(const std::filesystem::path& file, const std::vector<Prediction>& rows);
std::vector<Prediction> readPredictionsCsv(const std::filesystem::path& file);

}  // namespace gz
