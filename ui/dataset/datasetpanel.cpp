#include "dataset/datasetpanel.h"

#include <qcustomplot.h>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <string>

#include "common/elidedlabel.h"
#include "common/formcontrols.h"
#include "common/morphologycolors.h"
#include "common/uiformat.h"
#include "common/uistyle.h"
#include "dataset/galaxybrowser.h"
#include "dataset/galaxyinspector.h"
#include "dataset/labelingsession.h"
#include "dataset/ruleeditor.h"

namespace gz::ui {

namespace {

QString percent(std::size_t part, std::size_t whole) {
    if (whole == 0) return QStringLiteral("–");
    return QLocale().toString(100.0 * static_cast<double>(part) / static_cast<double>(whole), 'f',
                              1) +
           QStringLiteral(" %");
}

QLabel* valueLabel(const QString& objectName, QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    label->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    return label;
}

QString voteColumnsText(const Catalog& catalog) {
    const auto present = catalog.presentColumns();
    if (present.size() == kVoteColumnCount)
        return QObject::tr("All %1 (Class1.1 … Class11.6)").arg(kVoteColumnCount);
    QStringList missing;
    for (std::size_t i = 0; i < kVoteColumnCount; ++i)
        if (!catalog.hasColumn(i))
            missing << QString::fromLatin1(kVoteColumns[i].data(),
                                           static_cast<qsizetype>(kVoteColumns[i].size()));
    return QObject::tr("%1 of %2; absent: %3")
        .arg(present.size())
        .arg(kVoteColumnCount)
        .arg(missing.join(QStringLiteral(", ")));
}

QString missingImagesText(const Catalog& catalog) {
    if (!catalog.imageDir()) return QObject::tr("No image folder: the catalog is used alone");
    const MissingImages& missing = catalog.missingImages();
    if (missing.count == 0) return QObject::tr("None: every galaxy has its image");
    const QString summary = QString::fromStdString(missing.summary());
    return QObject::tr("%1 left out of the catalog. %2").arg(formatCount(missing.count), summary);
}

const QString kSplitterKey = QStringLiteral("datasetPanel/splitter");

}  // namespace

int DatasetPanel::tableRow(int label) {
    return label >= 0 && label < kMorphologyCount ? label : kMorphologyCount;
}

DatasetPanel::DatasetPanel(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("datasetPanel"));
    session_ = new LabelingSession(this);

    auto* content = new QWidget;
    content->setObjectName(QStringLiteral("datasetPanelContent"));
    content->setAttribute(Qt::WA_StyledBackground);
    // Light page, white cards; style-sheet fonts and colours do not propagate to children.
    content->setStyleSheet(
        QStringLiteral(
            "#datasetPanelContent { background: #f4f6fa; }"
            "QGroupBox { background: white; border: 1px solid %1; border-radius: 8px;"
            "  margin-top: 24px; font-weight: bold; color: %2; }"
            "QGroupBox::title { subcontrol-origin: margin; subcontrol-position: top left;"
            "  left: 6px; padding: 0 4px; }"
            "QLabel[role=\"field\"] { color: %3; }")
            .arg(cardBorderColor().name(), textColor().name(), mutedColor().name()));

    title_ = new ElidedLabel(Qt::ElideRight, content);
    title_->setObjectName(QStringLiteral("datasetTitle"));
    QFont titleFont = title_->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    title_->setFont(titleFont);
    summary_ = new QLabel(content);
    summary_->setObjectName(QStringLiteral("datasetSummary"));
    setMuted(summary_);

    // Where it comes from and what it holds.
    auto* sourceBox = new QGroupBox(tr("Catalog"), content);
    auto* form = new QFormLayout(sourceBox);
    form->setContentsMargins(16, 14, 16, 14);
    form->setHorizontalSpacing(24);
    form->setVerticalSpacing(8);
    form->setLabelAlignment(Qt::AlignLeft | Qt::AlignTop);
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    csvPath_ = valueLabel(QStringLiteral("csvPathValue"), sourceBox);
    imageDir_ = valueLabel(QStringLiteral("imageDirValue"), sourceBox);
    galaxyCount_ = valueLabel(QStringLiteral("galaxyCountValue"), sourceBox);
    voteColumns_ = valueLabel(QStringLiteral("voteColumnsValue"), sourceBox);
    missingImages_ = valueLabel(QStringLiteral("missingImagesValue"), sourceBox);
    const auto addRow = [&](const QString& name, QLabel* value) {
        auto* label = new QLabel(name, sourceBox);
        label->setProperty("role", QStringLiteral("field"));
        form->addRow(label, value);
    };
    addRow(tr("Vote CSV"), csvPath_);
    addRow(tr("Image folder"), imageDir_);
    addRow(tr("Galaxies"), galaxyCount_);
    addRow(tr("Vote columns"), voteColumns_);
    addRow(tr("Missing images"), missingImages_);

