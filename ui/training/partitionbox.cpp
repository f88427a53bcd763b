#include "training/partitionbox.h"

#include <QApplication>
#include <QDir>
#include <QFontMetrics>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>

#include <array>
#include <limits>

#include "common/formcontrols.h"
#include "common/morphologycolors.h"
#include "dataset/loadeddataset.h"
#include "gz/constants.h"

namespace gz::ui {

PartitionBox::PartitionBox(QWidget* parent) : QGroupBox(tr("1. Partition"), parent) {
    const SplitRatios defaults;
    trainRatio_ =
        makeDoubleSpinBox(QStringLiteral("trainRatioSpin"), 0.01, 1, defaults.train, 2, 0.05);
    valRatio_ = makeDoubleSpinBox(QStringLiteral("valRatioSpin"), 0, 0.99, defaults.val, 2, 0.05);
    testRatio_ =
        makeDoubleSpinBox(QStringLiteral("testRatioSpin"), 0, 0.99, defaults.test, 2, 0.05);
    seed_ = makeSpinBox(QStringLiteral("splitSeedSpin"), 0, std::numeric_limits<int>::max(),
                        static_cast<int>(kDefaultSeed));
    partitionButton_ = new QPushButton(tr("Partition"));
    partitionButton_->setObjectName(QStringLiteral("partitionButton"));
    connect(partitionButton_, &QPushButton::clicked, this, &PartitionBox::partitionRequested);
    auto* ratios = new QHBoxLayout;
    ratios->addWidget(trainRatio_);
    ratios->addWidget(valRatio_);
    ratios->addWidget(testRatio_);
    // A row a class, "All" labeled, then the unlabeled galaxies (a votes head learns from them).
    table_ = new QTableWidget(kTableRows, 3);
    table_->setObjectName(QStringLiteral("splitTable"));
    table_->setHorizontalHeaderLabels({tr("Train"), tr("Val"), tr("Test")});
    QStringList rows;
    for (int l = 0; l < kMorphologyCount; ++l) rows << morphologyShortName(l);
    rows << tr("All labeled") << tr("Unlabeled");
    table_->setVerticalHeaderLabels(rows);
    for (int l = 0; l < kMorphologyCount; ++l)
        table_->verticalHeaderItem(l)->setIcon(morphologySwatch(l));
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    // Rows as tall as a line of the application's font (not the group box title's).
    table_->verticalHeader()->setDefaultSectionSize(QFontMetrics(QApplication::font()).height() +
                                                    6);
    table_->setFixedHeight(table_->horizontalHeader()->sizeHint().height() +
                           kTableRows * table_->verticalHeader()->defaultSectionSize() + 4);
    table_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    info_ = makeTextLabel(QStringLiteral("splitInfo"));
    auto* grid = new QGridLayout(this);
    grid->addWidget(new QLabel(tr("Train / val / test")), 0, 0);
    grid->addLayout(ratios, 0, 1, 1, 3);
    grid->addWidget(new QLabel(tr("Seed")), 1, 0);
    grid->addWidget(seed_, 1, 1);
    grid->addWidget(partitionButton_, 1, 2, 1, 2);
    grid->addWidget(table_, 2, 0, 1, 4);
    grid->addWidget(info_, 3, 0, 1, 4);
}

SplitRatios PartitionBox::ratios() const {
    return {trainRatio_->value(), valRatio_->value(), testRatio_->value()};
}

std::uint64_t PartitionBox::seed() const {
    return static_cast<std::uint64_t>(seed_->value());
}

void PartitionBox::setSettings(const SplitRatios& ratios, std::uint64_t seed) {
    trainRatio_->setValue(ratios.train);
    valRatio_->setValue(ratios.val);
    testRatio_->setValue(ratios.test);
    if (seed <= static_cast<std::uint64_t>(seed_->maximum()))
        seed_->setValue(static_cast<int>(seed));
}

void PartitionBox::showSplit(const std::vector<SplitEntry>* split,
                             const std::filesystem::path& file) {
    const SplitCounts counts = split ? countSplit(*split) : SplitCounts{};
    const auto setCell = [&](int row, int column, std::size_t n) {
        auto* item = new QTableWidgetItem(split ? QLocale().toString(static_cast<qulonglong>(n))
                                                : QString());
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        item->setData(Qt::UserRole, static_cast<qulonglong>(n));
        table_->setItem(row, column, item);
    };
    for (std::size_t s = 0; s < counts.labeled.size(); ++s) {  // a column a subset
        const int column = static_cast<int>(s);
        for (int label = 0; label < kMorphologyCount; ++label)
            setCell(label, column, counts.labeled[s][static_cast<std::size_t>(label)]);
        setCell(kMorphologyCount, column, counts.labeledIn(static_cast<Subset>(s)));
        setCell(kMorphologyCount + 1, column, counts.unlabeled[s]);
    }
    const auto count = [](std::size_t n) { return QLocale().toString(static_cast<qulonglong>(n)); };
    info_->setText(split ? tr("%1 labeled and %2 unlabeled galaxies; written to %3")
                               .arg(count(counts.labeledTotal()), count(counts.unlabeledTotal()),
                                    QDir::toNativeSeparators(toQString(file)))
                         : tr("Not partitioned yet."));
}

void PartitionBox::setPartitionEnabled(bool enabled, const QString& toolTip) {
    partitionButton_->setEnabled(enabled);
    partitionButton_->setToolTip(toolTip);
}

}  // namespace gz::ui
