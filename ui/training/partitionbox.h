#pragma once
// "1. Partition" of the Training panel: the train / val / test ratios, the seed, the Partition
// button, and the counts per class and subset of the partition made.

#include <QGroupBox>

#include <cstdint>
#include <filesystem>
#include <vector>

#include "gz/partition.h"

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace gz::ui {

class PartitionBox : public QGroupBox {
    Q_OBJECT

public:
    explicit PartitionBox(QWidget* parent = nullptr);

    SplitRatios ratios() const;
    std::uint64_t seed() const;
    /// Shows the ratios and seed a partition was made with.
    void setSettings(const SplitRatios& ratios, std::uint64_t seed);
    /// Shows the counts of `split` and the file it was written to; with nullptr, empty counts and
    /// "Not partitioned yet."
    void showSplit(const std::vector<SplitEntry>* split, const std::filesystem::path& file);
    void setPartitionEnabled(bool enabled, const QString& toolTip);

signals:
    /// The Partition button was clicked.
    void partitionRequested();

private:
    static constexpr int kTableRows = kMorphologyCount + 2;  // classes, all labeled, unlabeled
    QDoubleSpinBox* trainRatio_ = nullptr;
    QDoubleSpinBox* valRatio_ = nullptr;
    QDoubleSpinBox* testRatio_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QPushButton* partitionButton_ = nullptr;
    QTableWidget* table_ = nullptr;
    QLabel* info_ = nullptr;
};

}  // namespace gz::ui
