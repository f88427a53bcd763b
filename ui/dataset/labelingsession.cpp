#include "dataset/labelingsession.h"

#include <chrono>
#include <utility>

#include "gz/error.h"

namespace gz::ui {

std::optional<Subset> SplitMap::subsetOf(std::int64_t id) const {
    const auto it = subsets.constFind(id);
    if (it == subsets.cend()) return std::nullopt;
    return *it;
}

LabelingSession::LabelingSession(QObject* parent)
    : QObject(parent),
      relabeler_(
          relabel, [this](const Result& result) { onRelabeled(result); },
          [this](const QString& error) {
              onRelabeled({nullptr, error, 0});
          }) {}

void LabelingSession::setDataset(std::shared_ptr<const LoadedDataset> dataset) {
    dataset_ = std::move(dataset);
    relabeler_.cancel();  // a relabeling of the previous data set is dropped
    split_.reset();
    modelFractions_.reset();
    if (dataset_) {
        rules_ = dataset_->rules;
        labeling_ =
            dataset_->labeling ? std::make_shared<const Labeling>(*dataset_->labeling) : nullptr;
        labelingError_ = dataset_->labelingError;
    } else {
        labeling_.reset();
        labelingError_.clear();
    }
    emit datasetChanged();
    emit rulesChanged(rules_);
    emit splitChanged();
    emit modelFractionsChanged();
    emit labelingChanged();
}

void LabelingSession::setRules(const LabelRules& rules) {
    if (rules == rules_) return;
    rules_ = rules;
    emit rulesChanged(rules_);
    if (!dataset_) return;
    relabeler_.submit({dataset_, rules_});
}

LabelingSession::Result LabelingSession::relabel(const Request& request, const std::stop_token&) {
    Result result;
    const auto start = std::chrono::steady_clock::now();
    try {
        result.labeling =
            std::make_shared<const Labeling>(labelCatalog(request.dataset->catalog, request.rules));
    } catch (const DataError& e) {
        result.error = QString::fromStdString(e.what());
    }
    result.ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return result;
}

void LabelingSession::onRelabeled(const Result& result) {
    lastRelabelMs_ = result.ms;
    labeling_ = result.labeling;
    labelingError_ = result.error;
    emit labelingChanged();
}

void LabelingSession::setSplit(const std::vector<SplitEntry>& split, const QString& source) {
    auto map = std::make_shared<SplitMap>();
    map->subsets.reserve(static_cast<qsizetype>(split.size()));
    map->entries = split.size();
    map->source = source;
    for (const SplitEntry& e : split) {
        map->subsets.insert(e.id, e.subset);
        if (dataset_ && !dataset_->catalog.rowOf(e.id)) ++map->notInCatalog;
    }
    split_ = std::move(map);
    emit splitChanged();
}

void LabelingSession::setModelFractions(std::shared_ptr<const ModelFractions> fractions) {
    modelFractions_ = std::move(fractions);
    emit modelFractionsChanged();
}

}  // namespace gz::ui
