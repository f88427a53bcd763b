#include "augmentation/augmentationpanel.h"

#include <QEvent>
#include <QFileDialog>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QRegularExpressionValidator>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>
#include <utility>

#include "augmentation/augmentationform.h"
#include "augmentation/augmentationsettings.h"
#include "common/formcontrols.h"
#include "common/morphologycolors.h"
#include "common/uistyle.h"
#include "gz/constants.h"
#include "gz/error.h"

namespace gz::ui {

namespace {

constexpr int kTileSide = 112;
constexpr int kDebounceMs = 60;

QString rangeText(const PreviewTile& t) {
    return QStringLiteral("values %1 … %2")
        .arg(QString::number(t.minimum, 'f', t.maximum - t.minimum < 20 ? 2 : 0),
             QString::number(t.maximum, 'f', t.maximum - t.minimum < 20 ? 2 : 0));
}

}  // namespace

AugmentationPanel::AugmentationPanel(AugmentationSettings* settings, QWidget* parent)
    : QWidget(parent),
      settings_(settings),
      worker_(
          computeAugmentationPreview,
          [this](AugmentationPreview preview) { previewReady(std::move(preview)); },
          [this](const QString& error) { previewFailed(error); }) {
    setObjectName(QStringLiteral("augmentationPanel"));
    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(kDebounceMs);
    connect(debounce_, &QTimer::timeout, this, &AugmentationPanel::startPreview);

    auto* controls = createControls();
    auto* previewArea = createPreviewArea();

    auto* controlsScroll = new QScrollArea;
    controlsScroll->setWidget(controls);
    controlsScroll->setWidgetResizable(true);
    controlsScroll->setFrameShape(QFrame::NoFrame);
    controlsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    controlsScroll->setFixedWidth(controls->sizeHint().width() + 24);

    previewScroll_ = new QScrollArea;
    previewScroll_->setWidget(previewArea);
    previewScroll_->setWidgetResizable(true);
    previewScroll_->setFrameShape(QFrame::NoFrame);
    previewScroll_->viewport()->installEventFilter(this);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(controlsScroll);
    layout->addWidget(previewScroll_, 1);

    form_->setParams(settings_->params());
    connect(settings_, &AugmentationSettings::changed, this,
            [this](const AugmentationParams& params) {
                form_->setParams(params);
                schedulePreview();
            });
}

QWidget* AugmentationPanel::createControls() {
    auto* w = new QWidget;

    // The galaxy and the draw.
    auto* galaxyBox = new QGroupBox(tr("Galaxy"));
    idEdit_ = new QLineEdit;
    idEdit_->setObjectName(QStringLiteral("galaxyIdEdit"));
    idEdit_->setPlaceholderText(tr("GalaxyID"));
    idEdit_->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[0-9]{1,18}")), idEdit_));
    auto* showButton = new QPushButton(tr("Show"));
    showButton->setObjectName(QStringLiteral("showGalaxyButton"));
    auto* randomButton = new QPushButton(tr("Random"));
    randomButton->setObjectName(QStringLiteral("randomGalaxyButton"));
    randomButton->setToolTip(tr("Show a random galaxy of the data set"));
    connect(showButton, &QPushButton::clicked, this,
            [this] { showGalaxy(idEdit_->text().toLongLong()); });
    connect(idEdit_, &QLineEdit::returnPressed, this,
            [this] { showGalaxy(idEdit_->text().toLongLong()); });
    connect(randomButton, &QPushButton::clicked, this, &AugmentationPanel::showRandomGalaxy);
    galaxyLabel_ = new QLabel(tr("No galaxy"));
    galaxyLabel_->setObjectName(QStringLiteral("galaxyLabel"));
    galaxyLabel_->setWordWrap(true);

    seedSpin_ = makeSpinBox(QStringLiteral("previewSeedSpin"), 0, std::numeric_limits<int>::max(),
                            static_cast<int>(kDefaultSeed));
    seedSpin_->setKeyboardTracking(false);
    seedSpin_->setToolTip(tr("Seed of the draws (training uses its own seed per run)"));
    connect(seedSpin_, &QSpinBox::valueChanged, this, [this] { schedulePreview(); });
    auto* rerollButton = new QPushButton(tr("Re-roll"));
    rerollButton->setObjectName(QStringLiteral("rerollButton"));
    rerollButton->setToolTip(tr("Draw new random values for the same galaxy"));
    connect(rerollButton, &QPushButton::clicked, this, &AugmentationPanel::reroll);
    rollLabel_ = new QLabel;
    rollLabel_->setObjectName(QStringLiteral("rollLabel"));
    gridSpin_ = makeSpinBox(QStringLiteral("gridCountSpin"), 1, 48, 12);
    gridSpin_->setKeyboardTracking(false);
    gridSpin_->setToolTip(tr("Random augmentations shown in the grid"));
    connect(gridSpin_, &QSpinBox::valueChanged, this, [this] { schedulePreview(); });

    auto* galaxyLayout = new QGridLayout(galaxyBox);
    galaxyLayout->addWidget(idEdit_, 0, 0, 1, 2);
    galaxyLayout->addWidget(showButton, 0, 2);
    galaxyLayout->addWidget(randomButton, 0, 3);
    galaxyLayout->addWidget(galaxyLabel_, 1, 0, 1, 4);
    galaxyLayout->addWidget(new QLabel(tr("Seed")), 2, 0);
    galaxyLayout->addWidget(seedSpin_, 2, 1);
    galaxyLayout->addWidget(rerollButton, 2, 2);
    galaxyLayout->addWidget(rollLabel_, 2, 3);
    galaxyLayout->addWidget(new QLabel(tr("Grid")), 3, 0);
    galaxyLayout->addWidget(gridSpin_, 3, 1);

    // Every AugmentationParams field.
    form_ = new AugmentationForm;
    connect(form_, &AugmentationForm::edited, this, &AugmentationPanel::controlsEdited);

    auto* loadButton = new QPushButton(tr("Load…"));
    loadButton->setObjectName(QStringLiteral("loadParamsButton"));
    auto* saveButton = new QPushButton(tr("Save…"));
    saveButton->setObjectName(QStringLiteral("saveParamsButton"));
    auto* defaultsButton = new QPushButton(tr("Defaults"));
    defaultsButton->setObjectName(QStringLiteral("defaultParamsButton"));
    defaultsButton->setToolTip(tr("The original workflow's parameters"));
    connect(loadButton, &QPushButton::clicked, this, &AugmentationPanel::chooseLoadFile);
    connect(saveButton, &QPushButton::clicked, this, &AugmentationPanel::chooseSaveFile);
    connect(defaultsButton, &QPushButton::clicked, this, [this] {
        settings_->setParams(AugmentationParams{});
        showMessage(tr("Defaults of the original workflow restored."), false);
    });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(loadButton);
    buttons->addWidget(saveButton);
    buttons->addWidget(defaultsButton);

    message_ = makeTextLabel(QStringLiteral("augmentationMessage"));

    auto* note = new QLabel(
        tr("These parameters are the ones preprocessing and training use (Training tab)."));
    note->setWordWrap(true);
    setMuted(note);

    auto* layout = new QVBoxLayout(w);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(galaxyBox);
    layout->addWidget(form_);
    layout->addLayout(buttons);
    layout->addWidget(note);
    layout->addWidget(message_);
    layout->addStretch(1);
    return w;
}

QWidget* AugmentationPanel::createPreviewArea() {
    auto* w = new QWidget;
    w->setObjectName(QStringLiteral("augmentationPreviewArea"));
    const auto section = [w](const QString& title, const QString& objectName, QGridLayout*& grid) {
        auto* box = new QGroupBox(title, w);
        box->setObjectName(objectName);
        grid = new QGridLayout(box);
        grid->setHorizontalSpacing(8);
        grid->setVerticalSpacing(8);
        grid->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        return box;
    };
    drawSummary_ = new QLabel;
    drawSummary_->setObjectName(QStringLiteral("drawSummary"));
    drawSummary_->setWordWrap(true);
    setMuted(drawSummary_);
    auto* layout = new QVBoxLayout(w);
    upperGrid_ = new QGridLayout;
    upperGrid_->addWidget(
        section(tr("Training transform, step by step"), QStringLiteral("stepsBox"), stepsGrid_), 0,
        0);
    evalBox_ = section(tr("Evaluation transform"), QStringLiteral("evaluationBox"), evalGrid_);
    upperGrid_->addWidget(evalBox_, 0, 1);
    upperGrid_->setColumnStretch(2, 1);
    upperGrid_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    layout->addLayout(upperGrid_);
    layout->addWidget(drawSummary_);
    auto* lower = new QHBoxLayout;
    lower->addWidget(section(tr("Random augmentations (final training images)"),
                             QStringLiteral("randomBox"), randomGrid_));
    lower->addStretch(1);
    layout->addLayout(lower);
    layout->addStretch(1);
    return w;
}

void AugmentationPanel::controlsEdited() {
    const AugmentationParams p = form_->params();
    if (const QString problem = form_->problem(); !problem.isEmpty()) {
        // Kept on screen, not applied: training keeps the last valid parameters.
        showMessage(tr("Not applied: %1").arg(problem), true);
        return;
    }
    try {
        settings_->setParams(p);
        if (!lastError_.isEmpty()) showMessage({}, false);
    } catch (const DataError& e) {
        // Kept on screen, not applied: training keeps the last valid parameters.
        showMessage(tr("Not applied: %1").arg(QString::fromStdString(e.what())), true);
    }
}

quint64 AugmentationPanel::seed() const {
    return static_cast<quint64>(seedSpin_->value());
}

int AugmentationPanel::gridCount() const {
    return gridSpin_->value();
}

void AugmentationPanel::setSeed(quint64 seed) {
    seedSpin_->setValue(static_cast<int>(seed));
}

void AugmentationPanel::setGridCount(int count) {
    gridSpin_->setValue(count);
}

void AugmentationPanel::setDataset(std::shared_ptr<const LoadedDataset> dataset) {
    dataset_ = std::move(dataset);
    galaxyId_ = 0;
    if (!dataset_ || dataset_->catalog.empty()) {
        galaxyLabel_->setText(tr("No galaxy: open a data set"));
        preview_ = {};
        showPreview();
        return;
    }
    // Start on the first labeled galaxy (the ones training sees).
    long long first = dataset_->catalog.id(0);
    if (dataset_->labeling)
        for (std::size_t r = 0; r < dataset_->catalog.size(); ++r)
            if (dataset_->labeling->labels[r] != kUnlabeled) {
                first = dataset_->catalog.id(r);
                break;
            }
    showGalaxy(first);
}

bool AugmentationPanel::showGalaxy(long long id) {
    // A refusal is said right under the GalaxyID field, where the user looks, and the galaxy
    // shown so far stays.
    const auto refuse = [this](const QString& why) {
        const QString still =
            galaxyId_ != 0 ? tr("%1 Still showing galaxy %2.").arg(why).arg(galaxyId_) : why;
        setStatusText(galaxyLabel_, still, StatusTone::Error);
        showMessage(why, true);
        return false;
    };
    if (!dataset_) return refuse(tr("Open a data set first."));
    if (idEdit_->text().trimmed().isEmpty() && id == 0) return refuse(tr("Type a GalaxyID first."));
    const auto row = dataset_->catalog.rowOf(id);
    if (!row)
        return refuse(tr("No galaxy %1 in %2.").arg(id).arg(dataset_->location.displayName()));
    if (!dataset_->catalog.imagePath(*row))
        return refuse(tr("Galaxy %1 has no image: %2 was opened without an image folder.")
                          .arg(id)
                          .arg(dataset_->location.displayName()));
    galaxyId_ = id;
    idEdit_->setText(QString::number(id));
    const int label = dataset_->labeling ? dataset_->labeling->labels[*row] : kUnlabeled;
    setStatusText(galaxyLabel_,
                  QStringLiteral("<span style=\"color:%1\">■</span> %2 · %3")
                      .arg(morphologyColor(label).name(), tr("Galaxy %1").arg(id),
                           morphologyShortName(label)),
                  StatusTone::Normal);
    showMessage({}, false);
    schedulePreview();
    return true;
}

void AugmentationPanel::showRandomGalaxy() {
    if (!dataset_ || dataset_->catalog.empty()) return;
    const auto row =
        QRandomGenerator::global()->bounded(static_cast<quint64>(dataset_->catalog.size()));
    showGalaxy(dataset_->catalog.id(static_cast<std::size_t>(row)));
}

void AugmentationPanel::reroll() {
    ++roll_;
    schedulePreview();
}

bool AugmentationPanel::previewPending() const {
    return debounce_->isActive() || worker_.isBusy();
}

void AugmentationPanel::schedulePreview() {
    rollLabel_->setText(tr("draw %1").arg(roll_));
    if (galaxyId_ == 0) return;
    debounce_->start();
}

void AugmentationPanel::startPreview() {
    if (galaxyId_ == 0 || !dataset_) return;
    const auto row = dataset_->catalog.rowOf(galaxyId_);
    if (!row) return;
    PreviewRequest request;
    request.imageFile = *dataset_->catalog.imagePath(*row);
    request.galaxyId = galaxyId_;
    request.params = settings_->params();
    request.seed = seed();
    request.roll = roll_;
    request.gridCount = gridCount();
    worker_.submit(std::move(request));
}

void AugmentationPanel::previewReady(AugmentationPreview preview) {
    preview_ = std::move(preview);
    showPreview();
}

void AugmentationPanel::previewFailed(const QString& error) {
    showMessage(tr("Galaxy %1: %2").arg(galaxyId_).arg(error), true);
}

void AugmentationPanel::fillTiles(QGridLayout* grid, const std::vector<PreviewTile>& tiles,
                                  int columns, const QString& prefix) {
    while (QLayoutItem* item = grid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (std::size_t i = 0; i < tiles.size(); ++i) {
        const PreviewTile& t = tiles[i];
        auto* tile = new QFrame;
        tile->setObjectName(QStringLiteral("%1Tile%2").arg(prefix).arg(i));
        tile->setFrameShape(QFrame::StyledPanel);
        auto* image = new QLabel;
        image->setFixedSize(kTileSide, kTileSide);
        image->setAlignment(Qt::AlignCenter);
        image->setPixmap(QPixmap::fromImage(
            t.image.scaled(kTileSide, kTileSide, Qt::KeepAspectRatio, Qt::FastTransformation)));
        auto* name = new QLabel(QStringLiteral("<b>%1</b>").arg(t.name.toHtmlEscaped()));
        auto* value = new QLabel(t.enabled ? t.value : tr("off"));
        value->setObjectName(QStringLiteral("%1Value%2").arg(prefix).arg(i));
        value->setStyleSheet(colorStyle(t.enabled ? textColor() : disabledTextColor()));
        value->setWordWrap(true);
        value->setFixedWidth(kTileSide);
        tile->setToolTip(QStringLiteral("%1: %2\n%3 × %4 pixels, %5")
                             .arg(t.name, t.enabled ? t.value : tr("off"))
                             .arg(t.image.width())
                             .arg(t.image.height())
                             .arg(rangeText(t)));
        auto* l = new QVBoxLayout(tile);
        l->setContentsMargins(4, 4, 4, 4);
        l->setSpacing(2);
        l->addWidget(image);
        l->addWidget(name);
        l->addWidget(value);
        const int index = static_cast<int>(i);
        grid->addWidget(tile, index / columns, index % columns);
    }
}

bool AugmentationPanel::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Resize && previewScroll_ &&
        watched == previewScroll_->viewport() && arrangeTiles())
        showPreview();
    return QWidget::eventFilter(watched, event);
}

