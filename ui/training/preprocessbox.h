#pragma once
// "2. Preprocess" of the Training panel: where preprocess.json (and the .npy files) go, the .npy
// export with its copies, the threads, the Preprocess button and what the last run reported.

#include <QGroupBox>

#include <filesystem>

#include "gz/preprocess.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace gz::ui {

class PreprocessBox : public QGroupBox {
    Q_OBJECT

public:
    explicit PreprocessBox(QWidget* parent = nullptr);

    /// The output folder (empty when none is given), the .npy export, copies and threads; the
    /// other options keep their defaults.
    PreprocessOptions options() const;
    void setOutputFolder(const std::filesystem::path& folder);
    /// What the last preprocessing did, or why it failed.
    void showResult(const QString& text);
    void setPreprocessEnabled(bool enabled, const QString& toolTip);

signals:
    /// The Preprocess button was clicked.
    void preprocessRequested();

private:
    void chooseOutputFolder();

    QLineEdit* outputFolder_ = nullptr;
    QCheckBox* npy_ = nullptr;
    QSpinBox* copies_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QPushButton* preprocessButton_ = nullptr;
    QLabel* info_ = nullptr;
};

}  // namespace gz::ui
