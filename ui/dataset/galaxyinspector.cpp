#include "dataset/galaxyinspector.h"

#include <QGraphicsPixmapItem>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <functional>
#include <system_error>

#include "common/cvimage.h"
#include "common/morelikethis.h"
#include "common/uiformat.h"
#include "common/uistyle.h"
#include "dataset/galaxydetails.h"
#include "dataset/labelingsession.h"
#include "gz/image_pipeline.h"

namespace gz::ui {
namespace fs = std::filesystem;

namespace {

constexpr double kMinZoom = 0.1;
constexpr double kMaxZoom = 16.0;

// A graphics view that zooms with the wheel (about the cursor) and pans by dragging.
class ZoomView : public QGraphicsView {
public:
    ZoomView(QGraphicsScene* scene, std::function<void(double)> onWheel)
        : QGraphicsView(scene), onWheel_(std::move(onWheel)) {}

protected:
    void wheelEvent(QWheelEvent* event) override {
        const double steps = event->angleDelta().y() / 120.0;
        if (steps == 0) return;
        onWheel_(std::pow(1.25, steps));
        event->accept();
    }

private:
    std::function<void(double)> onWheel_;
};

}  // namespace

GalaxyInspector::GalaxyInspector(LabelingSession* session, QWidget* parent)
    : QWidget(parent),
      session_(session),
      decoder_(
          decode, [this](const Decoded& decoded) { onDecoded(decoded); },
          [this](const QString& error) {
              onDecoded({{}, tr("Unreadable image: %1").arg(error)});
          }) {
    setObjectName(QStringLiteral("galaxyInspector"));

    scene_ = new QGraphicsScene(this);
    pixmap_ = scene_->addPixmap({});
    pixmap_->setTransformationMode(Qt::SmoothTransformation);
    auto* view = new ZoomView(scene_, [this](double factor) {
        fit_ = false;
        setZoom(zoom() * factor);
    });
    view_ = view;
    view_->setObjectName(QStringLiteral("galaxyImageView"));
    view_->setBackgroundBrush(skyColor());
    view_->setDragMode(QGraphicsView::ScrollHandDrag);
    view_->setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    view_->setMinimumSize(220, 220);
    view_->setFrameShape(QFrame::NoFrame);

    imageMessage_ = new QLabel;
    imageMessage_->setObjectName(QStringLiteral("galaxyImageMessage"));
    imageMessage_->setAlignment(Qt::AlignCenter);
    imageMessage_->setWordWrap(true);
    imageMessage_->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: #c8cdd4; padding: 12px; }")
            .arg(skyColor().name()));
    imageStack_ = new QStackedWidget;
    imageStack_->addWidget(view_);
    imageStack_->addWidget(imageMessage_);

    const auto button = [this](const QString& text, const QString& tip, const QString& name) {
        auto* b = new QToolButton;
        b->setText(text);
        b->setToolTip(tip);
        b->setObjectName(name);
        b->setAutoRaise(true);
        return b;
    };
    QToolButton* fit =
        button(tr("Fit"), tr("Fit the image in the view"), QStringLiteral("zoomFitButton"));
    QToolButton* actual = button(tr("1:1"), tr("One image pixel per screen pixel"),
                                 QStringLiteral("zoomActualButton"));
    QToolButton* in = button(QStringLiteral("+"), tr("Zoom in (or use the wheel)"),
                             QStringLiteral("zoomInButton"));
    QToolButton* out = button(QStringLiteral("−"), tr("Zoom out"), QStringLiteral("zoomOutButton"));
    zoomLabel_ = new QLabel;
    zoomLabel_->setObjectName(QStringLiteral("zoomLabel"));
    setMuted(zoomLabel_);
    connect(fit, &QToolButton::clicked, this, &GalaxyInspector::zoomToFit);
    connect(actual, &QToolButton::clicked, this, [this] {
        fit_ = false;
        setZoom(1.0);
    });
    connect(in, &QToolButton::clicked, this, [this] {
        fit_ = false;
        setZoom(zoom() * 1.25);
    });
    connect(out, &QToolButton::clicked, this, [this] {
        fit_ = false;
        setZoom(zoom() / 1.25);
    });
    auto* tools = new QHBoxLayout;
    tools->setSpacing(2);
    tools->addWidget(fit);
    tools->addWidget(actual);
    tools->addWidget(out);
    tools->addWidget(in);
    similar_ = button(moreLikeThisText(),
                      tr("The galaxies of the data set most similar to this one, by the Map "
                         "panel's run"),
                      QStringLiteral("inspectorMoreLikeThis"));
    similar_->setEnabled(false);
    connect(similar_, &QToolButton::clicked, this, [this] {
        if (row_ && session_->dataset())
            emit moreLikeThisRequested(session_->dataset()->catalog.id(*row_));
    });
    tools->addWidget(similar_);
    tools->addStretch(1);
    tools->addWidget(zoomLabel_);

