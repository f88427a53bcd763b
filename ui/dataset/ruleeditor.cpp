#include "dataset/ruleeditor.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include <exception>

#include "common/formcontrols.h"
#include "common/morphologycolors.h"
#include "common/uiformat.h"
#include "common/uistyle.h"
#include "dataset/galaxydetails.h"
#include "dataset/labelingsession.h"

namespace gz::ui {

namespace {
const QString kRulesFolderKey = QStringLiteral("rules/folder");
}  // namespace

RuleEditor::RuleEditor(LabelingSession* session, QWidget* parent)
    : QWidget(parent), session_(session) {
    setObjectName(QStringLiteral("ruleEditor"));
    gridHost_ = new QWidget;
    grid_ = new QGridLayout(gridHost_);
    grid_->setContentsMargins(0, 0, 0, 0);
    grid_->setHorizontalSpacing(8);
    grid_->setVerticalSpacing(3);

    status_ = new QLabel;
    status_->setObjectName(QStringLiteral("rulesStatus"));
    status_->setWordWrap(true);
    setMuted(status_);

    resetButton_ = new QPushButton(tr("Paper's Defaults"));
    resetButton_->setObjectName(QStringLiteral("resetRulesButton"));
    resetButton_->setToolTip(tr("Reset every rule to Dai & Tong (2019)"));
    loadButton_ = new QPushButton(tr("Load…"));
    loadButton_->setObjectName(QStringLiteral("loadRulesButton"));
    loadButton_->setToolTip(tr("Load label rules from a JSON file"));
    saveButton_ = new QPushButton(tr("Save…"));
    saveButton_->setObjectName(QStringLiteral("saveRulesButton"));
    saveButton_->setToolTip(tr("Save these label rules as JSON (for galaxy-cli --rules)"));
    connect(resetButton_, &QPushButton::clicked, this, &RuleEditor::resetToDefaults);
    connect(loadButton_, &QPushButton::clicked, this, &RuleEditor::chooseLoadFile);
    connect(saveButton_, &QPushButton::clicked, this, &RuleEditor::chooseSaveFile);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(resetButton_);
    buttons->addStretch(1);
    buttons->addWidget(loadButton_);
    buttons->addWidget(saveButton_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    auto* note =
        new QLabel(tr("Tested in order; the first rule whose conditions all hold gives "
                      "the label. Counts update as you edit."));
    note->setWordWrap(true);
    setMuted(note);
    layout->addWidget(note);
    layout->addWidget(gridHost_);
    layout->addWidget(status_);
    layout->addLayout(buttons);

    connect(session_, &LabelingSession::rulesChanged, this, [this](const LabelRules& rules) {
        if (rules != editedRules() || rules.rules.size() != shown_.rules.size()) rebuild();
        updateStatus();
    });
    connect(session_, &LabelingSession::datasetChanged, this, &RuleEditor::rebuild);
    connect(session_, &LabelingSession::labelingChanged, this, &RuleEditor::updateStatus);
    rebuild();
}

void RuleEditor::rebuild() {
    // Rebuilt from the session's rules: a loaded file may have other conditions or order.
    while (QLayoutItem* item = grid_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    enabled_.clear();
    thresholds_.clear();
    shown_ = session_->rules();
    const auto& dataset = session_->dataset();
    int line = 0;
    for (std::size_t i = 0; i < shown_.rules.size(); ++i) {
        const LabelRule& rule = shown_.rules[i];
        auto* check =
            new QCheckBox(tr("%1. %2").arg(i + 1).arg(morphologyShortName(labelOf(rule.label))));
        check->setObjectName(QStringLiteral("ruleEnabled_%1").arg(i));
        check->setIcon(morphologySwatch(labelOf(rule.label)));
        check->setChecked(rule.enabled);
        check->setToolTip(
            tr("%1: switch this rule on or off").arg(morphologyTitle(labelOf(rule.label))));
        QFont bold = check->font();
        bold.setBold(true);
        check->setFont(bold);
        grid_->addWidget(check, line++, 0, 1, 3);
        connect(check, &QCheckBox::toggled, this, &RuleEditor::onEdited);
        enabled_.push_back(check);

        std::vector<QDoubleSpinBox*> boxes;
        for (std::size_t j = 0; j < rule.conditions.size(); ++j) {
            const Condition& c = rule.conditions[j];
            const QString column = QString::fromStdString(c.column);
            const auto index = voteColumnIndex(c.column);
            auto* name =
                new QLabel(index ? QStringLiteral("%1 <span style='color:#6b7280'>%2</span>")
                                       .arg(column, GalaxyDetails::answerTitle(*index))
                                 : column);
            name->setTextFormat(Qt::RichText);
            const bool absent = dataset && index && !dataset->catalog.hasColumn(*index);
            if (absent) {
                name->setText(name->text() +
                              tr(" <span style='color:#b45309'>(not in the file)</span>"));
                name->setToolTip(tr("The catalog has no %1 column: switch this rule off to "
                                    "label the others")
                                     .arg(column));
            }
            auto* atLeast = new QLabel(QStringLiteral("≥"));
            auto* box = makeDoubleSpinBox(QStringLiteral("threshold_%1_%2").arg(i).arg(j), 0.0, 1.0,
                                          c.threshold, 3, 0.01);
            box->setAccelerated(true);
            box->setEnabled(rule.enabled);
            box->setToolTip(tr("The vote fraction %1 must be at least this").arg(column));
            connect(box, &QDoubleSpinBox::valueChanged, this, &RuleEditor::onEdited);
            grid_->addWidget(name, line, 0);
            grid_->addWidget(atLeast, line, 1);
            grid_->addWidget(box, line, 2);
            grid_->setRowMinimumHeight(line, 0);
            ++line;
            boxes.push_back(box);
        }
        thresholds_.push_back(std::move(boxes));
        if (i + 1 < shown_.rules.size()) grid_->setRowMinimumHeight(line++, 6);
    }
    grid_->setColumnStretch(0, 1);
    updateStatus();
}

LabelRules RuleEditor::editedRules() const {
    LabelRules rules = shown_;
    for (std::size_t i = 0; i < rules.rules.size() && i < enabled_.size(); ++i) {
        rules.rules[i].enabled = enabled_[i]->isChecked();
        for (std::size_t j = 0; j < rules.rules[i].conditions.size(); ++j)
            rules.rules[i].conditions[j].threshold = thresholds_[i][j]->value();
    }
    return rules;
}

QDoubleSpinBox* RuleEditor::thresholdBox(std::size_t rule, std::size_t condition) const {
    if (rule >= thresholds_.size() || condition >= thresholds_[rule].size()) return nullptr;
    return thresholds_[rule][condition];
}

QCheckBox* RuleEditor::enabledBox(std::size_t rule) const {
    return rule < enabled_.size() ? enabled_[rule] : nullptr;
}

void RuleEditor::onEdited() {
    for (std::size_t i = 0; i < enabled_.size(); ++i)
        for (QDoubleSpinBox* box : thresholds_[i]) box->setEnabled(enabled_[i]->isChecked());
    session_->setRules(editedRules());
}

void RuleEditor::updateStatus() {
    const LabelRules& rules = session_->rules();
    QString text = rules == LabelRules::defaults()
                       ? tr("The paper's rules.")
                       : tr("<b>Edited</b>: differs from the paper's rules.");
    if (session_->dataset() && !session_->labeling() && !session_->labelingError().isEmpty())
        text += QStringLiteral("<br>") + warningHtml(session_->labelingError());
    status_->setText(text);
    resetButton_->setEnabled(rules != LabelRules::defaults());
}

void RuleEditor::resetToDefaults() {
    session_->setRules(LabelRules::defaults());
}

QString RuleEditor::saveRules(const QString& file) {
    try {
        const auto& dataset = session_->dataset();
        if (dataset) dataset->catalog.requireOutside(toPath(file), "folder");
        session_->rules().save(toPath(file));
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

QString RuleEditor::loadRules(const QString& file) {
    try {
        session_->setRules(LabelRules::load(toPath(file)));
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

void RuleEditor::chooseSaveFile() {
    QSettings settings;
    const QString file = QFileDialog::getSaveFileName(
        this, tr("Save label rules"),
        QFileInfo(settings.value(kRulesFolderKey).toString(), QStringLiteral("rules.json"))
            .filePath(),
        tr("Label rules (*.json)"));
    if (file.isEmpty()) return;
    settings.setValue(kRulesFolderKey, QFileInfo(file).absolutePath());
    if (const QString error = saveRules(file); !error.isEmpty())
        QMessageBox::warning(this, tr("Cannot save the rules"), error);
}

void RuleEditor::chooseLoadFile() {
    QSettings settings;
    const QString file = QFileDialog::getOpenFileName(this, tr("Load label rules"),
                                                      settings.value(kRulesFolderKey).toString(),
                                                      tr("Label rules (*.json);;All files (*)"));
    if (file.isEmpty()) return;
    settings.setValue(kRulesFolderKey, QFileInfo(file).absolutePath());
    if (const QString error = loadRules(file); !error.isEmpty())
        QMessageBox::warning(this, tr("Cannot load the rules"), error);
}

}  // namespace gz::ui
