#include "dataset/galaxybrowser.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <exception>

#include "common/elidedlabel.h"
#include "common/morelikethis.h"
#include "common/morphologycolors.h"
#include "common/shortcuts.h"
#include "common/uiformat.h"
#include "common/uistyle.h"
#include "dataset/galaxydetails.h"
#include "dataset/galaxylistmodel.h"
#include "dataset/labelingsession.h"
#include "dataset/thumbnaildelegate.h"
#include "dataset/thumbnailloader.h"
#include "gz/catalog.h"
#include "gz/partition.h"

namespace gz::ui {

namespace {

QString voteColumnName(std::size_t column) {
    return QString::fromLatin1(kVoteColumns[column].data(),
                               static_cast<qsizetype>(kVoteColumns[column].size()));
}

const QString kSplitFolderKey = QStringLiteral("browser/splitFolder");
const QString kFractionsFolderKey = QStringLiteral("browser/fractionsFolder");

// The sort box's item data, an int: -1 GalaxyID, a vote column for the volunteers', and past
// them the model's columns and its error.
constexpr int kModelColumnsData = 1000;
constexpr int kModelErrorData = 2000;

int sortData(int voteColumn, GalaxyListModel::SortSource source) {
    switch (source) {
        case GalaxyListModel::SortSource::Volunteers:
            return voteColumn;
        case GalaxyListModel::SortSource::Model:
            return kModelColumnsData + voteColumn;
        case GalaxyListModel::SortSource::ModelError:
            return kModelErrorData;
    }
    return -1;
}

GalaxyListModel::Sort sortOf(int data, bool descending) {
    using Source = GalaxyListModel::SortSource;
    if (data == kModelErrorData) return {-1, descending, Source::ModelError};
    if (data >= kModelColumnsData) return {data - kModelColumnsData, descending, Source::Model};
    return {data, descending, Source::Volunteers};
}

}  // namespace

GalaxyBrowser::FractionsRead GalaxyBrowser::readFractions(const FractionsRequest& request,
                                                          const std::stop_token& stop) {
    auto fractions = std::make_shared<ModelFractions>();
    fractions->fractions = readCatalogFractions(request.file, request.dataset->catalog, stop);
    fractions->source = toQString(request.file.filename());
    return {request.dataset, std::move(fractions)};
}

GalaxyBrowser::GalaxyBrowser(LabelingSession* session, QWidget* parent)
    : QWidget(parent),
      session_(session),
      fractionsReader_(
          readFractions,
          [this](const FractionsRead& read) {
              if (read.dataset == session_->dataset()) session_->setModelFractions(read.fractions);
          },
          [this](const QString& error) {
              QMessageBox::warning(this, tr("Cannot load the predicted fractions"), error);
          }) {
    setObjectName(QStringLiteral("galaxyBrowser"));
    model_ = new GalaxyListModel(this);
    loader_ = new ThumbnailLoader(this);
    delegate_ = new ThumbnailDelegate(loader_, this);

    morphologyBox_ = new QComboBox;
    morphologyBox_->setObjectName(QStringLiteral("morphologyFilterBox"));
    morphologyBox_->setToolTip(tr("Show one morphology (as the current rules label it)"));
    morphologyBox_->addItem(tr("All morphologies"), QVariant());
    for (int label = 0; label < kMorphologyCount; ++label)
        morphologyBox_->addItem(morphologySwatch(label), morphologyShortName(label), label);
    morphologyBox_->addItem(morphologySwatch(kUnlabeled), morphologyShortName(kUnlabeled),
                            kUnlabeled);
    morphologyBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    splitBox_ = new QComboBox;
    splitBox_->setObjectName(QStringLiteral("splitFilterBox"));
    splitBox_->addItem(tr("Any split"), static_cast<int>(GalaxyListModel::SplitFilter::All));
    splitBox_->addItem(tr("Training"), static_cast<int>(GalaxyListModel::SplitFilter::Train));
    splitBox_->addItem(tr("Validation"), static_cast<int>(GalaxyListModel::SplitFilter::Val));
    splitBox_->addItem(tr("Test"), static_cast<int>(GalaxyListModel::SplitFilter::Test));
    splitBox_->addItem(tr("Not in split"),
                       static_cast<int>(GalaxyListModel::SplitFilter::NotInSplit));
    splitBox_->setToolTip(tr("Filter by train / validation / test once a split exists"));
    loadSplitButton_ = new QPushButton(tr("Load split.csv…"));
    loadSplitButton_->setObjectName(QStringLiteral("loadSplitButton"));
    loadSplitButton_->setToolTip(tr("Show the subsets of a split.csv (GalaxyID,label,split)"));
    loadFractionsButton_ = new QPushButton(tr("Load fractions…"));
    loadFractionsButton_->setObjectName(QStringLiteral("loadFractionsButton"));
    loadFractionsButton_->setToolTip(
        tr("Sort by a model's predicted vote fractions, or by how far they are from the "
           "volunteers': a run's fractions.csv, or what galaxy-cli predict --fractions wrote"));

    idEdit_ = new QLineEdit;
    idEdit_->setObjectName(QStringLiteral("galaxyIdFilter"));
    idEdit_->setPlaceholderText(tr("GalaxyID…"));
    idEdit_->setClearButtonEnabled(true);
    idEdit_->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{0,19}")), this));
    idEdit_->setMinimumWidth(150);
    idEdit_->setToolTip(
        tr("Show galaxies whose GalaxyID contains these digits (%1)")
            .arg(shortcutKeys(Shortcut::FindGalaxy).toString(QKeySequence::NativeText)));
    auto* find = new QShortcut(shortcutKeys(Shortcut::FindGalaxy), this);
    connect(find, &QShortcut::activated, this, [this] {
        idEdit_->setFocus();
        idEdit_->selectAll();
    });

    sortBox_ = new QComboBox;
    sortBox_->setObjectName(QStringLiteral("sortBox"));
    // Long question texts: the box keeps a moderate width, its list shows them whole.
    sortBox_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    sortBox_->setMinimumContentsLength(12);
    sortBox_->setToolTip(tr("Sort by GalaxyID or by a vote fraction"));
    orderButton_ = new QToolButton;
    orderButton_->setObjectName(QStringLiteral("sortOrderButton"));
    orderButton_->setCheckable(true);
    orderButton_->setText(QStringLiteral("↑"));
    orderButton_->setToolTip(tr("Ascending / descending"));

    counts_ = new QLabel;
    counts_->setObjectName(QStringLiteral("browserCounts"));
    counts_->setTextFormat(Qt::RichText);
    counts_->setWordWrap(true);
    shown_ = new ElidedLabel(Qt::ElideRight);
    shown_->setObjectName(QStringLiteral("browserShown"));
    setMuted(shown_);

    view_ = new QListView;
    view_->setObjectName(QStringLiteral("galaxyGrid"));
    // List mode with wrapping lays out uniform items in O(1) per item (icon mode keeps a
    // spatial tree of every item and is slow with 60,000 galaxies).
    view_->setViewMode(QListView::ListMode);
    view_->setFlow(QListView::LeftToRight);
    view_->setWrapping(true);
    view_->setResizeMode(QListView::Adjust);
    view_->setUniformItemSizes(true);
    view_->setLayoutMode(QListView::SinglePass);
    view_->setGridSize(ThumbnailDelegate::tileSize());
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    offerMoreLikeThis(view_, [this](const QModelIndex& index) {
        emit moreLikeThisRequested(index.data(GalaxyListModel::GalaxyIdRole).toLongLong());
    });
    view_->verticalScrollBar()->setSingleStep(24);
    view_->setItemDelegate(delegate_);
    view_->setModel(model_);
    view_->setStyleSheet(QStringLiteral("QListView { background: #eef1f5; border: none; }"));

    auto* filters = new QHBoxLayout;
    filters->setSpacing(6);
    filters->addWidget(morphologyBox_);
    filters->addWidget(splitBox_);
    filters->addWidget(loadSplitButton_);
    filters->addStretch(1);
    auto* sorting = new QHBoxLayout;
    sorting->setSpacing(6);
    sorting->addWidget(idEdit_);
    sorting->addStretch(1);
    sorting->addWidget(new QLabel(tr("Sort by")));
    sorting->addWidget(sortBox_);
    sorting->addWidget(orderButton_);
    // The shown galaxies' line, elided, leaves room for the predicted fractions' button.
    auto* shownRow = new QHBoxLayout;
    shownRow->setSpacing(6);
    shownRow->addWidget(shown_, 1);
    shownRow->addWidget(loadFractionsButton_);

    // Shown while the grid holds galaxies chosen elsewhere (the map, "more like this").
    chosenBar_ = new QWidget;
    chosenBar_->setObjectName(QStringLiteral("chosenBar"));
    chosenTitle_ = new ElidedLabel(Qt::ElideRight);
    chosenTitle_->setObjectName(QStringLiteral("chosenTitle"));
    auto* showAll = new QPushButton(tr("Show all galaxies"));
    showAll->setObjectName(QStringLiteral("showAllButton"));
    auto* chosenRow = new QHBoxLayout(chosenBar_);
    chosenRow->setContentsMargins(0, 0, 0, 0);
    chosenRow->addWidget(chosenTitle_, 1);
    chosenRow->addWidget(showAll);
    chosenBar_->setVisible(false);
    connect(showAll, &QPushButton::clicked, this, [this] { setChosen(nullptr); });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->setSpacing(6);
    layout->addWidget(chosenBar_);
    layout->addLayout(filters);
    layout->addLayout(sorting);
    layout->addWidget(counts_);
    layout->addLayout(shownRow);
    layout->addWidget(view_, 1);

    cancelTimer_ = new QTimer(this);
    cancelTimer_->setSingleShot(true);
    cancelTimer_->setInterval(30);
    connect(cancelTimer_, &QTimer::timeout, this, &GalaxyBrowser::cancelHiddenRequests);
    // Throttled, not debounced: while the grid scrolls, requests for galaxies already scrolled
    // past are dropped every 30 ms.
    connect(view_->verticalScrollBar(), &QScrollBar::valueChanged, this, [this] {
        if (!cancelTimer_->isActive()) cancelTimer_->start();
    });

    connect(loader_, &ThumbnailLoader::thumbnailReady, this, [this](qulonglong row) {
        const auto [first, last] = visibleRange();
        for (int modelRow = first; modelRow <= last; ++modelRow)
            if (model_->catalogRow(modelRow) == row) view_->update(model_->index(modelRow));
    });
    connect(morphologyBox_, &QComboBox::currentIndexChanged, this, [this] {
        const QVariant v = morphologyBox_->currentData();
        model_->setMorphologyFilter(v.isValid() ? std::optional(v.toInt()) : std::nullopt);
        restoreSelection(true);
        updateCounts();
    });
    connect(splitBox_, &QComboBox::currentIndexChanged, this, [this] {
        model_->setSplitFilter(
            static_cast<GalaxyListModel::SplitFilter>(splitBox_->currentData().toInt()));
        restoreSelection(true);
        updateCounts();
    });
    connect(idEdit_, &QLineEdit::textChanged, this, [this](const QString& text) {
        model_->setIdFilter(text);
        restoreSelection(true);
        updateCounts();
    });
    connect(sortBox_, &QComboBox::currentIndexChanged, this, &GalaxyBrowser::applySort);
    connect(orderButton_, &QToolButton::toggled, this, [this](bool descending) {
        orderButton_->setText(descending ? QStringLiteral("↓") : QStringLiteral("↑"));
        applySort();
    });
    connect(loadSplitButton_, &QPushButton::clicked, this, &GalaxyBrowser::chooseSplitFile);
    connect(loadFractionsButton_, &QPushButton::clicked, this, &GalaxyBrowser::chooseFractionsFile);
    connect(view_->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &GalaxyBrowser::emitSelection);
    // Thumbnails asked for before a reset that are no longer in view are not decoded.
    connect(model_, &QAbstractItemModel::modelReset, cancelTimer_, qOverload<>(&QTimer::start));

    connect(session_, &LabelingSession::datasetChanged, this, &GalaxyBrowser::onDatasetChanged);
    connect(session_, &LabelingSession::labelingChanged, this, &GalaxyBrowser::onLabelingChanged);
    connect(session_, &LabelingSession::splitChanged, this, &GalaxyBrowser::onSplitChanged);
    connect(session_, &LabelingSession::modelFractionsChanged, this,
            &GalaxyBrowser::onModelFractionsChanged);
    onDatasetChanged();
}

void GalaxyBrowser::setChosen(std::shared_ptr<const GalaxyListModel::Chosen> chosen) {
    chosenBar_->setVisible(chosen != nullptr);
    chosenTitle_->setText(chosen ? chosen->title : QString());
    model_->setChosen(std::move(chosen));
    restoreSelection(true);
    updateCounts();
}

void GalaxyBrowser::onDatasetChanged() {
    fractionsReader_.cancel();  // another data set's rows
    selected_.reset();
    chosenBar_->setVisible(false);
    loader_->setDataset(session_->dataset());
    model_->setDataset(session_->dataset());
    model_->setLabeling(session_->labeling());
    updateSortChoices();
    setEnabled(session_->dataset() != nullptr);
    emit galaxySelected(std::nullopt);
    updateCounts();
}

void GalaxyBrowser::onLabelingChanged() {
    model_->setLabeling(session_->labeling());
    restoreSelection();
    updateCounts();
}

void GalaxyBrowser::onSplitChanged() {
    const bool hasSplit = session_->split() != nullptr;
    if (!hasSplit) {
        QSignalBlocker block(splitBox_);
        splitBox_->setCurrentIndex(0);
    }
    splitBox_->setEnabled(hasSplit);
    model_->setSplit(session_->split());
    if (hasSplit)
        model_->setSplitFilter(
            static_cast<GalaxyListModel::SplitFilter>(splitBox_->currentData().toInt()));
    restoreSelection();
    updateCounts();
}

void GalaxyBrowser::onModelFractionsChanged() {
    model_->setModelFractions(session_->modelFractions());
    updateSortChoices();
    updateCounts();
}

void GalaxyBrowser::updateSortChoices() {
    using Source = GalaxyListModel::SortSource;
    QSignalBlocker block(sortBox_);
    const QVariant previous = sortBox_->currentData();
    sortBox_->clear();
    sortBox_->addItem(tr("GalaxyID"), sortData(-1, Source::Volunteers));
    const auto addColumns = [this](const QString& prefix, Source source, auto present) {
        for (std::size_t c = 0; c < kVoteColumnCount; ++c) {
            if (!present(c)) continue;
            sortBox_->addItem(prefix + GalaxyDetails::voteTitle(c),
                              sortData(static_cast<int>(c), source));
            sortBox_->setItemData(sortBox_->count() - 1, voteColumnName(c), Qt::ToolTipRole);
        }
    };
    const auto& dataset = session_->dataset();
    if (dataset)
        addColumns(QString(), Source::Volunteers,
                   [&](std::size_t c) { return dataset->catalog.hasColumn(c); });
    if (dataset && session_->modelFractions()) {
        sortBox_->insertSeparator(sortBox_->count());
        if (!missingVoteColumn(dataset->catalog)) {
            sortBox_->addItem(tr("Model's error (RMSE of its 37 fractions)"),
                              sortData(-1, Source::ModelError));
            sortBox_->setItemData(sortBox_->count() - 1,
                                  tr("How far the model's fractions are from the volunteers'"),
                                  Qt::ToolTipRole);
        }
        addColumns(tr("Model: "), Source::Model, [](std::size_t) { return true; });
    }
    // The open list is as wide as its longest question, whatever the box's own width.
    sortBox_->view()->setMinimumWidth(sortBox_->view()->sizeHintForColumn(0) + 24);
    const int index = sortBox_->findData(previous);
    sortBox_->setCurrentIndex(index >= 0 ? index : 0);
    applySort();
}

void GalaxyBrowser::applySort() {
    model_->setSort(sortOf(sortBox_->currentData().toInt(), orderButton_->isChecked()));
    restoreSelection(true);
}

void GalaxyBrowser::setMorphologyFilter(std::optional<int> label) {
    const int index = morphologyBox_->findData(label ? QVariant(*label) : QVariant());
    morphologyBox_->setCurrentIndex(std::max(0, index));
}

void GalaxyBrowser::restoreSelection(bool toTop) {
    // After a reset the view has no current index; select the same galaxy if it is still shown.
    if (toTop) view_->scrollToTop();
    if (!selected_) return;
    const int row = model_->modelRowOf(*selected_);
    if (row < 0) {
        selected_.reset();
        emit galaxySelected(std::nullopt);
        return;
    }
    const QModelIndex index = model_->index(row);
    QSignalBlocker block(view_->selectionModel());
    view_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
    if (!toTop) view_->scrollTo(index);
    emit galaxySelected(selected_);  // its label may have changed
}

void GalaxyBrowser::emitSelection() {
    // Only a selected galaxy counts: the view also moves its current index without selecting,
    // e.g. when it takes the focus from a click on its scroll bar.
    const QModelIndex current = view_->selectionModel()->currentIndex();
    if (current.isValid() && !view_->selectionModel()->isSelected(current)) return;
    if (current.isValid())
        selected_ = model_->catalogRow(current.row());
    else
        selected_.reset();
    emit galaxySelected(selected_);
}

bool GalaxyBrowser::selectGalaxy(std::int64_t id) {
    const auto& dataset = session_->dataset();
    if (!dataset) return false;
    const auto row = dataset->catalog.rowOf(id);
    if (!row) return false;
    const int modelRow = model_->modelRowOf(*row);
    if (modelRow < 0) return false;
    const QModelIndex index = model_->index(modelRow);
    view_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
    view_->scrollTo(index);
    return true;
}

std::pair<int, int> GalaxyBrowser::visibleRange() const {
    const int count = model_->rowCount();
    if (count == 0) return {0, -1};
    const QSize grid = view_->gridSize();
    const QRect area = view_->viewport()->rect();
    QModelIndex first;
    for (int y = 1; y < grid.height() && !first.isValid(); y += 8)
        first = view_->indexAt(QPoint(grid.width() / 2, y));
    if (!first.isValid()) return {0, -1};
    // Columns of the grid: the items on the first item's line.
    const QRect firstRect = view_->visualRect(first);
    int columns = 1;
    while (first.row() + columns < count &&
           view_->visualRect(model_->index(first.row() + columns)).top() == firstRect.top())
        ++columns;
    const int lines =
        (area.bottom() - firstRect.top() + grid.height()) / std::max(1, grid.height());
    return {first.row(), std::min(count - 1, first.row() + columns * std::max(1, lines) - 1)};
}

int GalaxyBrowser::visibleThumbnailsReady() const {
    const auto [first, last] = visibleRange();
    int ready = 0;
    for (int row = first; row <= last; ++row)
        if (loader_->isCached(model_->catalogRow(row))) ++ready;
    return ready;
}

void GalaxyBrowser::cancelHiddenRequests() {
    const auto [first, last] = visibleRange();
    if (first > last) {
        loader_->cancelAll();
        return;
    }
    loader_->keepOnly(static_cast<std::size_t>(first), static_cast<std::size_t>(last),
                      model_->catalogRows());
}

void GalaxyBrowser::updateCounts() {
    const auto& dataset = session_->dataset();
    const auto& labeling = session_->labeling();
    if (!dataset) {
        counts_->setText(tr("No data set"));
        shown_->clear();
        return;
    }
    if (!labeling) {
        counts_->setText(warningHtml(tr("The rules cannot label this catalog: see Label rules.")));
    } else {
        QStringList parts;
        for (int label = 0; label <= kMorphologyCount; ++label) {
            const int l = label < kMorphologyCount ? label : kUnlabeled;
            const std::size_t n =
                label < kMorphologyCount ? labeling->counts[label] : labeling->unlabeled;
            parts << QStringLiteral(
                         "<span style='color:%1; font-size:large'>●</span>&nbsp;%2 "
                         "<b>%3</b>")
                         .arg(morphologyColor(l).name(), morphologyShortName(l), formatCount(n));
            morphologyBox_->setItemText(
                label + 1, QStringLiteral("%1 (%2)").arg(morphologyShortName(l), formatCount(n)));
        }
        counts_->setText(parts.join(QStringLiteral("&nbsp;&nbsp; ")));
    }
    morphologyBox_->setItemText(
        0, tr("All morphologies (%1)").arg(formatCount(dataset->catalog.size())));
    QString shown = tr("Showing %1 of %2 galaxies")
                        .arg(formatCount(static_cast<std::size_t>(model_->rowCount())),
                             formatCount(dataset->catalog.size()));
    if (const auto& split = session_->split()) {
        shown += tr(" · split: %1 (%2 galaxies)").arg(split->source, formatCount(split->entries));
        std::array<std::size_t, 3> subsets{};
        for (const Subset subset : split->subsets) ++subsets[static_cast<std::size_t>(subset)];
        const std::array<QString, 3> names = {tr("Training"), tr("Validation"), tr("Test")};
        for (std::size_t i = 0; i < subsets.size(); ++i)
            splitBox_->setItemText(static_cast<int>(i) + 1, QStringLiteral("%1 (%2)").arg(
                                                                names[i], formatCount(subsets[i])));
    }
    if (const auto& fractions = session_->modelFractions())
        shown += tr(" · predicted fractions: %1 (%2 galaxies)")
                     .arg(fractions->source, formatCount(fractions->fractions.matched));
    shown_->setText(shown);
}

void GalaxyBrowser::chooseSplitFile() {
    QSettings settings;
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Load a split"), settings.value(kSplitFolderKey).toString(),
        tr("Split files (split.csv *.csv);;All files (*)"));
    if (file.isEmpty()) return;
    settings.setValue(kSplitFolderKey, QFileInfo(file).absolutePath());
    loadSplitFile(file);
}

void GalaxyBrowser::loadSplitFile(const QString& file) {
    try {
        const auto split = readSplitCsv(toPath(file));
        session_->setSplit(split, QFileInfo(file).fileName());
        if (const auto& map = session_->split(); map && map->notInCatalog > 0)
            QMessageBox::information(
                this, tr("Split loaded"),
                tr("%1 of the %2 galaxies in %3 are not in this catalog; they are ignored.")
                    .arg(formatCount(map->notInCatalog), formatCount(map->entries), file));
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Cannot load the split"), QString::fromStdString(e.what()));
    }
}

void GalaxyBrowser::chooseFractionsFile() {
    QSettings settings;
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Load a model's predicted fractions"),
        settings.value(kFractionsFolderKey).toString(),
        tr("Predicted fractions (fractions.csv *.csv);;All files (*)"));
    if (file.isEmpty()) return;
    settings.setValue(kFractionsFolderKey, QFileInfo(file).absolutePath());
    loadFractionsFile(file);
}

void GalaxyBrowser::loadFractionsFile(const QString& file) {
    if (const auto& dataset = session_->dataset()) fractionsReader_.submit({toPath(file), dataset});
}

}  // namespace gz::ui
