#pragma once
// The 37 vote fractions of one galaxy as a tree of the Galaxy Zoo 2 decision tree's questions and
// answers: the volunteers' (from a catalog row), a model's (a votes head's prediction), or both
// side by side, each as a bar with its value. Used by GalaxyDetails (the Dataset, Evaluation
// and Suspects inspectors) and by the Prediction panel.

#include <QTreeWidget>

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gz/catalog.h"

namespace gz::ui {

class VoteFractionTree : public QTreeWidget {
    Q_OBJECT

public:
    static constexpr int kVolunteersColumn = 1;
    static constexpr int kModelColumn = 2;

    explicit VoteFractionTree(QWidget* parent = nullptr);

    /// A fraction as the tree shows it, "0.720" ("–" for NaN: a column the file lacks).
    static QString formatFraction(double v);

    /// The volunteers' fractions of catalog row `row` (only the columns the file has; those in
    /// `ruleColumns` in bold with a darker bar), without a model's until setPredicted.
    void showVolunteers(const Catalog& catalog, std::size_t row,
                        const std::set<std::string>& ruleColumns);
    /// A model's 37 fractions alone (no catalog: a folder's image); empty clears the tree.
    void showModelOnly(const std::vector<float>& fractions);
    /// A model's 37 fractions beside the volunteers' shown; empty hides the column.
    void setPredicted(const std::vector<float>& fractions);
    /// The model's fraction shown for a vote column (index into kVoteColumns), or nullopt.
    std::optional<double> predicted(std::size_t voteColumn) const;
    /// Empties the tree.
    void clearFractions();

private:
    /// One item per vote column for which `present(c)`, under its question's item.
    template <typename Present>
    void buildItems(Present&& present);

    std::vector<QTreeWidgetItem*> answerItems_;  ///< by vote column; null for absent columns
};

}  // namespace gz::ui
