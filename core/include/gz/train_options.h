#pragma once
// The named choices of a training run (TrainConfig): each option's values and the one table of
// their keys, as config.json, galaxy-cli train and the Training panel spell them.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gz {

/// The learning rate after the warm-up: annealed to 0 over the run, divided by 10 every
/// TrainConfig::stepEvery steps (the paper's), or kept.
enum class Schedule { Cosine, Step, Constant };

/// How a run evens out its classes: not at all, by class-balanced sampling, by inverse-frequency
/// loss weights, or by loss weights going with the inverse square root of the frequency.
enum class Balance { None, Sample, Weight, Sqrt };

/// Which epoch's weights become the run's model (best.pt): the last one (Last: no selection, no
/// early stopping), or the one best by a validation metric (which also drives early stopping).
enum class SelectMetric { Loss, Accuracy, MacroF1, Last };

/// Which checkpoint of a run a prediction uses: the run's model (checkpoints/best.pt, else
/// last.pt while the run has none), or the last epoch's weights (last.pt) whatever the run
/// selected (galaxy-cli evaluate --checkpoint).
enum class CheckpointChoice { Best, Last };

/// Where LibTorch computes; Auto is CUDA when available.
enum class Device { Auto, Cpu, Cuda };

/// The arithmetic of the network's forward pass. Bf16 runs convolutions and matrix products in
/// bfloat16 (LibTorch's CPU autocast; weights, gradients, the optimiser and checkpoints stay fp32)
/// and needs a CPU with native bfloat16 (gz/precision.h). Auto is Bf16 where the CPU has it and
/// the network runs on the CPU, Fp32 elsewhere: decided on each machine a run starts or resumes.
enum class Precision { Auto, Fp32, Bf16 };

/// What a votes head's 37 fractions are trained to minimise: their squared error (the square of
/// Kaggle's RMSE), or each question's cross-entropy between the volunteers' and the predicted
/// answers, weighted by the volunteers' fraction that reached the question.
enum class VotesLoss { SquaredError, CrossEntropy };

/// How a network with a votes head decides the five classes. Each class has a vote score: what
/// its label rule reads in the predicted fractions, the smallest predicted fraction among the
/// columns the rule tests (the deepest answer on its path, Class7.3 for cigar-shaped; the best of
/// a class's rules). Combined: the classification head's probability and the vote score, their
/// geometric mean normalised over the classes; Head: the classification head alone; Fractions:
/// the vote scores normalised. A network without a votes head decides by its head whatever this
/// says.
enum class Decision { Combined, Head, Fractions };

/// One value of an option with its key.
template <class E>
struct OptionName {
    E value;
    std::string_view key;
};

/// The names of an option: `field`, the option as error messages name it, and `names`, every
/// value once with its key, in the order the command line lists them.
template <class E>
struct OptionTable;

template <>
struct OptionTable<Schedule> {
    static constexpr std::string_view field = "schedule";
    static constexpr std::array<OptionName<Schedule>, 3> names{{
        {Schedule::Cosine, "cosine"},
        {Schedule::Step, "step"},
        {Schedule::Constant, "constant"},
    }};
};

template <>
struct OptionTable<Balance> {
    static constexpr std::string_view field = "balance";
    static constexpr std::array<OptionName<Balance>, 4> names{{
        {Balance::None, "none"},
        {Balance::Sample, "sample"},
        {Balance::Weight, "weight"},
        {Balance::Sqrt, "sqrt"},
    }};
};

template <>
struct OptionTable<SelectMetric> {
    static constexpr std::string_view field = "the selection metric";
    static constexpr std::array<OptionName<SelectMetric>, 4> names{{
        {SelectMetric::Last, "last"},
        {SelectMetric::Loss, "loss"},
        {SelectMetric::Accuracy, "accuracy"},
        {SelectMetric::MacroF1, "macro_f1"},
    }};
};

template <>
struct OptionTable<CheckpointChoice> {
    static constexpr std::string_view field = "checkpoint";
    static constexpr std::array<OptionName<CheckpointChoice>, 2> names{{
        {CheckpointChoice::Best, "best"},
        {CheckpointChoice::Last, "last"},
    }};
};

template <>
struct OptionTable<Device> {
    static constexpr std::string_view field = "device";
    static constexpr std::array<OptionName<Device>, 3> names{{
        {Device::Auto, "auto"},
        {Device::Cpu, "cpu"},
        {Device::Cuda, "cuda"},
    }};
};

template <>
struct OptionTable<Precision> {
    static constexpr std::string_view field = "precision";
    static constexpr std::array<OptionName<Precision>, 3> names{{
        {Precision::Auto, "auto"},
        {Precision::Fp32, "fp32"},
        {Precision::Bf16, "bf16"},
    }};
};

template <>
struct OptionTable<VotesLoss> {
    static constexpr std::string_view field = "the votes loss";
    static constexpr std::array<OptionName<VotesLoss>, 2> names{{
        {VotesLoss::SquaredError, "squared_error"},
        {VotesLoss::CrossEntropy, "cross_entropy"},
    }};
};

template <>
struct OptionTable<Decision> {
    static constexpr std::string_view field = "the decision";
    static constexpr std::array<OptionName<Decision>, 3> names{{
        {Decision::Combined, "combined"},
        {Decision::Head, "head"},
        {Decision::Fractions, "fractions"},
    }};
};

/// The key of a value ("cosine" for Schedule::Cosine).
template <class E>
constexpr std::string_view optionKey(E value) {
    for (const auto& n : OptionTable<E>::names)
        if (n.value == value) return n.key;
    return {};
}

/// The value of a key; nullopt when the option has no such key.
template <class E>
constexpr std::optional<E> parseOption(std::string_view key) {
    for (const auto& n : OptionTable<E>::names)
        if (n.key == key) return n.value;
    return std::nullopt;
}

/// Every key of the option, in table order.
template <class E>
std::vector<std::string> optionKeys() {
    std::vector<std::string> keys;
    for (const auto& n : OptionTable<E>::names) keys.emplace_back(n.key);
    return keys;
}

/// The keys joined by `separator` ("cosine|step|constant"), for the command line's help.
std::string joinOptionKeys(const std::vector<std::string>& keys, std::string_view separator);

/// Throws DataError "training configuration: <field> must be a, b or c".
[[noreturn]] void throwUnknownOption(std::string_view field, const std::vector<std::string>& keys);

/// The value of a key; throws DataError naming the option and its keys when there is none.
template <class E>
E requireOption(std::string_view key) {
    if (const auto value = parseOption<E>(key)) return *value;
    throwUnknownOption(OptionTable<E>::field, optionKeys<E>());
}

}  // namespace gz
