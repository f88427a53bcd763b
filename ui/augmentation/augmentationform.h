#pragma once
// The "Training transform" group of the Augmentation panel: a control for every
// AugmentationParams field, in the order the steps are applied; a check box switches a step on
// and off. One table of the fields (as core's JSON reading and writing has) builds the rows,
// fills them and reads them back, so the three cannot drift apart.

#include <QGroupBox>

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
