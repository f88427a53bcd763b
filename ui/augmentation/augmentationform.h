#pragma once
// The "Training transform" group of the Augmentation panel: a control for every
// AugmentationParams field, in the order the steps are applied; a check box switches a step on
// and off. One table of the fields (as core's JSON reading and writing has) builds the rows,
// fills them and reads them back, so the three cannot drift apart.

#include <QGroupBox>

#include <string_view>
#include <vector>

#include "gz/image_pipeline.h"

namespace gz::ui {

class AugmentationForm : public QGroupBox {
    Q_OBJECT

public:
    explicit AugmentationForm(QWidget* parent = nullptr);
    ~AugmentationForm() override;

    /// Shows `params` without emitting edited(); the values of a step that is off are disabled.
    void setParams(const AugmentationParams& params);
    /// Every field as the controls show it.
    AugmentationParams params() const;
    /// The name the form shows for the field with JSON key `key` ("crop_min" -> "Scale jitter, S
    /// (from)"); the key itself when the form has no control for it.
    QString fieldLabel(std::string_view key) const;
    /// What is wrong with params() in the form's words, or "" when the values are valid.
    QString problem() const;

signals:
    /// The user changed a control.
    void edited();

private:
    struct Row;

    void controlChanged();

    std::vector<Row> rows_;
    bool settingParams_ = false;
};

}  // namespace gz::ui
