#pragma once
// The "Dataset" panel: where the loaded catalog comes from, what it holds, how the label rules
// sort it into the five morphologies (table and bar chart, updated live as the rules are
// edited), the galaxy browser and the inspector of the selected galaxy.

#include <QWidget>

#include <memory>
#include <vector>

#include "dataset/loadeddataset.h"
#include "gz/partition.h"

class QCustomPlot;
class QLabel;
class QSplitter;
class QStackedWidget;
class QTableWidget;

namespace gz::ui {

class ElidedLabel;
class GalaxyBrowser;
class GalaxyInspector;
class LabelingSession;
class RuleEditor;

class DatasetPanel : public QWidget {
    Q_OBJECT

public:
    explicit DatasetPanel(QWidget* parent = nullptr);

    /// Shows `dataset` (nullptr clears the panel).
    void setDataset(std::shared_ptr<const LoadedDataset> dataset);
    const std::shared_ptr<const LoadedDataset>& dataset() const { return dataset_; }

    /// Row of the count table for a label: 0-4, then kUnlabeled in the last row.
    static int tableRow(int label);

    /// The rules, labeling and split every part of the panel shows.
    LabelingSession* session() const { return session_; }
    /// The rules the user set (the paper's until edited).
    LabelRules currentRules() const;
    /// Shows a split's subsets in the browser and inspector (e.g. the one a training run made).
    void setSplit(const std::vector<SplitEntry>& split, const QString& source);

    GalaxyBrowser* browser() const { return browser_; }
    GalaxyInspector* inspector() const { return inspector_; }
    RuleEditor* ruleEditor() const { return ruleEditor_; }

protected:
    /// Remembers the panel layout (the window's own state is saved by MainWindow).
    void hideEvent(QHideEvent* event) override;

private:
    void onLabelingChanged();
    void showCounts(const Labeling& labeling, std::size_t galaxies);
    void showLabelingError(const QString& message);
    void setUpChart();
    void plotCounts(const Labeling& labeling);

    std::shared_ptr<const LoadedDataset> dataset_;
    ElidedLabel* title_ = nullptr;
    QLabel* summary_ = nullptr;
    QLabel* csvPath_ = nullptr;
    QLabel* imageDir_ = nullptr;
    QLabel* galaxyCount_ = nullptr;
    QLabel* voteColumns_ = nullptr;
    QLabel* missingImages_ = nullptr;
    QLabel* rulesNote_ = nullptr;
    QStackedWidget* countsStack_ = nullptr;
    QTableWidget* countTable_ = nullptr;
    QCustomPlot* chart_ = nullptr;
    QLabel* labelingError_ = nullptr;
    LabelingSession* session_ = nullptr;
    RuleEditor* ruleEditor_ = nullptr;
    GalaxyBrowser* browser_ = nullptr;
    GalaxyInspector* inspector_ = nullptr;
    QSplitter* splitter_ = nullptr;
};

}  // namespace gz::ui
