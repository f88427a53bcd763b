// MainWindow's link to the Dataset panel: the label rules the user set and the labeling they
// give, for the panels that train with them.

#include "app/mainwindow.h"
#include "dataset/datasetpanel.h"
#include "dataset/labelingsession.h"

namespace gz::ui {

void MainWindow::connectDatasetPanel() {
    LabelingSession* session = datasetPanel_->session();
    connect(session, &LabelingSession::rulesChanged, this, &MainWindow::rulesChanged);
    connect(session, &LabelingSession::labelingChanged, this, &MainWindow::labelingChanged);
}

LabelRules MainWindow::currentRules() const {
    return datasetPanel_->currentRules();
}

std::shared_ptr<const Labeling> MainWindow::currentLabeling() const {
    return datasetPanel_->session()->labeling();
}

void MainWindow::setSplit(const std::vector<SplitEntry>& split, const QString& source) {
    datasetPanel_->setSplit(split, source);
}

}  // namespace gz::ui
