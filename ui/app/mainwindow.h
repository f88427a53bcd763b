#pragma once
// The main window: menus, the welcome page, the panels (Dataset, Augmentation, Training, Runs,
// Evaluation, Prediction, Map and Suspects, as tabs) and the status bar that shows and cancels long
// jobs.

#include <QMainWindow>
#include <QPointer>

#include <filesystem>
#include <functional>
#include <memory>

#include "common/jobrunner.h"
#include "dataset/loadeddataset.h"
#include "gz/demo.h"
#include "gz/partition.h"

class QAction;
class QLabel;
class QMenu;
class QMessageBox;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTabWidget;

namespace gz::ui {

class AugmentationPanel;
class AugmentationSettings;
class DatasetPanel;
class EvaluationPanel;
class MapPanel;
class PredictionPanel;
class RunsPanel;
class SuspectsPanel;
class TrainingPanel;
class WelcomePage;

/// What the window is started with (galaxy-studio's command line, or a test).
struct MainWindowOptions {
    std::filesystem::path workspace;  ///< where the demo and runs live; empty: defaultWorkspace()
    DemoOptions demo;                 ///< what "Open Demo Data" generates (tests use fewer)
};

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(MainWindowOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a Kaggle-layout folder in the background. False (and nothing happens) while another
    /// job runs. Errors are reported in a dialog and the status bar; the current data set stays.
    bool openDataset(const QString& folder);
    /// Opens a vote CSV, with an optional folder of <GalaxyID>.jpg images.
    bool openCsv(const QString& csv, const QString& imageDir = {});
    bool openLocation(const DatasetLocation& location);
    /// A folder opens as a Kaggle folder; a file as a CSV (with images_training_rev1/ beside it
    /// when there is one).
    bool openPath(const QString& path);
    /// Generates the demo data set in the workspace if it is not complete yet, then opens it.
    bool openDemo();

    /// Requests the running job to stop (the Cancel button does the same).
    void cancelJob();
    bool isBusy() const;

    /// The loaded data set, or nullptr.
    std::shared_ptr<const LoadedDataset> dataset() const { return dataset_; }
    const std::filesystem::path& workspace() const { return options_.workspace; }
    /// The last error shown to the user (empty when none yet).
    QString lastError() const { return lastError_; }

    DatasetPanel* datasetPanel() const { return datasetPanel_; }
    /// The label rules set in the Dataset panel (the paper's until the user edits them) and the
    /// labeling they give (nullptr when they cannot label the data set, or none is open).
    LabelRules currentRules() const;
    std::shared_ptr<const Labeling> currentLabeling() const;
    /// Shows a split's train/val/test subsets in the Dataset panel's browser and inspector.
    void setSplit(const std::vector<SplitEntry>& split, const QString& source);
    /// The augmentation parameters shared by the Augmentation and Training panels.
    AugmentationSettings* augmentationSettings() const { return augmentationSettings_; }
    AugmentationPanel* augmentationPanel() const { return augmentationPanel_; }
    TrainingPanel* trainingPanel() const { return trainingPanel_; }
    RunsPanel* runsPanel() const { return runsPanel_; }
    EvaluationPanel* evaluationPanel() const { return evaluationPanel_; }
    PredictionPanel* predictionPanel() const { return predictionPanel_; }
    MapPanel* mapPanel() const { return mapPanel_; }
    SuspectsPanel* suspectsPanel() const { return suspectsPanel_; }
    /// Shows a panel's tab (e.g. trainingPanel()).
    void showPanel(QWidget* panel);

signals:
    /// A data set was opened and is now shown.
    void datasetChanged(std::shared_ptr<const gz::ui::LoadedDataset> dataset);
    /// A background job ended (after its outcome was shown).
    void jobFinished(const gz::ui::JobOutcome& outcome);
    /// The label rules changed: edited by the user, or those of a newly opened data set
    /// (currentRules() == rules).
    void rulesChanged(const gz::LabelRules& rules);
    /// currentLabeling() changed: a new data set, or a relabeling with new rules finished.
    void labelingChanged();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    /// Forwards the Dataset panel's rules and labeling (mainwindow_dataset.cpp).
    void connectDatasetPanel();
    /// Adds the Augmentation, Training and Runs panels (mainwindow_training.cpp).
    void createTrainingPanels();
    /// Adds the Evaluation and Prediction panels (mainwindow_evaluation.cpp).
    void createEvaluationPanels();
    /// Adds the Map and Suspects panels; links the map with the Dataset browser
    /// (mainwindow_explore.cpp).
    void createExplorePanels();
    void createMenus();
    void createStatusBar();
    void restoreWindowState();
    void saveWindowState() const;

    void chooseDataset();
    void chooseCsv();
    void showAbout();
    void rebuildRecent();

    /// Starts a job that produces a data set; shows it when it succeeds.
    bool startLoading(const QString& title, const QString& what,
                      std::function<std::shared_ptr<const LoadedDataset>(const std::stop_token&,
                                                                         const ProgressFn&)>
                          load);
    void showDataset(std::shared_ptr<const LoadedDataset> dataset);
    void showError(const QString& headline, const QString& message);
    /// The status bar's text for an error `message`.
    QString errorStatus(const QString& message) const;
    void confirmCloseWhileBusy();

    void onJobStarted(const QString& title);
    void onJobProgress(qint64 done, qint64 total, const QString& message);
    void onJobFinished();
    void setBusy(bool busy);

    MainWindowOptions options_;
    JobRunner* runner_ = nullptr;
    std::shared_ptr<const LoadedDataset> dataset_;

    QStackedWidget* centralStack_ = nullptr;
    WelcomePage* welcome_ = nullptr;
    QTabWidget* panels_ = nullptr;
    DatasetPanel* datasetPanel_ = nullptr;
    AugmentationSettings* augmentationSettings_ = nullptr;
    AugmentationPanel* augmentationPanel_ = nullptr;
    TrainingPanel* trainingPanel_ = nullptr;
    RunsPanel* runsPanel_ = nullptr;
    EvaluationPanel* evaluationPanel_ = nullptr;
    PredictionPanel* predictionPanel_ = nullptr;
    MapPanel* mapPanel_ = nullptr;
    SuspectsPanel* suspectsPanel_ = nullptr;

    QAction* openDatasetAction_ = nullptr;
    QAction* openCsvAction_ = nullptr;
    QAction* openDemoAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* aboutAction_ = nullptr;
    QMenu* recentMenu_ = nullptr;

    QLabel* jobLabel_ = nullptr;
    QProgressBar* progressBar_ = nullptr;
    QPushButton* cancelButton_ = nullptr;

    QPointer<QMessageBox> errorBox_;
    QPointer<QMessageBox> closeBox_;
    QString lastError_;
    bool closeWhenJobEnds_ = false;
};

}  // namespace gz::ui
