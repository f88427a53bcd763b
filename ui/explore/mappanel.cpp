#include "explore/mappanel.h"

#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMimeData>
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
#include "dataset/thumbnailloader.h"
#include "evaluation/evaluationdata.h"
#include "evaluation/runchooser.h"
#include "explore/mapview.h"
#include "gz/embedding.h"
#include "gz/explain.h"
#include "gz/jpeg_decoder.h"
#include "gz/run_marks.h"
#include "gz/training.h"

namespace gz::ui {
namespace fs = std::filesystem;

namespace {

QString layOutHint() {
    return QObject::tr(
        "Embed every galaxy of the open data set with the run's model, then place similar "
        "galaxies near each other (kept in the workspace: the second time is quick)");
}

/// The JPEG among dropped URLs, if any.
std::optional<std::filesystem::path> droppedJpeg(const QMimeData* mime) {
    if (!mime || !mime->hasUrls()) return std::nullopt;
    for (const QUrl& url : mime->urls()) {
        const QString file = url.toLocalFile();
        if (file.endsWith(QStringLiteral(".jpg"), Qt::CaseInsensitive) ||
            file.endsWith(QStringLiteral(".jpeg"), Qt::CaseInsensitive))
            return toPath(file);
    }
    return std::nullopt;
}

}  // namespace

MapPanel::MapPanel(JobRunner* runner, fs::path workspace, LabelingSession* session, QWidget* parent)
    : QWidget(parent), runner_(runner), workspace_(workspace), session_(session) {
    setObjectName(QStringLiteral("mapPanel"));
    setAcceptDrops(true);  // a JPEG of no data set: "more like this" image

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
    colourBox_->addItem(tr("Colour by prediction"), static_cast<int>(Colouring::Prediction));
    colourBox_->addItem(tr("Colour by right / wrong"), static_cast<int>(Colouring::Correctness));
    colourBox_->addItem(tr("Colour by mark"), static_cast<int>(Colouring::Mark));
    colourBox_->setToolTip(
        tr("Prediction and right / wrong: the run's model on each galaxy, in the same pass as "
           "its embedding; marks: those set on the run in the Evaluation panel"));
    connect(colourBox_, &QComboBox::currentIndexChanged, this, [this] { colour(); });
    showSelectionButton_ = new QPushButton(tr("Show region in grid"));
    showSelectionButton_->setObjectName(QStringLiteral("showRegionButton"));
    showSelectionButton_->setToolTip(
        tr("Show the galaxies of the region (Shift+drag or Ctrl+drag on the map) in the Dataset "
           "browser"));
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
    auto* hint = new QLabel(
        tr("Wheel: zoom · drag: pan · click: inspect · Shift+drag: pick a "
           "rectangle · Ctrl+drag: a lasso · drop a JPEG here: the galaxies most like it"));
    setMuted(hint);

    view_ = new MapView;
    view_->setMinimumSize(420, 320);
    // The hover card's thumbnails: decoded off the GUI thread by a loader of the panel's own (the
    // browser's cancels what scrolls out of its grid).
    thumbnails_ = new ThumbnailLoader(this);
    thumbnails_->setCacheKiB(4 * 1024);
    connect(thumbnails_, &ThumbnailLoader::thumbnailReady, this, [this](qulonglong row) {
        if (view_->hovered() && rowOfPoint_[*view_->hovered()] == row) view_->refreshHover();
    });
    thumbnails_->setDataset(session_->dataset());
    view_->setHoverCard([this](std::size_t i) {
        MapView::HoverCard card;
        const auto& dataset = session_->dataset();
        if (!dataset) return card;
        const std::size_t row = rowOfPoint_[i];
        const auto& labeling = session_->labeling();
        const int label =
            labeling && row < labeling->labels.size() ? labeling->labels[row] : kUnlabeled;
        card.text =
            tr("Galaxy %1\nlabel %2\npredicted %3 (%4%)")
                .arg(dataset->catalog.id(row))
                .arg(morphologyShortName(label), morphologyShortName(predictedOfPoint(i)),
                     QLocale().toString(100.0 * predictionOfPoint_[i].confidence(), 'f', 0));
        const ThumbnailLoader::Thumbnail thumb = thumbnails_->thumbnail(row);
        if (thumb.state == ThumbnailLoader::State::Ready)
            card.image = thumb.image;
        else if (thumb.state != ThumbnailLoader::State::Loading)
            card.noImage = thumb.error.isEmpty() ? tr("no image") : thumb.error;
        return card;
    });
    connect(view_, &MapView::pointClicked, this,
            [this](std::size_t i) { showGalaxy(rowOfPoint_[i]); });
    connect(view_, &MapView::regionSelected, this, &MapPanel::selectPoints);
    inspector_ = new GalaxyInspector(session_);
    inspector_->setObjectName(QStringLiteral("mapInspector"));
    connect(inspector_, &GalaxyInspector::moreLikeThisRequested, this, &MapPanel::moreLikeGalaxy);

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
        thumbnails_->setDataset(session_->dataset());
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
    if (colourBox_->currentData().toInt() == static_cast<int>(Colouring::Mark))
        colour();  // marks may have been set in the Evaluation panel meanwhile
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
    predictionOfPoint_.clear();
    pointOfRow_.clear();
    index_.reset();
    indexRun_.clear();
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
        std::vector<Probabilities> probabilities;  ///< of the map's points
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
            for (const std::int64_t id : out->map.ids) {
                const auto i = embedded.embeddings.indexOf(id);
                out->probabilities.push_back(i ? embedded.probabilities[*i] : Probabilities{});
            }
            out->skipped = embedded.skipped.size();
        },
        [this, out, dataset, runDir](const JobOutcome& outcome) {
            if (outcome.status == JobOutcome::Status::Succeeded && dataset == session_->dataset()) {
                clearMap();
                map_ = std::move(out->map);
                index_ = out->index;
                indexRun_ = runDir;
                const Catalog& catalog = dataset->catalog;
                pointOfRow_.assign(catalog.size(), std::nullopt);
                std::vector<QPointF> points;
                for (std::size_t i = 0; i < map_.ids.size(); ++i) {
                    const auto row = catalog.rowOf(map_.ids[i]);
                    if (!row) continue;  // cannot happen: the map is of this catalog
                    pointOfRow_[*row] = rowOfPoint_.size();
                    rowOfPoint_.push_back(*row);
                    predictionOfPoint_.push_back({map_.ids[i], kUnlabeled, out->probabilities[i]});
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
    const Catalog& catalog = session_->dataset()->catalog;
    const auto& labeling = session_->labeling();
    const auto labelOfPoint = [&](std::size_t i) {
        const std::size_t row = rowOfPoint_[i];
        const int label =
            labeling && row < labeling->labels.size() ? labeling->labels[row] : kUnlabeled;
        return label >= 0 && label < kMorphologyCount ? label : kUnlabeled;
    };
    const auto classGroups = [] {
        std::vector<MapView::Group> groups;
        for (int label = 0; label < kMorphologyCount; ++label)
            groups.push_back({morphologyShortName(label), morphologyColor(label)});
        return groups;
    };
    std::vector<MapView::Group> groups;
    std::vector<int> groupOf(rowOfPoint_.size());
    switch (colouring) {
        case Colouring::Label:
            groups = classGroups();
            groups.push_back({morphologyShortName(kUnlabeled), morphologyColor(kUnlabeled), true});
            for (std::size_t i = 0; i < rowOfPoint_.size(); ++i) {
                const int label = labelOfPoint(i);
                groupOf[i] = label == kUnlabeled ? kMorphologyCount : label;
            }
            break;
        case Colouring::Prediction:
            groups = classGroups();
            for (std::size_t i = 0; i < rowOfPoint_.size(); ++i) groupOf[i] = predictedOfPoint(i);
            break;
        case Colouring::Correctness:
            groups = {{tr("Right"), QColor(0x00, 0x9e, 0x73)},
                      {tr("Wrong"), QColor(0xd5, 0x5e, 0x00)},
                      {tr("Unlabeled"), morphologyColor(kUnlabeled), true}};
            for (std::size_t i = 0; i < rowOfPoint_.size(); ++i) {
                const int label = labelOfPoint(i);
                groupOf[i] = label == kUnlabeled ? 2 : label == predictedOfPoint(i) ? 0 : 1;
            }
            break;
        case Colouring::Mark: {
            groups = {{markTitle(GalaxyMark::LabelWrong), QColor(0xcc, 0x79, 0xa7)},
                      {markTitle(GalaxyMark::ModelWrong), QColor(0xe6, 0x9f, 0x00)},
                      {tr("Not marked"), morphologyColor(kUnlabeled), true}};
            RunMarks marks;
            try {
                marks = RunMarks(indexRun_);
            } catch (const std::exception& e) {
                setStatus(tr("The run's marks cannot be read: %1").arg(e.what()), true);
            }
            for (std::size_t i = 0; i < rowOfPoint_.size(); ++i) {
                const GalaxyMark mark = marks.mark(catalog.id(rowOfPoint_[i]));
                groupOf[i] = mark == GalaxyMark::LabelWrong   ? 0
                             : mark == GalaxyMark::ModelWrong ? 1
                                                              : 2;
            }
            break;
        }
        case Colouring::Split: {
            groups = {{tr("Training"), QColor(0x00, 0x72, 0xb2)},
                      {tr("Validation"), QColor(0xe6, 0x9f, 0x00)},
                      {tr("Test"), QColor(0xd5, 0x5e, 0x00)},
                      {tr("Not in split"), morphologyColor(kUnlabeled), true}};
            const auto& split = session_->split();
            for (std::size_t i = 0; i < rowOfPoint_.size(); ++i) {
                const auto subset =
                    split ? split->subsetOf(catalog.id(rowOfPoint_[i])) : std::nullopt;
                groupOf[i] = subset ? static_cast<int>(*subset) : 3;
            }
            break;
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
    sendNeighbours(shownRow_, index_->nearestTo(id, kSimilarShown),
                   tr("Galaxy %1 and the galaxies most like it").arg(id));
}

void MapPanel::sendNeighbours(std::optional<std::size_t> queryRow,
                              const std::vector<Neighbour>& found, const QString& title) {
    const auto& dataset = session_->dataset();
    if (!dataset) return;
    auto chosen = std::make_shared<GalaxyListModel::Chosen>();
    if (queryRow) {
        chosen->rows.push_back(*queryRow);
        chosen->notes.push_back(tr("this one"));
    }
    for (const Neighbour& n : found) {
        if (const auto row = dataset->catalog.rowOf(n.id)) {
            chosen->rows.push_back(*row);
            chosen->notes.push_back(QString::number(static_cast<double>(n.similarity), 'f', 3));
        }
    }
    chosen->title = tr("%1 (%2; cosine similarity under each)")
                        .arg(title)
                        .arg(tr("%n galaxies", "", static_cast<int>(found.size())));
    emit chosenForBrowser(chosen);
}

bool MapPanel::moreLikeGalaxy(std::int64_t id) {
    const auto& dataset = session_->dataset();
    const auto row = dataset ? dataset->catalog.rowOf(id) : std::nullopt;
    if (!row) {
        setStatus(
            tr("Galaxy %1 is not in the open data set: open the data set it belongs to.").arg(id),
            true);
        return false;
    }
    if (index_ && runCombo_->selectedRun() == indexRun_) {
        showGalaxy(*row);
        try {
            showMoreLikeThis();
        } catch (const std::exception& e) {  // its image could not be embedded
            setStatus(QString::fromStdString(e.what()), true);
            return false;
        }
        return true;
    }
    return findSimilar(id, {});
}

bool MapPanel::moreLikeImage(const fs::path& file) {
    return findSimilar(std::nullopt, file);
}

bool MapPanel::findSimilar(std::optional<std::int64_t> id, const fs::path& image) {
    const auto dataset = session_->dataset();
    const auto run = runCombo_->selectedRun();
    if (!runner_ || !dataset || !run) {
        setStatus(!dataset ? tr("Open a data set first: its galaxies are searched.")
                           : tr("Choose a trained run first: its model compares the galaxies."),
                  true);
        return false;
    }
    struct Result {
        std::shared_ptr<const SimilarityIndex> index;
        std::vector<Neighbour> found;
    };
    auto out = std::make_shared<Result>();
    out->index = index_ && indexRun_ == *run ? index_ : nullptr;
    const fs::path workspace = workspace_, runDir = *run;
    const QString what = id ? tr("galaxy %1").arg(*id) : toQString(image.filename());
    const bool started = runner_->start(
        tr("Finding galaxies like %1").arg(what),
        [=](const std::stop_token& stop, const ProgressFn& progress) {
            if (!out->index) {
                const EmbedResult embedded =
                    embedCatalog(runDir, dataset->catalog, workspace, {}, stop, progress);
                out->index = std::make_shared<const SimilarityIndex>(embedded.embeddings);
            }
            if (id) {
                out->found = out->index->nearestTo(*id, kSimilarShown);
            } else {
                const RunModel model(runDir);
                const auto query =
                    model.embed(decodeImage(image, DecodeScale::Half), loadRunConfig(runDir).tta);
                out->found = out->index->nearest(query, kSimilarShown);
            }
        },
        [this, out, dataset, runDir, id, what](const JobOutcome& outcome) {
            if (outcome.status == JobOutcome::Status::Succeeded && dataset == session_->dataset()) {
                if (rowOfPoint_.empty() || indexRun_ == runDir) {  // kept for the next query
                    index_ = out->index;
                    indexRun_ = runDir;
                }
                const auto row = id ? dataset->catalog.rowOf(*id) : std::nullopt;
                if (row) showGalaxy(*row);
                setStatus(
                    tr("The galaxies most like %1 are shown in the Dataset browser.").arg(what));
                sendNeighbours(row, out->found,
                               id ? tr("Galaxy %1 and the galaxies most like it").arg(*id)
                                  : tr("The galaxies most like %1").arg(what));
            } else if (outcome.status == JobOutcome::Status::Failed) {
                setStatus(tr("Finding galaxies like %1 failed: %2").arg(what, outcome.error), true);
            }
            updateButtons();
        });
    if (!started) {
        setStatus(tr("Another job is running."), true);
        return false;
    }
    setStatus(tr("Finding the galaxies most like %1…").arg(what));
    return true;
}

void MapPanel::dragEnterEvent(QDragEnterEvent* event) {
    if (droppedJpeg(event->mimeData()))
        event->acceptProposedAction();
    else
        event->ignore();  // a data set folder or CSV: the window's to open
}

void MapPanel::dropEvent(QDropEvent* event) {
    if (const auto file = droppedJpeg(event->mimeData())) {
        event->acceptProposedAction();
        moreLikeImage(*file);
    } else {
        event->ignore();
    }
}

}  // namespace gz::ui
