#pragma once
// The "Dataset" panel: where the loaded catalog comes from, what it holds, and how the default
// label rules sort it into the five morphologies (table and bar chart).

#include <QWidget>

#include <memory>

#include "loadeddataset.h"

class QCustomPlot;
class QLabel;
class QStackedWidget;
class QTableWidget;

namespace gz::ui {

class DatasetPanel : public QWidget {
    Q_OBJECT

public:
    explicit DatasetPanel(QWidget* parent = nullptr);

    /// Shows `dataset` (nullptr clears the panel).
    void setDataset(std::shared_ptr<const LoadedDataset> dataset);
    const std::shared_ptr<const LoadedDataset>& dataset() const { return dataset_; }

    /// Row of the count table for a label: 0-4, then kUnlabeled in the last row.
    static int tableRow(int label);

private:
    void showCounts(const Labeling& labeling, std::size_t galaxies);
    void showLabelingError(const QString& message);
    void setUpChart();
    void plotCounts(const Labeling& labeling);

    std::shared_ptr<const LoadedDataset> dataset_;
    QLabel* title_ = nullptr;
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
};

}  // namespace gz::ui
