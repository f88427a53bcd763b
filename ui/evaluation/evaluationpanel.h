#pragma once
// The "Evaluation" panel: a run's model on a subset (its validation or test split, or the labeled
// data set open in the window), evaluated as a job on the window's JobRunner: accuracy, macro F1,
// per-class precision / recall / F1 / support / ROC AUC, and the confusion matrix as a heat map.
// Clicking a cell shows exactly its galaxies, most confident first, in the misclassified-galaxy
// inspector (Grad-CAM overlay, probabilities, votes and label reason, marks saved in the run).

#include <QWidget>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "dataset/loadeddataset.h"
#include "evaluation/evaluationdata.h"
#include "gz/evaluation.h"
#include "gz/labeling.h"
#include "gz/partition.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace gz {
class RunModel;
}

namespace gz::ui {

class ConfusionHeatMap;
class InferenceChoices;
class MarksBar;
class JobRunner;
class MisclassifiedInspector;
class RunChooser;

class EvaluationPanel : public QWidget {
    Q_OBJECT

public:
    /// What is evaluated: a subset of the run's split.csv, or the data set open in the window.
    enum class Source { Validation = 0, Test = 1, OpenDataset = 2 };

    EvaluationPanel(JobRunner* runner, std::filesystem::path workspace, QWidget* parent = nullptr);
    ~EvaluationPanel() override;

    /// The window's data set with its current rules and labeling (for Source::OpenDataset, and
    /// reused for a run's subsets when the run was trained on it).
    void setDatasetSource(std::function<std::shared_ptr<const LoadedDataset>()> dataset,
                          std::function<LabelRules()> rules,
                          std::function<std::shared_ptr<const Labeling>()> labeling);

    /// Lists the workspace's runs again (keeping the choice).
    void refreshRuns();
    /// Chooses a run (adding it to the list when it lies elsewhere).
    void setRun(const std::filesystem::path& run);
    std::optional<std::filesystem::path> selectedRun() const;
    void setSource(Source source);
    /// Starts the evaluation job; false, with statusText() saying why, when refused.
    bool evaluate();

    /// Shows predictions evaluated elsewhere (what the job does when it ends): `dataset` gives
    /// the images and vote fractions, `model` the Grad-CAM (may be nullptr).
    void showEvaluation(const std::filesystem::path& run, std::vector<Prediction> predictions,
                        std::shared_ptr<const LoadedDataset> dataset, const LabelRules& rules,
                        std::unordered_map<std::int64_t, Subset> subsets,
                        std::shared_ptr<const RunModel> model, const QString& what);
    /// Opens the gallery of confusion cell (true class, predicted class) in the inspector.
    void showCell(int trueClass, int predicted);

    const std::vector<Prediction>& predictions() const { return predictions_; }
    const std::optional<EvaluationResult>& result() const { return result_; }
    QString statusText() const;
    std::shared_ptr<RunMarks> marks() const { return marks_; }
    /// Copies the run's marks to `file` (never into the data set); false with statusText().
    bool exportMarks(const std::filesystem::path& file);

    ConfusionHeatMap* heatMap() const { return heatMap_; }
    MisclassifiedInspector* inspector() const { return inspector_; }
    QTableWidget* metricsTable() const { return table_; }

signals:
    /// An evaluation finished and is shown.
    void evaluated();

private:
    void updateButtons();
    void fillMetrics();
    void setStatus(const QString& text, bool error = false);

    JobRunner* runner_;
    std::filesystem::path workspace_;
    std::function<std::shared_ptr<const LoadedDataset>()> datasetSource_;
    std::function<LabelRules()> rulesSource_;
    std::function<std::shared_ptr<const Labeling>()> labelingSource_;

    std::optional<std::filesystem::path> evaluatedRun_;

    QString shownWhat_;  // what the results on screen are ("run on test split")
    std::vector<Prediction> predictions_;
    std::optional<EvaluationResult> result_;
    std::shared_ptr<const LoadedDataset> dataset_;
    std::shared_ptr<RunMarks> marks_;
    // The model of the last run evaluated, loaded once (in the evaluation job).
    std::shared_ptr<const RunModel> model_;
    std::filesystem::path modelRun_;
    QString status_;

    RunChooser* runCombo_ = nullptr;
    QComboBox* sourceCombo_ = nullptr;
    InferenceChoices* choices_ = nullptr;
    QPushButton* evaluateButton_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QLabel* summary_ = nullptr;
    MarksBar* marksBar_ = nullptr;
    QTableWidget* table_ = nullptr;
    ConfusionHeatMap* heatMap_ = nullptr;
    MisclassifiedInspector* inspector_ = nullptr;
};

}  // namespace gz::ui
