#include "training/training_state.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "gz/error.h"
#include "util/json_file.h"

namespace gz::detail {
using nlohmann::json;

namespace {

const std::string kCannotRead = "cannot read checkpoint: ";

json optionalNumber(double v) {
    return std::isfinite(v) ? json(v) : json(nullptr);
}

double numberOrNan(const json& j, const char* key) {
    return j.at(key).is_null() ? std::numeric_limits<double>::quiet_NaN() : j.at(key).get<double>();
}

// A key newer than some checkpoints: `missing` where it is absent.
double newerNumber(const json& j, const char* key, double missing) {
    return j.contains(key) ? numberOrNan(j, key) : missing;
}

json recordJson(const EpochRecord& r) {
    return {{"epoch", r.epoch},
            {"train_loss", optionalNumber(r.trainLoss)},
            {"train_accuracy", optionalNumber(r.trainAccuracy)},
            {"train_votes_loss", optionalNumber(r.trainVotesLoss)},
            {"val_loss", optionalNumber(r.valLoss)},
            {"val_accuracy", optionalNumber(r.valAccuracy)},
            {"val_macro_f1", optionalNumber(r.valMacroF1)},
            {"lr", optionalNumber(r.lr)},
            {"images_per_s", optionalNumber(r.imagesPerSecond)},
            {"seconds", optionalNumber(r.seconds)},
            {"elapsed_seconds", optionalNumber(r.elapsedSeconds)},
            {"batches", r.batches}};
}

EpochRecord recordFromJson(const json& j, const std::filesystem::path& where) {
    EpochRecord r;
    r.epoch = detail::jsonField<int>(j, "epoch", where, kCannotRead);
    r.trainLoss = numberOrNan(j, "train_loss");
    r.trainAccuracy = numberOrNan(j, "train_accuracy");
    r.trainVotesLoss = newerNumber(j, "train_votes_loss", std::numeric_limits<double>::quiet_NaN());
    r.valLoss = numberOrNan(j, "val_loss");
    r.valAccuracy = numberOrNan(j, "val_accuracy");
    r.valMacroF1 = numberOrNan(j, "val_macro_f1");
    r.lr = numberOrNan(j, "lr");
    r.imagesPerSecond = numberOrNan(j, "images_per_s");
    r.seconds = numberOrNan(j, "seconds");
    r.elapsedSeconds = numberOrNan(j, "elapsed_seconds");
    r.batches = detail::jsonField<int>(j, "batches", where, kCannotRead);
    return r;
}

}  // namespace

std::string TrainingState::toJson(std::uint64_t seed) const {
    json h = json::array();
    for (const auto& r : history) h.push_back(recordJson(r));
    return json{{"epoch", epoch},
                {"batch_in_epoch", batchInEpoch},
                {"step", step},
                {"elapsed", elapsed},
                {"best_value", optionalNumber(bestValue)},
                {"best_epoch", bestEpoch},
                {"bad_epochs", badEpochs},
                {"history", h},
                {"part_classes_loss", optionalNumber(partClassesLoss)},
                {"part_votes_loss", optionalNumber(partVotesLoss)},
                {"part_correct", partCorrect},
                {"part_seen", partSeen},
                {"part_labeled", partLabeled},
                {"part_seconds", partSeconds},
                {"seed", seed}}
        .dump();
}

TrainingState TrainingState::fromJson(const std::string& text,
                                      const std::filesystem::path& checkpoint) {
    TrainingState s;
    try {
        const json j = json::parse(text);
        s.epoch = detail::jsonField<decltype(s.epoch)>(j, "epoch", checkpoint, kCannotRead);
        s.batchInEpoch = detail::jsonField<decltype(s.batchInEpoch)>(j, "batch_in_epoch",
                                                                     checkpoint, kCannotRead);
        s.step = detail::jsonField<decltype(s.step)>(j, "step", checkpoint, kCannotRead);
        s.elapsed = j.at("elapsed");
        s.bestValue = j.at("best_value").is_null() ? -std::numeric_limits<double>::infinity()
                                                   : j.at("best_value").get<double>();
        s.bestEpoch =
            detail::jsonField<decltype(s.bestEpoch)>(j, "best_epoch", checkpoint, kCannotRead);
        s.badEpochs =
            detail::jsonField<decltype(s.badEpochs)>(j, "bad_epochs", checkpoint, kCannotRead);
        for (const auto& r : j.at("history")) s.history.push_back(recordFromJson(r, checkpoint));
        s.partCorrect = j.at("part_correct");
        s.partSeen = j.at("part_seen");
        // Before unlabeled images were trained on, every image seen had a label.
        s.partLabeled = j.value("part_labeled", s.partSeen);
        // Before the loss's parts were kept apart, only their sum was (part_loss): an epoch
        // begun then has its parts unknown.
        const double unknown = s.partSeen ? std::numeric_limits<double>::quiet_NaN() : 0.0;
        s.partClassesLoss = newerNumber(j, "part_classes_loss", unknown);
        s.partVotesLoss = newerNumber(j, "part_votes_loss", unknown);
        s.partSeconds = j.at("part_seconds");
    } catch (const json::exception& e) {
        throw DataError(checkpoint, kCannotRead + e.what());
    }
    return s;
}

double selectionValue(const EpochRecord& record, SelectMetric metric) {
    switch (metric) {
        case SelectMetric::Loss:
            return -record.valLoss;
        case SelectMetric::Accuracy:
            return record.valAccuracy;
        case SelectMetric::MacroF1:
            return record.valMacroF1;
        case SelectMetric::Last:
            return record.epoch;
    }
    return record.valMacroF1;
}

}  // namespace gz::detail