    // The morphologies under the default rules: table and chart, or why labeling refused.
    auto* countsBox = new QGroupBox(tr("Morphologies"), content);
    rulesNote_ = new QLabel(countsBox);
    rulesNote_->setObjectName(QStringLiteral("rulesNote"));
    rulesNote_->setWordWrap(true);
    setMuted(rulesNote_);

    countTable_ = new QTableWidget(kMorphologyCount + 1, 3, countsBox);
    countTable_->setObjectName(QStringLiteral("morphologyCountTable"));
    countTable_->setHorizontalHeaderLabels({tr("Morphology"), tr("Galaxies"), tr("Share")});
    countTable_->verticalHeader()->hide();
    countTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    countTable_->setSelectionMode(QAbstractItemView::NoSelection);
    countTable_->setFocusPolicy(Qt::NoFocus);
    countTable_->setShowGrid(false);
    countTable_->setAlternatingRowColors(true);
    countTable_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    countTable_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    countTable_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    countTable_->horizontalHeader()->setHighlightSections(false);
    countTable_->setWordWrap(false);
    countTable_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    countTable_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 12);
    for (int label = 0; label <= kMorphologyCount; ++label) {
        const int morphology = label < kMorphologyCount ? label : kUnlabeled;
        auto* name =
            new QTableWidgetItem(morphologySwatch(morphology), morphologyShortName(morphology));
        name->setToolTip(morphologyTitle(morphology));
        countTable_->setItem(label, 0, name);
        for (int column = 1; column < 3; ++column) {
            auto* item = new QTableWidgetItem;
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            countTable_->setItem(label, column, item);
        }
    }
    countTable_->setMinimumWidth(300);
    const int tableHeight =
        countTable_->horizontalHeader()->sizeHint().height() +
        (kMorphologyCount + 1) * countTable_->verticalHeader()->defaultSectionSize() +
        2 * countTable_->frameWidth() + 2;
    countTable_->setFixedHeight(tableHeight);
    countTable_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    chart_ = new QCustomPlot(countsBox);
    chart_->setObjectName(QStringLiteral("morphologyChart"));
    chart_->setMinimumSize(300, 220);
    chart_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setUpChart();

    auto* countsPage = new QWidget;
    auto* countsLayout = new QVBoxLayout(countsPage);
    countsLayout->setContentsMargins(0, 0, 0, 0);
    countsLayout->setSpacing(10);
    countsLayout->addWidget(countTable_);
    countsLayout->addWidget(chart_, 1);

    labelingError_ = makeTextLabel(QStringLiteral("labelingErrorLabel"));
    labelingError_->setTextFormat(Qt::RichText);
    labelingError_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    labelingError_->setStyleSheet(
        QStringLiteral("QLabel { background: %1; border: 1px solid %2; border-radius: 6px;"
                       " padding: 12px; color: %3; }")
            .arg(warningBoxColor().name(), warningAccentColor().name(),
                 warningBoxTextColor().name()));
    auto* errorPage = new QWidget;
    auto* errorLayout = new QVBoxLayout(errorPage);
    errorLayout->setContentsMargins(0, 0, 0, 0);
    errorLayout->addWidget(labelingError_);
    errorLayout->addStretch(1);

    countsStack_ = new QStackedWidget(countsBox);
    countsStack_->setObjectName(QStringLiteral("morphologyCountsStack"));
    countsStack_->addWidget(countsPage);
    countsStack_->addWidget(errorPage);

    auto* countsBoxLayout = new QVBoxLayout(countsBox);
    countsBoxLayout->setContentsMargins(16, 14, 16, 16);
    countsBoxLayout->setSpacing(10);
    countsBoxLayout->addWidget(rulesNote_);
    countsBoxLayout->addWidget(countsStack_, 1);

    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(20, 16, 20, 20);
    contentLayout->setSpacing(14);
    auto* heading = new QVBoxLayout;
    heading->setSpacing(2);
    heading->addWidget(title_);
    heading->addWidget(summary_);
    contentLayout->addLayout(heading);
    contentLayout->addWidget(sourceBox);
    contentLayout->addWidget(countsBox, 1);

    // The label rules, edited live.
    auto* rulesBox = new QGroupBox(tr("Label rules"), content);
    rulesBox->setObjectName(QStringLiteral("labelRulesBox"));
    ruleEditor_ = new RuleEditor(session_);
    ruleEditor_->setStyleSheet(QStringLiteral("QLabel, QCheckBox { font-weight: normal; }"));
    auto* rulesLayout = new QVBoxLayout(rulesBox);
    rulesLayout->setContentsMargins(16, 14, 16, 14);
    rulesLayout->addWidget(ruleEditor_);
    contentLayout->addWidget(rulesBox);

    auto* scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("datasetOverview"));
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(360);

    browser_ = new GalaxyBrowser(session_);
    inspector_ = new GalaxyInspector(session_);
    connect(browser_, &GalaxyBrowser::galaxySelected, inspector_, &GalaxyInspector::showGalaxy);

    // Overview and rules | browser | inspector; the layout is remembered.
    splitter_ = new QSplitter(Qt::Horizontal, this);
    splitter_->setObjectName(QStringLiteral("datasetSplitter"));
    splitter_->addWidget(scroll);
    splitter_->addWidget(browser_);
    splitter_->addWidget(inspector_);
    splitter_->setChildrenCollapsible(false);
    splitter_->setStretchFactor(0, 0);
    splitter_->setStretchFactor(1, 1);
    splitter_->setStretchFactor(2, 0);
    splitter_->setSizes({400, 560, 420});
    splitter_->restoreState(QSettings().value(kSplitterKey).toByteArray());
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter_);

    connect(session_, &LabelingSession::labelingChanged, this, &DatasetPanel::onLabelingChanged);
    setDataset(nullptr);
}

