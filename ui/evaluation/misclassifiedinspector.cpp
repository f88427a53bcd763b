#include "evaluation/misclassifiedinspector.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPainter>
#include <QScrollArea>
#include <QShortcut>
#include <QSlider>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "common/cvimage.h"
#include "common/formcontrols.h"
#include "common/morelikethis.h"
#include "common/morphologycolors.h"
#include "common/shortcuts.h"
#include "common/uistyle.h"
#include "dataset/galaxydetails.h"
#include "evaluation/saliencyscale.h"
#include "gz/error.h"
#include "gz/explain.h"
#include "gz/image_pipeline.h"

namespace gz::ui {

// ---- SaliencyImageView ----------------------------------------------------------------------

SaliencyImageView::SaliencyImageView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("saliencyView"));
    setMinimumSize(200, 200);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void SaliencyImageView::setImage(const QImage& image, const QString& message) {
    image_ = image;
    message_ = message;
    map_ = {};
    overlay_ = {};
    update();
}

void SaliencyImageView::setSaliency(const QImage& map, const QRect& view) {
    map_ = map;
    view_ = view;
    rebuildOverlay();
    update();
}

void SaliencyImageView::setOpacity(double opacity) {
    opacity_ = std::clamp(opacity, 0.0, 1.0);
    update();
}

void SaliencyImageView::rebuildOverlay() {
    overlay_ = {};
    if (map_.isNull()) return;
    overlay_ = QImage(map_.size(), QImage::Format_ARGB32);
    overlay_.fill(Qt::transparent);
    const QRect inside = view_.intersected(map_.rect());
    for (int y = inside.top(); y <= inside.bottom(); ++y) {
        const uchar* src = map_.constScanLine(y);
        auto* dst = reinterpret_cast<QRgb*>(overlay_.scanLine(y));
        for (int x = inside.left(); x <= inside.right(); ++x) {
            const double v = src[x] / 255.0;
            const QRgb c = saliencyColor(v);
            // Weak saliency stays see-through so the galaxy remains visible under it.
            const int alpha = static_cast<int>(std::lround(255.0 * (0.25 + 0.75 * v)));
            dst[x] = qRgba(qRed(c), qGreen(c), qBlue(c), alpha);
        }
    }
}

QImage SaliencyImageView::composed() const {
    if (image_.isNull()) return {};
    QImage out = image_.convertToFormat(QImage::Format_RGB32);
    if (!overlay_.isNull() && opacity_ > 0) {
        QPainter p(&out);
        p.setOpacity(opacity_);
        p.drawImage(out.rect(), overlay_);
        p.setOpacity(1.0);
        p.setPen(QPen(QColor(255, 255, 255, 160), std::max(1, out.width() / 212), Qt::DashLine));
        p.drawRect(view_.adjusted(0, 0, -1, -1));
    }
    return out;
}

void SaliencyImageView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), skyColor());
    if (image_.isNull()) {
        painter.setPen(Qt::lightGray);
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, message_);
        return;
    }
    const QImage picture = composed();
    const QSize size = picture.size().scaled(this->size(), Qt::KeepAspectRatio);
    const QRect target(QPoint((width() - size.width()) / 2, (height() - size.height()) / 2), size);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(target, picture);
    if (!message_.isEmpty()) {
        painter.setPen(Qt::white);
        painter.drawText(target.adjusted(6, 6, -6, -6), Qt::AlignLeft | Qt::AlignBottom, message_);
    }
}

// ---- ProbabilityBars ------------------------------------------------------------------------

