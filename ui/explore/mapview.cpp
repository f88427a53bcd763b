#include "explore/mapview.h"

#include <QFrame>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <utility>

namespace gz::ui {

namespace {

constexpr int kDiscSize = 7;  // pixels

/// A disc of `colour` with a slightly darker rim, drawn once and then copied for every point.
QPixmap disc(const QColor& colour) {
    const qreal dpr = 1.0;
    QPixmap pixmap(kDiscSize, kDiscSize);
    pixmap.setDevicePixelRatio(dpr);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(colour.darker(130), 0.8));
    p.setBrush(colour);
    p.drawEllipse(QRectF(0.5, 0.5, kDiscSize - 1, kDiscSize - 1));
    return pixmap;
}

QCPGraph* scatterGraph(QCustomPlot* plot, const QCPScatterStyle& style) {
    QCPGraph* g = plot->addGraph();
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(style);
    g->setAdaptiveSampling(false);  // scatters: every point is drawn
    return g;
}

}  // namespace

MapView::MapView(QWidget* parent) : QCustomPlot(parent) {
    setObjectName(QStringLiteral("mapView"));
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setNoAntialiasingOnDrag(true);
    setMouseTracking(true);
    xAxis->setVisible(false);
    yAxis->setVisible(false);
    axisRect()->setAutoMargins(QCP::msNone);
    axisRect()->setMargins(QMargins(4, 4, 4, 4));
    // The legend at the top of a narrow column of its own on the right, so that it never hides
    // points.
    legend->setVisible(true);
    axisRect()->insetLayout()->take(legend);
    auto* side = new QCPLayoutGrid;
    plotLayout()->addElement(0, 1, side);
    plotLayout()->setColumnStretchFactor(1, 0.001);
    side->addElement(0, 0, legend);
    side->addElement(1, 0, new QCPLayoutElement(this));  // takes the rest of the height
    side->setRowStretchFactor(0, 0.001);
    side->setMargins(QMargins(0, 4, 4, 4));
    addLayer(QStringLiteral("behind"), layer(QStringLiteral("main")), QCustomPlot::limBelow);
    selectionRect()->setPen(QPen(QColor(0x33, 0x33, 0x33), 1, Qt::DashLine));
    selectionRect()->setBrush(QColor(0, 114, 178, 40));
    connect(selectionRect(), &QCPSelectionRect::accepted, this, &MapView::onRectangle);

    // The hover card: a child of the view (no tooltip window), never taking the pointer's events.
    card_ = new QFrame(this);
    card_->setObjectName(QStringLiteral("mapHoverCard"));
    card_->setFrameShape(QFrame::StyledPanel);
    card_->setAutoFillBackground(true);
    card_->setAttribute(Qt::WA_TransparentForMouseEvents);
    cardImage_ = new QLabel;
    cardImage_->setAlignment(Qt::AlignCenter);
    cardImage_->setMinimumSize(64, 64);
    cardText_ = new QLabel;
    auto* cardLayout = new QVBoxLayout(card_);
    cardLayout->setContentsMargins(6, 6, 6, 6);
    cardLayout->addWidget(cardImage_);
    cardLayout->addWidget(cardText_);
    card_->hide();
}

void MapView::clearPoints() {
    points_.clear();
    clearGraphs();
    groupGraphs_.clear();
    selectionGraph_ = highlightGraph_ = nullptr;
    highlight_.reset();
    selection_.clear();
    showCard(std::nullopt, {});
    replot();
}

void MapView::setPoints(std::vector<QPointF> points) {
    clearPoints();
    points_ = std::move(points);
    fitView();
}

