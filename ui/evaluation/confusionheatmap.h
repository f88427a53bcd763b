#pragma once
// The confusion matrix as a heat map: true class rows, predicted class columns, each cell with
// its count and its share of the row; the shade follows the row percentage. Clicking a cell asks
// for the gallery of exactly its galaxies.

#include <QWidget>

#include <optional>
#include <utility>

#include "gz/evaluation.h"

namespace gz::ui {

class ConfusionHeatMap : public QWidget {
    Q_OBJECT

public:
    explicit ConfusionHeatMap(QWidget* parent = nullptr);

    void setResult(const std::optional<EvaluationResult>& result);
    const std::optional<EvaluationResult>& result() const { return result_; }

    /// The text of a cell: "<count>\n<row percent>%".
    QString cellText(int trueClass, int predicted) const;
    /// Where a cell is drawn (widget coordinates); empty without a result.
    QRect cellRect(int trueClass, int predicted) const;
    /// The cell under a point, or nullopt.
    std::optional<std::pair<int, int>> cellAt(const QPoint& point) const;
    /// Highlights a cell (the one whose gallery is shown); nullopt: none.
    void setSelectedCell(const std::optional<std::pair<int, int>>& cell);
    std::optional<std::pair<int, int>> selectedCell() const { return selected_; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void cellClicked(int trueClass, int predicted);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    QRect gridRect() const;

    std::optional<EvaluationResult> result_;
    std::optional<std::pair<int, int>> selected_;
};

}  // namespace gz::ui