void DatasetPanel::hideEvent(QHideEvent* event) {
    QSettings().setValue(kSplitterKey, splitter_->saveState());
    QWidget::hideEvent(event);
}

LabelRules DatasetPanel::currentRules() const {
    return session_->rules();
}

void DatasetPanel::setSplit(const std::vector<SplitEntry>& split, const QString& source) {
    session_->setSplit(split, source);
}

void DatasetPanel::setDataset(std::shared_ptr<const LoadedDataset> dataset) {
    dataset_ = std::move(dataset);
    if (!dataset_) {
        title_->setText(tr("No data set"));
        summary_->clear();
        for (QLabel* label : {csvPath_, imageDir_, galaxyCount_, voteColumns_, missingImages_})
            label->setText(QStringLiteral("–"));
        session_->setDataset(nullptr);
        return;
    }
    const Catalog& catalog = dataset_->catalog;
    title_->setText(dataset_->location.displayName());
    csvPath_->setText(toQString(catalog.csvPath()));
    imageDir_->setText(catalog.imageDir() ? toQString(*catalog.imageDir()) : tr("None"));
    galaxyCount_->setText(formatCount(catalog.size()));
    voteColumns_->setText(voteColumnsText(catalog));
    setStatusText(missingImages_, missingImagesText(catalog),
                  catalog.missingImages().count > 0 ? StatusTone::Warning : StatusTone::Normal);
    session_->setDataset(dataset_);  // labelingChanged() shows the counts
}

void DatasetPanel::onLabelingChanged() {
    const bool defaults = session_->rules() == LabelRules::defaults();
    rulesNote_->setText(
        defaults ? tr("Under the rules of Dai & Tong (2019), first match wins; galaxies matching "
                      "no rule stay unlabeled and are left out of training.")
                 : tr("Under <b>your edited rules</b> (see Label rules below); galaxies matching "
                      "no rule stay unlabeled and are left out of training."));
    if (!dataset_) {
        showLabelingError(tr("Open a data set to see its morphologies."));
        return;
    }
    const Catalog& catalog = dataset_->catalog;
    QString summary = tr("%1 galaxies").arg(formatCount(catalog.size()));
    if (const auto& labeling = session_->labeling()) {
        const std::size_t labeled = catalog.size() - labeling->unlabeled;
        summary +=
            tr(" · %1 labeled (%2)").arg(formatCount(labeled), percent(labeled, catalog.size()));
        showCounts(*labeling, catalog.size());
    } else {
        summary += tr(" · labeling needs attention");
        showLabelingError(
            tr("<b>The %1 rules cannot label this catalog.</b><br>%2.<br><i>Each rule has a "
               "switch in Label rules below.</i>")
                .arg(defaults ? tr("default") : tr("edited"),
                     session_->labelingError().toHtmlEscaped()));
    }
    summary_->setText(summary);
}

