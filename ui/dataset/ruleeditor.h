#pragma once
// The label-rule editor: every threshold of the rules editable, each rule switchable, reset to
// the paper's defaults, rules saved and loaded as JSON. Edits go to the LabelingSession, which
// relabels; the counts, chart, browser and inspector follow its labelingChanged().

#include <QString>
#include <QWidget>

#include <vector>

#include "gz/labeling.h"

class QCheckBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QPushButton;

namespace gz::ui {

class LabelingSession;

class RuleEditor : public QWidget {
    Q_OBJECT

public:
    explicit RuleEditor(LabelingSession* session, QWidget* parent = nullptr);

    /// The rules as the widgets show them.
    LabelRules editedRules() const;
    /// The spin box of condition `condition` of rule `rule` (nullptr when out of range).
    QDoubleSpinBox* thresholdBox(std::size_t rule, std::size_t condition) const;
    QCheckBox* enabledBox(std::size_t rule) const;

    /// Saves the current rules as JSON (atomically); refuses a path inside the data set.
    /// Returns the error, empty on success.
    QString saveRules(const QString& file);
    /// Loads rules JSON and applies it. Returns the error, empty on success.
    QString loadRules(const QString& file);
    void resetToDefaults();

private:
    void rebuild();
    void onEdited();
    void updateStatus();
    void chooseSaveFile();
    void chooseLoadFile();

    LabelingSession* session_;
    LabelRules shown_;  // the structure the widgets were built for
    QGridLayout* grid_ = nullptr;
    QWidget* gridHost_ = nullptr;
    std::vector<QCheckBox*> enabled_;
    std::vector<std::vector<QDoubleSpinBox*>> thresholds_;
    QLabel* status_ = nullptr;
    QPushButton* resetButton_ = nullptr;
    QPushButton* loadButton_ = nullptr;
    QPushButton* saveButton_ = nullptr;
};

}  // namespace gz::ui