    auto* imageBox = new QWidget;
    auto* imageLayout = new QVBoxLayout(imageBox);
    imageLayout->setContentsMargins(0, 0, 0, 0);
    imageLayout->setSpacing(2);
    imageLayout->addWidget(imageStack_, 1);
    imageLayout->addLayout(tools);

    details_ = new GalaxyDetails;
    auto* split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("inspectorSplitter"));
    split->addWidget(imageBox);
    split->addWidget(details_);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->addWidget(split);

    connect(session_, &LabelingSession::labelingChanged, this, &GalaxyInspector::refresh);
    connect(session_, &LabelingSession::splitChanged, this, &GalaxyInspector::refresh);
    connect(session_, &LabelingSession::modelFractionsChanged, this, &GalaxyInspector::refresh);
    connect(session_, &LabelingSession::datasetChanged, this, [this] { showGalaxy(std::nullopt); });
    showGalaxy(std::nullopt);
}

void GalaxyInspector::showGalaxy(std::optional<std::size_t> row) {
    const auto& dataset = session_->dataset();
    if (row && (!dataset || *row >= dataset->catalog.size())) row.reset();
    const bool sameImage = row == row_ && row_.has_value() && !decoding_;
    row_ = row;
    refresh();
    if (sameImage) return;

    image_ = {};
    imageError_.clear();
    pixmap_->setPixmap({});
    zoomLabel_->clear();
    if (!row_) {
        decoder_.cancel();
        decoding_ = false;
        imageMessage_->setText(dataset ? tr("Select a galaxy in the browser") : QString());
        imageStack_->setCurrentWidget(imageMessage_);
        return;
    }
    const auto path = dataset->catalog.imagePath(*row_);
    if (!path) {
        decoder_.cancel();
        decoding_ = false;
        imageError_ = tr("This catalog has no image folder.");
        imageMessage_->setText(imageError_);
        imageStack_->setCurrentWidget(imageMessage_);
        emit imageShown();
        return;
    }
    decoding_ = true;
    imageMessage_->setText(tr("Decoding…"));
    imageStack_->setCurrentWidget(imageMessage_);
    decoder_.submit(*path);
}

GalaxyInspector::Decoded GalaxyInspector::decode(const fs::path& file, const std::stop_token&) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return {{}, tr("Image missing: %1").arg(toQString(file))};
    return {toQImage(decodeImage(file, DecodeScale::Full).rgb), {}};
}

void GalaxyInspector::onDecoded(const Decoded& d) {
    decoding_ = false;
    image_ = d.image;
    imageError_ = d.error;
    if (!image_.isNull()) {
        pixmap_->setPixmap(QPixmap::fromImage(image_));
        scene_->setSceneRect(pixmap_->boundingRect());
        imageStack_->setCurrentWidget(view_);
        if (fit_)
            zoomToFit();
        else
            setZoom(zoom());
    } else {
        imageMessage_->setText(imageError_);
        imageStack_->setCurrentWidget(imageMessage_);
    }
    emit imageShown();
}

QString GalaxyInspector::imageStatus() const {
    if (decoding_) return tr("Decoding…");
    return imageError_;
}

double GalaxyInspector::zoom() const {
    return view_->transform().m11();
}

void GalaxyInspector::setZoom(double factor) {
    factor = std::clamp(factor, kMinZoom, kMaxZoom);
    view_->setTransform(QTransform::fromScale(factor, factor));
    zoomLabel_->setText(QStringLiteral("%1 %").arg(std::lround(factor * 100)));
}

void GalaxyInspector::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    if (fit_) zoomToFit();
}

void GalaxyInspector::zoomToFit() {
    fit_ = true;
    if (image_.isNull()) return;
    view_->fitInView(pixmap_, Qt::KeepAspectRatio);
    setZoom(zoom());
}

void GalaxyInspector::refresh() {
    const auto& dataset = session_->dataset();
    similar_->setEnabled(row_ && dataset);
    if (!row_ || !dataset) {
        details_->clear(dataset ? tr("Select a galaxy to see its votes, label and the rule that "
                                     "gave it.")
                                : tr("Open a data set."));
        return;
    }
    const auto& split = session_->split();
    details_->showGalaxy(dataset, *row_, session_->rules(),
                         session_->labeling() ? QString() : session_->labelingError(),
                         split ? split->subsetOf(dataset->catalog.id(*row_)) : std::nullopt);
    // A loaded model's fractions beside the volunteers' (none for a galaxy it did not predict).
    const auto& model = session_->modelFractions();
    if (model && model->fractions.has(*row_)) {
        const auto fractions = model->fractions.row(*row_);
        details_->showPredictedFractions({fractions.begin(), fractions.end()});
    }
}

}  // namespace gz::ui