void MapView::setGroups(const std::vector<Group>& groups, const std::vector<int>& groupOf) {
    for (QCPGraph* g : groupGraphs_) removeGraph(g);
    groupGraphs_.clear();
    if (selectionGraph_) removeGraph(selectionGraph_);
    if (highlightGraph_) removeGraph(highlightGraph_);
    std::vector<QVector<double>> xs(groups.size()), ys(groups.size());
    for (std::size_t i = 0; i < points_.size() && i < groupOf.size(); ++i) {
        const auto g = static_cast<std::size_t>(groupOf[i]);
        if (g >= groups.size()) continue;
        xs[g].push_back(points_[i].x());
        ys[g].push_back(points_[i].y());
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
        QCPGraph* graph = scatterGraph(this, QCPScatterStyle(disc(groups[g].colour)));
        graph->setName(QStringLiteral("%1 (%2)").arg(groups[g].name).arg(xs[g].size()));
        graph->setData(xs[g], ys[g]);
        if (groups[g].behind) graph->setLayer(QStringLiteral("behind"));
        if (xs[g].isEmpty()) graph->removeFromLegend();
        groupGraphs_.push_back(graph);
    }
    selectionGraph_ = scatterGraph(
        this, QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 1.2), Qt::NoBrush, 9));
    selectionGraph_->removeFromLegend();
    highlightGraph_ = scatterGraph(
        this, QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 2.5), Qt::NoBrush, 16));
    highlightGraph_->removeFromLegend();
    setSelection(selection_);
    setHighlight(highlight_);
}

void MapView::fitView() {
    if (points_.empty()) {
        replot();
        return;
    }
    double x0 = points_[0].x(), x1 = x0, y0 = points_[0].y(), y1 = y0;
    for (const QPointF& p : points_) {
        x0 = std::min(x0, p.x());
        x1 = std::max(x1, p.x());
        y0 = std::min(y0, p.y());
        y1 = std::max(y1, p.y());
    }
    const double padX = std::max(1e-6, (x1 - x0) * 0.04), padY = std::max(1e-6, (y1 - y0) * 0.04);
    xAxis->setRange(x0 - padX, x1 + padX);
    yAxis->setRange(y0 - padY, y1 + padY);
    replot();
}

QPointF MapView::pixelOf(std::size_t i) const {
    return {xAxis->coordToPixel(points_[i].x()), yAxis->coordToPixel(points_[i].y())};
}

std::optional<std::size_t> MapView::pointAt(QPointF pixel, double radius) const {
    // One pass in map coordinates: the pixel scale of each axis is constant.
    const double sx = (xAxis->coordToPixel(1) - xAxis->coordToPixel(0));
    const double sy = (yAxis->coordToPixel(1) - yAxis->coordToPixel(0));
    const double cx = xAxis->pixelToCoord(pixel.x()), cy = yAxis->pixelToCoord(pixel.y());
    std::optional<std::size_t> best;
    double bestD2 = radius * radius;
    for (std::size_t i = 0; i < points_.size(); ++i) {
        const double dx = (points_[i].x() - cx) * sx, dy = (points_[i].y() - cy) * sy;
        const double d2 = dx * dx + dy * dy;
        if (d2 <= bestD2) {
            bestD2 = d2;
            best = i;
        }
    }
    return best;
}

std::vector<std::size_t> MapView::pointsIn(const QRect& pixels) const {
    const double xa = xAxis->pixelToCoord(pixels.left()), xb = xAxis->pixelToCoord(pixels.right());
    const double ya = yAxis->pixelToCoord(pixels.top()), yb = yAxis->pixelToCoord(pixels.bottom());
    const double x0 = std::min(xa, xb), x1 = std::max(xa, xb);
    const double y0 = std::min(ya, yb), y1 = std::max(ya, yb);
    std::vector<std::size_t> inside;
    for (std::size_t i = 0; i < points_.size(); ++i)
        if (points_[i].x() >= x0 && points_[i].x() <= x1 && points_[i].y() >= y0 &&
            points_[i].y() <= y1)
            inside.push_back(i);
    return inside;
}

std::vector<std::size_t> MapView::pointsIn(const QPolygonF& pixels) const {
    std::vector<std::size_t> inside;
    if (pixels.size() < 3) return inside;
    const QRectF box = pixels.boundingRect();
    for (const std::size_t i : pointsIn(box.toAlignedRect()))
        if (pixels.containsPoint(pixelOf(i), Qt::OddEvenFill)) inside.push_back(i);
    return inside;
}

void MapView::setHighlight(std::optional<std::size_t> i) {
    if (i && *i >= points_.size()) i.reset();
    highlight_ = i;
    if (highlightGraph_) {
        highlightGraph_->data()->clear();
        if (i) highlightGraph_->addData(points_[*i].x(), points_[*i].y());
    }
    replot(QCustomPlot::rpQueuedReplot);
}

