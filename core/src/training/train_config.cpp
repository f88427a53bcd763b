#include <algorithm>
#include <nlohmann/json.hpp>

#include "gz/error.h"
#include "gz/files.h"
#include "gz/models.h"
#include "gz/run_folder.h"
#include "gz/training.h"
#include "gz/vote_fit.h"
#include "util/json_file.h"

namespace gz {
namespace fs = std::filesystem;
using nlohmann::json;

void TrainConfig::validate() const {
    auto require = [](bool ok, const std::string& what) {
        if (!ok) throw DataError("training configuration: " + what);
    };
    const auto models = availableModels();
    require(std::find(models.begin(), models.end(), model) != models.end(),
            "unknown model '" + model + "'");
    require(epochs >= 0 && minutes >= 0, "epochs and minutes cannot be negative");
    require(epochs > 0 || minutes > 0, "give a number of epochs or minutes");
    require(batch >= 2 && batch <= 4096, "batch must be 2..4096");
    require(lr > 0 && lr < 10, "learning rate must be in (0, 10)");
    require(warmupEpochs >= 0, "warm-up cannot be negative");
    require(stepEvery >= 1, "step-every must be at least 1");
    require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1)");
    require(weightDecay >= 0 && weightDecay < 1, "weight decay must be in [0, 1)");
    require(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1)");
    require(votesWeight >= 0 && votesWeight <= 1000, "the votes weight must be in [0, 1000]");
    require(emaDecay >= 0 && emaDecay < 1, "the EMA decay must be in [0, 1)");
    require(fp32Finish >= 0 && fp32Finish <= 1, "the fp32 finish must be in [0, 1]");
    require(earlyStopPatience >= 0, "patience cannot be negative");
    require(earlyStopPatience == 0 || watchesValidation(),
            "early stopping needs a validation metric to watch: select the model by loss, "
            "accuracy or macro_f1 (the last epoch, the default, watches none), or set patience "
            "to 0");
    require(threads >= 0 && threads <= 256 && loaderThreads >= 1 && loaderThreads <= 64,
            "thread counts out of range");
    require(worldSize >= 1, "the world size must be at least 1");
    require(batch % worldSize == 0,
            "batch " + std::to_string(batch) + " must be a multiple of the world size " +
                std::to_string(worldSize) + " (every rank takes an equal share of a batch)");
    augmentation.validate();
}

void TrainConfig::validateSplit(const std::vector<SplitEntry>& split,
                                const fs::path& source) const {
    if (!watchesValidation()) return;
    const bool any = std::any_of(split.begin(), split.end(), [](const SplitEntry& e) {
        return e.subset == Subset::Val && e.label != kUnlabeled;
    });
    if (any) return;
    const std::string message =
        "training configuration: the model is chosen by the validation " +
        std::string(optionKey(selectMetric)) +
        ", but the split has no labeled validation galaxies: select the last epoch, or partition "
        "with a validation share above 0";
    if (source.empty()) throw DataError(message);
    throw DataError(source, message);
}

void TrainConfig::validateCatalog(const Catalog& catalog) const {
    if (!hasVotesHead()) return;
    if (const auto missing = missingVoteColumn(catalog))
        throw DataError(catalog.csvPath(),
                        "has no " + std::string(*missing) +
                            " column: the votes head learns all 37 vote fractions; train "
                            "without it with --votes-weight 0 (Votes head off on the Training "
                            "panel)");
}

std::string TrainConfig::toJson() const {
    json j = {{"model", model},
              {"epochs", epochs},
              {"minutes", minutes},
              {"batch", batch},
              {"lr", lr},
              {"schedule", optionKey(schedule)},
              {"warmup_epochs", warmupEpochs},
              {"step_every", stepEvery},
              {"momentum", momentum},
              {"weight_decay", weightDecay},
              {"label_smoothing", labelSmoothing},
              {"votes_weight", votesWeight},
              {"votes_loss", optionKey(votesLoss)},
              {"decision", optionKey(decision)},
              {"ema_decay", emaDecay},
              {"balance", optionKey(balance)},
              {"early_stop_patience", earlyStopPatience},
              {"select_metric", optionKey(selectMetric)},
              {"tta", tta},
              {"threads", threads},
              {"loader_threads", loaderThreads},
              {"device", optionKey(device)},
              {"precision", optionKey(precision)},
              {"fp32_finish", fp32Finish},
              {"seed", seed},
              {"world_size", worldSize},
              {"augmentation", json::parse(augmentation.toJson())},
              {"rules", json::parse(rules.toJson())},
              {"data_csv", dataCsv.string()},
              {"data_images", dataImages ? json(dataImages->string()) : json(nullptr)}};
    return json{{"format", "galaxy-studio-run"}, {"version", 1}, {"config", j}}.dump(2);
}

