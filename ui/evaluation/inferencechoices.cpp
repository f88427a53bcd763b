#include "evaluation/inferencechoices.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>

#include "common/optioncombo.h"
#include "evaluation/runchooser.h"
#include "gz/training.h"

namespace gz::ui {

InferenceChoices::InferenceChoices(const QString& prefix, QWidget* parent) : QWidget(parent) {
    tta_ = new QCheckBox(tr("TTA"));
    tta_->setObjectName(prefix + QStringLiteral("TtaCheck"));
    tta_->setToolTip(
        tr("Average the 8 rotations and flips of each image (set as the run was trained)"));
    decision_ = optionCombo(prefix + QStringLiteral("DecisionCombo"),
                            {Decision::Combined, Decision::Head, Decision::Fractions},
                            TrainConfig{}.decision);
    decision_->setEnabled(false);
    decision_->setToolTip(
        tr("How the model decides the five classes (set as the run was trained): combined, its "
           "classification head's probability with the vote fraction each class's label rule "
           "reads (Class7.3 for cigar-shaped, ...); head or fractions alone. Only for a run "
           "with a votes head"));
    auto* label = new QLabel(tr("Decision"));
    label->setBuddy(decision_);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tta_);
    layout->addSpacing(6);
    layout->addWidget(label);
    layout->addWidget(decision_);
}

void InferenceChoices::follow(const RunChooser& runs) {
    const std::optional<std::filesystem::path> run = runs.selectedRun();
    if (!run || run == followed_) return;
    followed_ = run;
    tta_->setChecked(runs.selectedRunUsedTta());
    const std::optional<Decision> decision = runs.selectedRunDecision();
    decision_->setEnabled(decision.has_value());
    if (decision) showOption(decision_, *decision);
}

bool InferenceChoices::tta() const {
    return tta_->isChecked();
}

QString InferenceChoices::decidedBy(std::optional<Decision> decision) {
    return decision ? tr(", decided by %1").arg(keyText(optionKey(*decision))) : QString();
}

std::optional<Decision> InferenceChoices::decision() const {
    if (!decision_->isEnabled()) return std::nullopt;
    return chosenOption<Decision>(decision_);
}

}  // namespace gz::ui
