// The main window's Augmentation, Training and Runs panels and how they are wired together: one
// AugmentationSettings shared by the preview and every job, the window's JobRunner for every job
// (one at a time; closing the window stops it cleanly), and the runs list following training.

#include <QTabWidget>

#include "app/mainwindow.h"
#include "augmentation/augmentationpanel.h"
#include "augmentation/augmentationsettings.h"
#include "dataset/datasetpanel.h"
#include "dataset/galaxybrowser.h"
#include "training/runspanel.h"
#include "training/trainingpanel.h"

namespace gz::ui {

void MainWindow::createTrainingPanels() {
    augmentationSettings_ = new AugmentationSettings(this);
    augmentationPanel_ = new AugmentationPanel(augmentationSettings_);
    trainingPanel_ = new TrainingPanel(runner_, options_.workspace, augmentationSettings_);
    runsPanel_ = new RunsPanel(options_.workspace);
    panels_->addTab(augmentationPanel_, tr("Augmentation"));
    panels_->addTab(trainingPanel_, tr("Training"));
    panels_->addTab(runsPanel_, tr("Runs"));

    // Label rules for partitioning and training: the ones set in the Dataset panel. A partition
    // made with other rules is dropped; a new one is shown in the Dataset panel's browser.
    trainingPanel_->setRulesSource([this] { return currentRules(); });
    connect(this, &MainWindow::rulesChanged, trainingPanel_, &TrainingPanel::labelRulesChanged);
    connect(trainingPanel_, &TrainingPanel::splitMade, this,
            [this](const std::vector<SplitEntry>& split, const QString& file) {
                setSplit(split, file);
            });
    connect(this, &MainWindow::datasetChanged, augmentationPanel_, &AugmentationPanel::setDataset);
    // The galaxy selected in the browser is the one the Augmentation panel shows.
    connect(datasetPanel_->browser(), &GalaxyBrowser::galaxySelected, augmentationPanel_,
            [this](std::optional<std::size_t> row) {
                if (row && dataset_ && *row < dataset_->catalog.size())
                    augmentationPanel_->showGalaxy(dataset_->catalog.id(*row));
            });
    connect(this, &MainWindow::datasetChanged, trainingPanel_, &TrainingPanel::setDataset);

    connect(trainingPanel_, &TrainingPanel::runsChanged, runsPanel_, [this] {
        runsPanel_->setActiveRun(trainingPanel_->isTraining()
                                     ? std::optional(trainingPanel_->currentRun())
                                     : std::nullopt);
        runsPanel_->refresh();
    });
    connect(runsPanel_, &RunsPanel::resumeRequested, this,
            [this](const std::filesystem::path& run) {
                if (trainingPanel_->resume(run)) showPanel(trainingPanel_);
            });
    connect(runner_, &JobRunner::started, runsPanel_, [this] { runsPanel_->setBusy(true); });
    connect(runner_, &JobRunner::finished, runsPanel_, [this] { runsPanel_->setBusy(false); });
    connect(panels_, &QTabWidget::currentChanged, this, [this](int index) {
        if (panels_->widget(index) == runsPanel_) runsPanel_->refresh();
    });
}

void MainWindow::showPanel(QWidget* panel) {
    panels_->setCurrentWidget(panel);
}

}  // namespace gz::ui
