#pragma once
// The "TTA" box and the "Decision" box of the Evaluation and Prediction panels: how a run's model
// predicts. They show how the chosen run was trained whenever another run is chosen (as
// galaxy-cli evaluate and predict default); a choice made in them stays while the run does.

#include <QWidget>

#include <filesystem>
#include <optional>

#include "gz/train_options.h"

class QCheckBox;
class QComboBox;

namespace gz::ui {

class RunChooser;

class InferenceChoices : public QWidget {
    Q_OBJECT

public:
    /// The boxes are named `prefix` + "TtaCheck" and `prefix` + "DecisionCombo".
    explicit InferenceChoices(const QString& prefix, QWidget* parent = nullptr);

    /// Sets the boxes as `runs`' selected run was trained, when it is not the run they last
    /// followed. The decision box is enabled only for a run with a votes head.
    void follow(const RunChooser& runs);

    bool tta() const;
    /// The decision chosen; nullopt for a run without a votes head (its head decides).
    std::optional<Decision> decision() const;
    /// What a status line adds for `decision` (a decision() taken earlier): ", decided by
    /// combined", or nothing for nullopt.
    static QString decidedBy(std::optional<Decision> decision);

    QCheckBox* ttaCheck() const { return tta_; }
    QComboBox* decisionCombo() const { return decision_; }

private:
    QCheckBox* tta_ = nullptr;
    QComboBox* decision_ = nullptr;
    std::optional<std::filesystem::path> followed_;
};

}  // namespace gz::ui
