#pragma once
// The map's scatter plot: one point a galaxy, coloured by group, with wheel zoom and drag pan;
// the nearest point under the pointer in a tooltip, a click picks a point, Shift+drag a
// rectangle of them; the picked galaxy ringed and a chosen set outlined. Smooth with the 61,578
// galaxies of the full Kaggle set (each group's points drawn from one cached disc pixmap).

#include <qcustomplot.h>

#include <QColor>
#include <QPointF>
#include <QString>

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

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
    /// What the tooltip says of point i.
    void setTooltip(std::function<QString(std::size_t)> text) { tooltip_ = std::move(text); }

    /// The point nearest to `pixel` (widget coordinates) within `radius` pixels.
    std::optional<std::size_t> pointAt(QPointF pixel, double radius = 8) const;
    /// Where point i is drawn (widget coordinates).
    QPointF pixelOf(std::size_t i) const;
    /// The points inside a rectangle of widget coordinates.
    std::vector<std::size_t> pointsIn(const QRect& pixels) const;

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
    /// After a Shift+drag: the points inside the rectangle (possibly none).
    void regionSelected(const std::vector<std::size_t>& indices);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    void onRectangle(const QRect& rect, QMouseEvent* event);

    std::vector<QPointF> points_;
    std::vector<QCPGraph*> groupGraphs_;
    QCPGraph* selectionGraph_ = nullptr;
    QCPGraph* highlightGraph_ = nullptr;
    std::optional<std::size_t> highlight_;
    std::vector<std::size_t> selection_;
    std::function<QString(std::size_t)> tooltip_;
    QPoint pressedAt_;
    bool pressed_ = false;
};

}  // namespace gz::ui