void DatasetPanel::showCounts(const Labeling& labeling, std::size_t galaxies) {
    for (int row = 0; row <= kMorphologyCount; ++row) {
        const std::size_t count =
            row < kMorphologyCount ? labeling.counts[row] : labeling.unlabeled;
        QTableWidgetItem* countItem = countTable_->item(row, 1);
        countItem->setText(formatCount(count));
        countItem->setData(Qt::UserRole, static_cast<qulonglong>(count));
        countTable_->item(row, 2)->setText(percent(count, galaxies));
    }
    plotCounts(labeling);
    countsStack_->setCurrentIndex(0);
}

void DatasetPanel::showLabelingError(const QString& message) {
    labelingError_->setText(message);
    for (int row = 0; row <= kMorphologyCount; ++row) {
        countTable_->item(row, 1)->setText({});
        countTable_->item(row, 1)->setData(Qt::UserRole, {});
        countTable_->item(row, 2)->setText({});
    }
    chart_->clearPlottables();
    chart_->clearItems();
    chart_->replot();
    countsStack_->setCurrentIndex(1);
}

void DatasetPanel::setUpChart() {
    const QFont font = this->font();
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.9);
    const QColor axisColor(0x5f, 0x6b, 0x7a);
    const QColor textColor(0x33, 0x3b, 0x46);
    QCPAxis* x = chart_->xAxis;
    QCPAxis* y = chart_->yAxis;
    x->setTickLabelFont(font);
    x->setTickLabelRotation(-30);  // six names fit under narrow bars
    x->setSubTicks(false);
    x->setTickLength(0, 4);
    x->grid()->setVisible(false);
    y->setLabel(tr("Galaxies"));
    y->setLabelFont(font);
    y->setTickLabelFont(small);
    y->grid()->setPen(QPen(QColor(0xdd, 0xe2, 0xe8), 1, Qt::DotLine));
    y->grid()->setSubGridVisible(false);
    y->setSubTicks(false);
    // Whole galaxies only: never a tick at 0.5.
    auto integerTicks = QSharedPointer<QCPAxisTickerFixed>::create();
    integerTicks->setTickStep(1.0);
    integerTicks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    y->setTicker(integerTicks);
    for (QCPAxis* axis : {x, y}) {
        axis->setBasePen(QPen(axisColor, 1));
        axis->setTickPen(QPen(axisColor, 1));
        axis->setSubTickPen(QPen(axisColor, 1));
        axis->setTickLabelColor(textColor);
        axis->setLabelColor(textColor);
    }
    chart_->setBackground(Qt::white);
}

void DatasetPanel::plotCounts(const Labeling& labeling) {
    chart_->clearPlottables();
    chart_->clearItems();

    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    double maximum = 1;
    for (int row = 0; row <= kMorphologyCount; ++row) {
        const int label = row < kMorphologyCount ? row : kUnlabeled;
        const std::size_t count =
            row < kMorphologyCount ? labeling.counts[row] : labeling.unlabeled;
        const double x = row + 1;
        const double value = static_cast<double>(count);
        maximum = std::max(maximum, value);

        auto* bars = new QCPBars(chart_->xAxis, chart_->yAxis);
        bars->setName(morphologyShortName(label));
        bars->setWidth(0.66);
        const QColor color = morphologyColor(label);
        bars->setPen(QPen(color.darker(125), 1));
        bars->setBrush(color);
        bars->addData(x, value);
        ticker->addTick(x, morphologyShortName(label));

        auto* text = new QCPItemText(chart_);
        text->position->setType(QCPItemPosition::ptPlotCoords);
        text->position->setCoords(x, value);
        text->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        text->setPadding(QMargins(0, 0, 0, 3));
        text->setText(formatCount(count));
        text->setFont(small);
        text->setColor(QColor(0x33, 0x3b, 0x46));
        text->setClipToAxisRect(false);
    }

    chart_->xAxis->setTicker(ticker);
    chart_->xAxis->setRange(0.4, kMorphologyCount + 1.6);
    chart_->yAxis->setRange(0, maximum * 1.15);
    chart_->replot();
}

}  // namespace gz::ui