TrainConfig TrainConfig::fromJson(const std::string& text, const fs::path& source) {
    const fs::path where = source.empty() ? fs::path("training configuration") : source;
    TrainConfig c;
    std::string scheduleKey, balanceKey, selectKey, deviceKey;
    // Runs from before the precision option trained in fp32, and resume so.
    std::string precisionKey{optionKey(Precision::Fp32)};
    std::string votesLossKey{optionKey(VotesLoss::SquaredError)};  // runs before the option
    std::string decisionKey{optionKey(Decision::Head)};            // runs before the option
    try {
        const json all = json::parse(text);
        const json& j = all.at("config");
        c.model = j.at("model");
        c.epochs = detail::jsonField<decltype(c.epochs)>(j, "epochs", where);
        c.minutes = detail::jsonField<decltype(c.minutes)>(j, "minutes", where);
        c.batch = detail::jsonField<decltype(c.batch)>(j, "batch", where);
        c.lr = detail::jsonField<decltype(c.lr)>(j, "lr", where);
        scheduleKey = j.at("schedule").get<std::string>();
        c.warmupEpochs = detail::jsonField<decltype(c.warmupEpochs)>(j, "warmup_epochs", where);
        c.stepEvery = detail::jsonField<decltype(c.stepEvery)>(j, "step_every", where);
        c.momentum = detail::jsonField<decltype(c.momentum)>(j, "momentum", where);
        c.weightDecay = detail::jsonField<decltype(c.weightDecay)>(j, "weight_decay", where);
        c.labelSmoothing =
            detail::jsonField<decltype(c.labelSmoothing)>(j, "label_smoothing", where);
        c.votesWeight = 0;               // runs before the votes head had none
        if (j.contains("votes_weight"))  // (the default since then has one)
            c.votesWeight = detail::jsonField<double>(j, "votes_weight", where);
        if (j.contains("votes_loss")) votesLossKey = j.at("votes_loss").get<std::string>();
        if (j.contains("decision")) decisionKey = j.at("decision").get<std::string>();
        if (j.contains("ema_decay"))  // runs before the moving average: none
            c.emaDecay = detail::jsonField<double>(j, "ema_decay", where);
        balanceKey = j.at("balance").get<std::string>();
        c.earlyStopPatience =
            detail::jsonField<decltype(c.earlyStopPatience)>(j, "early_stop_patience", where);
        selectKey = j.at("select_metric").get<std::string>();
        c.tta = detail::jsonField<decltype(c.tta)>(j, "tta", where);
        c.threads = detail::jsonField<decltype(c.threads)>(j, "threads", where);
        c.loaderThreads = detail::jsonField<decltype(c.loaderThreads)>(j, "loader_threads", where);
        deviceKey = j.at("device").get<std::string>();
        if (j.contains("precision")) precisionKey = j.at("precision").get<std::string>();
        c.fp32Finish = 0;               // runs before the option: bfloat16 to the end
        if (j.contains("fp32_finish"))  // (the default since then finishes in fp32)
            c.fp32Finish = detail::jsonField<double>(j, "fp32_finish", where);
        c.seed = detail::jsonField<decltype(c.seed)>(j, "seed", where);
        if (j.contains("world_size"))  // runs before distributed training: 1
            c.worldSize = detail::jsonField<int>(j, "world_size", where);
        c.augmentation = AugmentationParams::fromJson(j.at("augmentation").dump(), where);
        if (!j.at("augmentation").at("params").contains("rotate_angle"))
            c.augmentation.rotateAngle = false;  // runs from before the step trained without it
        c.rules = LabelRules::fromJson(j.at("rules").dump(), where);
        c.dataCsv = j.at("data_csv").get<std::string>();
        if (!j.at("data_images").is_null()) c.dataImages = j.at("data_images").get<std::string>();
    } catch (const json::exception& e) {
        throw DataError(where, std::string("not a run configuration: ") + e.what());
    }
    try {
        c.schedule = requireOption<Schedule>(scheduleKey);
        c.balance = requireOption<Balance>(balanceKey);
        c.selectMetric = requireOption<SelectMetric>(selectKey);
        c.device = requireOption<Device>(deviceKey);
        c.precision = requireOption<Precision>(precisionKey);
        c.votesLoss = requireOption<VotesLoss>(votesLossKey);
        c.decision = requireOption<Decision>(decisionKey);
        c.validate();
    } catch (const DataError& e) {
        throw DataError(where, e.what());
    }
    return c;
}

TrainConfig loadRunConfig(const fs::path& runDir) {
    const RunFolder run{runDir};
    return TrainConfig::fromJson(readWholeFile(run.config()), run.config());
}

}  // namespace gz