ProbabilityBars::ProbabilityBars(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("probabilityBars"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setFixedHeight(kMorphologyCount * 20 + 8);
}

void ProbabilityBars::setPrediction(const std::optional<Prediction>& prediction) {
    prediction_ = prediction;
    update();
}

void ProbabilityBars::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    if (!prediction_) return;
    const int labelW = 110, valueW = 54, rowH = 20;
    const int barW = std::max(10, width() - labelW - valueW - 8);
    const int predicted = prediction_->predicted();
    for (int c = 0; c < kMorphologyCount; ++c) {
        const int y = 4 + c * rowH;
        const double p = prediction_->probabilities[static_cast<std::size_t>(c)];
        QFont f = font();
        f.setBold(c == predicted);
        painter.setFont(f);
        painter.setPen(palette().color(QPalette::Text));
        QString name = morphologyShortName(c);
        if (c == prediction_->trueLabel) name += tr(" (true)");
        painter.drawText(QRect(0, y, labelW - 6, rowH), Qt::AlignRight | Qt::AlignVCenter, name);
        const QRect track(labelW, y + 3, barW, rowH - 6);
        painter.fillRect(track, palette().color(QPalette::AlternateBase));
        painter.fillRect(QRect(track.left(), track.top(), static_cast<int>(std::lround(p * barW)),
                               track.height()),
                         morphologyColor(c));
        if (c == prediction_->trueLabel) {
            painter.setPen(QPen(palette().color(QPalette::Text), 1, Qt::DashLine));
            painter.drawRect(track.adjusted(0, 0, -1, -1));
        }
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(labelW + barW + 4, y, valueW, rowH),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         QLocale().toString(100.0 * p, 'f', 1) + QLatin1Char('%'));
    }
}

// ---- MisclassifiedInspector -----------------------------------------------------------------