bool AugmentationPanel::arrangeTiles() {
    // A tile with its frame and margins, plus the grid's spacing; a box adds its own padding.
    constexpr int kTileStride = kTileSide + 10 + 8;
    constexpr int kBoxPadding = 40;
    const int width = previewScroll_->viewport()->width();
    const int fit = std::max(1, (width - kBoxPadding) / kTileStride);
    const bool beside = width >= 7 * kTileStride + 2 * kBoxPadding;
    const int steps = beside ? 5 : std::min(5, fit);
    const int random = std::min(7, fit);
    if (beside == evalBeside_ && steps == stepsColumns_ && random == randomColumns_) return false;
    evalBeside_ = beside;
    stepsColumns_ = steps;
    randomColumns_ = random;
    upperGrid_->removeWidget(evalBox_);
    upperGrid_->addWidget(evalBox_, beside ? 0 : 1, beside ? 1 : 0);
    return true;
}

void AugmentationPanel::showPreview() {
    fillTiles(stepsGrid_, preview_.steps, stepsColumns_, QStringLiteral("step"));
    fillTiles(randomGrid_, preview_.grid, randomColumns_, QStringLiteral("random"));
    fillTiles(evalGrid_, preview_.evaluation, 2, QStringLiteral("eval"));
    if (preview_.steps.empty()) {
        drawSummary_->clear();
        return;
    }
    const AugmentationDraw& d = preview_.draw;
    drawSummary_->setText(
        tr("Galaxy %1, seed %2, draw %3: S = %4, crop at (%5, %6), k = %7, %8, brightness %9, "
           "contrast × %10. Images before standardisation are shown as they are (clipped to "
           "0..255 for display); standardised ones rescaled min..max.")
            .arg(preview_.galaxyId)
            .arg(seed())
            .arg(roll_)
            .arg(d.cropSide)
            .arg(d.offsetX)
            .arg(d.offsetY)
            .arg(d.rotation)
            .arg(d.flipped ? tr("flipped") : tr("not flipped"))
            .arg(d.brightness, 0, 'f', 1)
            .arg(d.contrast, 0, 'f', 3));
}

