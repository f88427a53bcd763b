#pragma once
// What is known about one galaxy: its label and the reason for it (the rule that matched, or
// why each rule did not), its split subset, and its vote fractions grouped by the questions of
// the Galaxy Zoo 2 decision tree (only the columns the file has). Used by the Dataset panel's
// inspector and by the evaluation's misclassified-galaxy inspector.

#include <QWidget>

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "dataset/loadeddataset.h"
#include "gz/labeling.h"
#include "gz/partition.h"

class QLabel;

namespace gz::ui {

class VoteFractionTree;

class GalaxyDetails : public QWidget {
    Q_OBJECT

public:
    explicit GalaxyDetails(QWidget* parent = nullptr);

    /// Shows catalog row `row` of `dataset`, labeled by `rules`. When the rules cannot label
    /// the catalog, pass `labelingError` (shown instead of a label).
    void showGalaxy(const std::shared_ptr<const LoadedDataset>& dataset, std::size_t row,
                    const LabelRules& rules, const QString& labelingError = {},
                    std::optional<Subset> subset = std::nullopt);
    /// Shows nothing but `message` ("Select a galaxy").
    void clear(const QString& message);
    /// Beside the volunteers' fractions of the galaxy shown, a model's (37, in kVoteColumns
    /// order: a votes head's prediction) in a column of their own; empty hides the column.
    void showPredictedFractions(const std::vector<float>& fractions);
    /// The predicted fraction shown for a vote column, or nullopt.
    std::optional<double> shownPrediction(std::size_t voteColumn) const;

    /// The label shown (0-4, kUnlabeled), or nullopt when none.
    std::optional<int> shownLabel() const { return label_; }
    /// The reason as plain text.
    QString reasonText() const;
    VoteFractionTree* votesTree() const { return votes_; }

    /// The questions of the Galaxy Zoo 2 decision tree: "Q7 How rounded is it?".
    static QString questionTitle(int question);
    /// An answer's words ("completely round") for a column like "Class7.1".
    static QString answerTitle(std::size_t voteColumn);
    /// "Q7 How rounded is it? — in between" for a vote column (index into kVoteColumns).
    static QString voteTitle(std::size_t voteColumn);

private:
    QLabel* title_ = nullptr;
    QLabel* badge_ = nullptr;
    QLabel* subset_ = nullptr;
    QLabel* reason_ = nullptr;
    VoteFractionTree* votes_ = nullptr;
    std::optional<int> label_;
};

}  // namespace gz::ui