MisclassifiedInspector::MisclassifiedInspector(QWidget* parent)
    : QWidget(parent),
      loader_(
          load, [this](const Loaded& loaded) { onLoaded(loaded); },
          [this](const QString& error) { onLoadFailed(error); }) {
    setObjectName(QStringLiteral("misclassifiedInspector"));

    galleryTitle_ = new QLabel(tr("Click a cell of the confusion matrix to see its galaxies."));
    galleryTitle_->setObjectName(QStringLiteral("galleryTitle"));
    allowNarrow(galleryTitle_);
    list_ = new QListWidget;
    list_->setObjectName(QStringLiteral("galleryList"));
    offerMoreLikeThis(list_, [this](const QModelIndex& index) {
        if (index.row() < static_cast<int>(gallery_.size()))
            emit moreLikeThisRequested(gallery_[static_cast<std::size_t>(index.row())].id);
    });
    list_->setToolTip(
        tr("Up/Down (or J/K) steps through the gallery; L marks \"label looks "
           "wrong\", M \"model wrong\", 0 clears the mark"));
    list_->setUniformItemSizes(true);
    connect(list_, &QListWidget::currentRowChanged, this, [this] { showCurrent(); });
    auto* galleryBox = new QWidget;
    auto* galleryLayout = new QVBoxLayout(galleryBox);
    galleryLayout->setContentsMargins(0, 0, 0, 0);
    galleryLayout->addWidget(galleryTitle_);
    galleryLayout->addWidget(list_, 1);

    header_ = new QLabel;
    header_->setObjectName(QStringLiteral("inspectorHeader"));
    header_->setTextFormat(Qt::RichText);
    allowNarrow(header_);
    view_ = new SaliencyImageView;
    opacitySlider_ = new QSlider(Qt::Horizontal);
    opacitySlider_->setObjectName(QStringLiteral("opacitySlider"));
    opacitySlider_->setRange(0, 100);
    opacitySlider_->setValue(50);
    opacitySlider_->setToolTip(tr("Opacity of the Grad-CAM overlay (0: the image alone)"));
    connect(opacitySlider_, &QSlider::valueChanged, this,
            [this](int v) { view_->setOpacity(v / 100.0); });
    // The saliency's scale and opacity, shown only when there is a model to explain.
    saliencyControls_ = new QWidget;
    saliencyControls_->setObjectName(QStringLiteral("saliencyControls"));
    auto* saliencyLayout = new QVBoxLayout(saliencyControls_);
    saliencyLayout->setContentsMargins(0, 0, 0, 0);
    saliencyLayout->addWidget(new SaliencyScale);
    auto* opacityRow = new QHBoxLayout;
    opacityRow->addWidget(new QLabel(tr("Grad-CAM opacity")));
    opacityRow->addWidget(opacitySlider_, 1);
    saliencyLayout->addLayout(opacityRow);

    bars_ = new ProbabilityBars;
    labelWrong_ = new QToolButton;
    labelWrong_->setObjectName(QStringLiteral("markLabelWrongButton"));
    labelWrong_->setText(tr("Label looks wrong (L)"));
    labelWrong_->setCheckable(true);
    modelWrong_ = new QToolButton;
    modelWrong_->setObjectName(QStringLiteral("markModelWrongButton"));
    modelWrong_->setText(tr("Model wrong (M)"));
    modelWrong_->setCheckable(true);
    connect(labelWrong_, &QToolButton::clicked, this,
            [this](bool on) { markCurrent(on ? GalaxyMark::LabelWrong : GalaxyMark::None); });
    connect(modelWrong_, &QToolButton::clicked, this,
            [this](bool on) { markCurrent(on ? GalaxyMark::ModelWrong : GalaxyMark::None); });
    auto* markRow = new QHBoxLayout;
    markRow->addWidget(labelWrong_);
    markRow->addWidget(modelWrong_);
    markRow->addStretch(1);

    details_ = new GalaxyDetails;
    details_->clear(tr("No galaxy selected."));

    auto* imageColumn = new QWidget;
    auto* imageLayout = new QVBoxLayout(imageColumn);
    imageLayout->setContentsMargins(0, 0, 0, 0);
    imageLayout->addWidget(header_);
    imageLayout->addWidget(view_, 1);
    imageLayout->addWidget(saliencyControls_);
    imageLayout->addWidget(bars_);
    imageLayout->addLayout(markRow);

    list_->setMinimumWidth(160);
    sideColumn_ = new QSplitter(Qt::Vertical);
    sideColumn_->setObjectName(QStringLiteral("inspectorSideColumn"));
    sideColumn_->setChildrenCollapsible(false);
    sideColumn_->addWidget(galleryBox);
    columns_ = new QSplitter(Qt::Horizontal);
    columns_->setObjectName(QStringLiteral("inspectorSplitter"));
    columns_->setChildrenCollapsible(false);
    columns_->addWidget(sideColumn_);
    columns_->addWidget(imageColumn);
    columns_->addWidget(details_);
    columns_->setStretchFactor(0, 0);
    columns_->setStretchFactor(1, 2);
    columns_->setStretchFactor(2, 1);
    columns_->setSizes({220, 400, 300});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(columns_);

    // Keyboard: step and mark from anywhere in the inspector.
    auto shortcut = [this](QKeySequence key, auto slot) {
        auto* s = new QShortcut(key, this, slot);
        s->setContext(Qt::WidgetWithChildrenShortcut);
    };
    shortcut(shortcutKeys(Shortcut::GalleryNextJ), [this] { setCurrentIndex(currentIndex() + 1); });
    shortcut(shortcutKeys(Shortcut::GalleryPreviousK),
             [this] { setCurrentIndex(currentIndex() - 1); });
    shortcut(shortcutKeys(Shortcut::MarkLabelWrong), [this] {
        markCurrent(currentPrediction() && marks_ &&
                            marks_->mark(currentPrediction()->id) == GalaxyMark::LabelWrong
                        ? GalaxyMark::None
                        : GalaxyMark::LabelWrong);
    });
    shortcut(shortcutKeys(Shortcut::MarkModelWrong), [this] {
        markCurrent(currentPrediction() && marks_ &&
                            marks_->mark(currentPrediction()->id) == GalaxyMark::ModelWrong
                        ? GalaxyMark::None
                        : GalaxyMark::ModelWrong);
    });
    shortcut(shortcutKeys(Shortcut::ClearMark), [this] { markCurrent(GalaxyMark::None); });

    updateMarkButtons();
}

bool MisclassifiedInspector::detailsUnderGallery() const {
    return details_->parentWidget() == sideColumn_;
}

void MisclassifiedInspector::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    // Three columns need about 760 px; narrower, the details go under the gallery so that the
    // image, its bars and the mark buttons keep their room.
    constexpr int kThreeColumns = 760;
    const bool narrow = width() < kThreeColumns;
    if (narrow == detailsUnderGallery()) return;
    if (narrow) {
        sideColumn_->addWidget(details_);
        sideColumn_->setSizes({height() / 3, 2 * height() / 3});
        columns_->setSizes({width() * 2 / 5, width() * 3 / 5});
    } else {
        columns_->addWidget(details_);
        columns_->setStretchFactor(2, 1);
        columns_->setSizes({220, width() - 520, 300});
    }
}

