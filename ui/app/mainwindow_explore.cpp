// The main window's Map panel: its job runs on the window's JobRunner; what it picks (a region,
// "more like this") is shown in the Dataset browser, and the browser's selection is ringed on the
// map.

#include <QTabWidget>

#include "app/mainwindow.h"
#include "dataset/datasetpanel.h"
#include "dataset/galaxybrowser.h"
#include "explore/mappanel.h"

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
    });
}

}  // namespace gz::ui
