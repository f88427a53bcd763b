#include "evaluation/evaluationdata.h"

#include <QObject>

#include <algorithm>

namespace gz::ui {

std::vector<Prediction> cellPredictions(const std::vector<Prediction>& predictions, int trueClass,
                                        int predicted) {
    std::vector<Prediction> cell;
    for (const Prediction& p : predictions)
        if (p.trueLabel == trueClass && p.predicted() == predicted) cell.push_back(p);
    std::stable_sort(cell.begin(), cell.end(), [](const Prediction& a, const Prediction& b) {
        const float ca = a.confidence(), cb = b.confidence();
        return ca != cb ? ca > cb : a.id < b.id;
    });
    return cell;
}

double rowPercent(const EvaluationResult& result, int trueClass, int predicted) {
    const auto& row = result.confusion[static_cast<std::size_t>(trueClass)];
    std::size_t total = 0;
    for (std::size_t c : row) total += c;
    if (total == 0) return 0;
    return 100.0 * static_cast<double>(row[static_cast<std::size_t>(predicted)]) /
           static_cast<double>(total);
}

QString markTitle(GalaxyMark mark) {
    switch (mark) {
        case GalaxyMark::LabelWrong:
            return QObject::tr("Label looks wrong");
        case GalaxyMark::ModelWrong:
            return QObject::tr("Model wrong");
        case GalaxyMark::None:
            break;
    }
    return {};
}

}  // namespace gz::ui
