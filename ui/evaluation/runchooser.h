#pragma once
// The run box of the Evaluation and Prediction panels: the workspace's runs that have a checkpoint
// to load, and run folders opened from elsewhere.

#include <QComboBox>

#include <filesystem>
#include <optional>
#include <vector>

#include "gz/train_options.h"

namespace gz::ui {

class RunChooser : public QComboBox {
    Q_OBJECT

public:
    /// What an item shows besides the run's name.
    enum class Detail { None, TestAccuracy };

    RunChooser(std::filesystem::path workspace, Detail detail, QWidget* parent = nullptr);

    /// Lists the runs again without signalling the change, keeping the selected run when it is
    /// still listed; emits refreshed() after.
    void refresh();
    /// Selects `run`; a folder that is not listed yet (outside the workspace) is listed from now
    /// on.
    void setRun(const std::filesystem::path& run);
    std::optional<std::filesystem::path> selectedRun() const;
    /// Whether the selected run was trained with test-time augmentation.
    bool selectedRunUsedTta() const;
    /// How the selected run decides the five classes; nullopt when it has no votes head (its
    /// classification head decides) or nothing is selected.
    std::optional<Decision> selectedRunDecision() const;

signals:
    void refreshed();

private:
    std::filesystem::path workspace_;
    Detail detail_;
    std::vector<std::filesystem::path> extraRuns_;
};

}  // namespace gz::ui
