#include "dataset/labelingsession.h"

#include <QtConcurrent/QtConcurrentRun>

#include <chrono>
#include <utility>

#include "gz/error.h"

namespace gz::ui {

std::optional<Subset> SplitMap::subsetOf(std::int64_t id) const {
    const auto it = subsets.constFind(id);
    if (it == subsets.cend()) return std::nullopt;
    return *it;
}

LabelingSession::LabelingSession(QObject* parent) : QObject(parent) {
    pool_.setMaxThreadCount(1);
    connect(&watcher_, &QFutureWatcher<Result>::finished, this, &LabelingSession::onRelabelDone);
}

LabelingSession::~LabelingSession() {
    watcher_.disconnect(this);
    watcher_.waitForFinished();
}

void LabelingSession::setDataset(std::shared_ptr<const LoadedDataset> dataset) {
    dataset_ = std::move(dataset);
    ++generation_;  // a relabeling of the previous data set is dropped
    pending_ = false;
    split_.reset();
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
    emit labelingChanged();
}

void LabelingSession::setRules(const LabelRules& rules) {
    if (rules == rules_) return;
    rules_ = rules;
    emit rulesChanged(rules_);
    if (!dataset_) return;
    ++generation_;
    if (running_)
        pending_ = true;
    else
        startRelabel();
}

void LabelingSession::startRelabel() {
    running_ = true;
    pending_ = false;
    const auto dataset = dataset_;
    const LabelRules rules = rules_;
    const quint64 generation = generation_;
    watcher_.setFuture(QtConcurrent::run(&pool_, [dataset, rules, generation] {
        Result result;
        result.generation = generation;
        const auto start = std::chrono::steady_clock::now();
        try {
            result.labeling =
                std::make_shared<const Labeling>(labelCatalog(dataset->catalog, rules));
        } catch (const DataError& e) {
            result.error = QString::fromStdString(e.what());
        }
        result.ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        return result;
    }));
}

void LabelingSession::onRelabelDone() {
    running_ = false;
    const Result result = watcher_.result();
    if (pending_) {  // the user moved on: label with the newest rules
        startRelabel();
        return;
    }
    if (result.generation != generation_) return;
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

void LabelingSession::clearSplit() {
    if (!split_) return;
    split_.reset();
    emit splitChanged();
}

}  // namespace gz::ui