void MisclassifiedInspector::setContext(std::shared_ptr<const LoadedDataset> dataset,
                                        LabelRules rules,
                                        std::unordered_map<std::int64_t, Subset> subsets,
                                        std::shared_ptr<const RunModel> model,
                                        std::shared_ptr<RunMarks> marks) {
    dataset_ = std::move(dataset);
    rules_ = std::move(rules);
    subsets_ = std::move(subsets);
    model_ = std::move(model);
    marks_ = std::move(marks);
    saliencyControls_->setVisible(model_ != nullptr);
    setGallery({}, tr("Click a cell of the confusion matrix to see its galaxies."));
}

QString MisclassifiedInspector::itemText(const Prediction& p) const {
    // The gallery's title names the cell; each row: GalaxyID, confidence, predicted class.
    // A mark comes first, by the key that sets it ("[L]", "[M]", as on the buttons), so that a
    // narrow list never cuts it off.
    const GalaxyMark mark = marks_ ? marks_->mark(p.id) : GalaxyMark::None;
    const QString tag = mark == GalaxyMark::LabelWrong   ? QStringLiteral("[L] ")
                        : mark == GalaxyMark::ModelWrong ? QStringLiteral("[M] ")
                                                         : QString();
    return tag + tr("%1   %2%   %3")
                     .arg(p.id)
                     .arg(QLocale().toString(100.0 * p.confidence(), 'f', 1))
                     .arg(morphologyShortName(p.predicted()));
}

void MisclassifiedInspector::setGallery(std::vector<Prediction> gallery, const QString& title) {
    gallery_ = std::move(gallery);
    galleryTitle_->setText(title);
    const QSignalBlocker block(list_);
    list_->clear();
    for (const Prediction& p : gallery_) {
        auto* item = new QListWidgetItem(morphologySwatch(p.predicted()), itemText(p));
        item->setToolTip(tr("Galaxy %1: true %2, predicted %3 with probability %4")
                             .arg(p.id)
                             .arg(morphologyShortName(p.trueLabel),
                                  morphologyShortName(p.predicted()),
                                  QLocale().toString(p.confidence(), 'f', 3)));
        list_->addItem(item);
    }
    if (!gallery_.empty()) list_->setCurrentRow(0);
    showCurrent();
}

int MisclassifiedInspector::currentIndex() const {
    return list_->currentRow();
}

void MisclassifiedInspector::setCurrentIndex(int index) {
    if (index < 0 || index >= list_->count()) return;
    list_->setCurrentRow(index);
}

std::optional<Prediction> MisclassifiedInspector::currentPrediction() const {
    const int row = currentIndex();
    if (row < 0 || row >= static_cast<int>(gallery_.size())) return std::nullopt;
    return gallery_[static_cast<std::size_t>(row)];
}

bool MisclassifiedInspector::markCurrent(GalaxyMark mark) {
    const auto p = currentPrediction();
    if (!p || !marks_) {
        lastError_ = tr("No galaxy of an evaluated run is selected.");
        updateMarkButtons();
        return false;
    }
    try {
        marks_->setMark(*p, mark);
        lastError_.clear();
    } catch (const std::exception& e) {
        lastError_ = QString::fromStdString(e.what());
        header_->setText(errorHtml(lastError_));
    }
    if (auto* item = list_->item(currentIndex())) item->setText(itemText(*p));
    updateMarkButtons();
    emit marksChanged();
    return lastError_.isEmpty();
}

void MisclassifiedInspector::updateMarkButtons() {
    const auto p = currentPrediction();
    const bool can = p && marks_;
    const GalaxyMark mark = can ? marks_->mark(p->id) : GalaxyMark::None;
    labelWrong_->setEnabled(can);
    modelWrong_->setEnabled(can);
    labelWrong_->setChecked(mark == GalaxyMark::LabelWrong);
    modelWrong_->setChecked(mark == GalaxyMark::ModelWrong);
}

