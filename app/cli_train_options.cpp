#include "cli_train_options.h"

#include "cli_common.h"

#include "gz/constants.h"
#include "gz/labeling.h"
#include "gz/models.h"
#include "gz/partition.h"

namespace gz::cli {
namespace {

namespace fs = std::filesystem;

// An option's keys as its help lists them: "cosine|step|constant".
template <class E>
std::string keysOf() {
    return joinOptionKeys(optionKeys<E>(), "|");
}

}  // namespace

void addTrainOptions(CLI::App* cmd, TrainOptionArgs& a) {
    TrainConfig& c = a.config;
    auto add = [&](CLI::Option* option) {
        a.options.push_back(option);
        return option;
    };
    add(cmd->add_option("--model", c.model, joinOptionKeys(availableModels(), "|")))
        ->capture_default_str();
    add(cmd->add_option("--epochs", c.epochs, "Epochs in all"));
    add(cmd->add_option("--minutes", c.minutes,
                        "Training time in all (the budget includes validation)"));
    add(cmd->add_option("--batch", c.batch, "Batch size"))->capture_default_str();
    add(cmd->add_option("--lr", c.lr, "Peak learning rate"))->capture_default_str();
    add(cmd->add_option("--schedule", a.schedule, keysOf<Schedule>()))->capture_default_str();
    add(cmd->add_option("--warmup", c.warmupEpochs, "Linear warm-up epochs"))
        ->capture_default_str();
    add(cmd->add_option("--step-every", c.stepEvery, "step schedule: divide by 10 every N steps"))
        ->capture_default_str();
    add(cmd->add_option("--weight-decay", c.weightDecay, "L2 weight decay"))->capture_default_str();
    add(cmd->add_option("--label-smoothing", c.labelSmoothing, "Label smoothing"))
        ->capture_default_str();
    add(cmd->add_option(
            "--votes-weight", c.votesWeight,
            "Weight of a votes head's loss (--votes-loss) beside the five classes' "
            "(0: no votes head; at 5 minutes 0 did better, at 15 the head was as accurate)"))
        ->capture_default_str();
    add(cmd->add_option("--votes-loss", a.votesLoss,
                        "The votes head's loss: " + keysOf<VotesLoss>() +
                            " (the 37 fractions' squared error, or each question's cross-entropy "
                            "weighted by the share of volunteers who reached it)"))
        ->capture_default_str();
    add(addDecisionOption(cmd, a.decision, std::string(optionKey(c.decision))));
    add(cmd->add_option("--ema", c.emaDecay,
                        "Validate, checkpoint and keep an exponential moving average of the "
                        "weights with this decay, e.g. 0.999 (0: off)"))
        ->capture_default_str();
    add(cmd->add_option("--balance", a.balance, keysOf<Balance>()))->capture_default_str();
    add(cmd->add_option("--patience", c.earlyStopPatience,
                        "Early stopping patience in epochs (0: off)"))
        ->capture_default_str();
    add(cmd->add_option("--select", a.select,
                        "The run's model: the last epoch's, or the epoch best by a validation "
                        "metric: " +
                            keysOf<SelectMetric>()))
        ->capture_default_str();
    add(cmd->add_flag("--tta,!--no-tta", c.tta,
                      "Test-time augmentation (8 rotations and flips) in the final evaluation "
                      "(default: on)"));
    add(cmd->add_option("--threads", c.threads, "LibTorch threads (default: every core)"));
    add(cmd->add_option("--loader-threads", c.loaderThreads, "Batch-preparing threads"))
        ->capture_default_str();
    add(cmd->add_option("--device", a.device, keysOf<Device>()))->capture_default_str();
    add(addPrecisionOption(cmd, a.precision, std::string(optionKey(a.config.precision))));
    add(cmd->add_option(
            "--fp32-finish", c.fp32Finish,
            "When the run computes in bfloat16, the share of it at its end (of its "
            "epochs or minutes) computed in fp32 (0: bfloat16 to the end; the default was more "
            "accurate than that in cross-validation, with bfloat16's fit of the fractions)"))
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    add(cmd->add_option("--seed", c.seed, "Random seed"))->capture_default_str();
    a.paramsOption = add(cmd->add_option("--params", a.params, "Augmentation parameters JSON")
                             ->check(CLI::ExistingFile));
    a.rulesOption =
        add(cmd->add_option("--rules", a.rules, "Label rules JSON")->check(CLI::ExistingFile));
}

TrainConfig trainConfigFrom(const TrainOptionArgs& a) {
    TrainConfig c = a.config;
    if (c.epochs == 0 && c.minutes == 0) c.epochs = 30;
    if (!a.params.empty()) c.augmentation = AugmentationParams::load(a.params);
    if (!a.rules.empty()) c.rules = LabelRules::load(a.rules);
    c.schedule = requireOption<Schedule>(a.schedule);
    c.balance = requireOption<Balance>(a.balance);
    c.selectMetric = requireOption<SelectMetric>(a.select);
    c.device = requireOption<Device>(a.device);
    c.precision = requireOption<Precision>(a.precision);
    c.votesLoss = requireOption<VotesLoss>(a.votesLoss);
    c.decision = requireOption<Decision>(a.decision);
    c.validate();
    return c;
}

std::vector<std::string> givenTrainArguments(const TrainOptionArgs& a) {
    std::vector<std::string> out;
    for (const CLI::Option* option : a.options) {
        if (option->count() == 0 || option->results().empty()) continue;
        const std::string value = option->results().back();
        if (option->get_expected_min() == 0) {
            // A flag: its name, or its negation (--no-tta) when it was turned off.
            const bool on = value != "false" && value != "0" && value != "-1";
            out.push_back(on || option->get_fnames().empty() ? option->get_name()
                                                             : "--" + option->get_fnames()[0]);
            continue;
        }
        out.push_back(option->get_name());
        const bool file = option == a.paramsOption || option == a.rulesOption;
        out.push_back(file ? fs::absolute(value).lexically_normal().string() : value);
    }
    return out;
}

}  // namespace gz::cli
