#pragma once
// The five morphologies of Dai & Tong (2019) and their names in files, JSON and the GUI.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace gz {

/// Label values as stored in labels.csv: 0-4, or kUnlabeled when no rule matches.
enum class Morphology : int { Round = 0, InBetween = 1, Cigar = 2, EdgeOn = 3, Spiral = 4 };

inline constexpr int kMorphologyCount = 5;
inline constexpr int kUnlabeled = -1;

inline constexpr std::array<std::string_view, kMorphologyCount> kMorphologyKeys = {
    "round", "in_between", "cigar", "edge_on", "spiral"};
inline constexpr std::string_view kUnlabeledKey = "unlabeled";

inline constexpr std::array<std::string_view, kMorphologyCount> kMorphologyTitles = {
    "Completely round smooth", "In-between smooth", "Cigar-shaped smooth", "Edge-on", "Spiral"};

/// The label value of a morphology (0-4), as stored in labels.csv.
constexpr int labelOf(Morphology m) {
    return static_cast<int>(m);
}

/// The morphology of a label value, or nullopt for kUnlabeled and anything outside 0-4.
constexpr std::optional<Morphology> morphologyOf(int label) {
    if (label < 0 || label >= kMorphologyCount) return std::nullopt;
    return static_cast<Morphology>(label);
}

/// File/JSON key of a label (0-4), or "unlabeled" for any other value.
constexpr std::string_view morphologyKey(int label) {
    return label >= 0 && label < kMorphologyCount ? kMorphologyKeys[label] : kUnlabeledKey;
}

/// File/JSON key of a morphology.
constexpr std::string_view morphologyKey(Morphology m) {
    return kMorphologyKeys[static_cast<std::size_t>(m)];
}

/// Label of a key ("round" ... "spiral", "unlabeled" -> kUnlabeled); nullopt when unknown.
constexpr std::optional<int> morphologyFromKey(std::string_view key) {
    for (int i = 0; i < kMorphologyCount; ++i)
        if (kMorphologyKeys[i] == key) return i;
    if (key == kUnlabeledKey) return kUnlabeled;
    return std::nullopt;
}

}  // namespace gz
