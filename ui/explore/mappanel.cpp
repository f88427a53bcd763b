#include "explore/mappanel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

#include "common/formcontrols.h"
#include "common/jobrunner.h"
#include "common/morphologycolors.h"
#include "common/uiformat.h"
#include "common/uistyle.h"
#include "dataset/galaxyinspector.h"
#include "dataset/labelingsession.h"
#include "evaluation/runchooser.h"
#include "explore/mapview.h"
#include "gz/embedding.h"

namespace gz::ui {
namespace fs = std::filesystem;

namespace {

QString layOutHint() {
    return QObject::tr(
        "Embed every galaxy of the open data set with the run's model, then place similar "
        "galaxies near each other (kept in the workspace: the second time is quick)");
}

}  // namespace

MapPanel::MapPanel(JobRunner* runner, fs::path workspace, LabelingSession* session, QWidget* parent)
    : QWidget(parent), runner_(runner), workspace_(workspace), session_(session) {
    setObjectName(QStringLiteral("mapPanel"));

    runCombo_ = new RunChooser(std::move(workspace), RunChooser::Detail::TestAccuracy);
    runCombo_->setObjectName(QStringLiteral("mapRunCombo"));
    runCombo_->setToolTip(tr("The trained model whose view of the galaxies the map shows"));
    connect(runCombo_, &RunChooser::refreshed, this, [this] { updateButtons(); });
    layOutButton_ = new QPushButton(tr("Lay out map"));
    layOutButton_->setObjectName(QStringLiteral("layOutButton"));
    layOutButton_->setToolTip(layOutHint());
    connect(layOutButton_, &QPushButton::clicked, this, &MapPanel::layOut);
    colourBox_ = new QComboBox;
    colourBox_->setObjectName(QStringLiteral("mapColourBox"));
    colourBox_->addItem(tr("Colour by label"), static_cast<int>(Colouring::Label));
    colourBox_->addItem(tr("Colour by split"), static_cast<int>(Colouring::Split));
    connect(colourBox_, &QComboBox::currentIndexChanged, this, [this] { colour(); });
    showSelectionButton_ = new QPushButton(tr("Show region in grid"));
    showSelectionButton_->setObjectName(QStringLiteral("showRegionButton"));
    showSelectionButton_->setToolTip(
        tr("Show the galaxies of the region (Shift+drag on the map) in the Dataset browser"));
    connect(showSelectionButton_, &QPushButton::clicked, this, &MapPanel::showSelectionInBrowser);
    moreLikeThisButton_ = new QPushButton(tr("More like this"));
    moreLikeThisButton_->setObjectName(QStringLiteral("moreLikeThisButton"));
    moreLikeThisButton_->setToolTip(
        tr("Show the %1 galaxies most similar to the picked one (cosine of the model's "
           "embeddings) in the Dataset browser, most similar first")
            .arg(kSimilarShown));
    connect(moreLikeThisButton_, &QPushButton::clicked, this, &MapPanel::showMoreLikeThis);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Run")));
    top->addWidget(runCombo_, 1);
    top->addWidget(layOutButton_);
    top->addSpacing(12);
    top->addWidget(colourBox_);
    top->addStretch(1);
    top->addWidget(showSelectionButton_);
    top->addWidget(moreLikeThisButton_);

    statusLabel_ = makeTextLabel(QStringLiteral("mapStatus"));
    auto* hint =
        new QLabel(tr("Wheel: zoom · drag: pan · click: inspect · Shift+drag: pick a "
                      "region"));
    setMuted(hint);

    view_ = new MapView;
    view_->setMinimumSize(420, 320);
    view_->setTooltip([this](std::size_t i) {
        const auto& dataset = session_->dataset();
        if (!dataset) return QString();
        const std::size_t row = rowOfPoint_[i];
        const auto& labeling = session_->labeling();
        const int label =
            labeling && row < labeling->labels.size() ? labeling->labels[row] : kUnlabeled;
        return tr("Galaxy %1 — %2").arg(dataset->catalog.id(row)).arg(morphologyShortName(label));
    });
    connect(view_, &MapView::pointClicked, this,
            [this](std::size_t i) { showGalaxy(rowOfPoint_[i]); });
    connect(view_, &MapView::regionSelected, this, &MapPanel::selectPoints);
    inspector_ = new GalaxyInspector(session_);
    inspector_->setObjectName(QStringLiteral("mapInspector"));

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(view_);
    splitter->addWidget(inspector_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(statusLabel_);
    layout->addWidget(hint);
    layout->addWidget(splitter, 1);

    connect(session_, &LabelingSession::datasetChanged, this, [this] {
        clearMap();
        setStatus(tr("Choose a run and lay out the map of the open data set."));
    });
    connect(session_, &LabelingSession::labelingChanged, this, [this] { colour(); });
    connect(session_, &LabelingSession::splitChanged, this, [this] { colour(); });
    if (runner_) {
        connect(runner_, &JobRunner::started, this, [this] { updateButtons(); });
        connect(runner_, &JobRunner::finished, this, [this] { updateButtons(); });
    }
    setStatus(tr("Choose a run and lay out the map of the open data set."));
    refreshRuns();
}

void MapPanel::refreshRuns() {
    runCombo_->refresh();
    updateButtons();
}

void MapPanel::setRun(const fs::path& run) {
    runCombo_->setRun(run);
    updateButtons();
}

void MapPanel::setStatus(const QString& text, bool error) {
    status_ = text;
    setStatusText(statusLabel_, text, error ? StatusTone::Error : StatusTone::Normal);
}

void MapPanel::updateButtons() {
    const bool busy = runner_ && runner_->isRunning();
    layOutButton_->setEnabled(!busy && session_->dataset() && runCombo_->selectedRun());
    layOutButton_->setToolTip(!session_->dataset()        ? tr("Open a data set first")
                              : !runCombo_->selectedRun() ? tr("Train a run first")
                                                          : layOutHint());
    showSelectionButton_->setEnabled(!view_->selection().empty());
    showSelectionButton_->setText(
        view_->selection().empty()
            ? tr("Show region in grid")
            : tr("Show %1 in grid").arg(formatCount(view_->selection().size())));
    moreLikeThisButton_->setEnabled(index_ && shownRow_ && pointOfRow(*shownRow_));
}

void MapPanel::clearMap() {
    map_ = {};
    rowOfPoint_.clear();
    pointOfRow_.clear();
    index_.reset();
    shownRow_.reset();
    view_->clearPoints();
    inspector_->showGalaxy(std::nullopt);
    updateButtons();
}

std::optional<std::size_t> MapPanel::pointOfRow(std::size_t row) const {
    return row < pointOfRow_.size() ? pointOfRow_[row] : std::nullopt;
}

bool MapPanel::layOut() {
    const auto dataset = session_->dataset();
    const auto run = runCombo_->selectedRun();
    if (!runner_ || !dataset || !run) {
        setStatus(!dataset ? tr("Open a data set first.") : tr("Choose a trained run first."),
                  true);
        return false;
    }
    struct Result {
        EmbeddingMap map;
        std::shared_ptr<const SimilarityIndex> index;
        bool mapReused = false;
        std::size_t skipped = 0;
    };
    auto out = std::make_shared<Result>();
    const fs::path workspace = workspace_;
    const fs::path runDir = *run;
    const bool started = runner_->start(
        tr("Mapping %1").arg(toQString(dataset->catalog.csvPath().parent_path().filename())),
        [=](const std::stop_token& stop, const ProgressFn& progress) {
            const EmbedResult embedded =
                embedCatalog(runDir, dataset->catalog, workspace, {}, stop, progress);
            out->map = mapOfEmbeddings(embedded, {}, out->mapReused, stop, progress);
            out->index = std::make_shared<const SimilarityIndex>(embedded.embeddings);
            out->skipped = embedded.skipped.size();
        },
        [this, out, dataset, runDir](const JobOutcome& outcome) {
            if (outcome.status == JobOutcome::Status::Succeeded && dataset == session_->dataset()) {
                clearMap();
                map_ = std::move(out->map);
                index_ = out->index;
                const Catalog& catalog = dataset->catalog;
                pointOfRow_.assign(catalog.size(), std::nullopt);
                std::vector<QPointF> points;
                for (std::size_t i = 0; i < map_.ids.size(); ++i) {
                    const auto row = catalog.rowOf(map_.ids[i]);
                    if (!row) continue;  // cannot happen: the map is of this catalog
                    pointOfRow_[*row] = rowOfPoint_.size();
                    rowOfPoint_.push_back(*row);
                    points.emplace_back(map_.points[i].x, map_.points[i].y);
                }
                view_->setPoints(std::move(points));
                colour();
                QString text =
                    tr("Map of %1 galaxies by %2 (%3).")
                        .arg(formatCount(rowOfPoint_.size()))
                        .arg(toQString(runDir.filename()))
                        .arg(out->mapReused ? tr("from the workspace")
                                            : tr("laid out in %1")
                                                  .arg(formatDuration(
                                                      map_.pcaSeconds + map_.neighbourSeconds +
                                                      map_.graphSeconds + map_.layoutSeconds)));
                if (out->skipped)
                    text += tr(" %n images could not be used.", "", static_cast<int>(out->skipped));
                setStatus(text);
                emit mapShown();
            } else if (outcome.status == JobOutcome::Status::Failed) {
                setStatus(tr("The map failed: %1").arg(outcome.error), true);
            } else if (outcome.status == JobOutcome::Status::Cancelled) {
                setStatus(tr("The map was cancelled."));
            }
            updateButtons();
        });
    if (!started) {
        setStatus(tr("Another job is running."), true);
        return false;
    }
    setStatus(tr("Embedding the galaxies and laying out the map…"));
    updateButtons();
    return true;
}

void MapPanel::setColouring(Colouring colouring) {
    colourBox_->setCurrentIndex(colourBox_->findData(static_cast<int>(colouring)));
}

void MapPanel::colour() {
    if (rowOfPoint_.empty() || !session_->dataset()) return;
    const auto colouring = static_cast<Colouring>(colourBox_->currentData().toInt());
    std::vector<MapView::Group> groups;
    std::vector<int> groupOf(rowOfPoint_.size());
    if (colouring == Colouring::Label) {
        for (int label = 0; label < kMorphologyCount; ++label)
            groups.push_back({morphologyShortName(label), morphologyColor(label)});
        groups.push_back({morphologyShortName(kUnlabeled), morphologyColor(kUnlabeled), true});
        const auto& labeling = session_->labeling();
        for (std::size_t i = 0; i < rowOfPoint_.size(); ++i) {
            const std::size_t row = rowOfPoint_[i];
            const int label =
                labeling && row < labeling->labels.size() ? labeling->labels[row] : kUnlabeled;
            groupOf[i] = label >= 0 && label < kMorphologyCount ? label : kMorphologyCount;
        }
    } else {
        groups = {{tr("Training"), QColor(0x00, 0x72, 0xb2)},
                  {tr("Validation"), QColor(0xe6, 0x9f, 0x00)},
                  {tr("Test"), QColor(0xd5, 0x5e, 0x00)},
                  {tr("Not in split"), morphologyColor(kUnlabeled), true}};
        const auto& split = session_->split();
        const Catalog& catalog = session_->dataset()->catalog;
        for (std::size_t i = 0; i < rowOfPoint_.size(); ++i) {
            const auto subset = split ? split->subsetOf(catalog.id(rowOfPoint_[i])) : std::nullopt;
            groupOf[i] = subset ? static_cast<int>(*subset) : 3;
        }
    }
    view_->setGroups(groups, groupOf);
}

void MapPanel::showGalaxy(std::optional<std::size_t> row) {
    shownRow_ = row;
    view_->setHighlight(row ? pointOfRow(*row) : std::nullopt);
    if (inspector_->shownRow() != row) inspector_->showGalaxy(row);
    updateButtons();
}

void MapPanel::selectPoints(std::vector<std::size_t> points) {
    view_->setSelection(std::move(points));
    setStatus(view_->selection().empty()
                  ? tr("No galaxy in that region.")
                  : tr("%1 galaxies picked: “Show in grid” lists them in the Dataset browser.")
                        .arg(formatCount(view_->selection().size())));
    updateButtons();
}

void MapPanel::showSelectionInBrowser() {
    if (view_->selection().empty()) return;
    auto chosen = std::make_shared<GalaxyListModel::Chosen>();
    for (const std::size_t i : view_->selection()) chosen->rows.push_back(rowOfPoint_[i]);
    chosen->title = tr("%1 galaxies picked on the map").arg(formatCount(chosen->rows.size()));
    emit chosenForBrowser(chosen);
}

void MapPanel::showMoreLikeThis() {
    const auto& dataset = session_->dataset();
    if (!index_ || !shownRow_ || !dataset) return;
    const std::int64_t id = dataset->catalog.id(*shownRow_);
    auto chosen = std::make_shared<GalaxyListModel::Chosen>();
    chosen->rows.push_back(*shownRow_);
    chosen->notes.push_back(tr("this one"));
    for (const Neighbour& n : index_->nearestTo(id, kSimilarShown)) {
        if (const auto row = dataset->catalog.rowOf(n.id)) {
            chosen->rows.push_back(*row);
            chosen->notes.push_back(QString::number(static_cast<double>(n.similarity), 'f', 3));
        }
    }
    chosen->title = tr("Galaxy %1 and the %2 most like it (cosine similarity under each)")
                        .arg(id)
                        .arg(chosen->rows.size() - 1);
    emit chosenForBrowser(chosen);
}

}  // namespace gz::ui
