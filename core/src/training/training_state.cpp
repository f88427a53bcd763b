#include "training/training_state.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "gz/error.h"

namespace gz::detail {
using nlohmann::json;

namespace {

json optionalNumber(double v) {
    return std::isfinite(v) ? json(v) : json(nullptr);
}

double numberOrNan(const json& j, const char* key) {
    return j.at(key).is_null() ? std::numeric_limits<double>::quiet_NaN() : j.at(key).get<double>();
}

json recordJson(const EpochRecord& r) {
    return {{"epoch", r.epoch},
            {"train_loss", optionalNumber(r.trainLoss)},
            {"train_accuracy", optionalNumber(r.trainAccuracy)},
            {"val_loss", optionalNumber(r.valLoss)},
            {"val_accuracy", optionalNumber(r.valAccuracy)},
            {"val_macro_f1", optionalNumber(r.valMacroF1)},
            {"lr", optionalNumber(r.lr)},
            {"images_per_s", optionalNumber(r.imagesPerSecond)},
            {"seconds", optionalNumber(r.seconds)},
            {"elapsed_seconds", optionalNumber(r.elapsedSeconds)},
            {"batches", r.batches}};
}

EpochRecord recordFromJson(const json& j) {
    EpochRecord r;
    r.epoch = j.at("epoch");
    r.trainLoss = numberOrNan(j, "train_loss");
    r.trainAccuracy = numberOrNan(j, "train_accuracy");
    r.valLoss = numberOrNan(j, "val_loss");
    r.valAccuracy = numberOrNan(j, "val_accuracy");
    r.valMacroF1 = numberOrNan(j, "val_macro_f1");
    r.lr = numberOrNan(j, "lr");
    r.imagesPerSecond = numberOrNan(j, "images_per_s");
    r.seconds = numberOrNan(j, "seconds");
    r.elapsedSeconds = numberOrNan(j, "elapsed_seconds");
    r.batches = j.at("batches");
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
                {"part_loss", partLoss},
                {"part_correct", partCorrect},
                {"part_seen", partSeen},
                {"part_seconds", partSeconds},
                {"seed", seed}}
        .dump();
}

TrainingState TrainingState::fromJson(const std::string& text,
                                      const std::filesystem::path& checkpoint) {
    TrainingState s;
    try {
        const json j = json::parse(text);
        s.epoch = j.at("epoch");
        s.batchInEpoch = j.at("batch_in_epoch");
        s.step = j.at("step");
        s.elapsed = j.at("elapsed");
        s.bestValue = j.at("best_value").is_null() ? -std::numeric_limits<double>::infinity()
                                                   : j.at("best_value").get<double>();
        s.bestEpoch = j.at("best_epoch");
        s.badEpochs = j.at("bad_epochs");
        for (const auto& r : j.at("history")) s.history.push_back(recordFromJson(r));
        s.partLoss = j.at("part_loss");
        s.partCorrect = j.at("part_correct");
        s.partSeen = j.at("part_seen");
        s.partSeconds = j.at("part_seconds");
    } catch (const json::exception& e) {
        throw DataError(checkpoint, std::string("cannot read checkpoint: ") + e.what());
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
    }
    return record.valMacroF1;
}

}  // namespace gz::detail