void MapView::setSelection(std::vector<std::size_t> points) {
    points.erase(std::remove_if(points.begin(), points.end(),
                                [&](std::size_t i) { return i >= points_.size(); }),
                 points.end());
    selection_ = std::move(points);
    if (selectionGraph_) {
        QVector<double> x, y;
        for (const std::size_t i : selection_) {
            x.push_back(points_[i].x());
            y.push_back(points_[i].y());
        }
        selectionGraph_->setData(x, y);
    }
    replot(QCustomPlot::rpQueuedReplot);
}

void MapView::mousePressEvent(QMouseEvent* event) {
    // Ctrl+drag draws a lasso (the plot does not pan meanwhile).
    if (event->button() == Qt::LeftButton && event->modifiers() & Qt::ControlModifier) {
        lassoing_ = true;
        lasso_ = QPolygonF{event->position()};
        showCard(std::nullopt, {});
        return;
    }
    // Shift+drag draws a rectangle; a plain drag pans.
    setSelectionRectMode(event->modifiers() & Qt::ShiftModifier ? QCP::srmCustom : QCP::srmNone);
    pressedAt_ = event->position().toPoint();
    pressed_ = true;
    QCustomPlot::mousePressEvent(event);
}

void MapView::mouseMoveEvent(QMouseEvent* event) {
    if (lassoing_) {
        lasso_ << event->position();
        update();
        return;
    }
    QCustomPlot::mouseMoveEvent(event);
    if (event->buttons() != Qt::NoButton || !describe_) return showCard(std::nullopt, {});
    showCard(pointAt(event->position()), event->position().toPoint());
}

void MapView::paintEvent(QPaintEvent* event) {
    QCustomPlot::paintEvent(event);
    if (!lassoing_ || lasso_.size() < 2) return;
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(QColor(0x33, 0x33, 0x33), 1, Qt::DashLine));
    p.setBrush(QColor(0, 114, 178, 40));
    p.drawPolygon(lasso_);
}

void MapView::leaveEvent(QEvent* event) {
    showCard(std::nullopt, {});
    QCustomPlot::leaveEvent(event);
}

void MapView::refreshHover() {
    if (hovered_) showCard(hovered_, hoveredAt_);
}

void MapView::showCard(std::optional<std::size_t> point, QPoint at) {
    hovered_ = point;
    hoveredAt_ = at;
    if (!point || !describe_) {
        card_->hide();
        return;
    }
    const HoverCard card = describe_(*point);
    cardText_->setText(card.text);
    if (card.image.isNull())
        cardImage_->setText(card.noImage.isEmpty() ? tr("loading…") : card.noImage);
    else
        cardImage_->setPixmap(QPixmap::fromImage(card.image));
    card_->adjustSize();
    // Beside the pointer, inside the view: left of it or above it near the right or bottom edge.
    QPoint pos = at + QPoint(14, 14);
    if (pos.x() + card_->width() > width()) pos.setX(at.x() - 14 - card_->width());
    if (pos.y() + card_->height() > height()) pos.setY(at.y() - 14 - card_->height());
    card_->move(std::max(0, pos.x()), std::max(0, pos.y()));
    card_->show();
    card_->raise();
}

void MapView::mouseReleaseEvent(QMouseEvent* event) {
    if (lassoing_) {
        lasso_ << event->position();
        lassoing_ = false;
        const QPolygonF lasso = std::exchange(lasso_, {});
        update();
        emit regionSelected(pointsIn(lasso));
        return;
    }
    const bool click = pressed_ &&
                       (event->position().toPoint() - pressedAt_).manhattanLength() < 4 &&
                       selectionRectMode() == QCP::srmNone;
    pressed_ = false;
    QCustomPlot::mouseReleaseEvent(event);
    setSelectionRectMode(QCP::srmNone);
    if (click && event->button() == Qt::LeftButton)
        if (const auto i = pointAt(event->position())) emit pointClicked(*i);
}

void MapView::onRectangle(const QRect& rect, QMouseEvent* release) {
    // The rectangle runs from where the drag started (its top left as QCustomPlot keeps it) to
    // where the button was released, whether or not a move event came there first.
    const QRect dragged = release
                              ? QRect(rect.topLeft(), release->position().toPoint()).normalized()
                              : rect.normalized();
    emit regionSelected(pointsIn(dragged));
}

}  // namespace gz::ui
