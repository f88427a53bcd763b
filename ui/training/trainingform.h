#pragma once
// "3. Train" of the Training panel: the training settings (model, epochs or minutes, batch,
// learning rate, schedule, warm-up, balance, early stopping, threads, seed, TTA) starting from
// TrainConfig's defaults, the Train button, and Resume with its "epochs in all".

#include <QGroupBox>

#include <optional>

#include "gz/training.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace gz::ui {

class TrainingForm : public QGroupBox {
    Q_OBJECT

public:
    explicit TrainingForm(QWidget* parent = nullptr);

    /// The settings of the form; the augmentation and the label rules keep their defaults.
    TrainConfig config() const;
    /// Shows a run's settings (those the form has), e.g. of the run being resumed.
    void setConfig(const TrainConfig& config);
    /// The epochs in all for Resume; nullopt: the run's own limit.
    std::optional<int> resumeEpochs() const;
    void setTrainEnabled(bool enabled, const QString& toolTip);
    void setResumeEnabled(bool enabled);

signals:
    /// The Train button was clicked.
    void trainRequested();
    /// The Resume button was clicked.
    void resumeRequested();

private:
    QComboBox* model_ = nullptr;
    QRadioButton* byEpochs_ = nullptr;
    QRadioButton* byMinutes_ = nullptr;
    QSpinBox* epochs_ = nullptr;
    QDoubleSpinBox* minutes_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QDoubleSpinBox* lr_ = nullptr;
    QComboBox* schedule_ = nullptr;
    QDoubleSpinBox* warmup_ = nullptr;
    QDoubleSpinBox* votesWeight_ = nullptr;
    QComboBox* votesLoss_ = nullptr;
    QComboBox* decision_ = nullptr;
    QDoubleSpinBox* ema_ = nullptr;
    QComboBox* balance_ = nullptr;
    QSpinBox* patience_ = nullptr;
    QComboBox* select_ = nullptr;
    QComboBox* precision_ = nullptr;
    QDoubleSpinBox* fp32Finish_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QCheckBox* tta_ = nullptr;
    QPushButton* trainButton_ = nullptr;
    QSpinBox* resumeEpochs_ = nullptr;
    QPushButton* resumeButton_ = nullptr;
};

}  // namespace gz::ui
