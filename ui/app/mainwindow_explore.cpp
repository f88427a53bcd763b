// The main window's Map and Suspects panels, whose jobs run on the window's JobRunner. What the
// map picks (a region, "more like this") is shown in the Dataset browser, and the browser's
// selection is ringed on the map; the suspects' fold runs are trained with the Training panel's
// settings.

#include <QTabWidget>

#include "app/mainwindow.h"
#include "common/uiformat.h"
#include "dataset/datasetpanel.h"
#include "dataset/galaxybrowser.h"
#include "dataset/galaxyinspector.h"
#include "evaluation/evaluationpanel.h"
#include "evaluation/misclassifiedinspector.h"
#include "evaluation/predictionpanel.h"
#include "explore/mappanel.h"
#include "explore/suspectspanel.h"
#include "training/trainingpanel.h"

namespace gz::ui {

void MainWindow::createExplorePanels() {
    mapPanel_ = new MapPanel(runner_, options_.workspace, datasetPanel_->session());
    panels_->addTab(mapPanel_, tr("Map"));
    GalaxyBrowser* browser = datasetPanel_->browser();
    connect(mapPanel_, &MapPanel::chosenForBrowser, this,
            [this, browser](std::shared_ptr<const GalaxyListModel::Chosen> chosen) {
                // "More like this" (in its own order) opens with its galaxy in the inspector.
                const bool ordered = !chosen->notes.empty() && !chosen->rows.empty();
                const std::size_t first = ordered ? chosen->rows.front() : 0;
                browser->setChosen(std::move(chosen));
                if (ordered && dataset_) browser->selectGalaxy(dataset_->catalog.id(first));
                showPanel(datasetPanel_);
            });
    connect(browser, &GalaxyBrowser::galaxySelected, mapPanel_, &MapPanel::showGalaxy);
    connect(panels_, &QTabWidget::currentChanged, this, [this](int index) {
        if (panels_->widget(index) == mapPanel_) mapPanel_->refreshRuns();
        if (panels_->widget(index) == suspectsPanel_) suspectsPanel_->refreshSearches();
    });

    suspectsPanel_ = new SuspectsPanel(runner_, options_.workspace, datasetPanel_->session());
    panels_->addTab(suspectsPanel_, tr("Suspects"));
    suspectsPanel_->setConfigSource([this] { return trainingPanel_->trainingConfig(); });

    // "More like this" from every list of galaxies; when the Map panel cannot start it (no run,
    // another job), it is shown to say why.
    const auto similarTo = [this](std::int64_t id) {
        if (!mapPanel_->moreLikeGalaxy(id)) showPanel(mapPanel_);
    };
    connect(browser, &GalaxyBrowser::moreLikeThisRequested, this, similarTo);
    connect(datasetPanel_->inspector(), &GalaxyInspector::moreLikeThisRequested, this, similarTo);
    connect(evaluationPanel_->inspector(), &MisclassifiedInspector::moreLikeThisRequested, this,
            similarTo);
    connect(suspectsPanel_->inspector(), &MisclassifiedInspector::moreLikeThisRequested, this,
            similarTo);
    connect(predictionPanel_, &PredictionPanel::moreLikeImageRequested, this,
            [this](const QString& file) {
                if (!mapPanel_->moreLikeImage(toPath(file))) showPanel(mapPanel_);
            });
}

}  // namespace gz::ui