void MisclassifiedInspector::setOpacity(double opacity) {
    opacitySlider_->setValue(static_cast<int>(std::lround(std::clamp(opacity, 0.0, 1.0) * 100)));
}

double MisclassifiedInspector::opacity() const {
    return view_->opacity();
}

void MisclassifiedInspector::showCurrent() {
    image_ = {};
    saliencyMap_ = {};
    saliencyShown_ = false;
    updateMarkButtons();
    const auto p = currentPrediction();
    bars_->setPrediction(p);
    if (!p) {
        loader_.cancel();
        header_->clear();
        view_->setImage({}, gallery_.empty() ? tr("No galaxies in this cell.") : QString());
        details_->clear(tr("No galaxy selected."));
        imageStatus_ = tr("no galaxy");
        return;
    }
    header_->setText(
        tr("<b>Galaxy %1</b> &nbsp; true <b style='color:%2'>%3</b> &nbsp; predicted "
           "<b style='color:%4'>%5</b> (%6%) &nbsp; %7 of %8")
            .arg(p->id)
            .arg(morphologyColor(p->trueLabel).name(), morphologyShortName(p->trueLabel),
                 morphologyColor(p->predicted()).name(), morphologyShortName(p->predicted()),
                 QLocale().toString(100.0 * p->confidence(), 'f', 1))
            .arg(currentIndex() + 1)
            .arg(gallery_.size()));

    std::optional<std::size_t> row;
    if (dataset_) row = dataset_->catalog.rowOf(p->id);
    if (row) {
        const auto s = subsets_.find(p->id);
        details_->showGalaxy(dataset_, *row, rules_, dataset_->labelingError,
                             s == subsets_.end() ? std::nullopt : std::optional(s->second));
        details_->showPredictedFractions(p->fractions);
    } else {
        details_->clear(tr("Galaxy %1 is not in the data set.").arg(p->id));
    }
    const std::optional<std::filesystem::path> path =
        row ? dataset_->catalog.imagePath(*row) : std::nullopt;
    if (!path) {
        loader_.cancel();
        imageStatus_ = tr("no image for galaxy %1").arg(p->id);
        view_->setImage({}, imageStatus_);
        emit galaxyShown();
        return;
    }
    imageStatus_ = tr("decoding");
    view_->setImage({}, tr("Loading…"));
    // Decoding and Grad-CAM off the GUI thread; a result for a galaxy stepped past is dropped.
    loader_.submit({*path, model_, p->predicted()});
}

MisclassifiedInspector::Loaded MisclassifiedInspector::load(const Request& request,
                                                            const std::stop_token&) {
    const SourceImage source = decodeImage(request.file);
    Loaded out;
    out.image = toQImage(source.rgb);
    if (!request.model) return out;
    try {
        const SaliencyMap s = request.model->gradCam(source, request.target);
        QImage map(s.map.cols, s.map.rows, QImage::Format_Grayscale8);
        for (int y = 0; y < s.map.rows; ++y) {
            const float* src = s.map.ptr<float>(y);
            uchar* dst = map.scanLine(y);
            for (int x = 0; x < s.map.cols; ++x)
                dst[x] = static_cast<uchar>(std::lround(std::clamp(src[x], 0.0f, 1.0f) * 255.0f));
        }
        out.saliency = map;
        out.view = QRect(s.view.x, s.view.y, s.view.width, s.view.height);
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    return out;
}

void MisclassifiedInspector::onLoadFailed(const QString& error) {
    imageStatus_ = error;
    view_->setImage({}, error);
    emit galaxyShown();
}

void MisclassifiedInspector::onLoaded(const Loaded& loaded) {
    image_ = loaded.image;
    view_->setImage(image_, loaded.error);
    if (!loaded.saliency.isNull()) {
        saliencyMap_ = loaded.saliency;
        view_->setSaliency(saliencyMap_, loaded.view);
        saliencyShown_ = true;
    }
    imageStatus_ = loaded.error;
    emit galaxyShown();
}

}  // namespace gz::ui
