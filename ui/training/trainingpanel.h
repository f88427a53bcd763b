#pragma once
// The "Training" panel: partition, preprocess and train launched from the GUI (each a job on the
// main window's JobRunner, so only one runs at a time and closing the window stops it cleanly),
// with a progress bar, images/s and ETA, a log, Cancel and Resume, and live training curves.
// It composes the three launcher boxes (PartitionBox, PreprocessBox, TrainingForm) and the
// TrainingMonitor, and holds what they share: the data set, the split and the run.

#include <QWidget>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "dataset/loadeddataset.h"
#include "gz/labeling.h"
#include "gz/partition.h"
#include "gz/training.h"
#include "training/curvesview.h"

namespace gz::ui {

class AugmentationSettings;
class JobRunner;
struct JobOutcome;
class PartitionBox;
class PreprocessBox;
class TrainingForm;
class TrainingMonitor;

class TrainingPanel : public QWidget {
    Q_OBJECT

public:
    TrainingPanel(JobRunner* runner, std::filesystem::path workspace,
                  AugmentationSettings* augmentation, QWidget* parent = nullptr);
    ~TrainingPanel() override;

    void setDataset(std::shared_ptr<const LoadedDataset> dataset);

    /// Where the label rules for partitioning (and so training) come from. The one place they
    /// are taken: by default the data set's rules (LoadedDataset::rules).
    void setRulesSource(std::function<LabelRules()> source);
    LabelRules labelRulesForTraining() const;
    /// What a run trained now would be trained with: the form, the augmentation and the rules.
    TrainConfig trainingConfig() const;

    /// What the buttons do. Each returns false, with statusText() saying why, when it is refused
    /// (another job runs, or its inputs do not exist yet).
    bool partition();
    bool preprocess();
    bool train();
    /// The label rules changed: a partition made with other rules is dropped (partition again).
    void labelRulesChanged();
    /// Continues a run from its last checkpoint; `epochs` (in all) replaces its epoch limit.
    bool resume(const std::filesystem::path& run, std::optional<int> epochs = std::nullopt);
    /// Resume on the panel: the last run trained here, with the panel's "epochs in all".
    bool resumeLast();
    /// Asks the running job to stop (training saves a checkpoint first).
    void cancel();

    /// The partition made with partition(), or nullptr.
    const std::vector<SplitEntry>* split() const { return split_ ? split_.get() : nullptr; }
    /// The run being trained, or the last one trained or resumed here.
    const std::filesystem::path& currentRun() const { return currentRun_; }
    /// How the last training job ended (nullopt before any, or when it failed).
    std::optional<TrainOutcome::Status> lastTrainingStatus() const { return lastStatus_; }
    const RunCurves& liveCurves() const;
    CurvesView* curves() const;
    QString statusText() const;
    bool isTraining() const { return training_; }

signals:
    /// A run folder was created, grew, or ended (the runs list reads it again).
    void runsChanged();
    /// partition() made a split (written to `file`), e.g. for the browser to show the subsets.
    void splitMade(const std::vector<gz::SplitEntry>& split, const QString& file);

private:
    QWidget* createLauncher();
    /// Takes up the workspace's last partition of the data set when it fits the current rules.
    void reloadLastSplit();
    bool refuseWhenBusy();
    void updateButtons();
    bool startTrainingJob(
        const QString& title, const std::filesystem::path& run, bool resuming,
        std::function<TrainOutcome(const std::stop_token&, const TrainCallbacks&)> job);
    void trainingEnded(const JobOutcome& outcome, const std::shared_ptr<TrainOutcome>& result,
                       bool createdRun);

    JobRunner* runner_;
    std::filesystem::path workspace_;
    AugmentationSettings* augmentation_;
    std::shared_ptr<const LoadedDataset> dataset_;
    std::function<LabelRules()> rulesSource_;
    std::shared_ptr<const std::vector<SplitEntry>> split_;
    LabelRules splitRules_;            // the rules the split was made with
    std::filesystem::path splitFile_;  // where it was written
    std::filesystem::path currentRun_;
    std::optional<TrainOutcome::Status> lastStatus_;
    bool training_ = false;

    PartitionBox* partitionBox_ = nullptr;
    PreprocessBox* preprocessBox_ = nullptr;
    TrainingForm* form_ = nullptr;
    TrainingMonitor* monitor_ = nullptr;
};

}  // namespace gz::ui
