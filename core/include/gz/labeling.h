#pragma once
// Labeling galaxies into the five morphologies by editable vote-fraction rules.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gz/catalog.h"
#include "gz/morphology.h"

namespace gz {

/// One condition of a rule: the vote fraction in `column` is at least `threshold`.
struct Condition {
    std::string column;  ///< a name of kVoteColumns, e.g. "Class1.1"
    double threshold = 0.0;
    bool operator==(const Condition&) const = default;
};

/// All conditions must hold for the rule to assign `label`.
struct LabelRule {
    Morphology label = Morphology::Round;
    bool enabled = true;
    std::vector<Condition> conditions;
    bool operator==(const LabelRule&) const = default;
};

/// The rules in first-match order. Defaults: the published thresholds (spiral Class4.1 >= 0.619).
struct LabelRules {
    std::vector<LabelRule> rules;

    static LabelRules defaults();

    std::string toJson() const;
    /// Throws DataError (naming `source`) on malformed JSON, unknown columns or bad values.
    static LabelRules fromJson(const std::string& json, const std::filesystem::path& source = {});
    void save(const std::filesystem::path& file) const;  ///< atomic
    static LabelRules load(const std::filesystem::path& file);

    bool operator==(const LabelRules&) const = default;
};

/// Why a rule did not match: its first failing condition.
struct RuleFailure {
    std::size_t rule = 0;                  ///< index into LabelRules::rules
    Morphology label = Morphology::Round;  ///< the label of that rule
    Condition condition;
    double value = 0.0;  ///< NaN when the catalog lacks the column
};

/// A galaxy's label and the reason for it.
struct LabelExplanation {
    int label = kUnlabeled;
    std::optional<std::size_t> matchedRule;  ///< index of the rule that matched
    std::vector<RuleFailure> failures;       ///< enabled rules tested before the match (or all)
    std::string text() const;                ///< human-readable, several lines
};

/// Labels of every catalog row (same order), with per-class counts.
struct Labeling {
    std::vector<std::int8_t> labels;
    std::array<std::size_t, kMorphologyCount> counts{};
    std::size_t unlabeled = 0;
};

/// Throws DataError naming the missing column and the rule when an enabled rule needs a column
/// the catalog lacks (a missing column is never read as zero).
void checkRulesApplicable(const Catalog& catalog, const LabelRules& rules);

/// Labels every row. Throws like checkRulesApplicable.
Labeling labelCatalog(const Catalog& catalog, const LabelRules& rules);

/// The label of one row and why.
LabelExplanation explainLabel(const Catalog& catalog, std::size_t row, const LabelRules& rules);

/// labels.csv: `GalaxyID,label,morphology` for every row (atomic write).
void writeLabelsCsv(const std::filesystem::path& file, const Catalog& catalog,
                    const Labeling& labeling);

struct LabeledGalaxy {
    std::int64_t id = 0;
    int label = kUnlabeled;
};
/// Reads labels.csv (validating it like the catalog: file, line and column in errors).
std::vector<LabeledGalaxy> readLabelsCsv(const std::filesystem::path& file);

/// The galaxies `labeling` gives a label (unlabeled rows left out), in catalog row order.
std::vector<LabeledGalaxy> labeledGalaxies(const Catalog& catalog, const Labeling& labeling);
/// Every galaxy of the catalog with the label `labeling` gives it (kUnlabeled included), in
/// catalog row order.
std::vector<LabeledGalaxy> everyGalaxy(const Catalog& catalog, const Labeling& labeling);

}  // namespace gz