void AugmentationPanel::showMessage(const QString& message, bool error) {
    lastError_ = error ? message : QString();
    setStatusText(message_, message, error ? StatusTone::Error : StatusTone::Muted);
}

bool AugmentationPanel::saveParams(const QString& file) {
    try {
        settings_->save(file);
        showMessage(tr("Saved to %1").arg(file), false);
        return true;
    } catch (const std::exception& e) {
        showMessage(QString::fromStdString(e.what()), true);
        return false;
    }
}

bool AugmentationPanel::loadParams(const QString& file) {
    try {
        settings_->load(file);
        showMessage(tr("Loaded %1").arg(file), false);
        return true;
    } catch (const std::exception& e) {
        showMessage(QString::fromStdString(e.what()), true);
        return false;
    }
}

void AugmentationPanel::chooseSaveFile() {
    const QString file = QFileDialog::getSaveFileName(this, tr("Save augmentation parameters"),
                                                      QStringLiteral("augmentation.json"),
                                                      tr("JSON files (*.json)"));
    if (!file.isEmpty()) saveParams(file);
}

void AugmentationPanel::chooseLoadFile() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Load augmentation parameters"), {},
                                                      tr("JSON files (*.json);;All files (*)"));
    if (!file.isEmpty()) loadParams(file);
}

}  // namespace gz::ui
