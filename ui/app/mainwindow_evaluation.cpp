// The main window's Evaluation and Prediction panels: both run their long jobs (evaluating a
// subset, predicting a folder) on the window's JobRunner; the Runs panel's "Evaluate" evaluates
// a run here; the evaluation's "open data set" is the Dataset panel's data set under its current
// rules.

#include <QTabWidget>

#include "app/mainwindow.h"
#include "evaluation/evaluationpanel.h"
#include "evaluation/predictionpanel.h"
#include "training/runspanel.h"

namespace gz::ui {

void MainWindow::createEvaluationPanels() {
    evaluationPanel_ = new EvaluationPanel(runner_, options_.workspace);
    predictionPanel_ = new PredictionPanel(runner_, options_.workspace);
    panels_->addTab(evaluationPanel_, tr("Evaluation"));
    panels_->addTab(predictionPanel_, tr("Prediction"));

    evaluationPanel_->setDatasetSource([this] { return dataset(); },
                                       [this] { return currentRules(); },
                                       [this] { return currentLabeling(); });
    connect(runsPanel_, &RunsPanel::evaluateRequested, this,
            [this](const std::filesystem::path& run) {
                evaluationPanel_->setRun(run);
                predictionPanel_->setRun(run);
                showPanel(evaluationPanel_);
                evaluationPanel_->evaluate();  // refused with the reason shown when it cannot
            });
    connect(panels_, &QTabWidget::currentChanged, this, [this](int index) {
        if (panels_->widget(index) == evaluationPanel_) evaluationPanel_->refreshRuns();
        if (panels_->widget(index) == predictionPanel_) predictionPanel_->refreshRuns();
    });
}

}  // namespace gz::ui
