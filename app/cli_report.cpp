#include "cli_report.h"

#include <cstdio>
#include <string>

#include "gz/morphology.h"

namespace gz::cli {

void printEvaluation(const EvaluationResult& r) {
    std::printf("%zu galaxies: accuracy %.4f [%.3f, %.3f], macro F1 %.4f [%.3f, %.3f]\n", r.n,
                r.accuracy, r.accuracyInterval.low, r.accuracyInterval.high, r.macroF1,
                r.macroF1Interval.low, r.macroF1Interval.high);
    std::printf(
        "(95%% intervals: Wilson for accuracy and recall, bootstrap of %d resamples for "
        "macro F1)\n",
        EvaluationResult::kBootstrapResamples);
    std::printf("%-12s %9s %9s %15s %9s %9s %9s\n", "", "precision", "recall", "recall 95%", "f1",
                "auc", "support");
    for (std::size_t c = 0; c < kMorphologyCount; ++c) {
        const auto& m = r.perClass[c];
        std::printf("%-12s %9.4f %9.4f  [%5.3f, %5.3f] %9.4f %9.4f %9zu\n",
                    std::string(kMorphologyKeys[c]).c_str(), m.precision, m.recall,
                    m.recallInterval.low, m.recallInterval.high, m.f1, m.auc, m.support);
    }
    std::printf("confusion (rows true, columns predicted):\n");
    for (std::size_t t = 0; t < kMorphologyCount; ++t) {
        std::printf("%-12s", std::string(kMorphologyKeys[t]).c_str());
        for (std::size_t p = 0; p < kMorphologyCount; ++p) std::printf(" %6zu", r.confusion[t][p]);
        std::printf("\n");
    }
}

void printVoteFit(const VoteFit& f) {
    std::printf(
        "vote fractions on %zu galaxies: RMSE %.4f [%.4f, %.4f] (Kaggle's metric, 37 columns; "
        "bootstrap 95%%); predicting the training mean: %.4f\n",
        f.n, f.rmse, f.rmseInterval.low, f.rmseInterval.high, f.baselineRmse);
}

}  // namespace gz::cli
