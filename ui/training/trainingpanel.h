#pragma once
// The "Training" panel: partition, preprocess and train launched from the GUI (each a job on the
// main window's JobRunner, so only one runs at a time and closing the window stops it cleanly),
// with a progress bar, images/s and ETA, a log, Cancel and Resume, and live training curves.

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

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace gz::ui {

class AugmentationSettings;
class JobRunner;
struct JobOutcome;
class TrainingFeed;

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
    const RunCurves& liveCurves() const { return live_; }
    CurvesView* curves() const { return curves_; }
    QString statusText() const;
    bool isTraining() const { return training_; }

signals:
    /// A run folder was created, grew, or ended (the runs list reads it again).
    void runsChanged();
    /// partition() made a split (written to `file`), e.g. for the browser to show the subsets.
    void splitMade(const std::vector<gz::SplitEntry>& split, const QString& file);

private:
    QWidget* createLauncher();
    QWidget* createMonitor();
    bool refuseWhenBusy();
    void updateButtons();
    void setStatus(const QString& text, bool error = false);
    void appendLog(const QString& line);
    void refreshLive();
    bool startTrainingJob(
        const QString& title, const std::filesystem::path& run, bool resuming,
        std::function<TrainOutcome(const std::stop_token&, const TrainCallbacks&)> job);
    void trainingEnded(const JobOutcome& outcome, const std::shared_ptr<TrainOutcome>& result,
                       bool createdRun);
    TrainConfig configFromForm() const;
    void showSplit();
    void chooseOutputFolder();

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
    std::shared_ptr<TrainingFeed> feed_;
    RunCurves live_;
    BatchProgress lastBatch_;
    bool haveBatch_ = false;
    bool training_ = false;
    QTimer* refreshTimer_ = nullptr;

    // Partition.
    QDoubleSpinBox* trainRatio_ = nullptr;
    QDoubleSpinBox* valRatio_ = nullptr;
    QDoubleSpinBox* testRatio_ = nullptr;
    QSpinBox* splitSeed_ = nullptr;
    QPushButton* partitionButton_ = nullptr;
    QTableWidget* splitTable_ = nullptr;
    QLabel* splitInfo_ = nullptr;
    // Preprocess.
    QLineEdit* outputFolder_ = nullptr;
    QCheckBox* npy_ = nullptr;
    QSpinBox* copies_ = nullptr;
    QSpinBox* preprocessThreads_ = nullptr;
    QPushButton* preprocessButton_ = nullptr;
    QLabel* preprocessInfo_ = nullptr;
    // Train.
    QComboBox* model_ = nullptr;
    QRadioButton* byEpochs_ = nullptr;
    QRadioButton* byMinutes_ = nullptr;
    QSpinBox* epochs_ = nullptr;
    QDoubleSpinBox* minutes_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QDoubleSpinBox* lr_ = nullptr;
    QComboBox* schedule_ = nullptr;
    QDoubleSpinBox* warmup_ = nullptr;
    QComboBox* balance_ = nullptr;
    QSpinBox* patience_ = nullptr;
    QComboBox* select_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QSpinBox* trainSeed_ = nullptr;
    QCheckBox* tta_ = nullptr;
    QPushButton* trainButton_ = nullptr;
    QSpinBox* resumeEpochs_ = nullptr;
    QPushButton* resumeButton_ = nullptr;
    // Monitor.
    QLabel* status_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* rate_ = nullptr;
    QLabel* eta_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    CurvesView* curves_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
};

}  // namespace gz::ui
