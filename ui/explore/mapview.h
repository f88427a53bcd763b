#pragma once
// The map's scatter plot: one point a galaxy, coloured by group, with wheel zoom and drag pan;
// the nearest point under the pointer described in a card (thumbnail and id), a click picks a
// point, Shift+drag a rectangle of them and Ctrl+drag a lasso; the picked galaxy ringed and a
// chosen set outlined. Smooth
// with the 61,578 galaxies of the full Kaggle set (each group's points drawn from one cached disc
// pixmap).

#include <qcustomplot.h>

#include <QColor>
#include <QImage>
#include <QPointF>
#include <QPolygonF>
#include <QString>

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

class QFrame;
class QLabel;

namespace gz::ui {

class MapView : public QCustomPlot {
    Q_OBJECT

public:
    struct Group {
        QString name;
        QColor colour;
        bool behind = false;  ///< drawn under the other groups (e.g. the unlabeled)
    };

    explicit MapView(QWidget* parent = nullptr);

    /// New points (map coordinates); the view is fitted to them and the marks are cleared.
    void setPoints(std::vector<QPointF> points);
    /// Colours: `groupOf[i]` indexes `groups` (one per point). The legend counts each group.
    void setGroups(const std::vector<Group>& groups, const std::vector<int>& groupOf);
    void clearPoints();
    std::size_t pointCount() const { return points_.size(); }
    const std::vector<QPointF>& points() const { return points_; }
    /// What the card beside the pointer shows of the point under it: a line of text and its
    /// thumbnail, or when it has none (yet) what to say instead ("loading…" when empty).
    struct HoverCard {
        QString text;
        QImage image;
        QString noImage;
    };
    void setHoverCard(std::function<HoverCard(std::size_t)> describe) {
        describe_ = std::move(describe);
    }
    /// The point the card shows, if it is shown.
    std::optional<std::size_t> hovered() const { return hovered_; }
    /// Asks for the hovered point's card again (its thumbnail arrived).
    void refreshHover();
    QFrame* hoverCard() const { return card_; }

    /// The point nearest to `pixel` (widget coordinates) within `radius` pixels.
    std::optional<std::size_t> pointAt(QPointF pixel, double radius = 8) const;
    /// Where point i is drawn (widget coordinates).
    QPointF pixelOf(std::size_t i) const;
    /// The points inside a rectangle of widget coordinates.
    std::vector<std::size_t> pointsIn(const QRect& pixels) const;
    /// The points inside a closed polygon of widget coordinates (a lasso).
    std::vector<std::size_t> pointsIn(const QPolygonF& pixels) const;

    /// Rings one point (nullopt: none).
    void setHighlight(std::optional<std::size_t> i);
    std::optional<std::size_t> highlight() const { return highlight_; }
    /// Outlines a set of points (empty: none).
    void setSelection(std::vector<std::size_t> points);
    const std::vector<std::size_t>& selection() const { return selection_; }
    /// Fits the view to every point.
    void fitView();

signals:
    void pointClicked(std::size_t index);
    /// After a Shift+drag or a Ctrl+drag: the points inside the rectangle or the lasso (possibly
    /// none).
    void regionSelected(const std::vector<std::size_t>& indices);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    void onRectangle(const QRect& rect, QMouseEvent* event);
    void showCard(std::optional<std::size_t> point, QPoint at);

    std::vector<QPointF> points_;
    std::vector<QCPGraph*> groupGraphs_;
    QCPGraph* selectionGraph_ = nullptr;
    QCPGraph* highlightGraph_ = nullptr;
    std::optional<std::size_t> highlight_;
    std::vector<std::size_t> selection_;
    std::function<HoverCard(std::size_t)> describe_;
    std::optional<std::size_t> hovered_;
    QPoint hoveredAt_;
    QFrame* card_ = nullptr;
    QLabel* cardImage_ = nullptr;
    QLabel* cardText_ = nullptr;
    QPoint pressedAt_;
    QPolygonF lasso_;  ///< while a Ctrl+drag draws one
    bool lassoing_ = false;
    bool pressed_ = false;
};

}  // namespace gz::ui
