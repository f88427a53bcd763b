#include "evaluation/confusionheatmap.h"

#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

#include "common/morphologycolors.h"
#include "evaluation/evaluationdata.h"

namespace gz::ui {
namespace {

constexpr int kLeftMargin = 118;  // row labels
constexpr int kTopMargin = 40;    // column labels and axis title
constexpr int kBottomMargin = 8;
constexpr int kRightMargin = 8;
constexpr int kMinCell = 48;

}  // namespace

ConfusionHeatMap::ConfusionHeatMap(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("confusionHeatMap"));
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ConfusionHeatMap::setResult(const std::optional<EvaluationResult>& result) {
    result_ = result;
    selected_.reset();
    update();
}

void ConfusionHeatMap::setSelectedCell(const std::optional<std::pair<int, int>>& cell) {
    selected_ = cell;
    update();
}

QSize ConfusionHeatMap::sizeHint() const {
    return {kLeftMargin + kRightMargin + kMorphologyCount * 76,
            kTopMargin + kBottomMargin + kMorphologyCount * 60};
}

QSize ConfusionHeatMap::minimumSizeHint() const {
    return {kLeftMargin + kRightMargin + kMorphologyCount * kMinCell,
            kTopMargin + kBottomMargin + kMorphologyCount * 40};
}

QRect ConfusionHeatMap::gridRect() const {
    const int w = std::max(0, width() - kLeftMargin - kRightMargin);
    const int h = std::max(0, height() - kTopMargin - kBottomMargin);
    const int cellW = w / kMorphologyCount, cellH = h / kMorphologyCount;
    return {kLeftMargin, kTopMargin, cellW * kMorphologyCount, cellH * kMorphologyCount};
}

QRect ConfusionHeatMap::cellRect(int trueClass, int predicted) const {
    if (!result_) return {};
    const QRect g = gridRect();
    const int cellW = g.width() / kMorphologyCount, cellH = g.height() / kMorphologyCount;
    return {g.left() + predicted * cellW, g.top() + trueClass * cellH, cellW, cellH};
}

std::optional<std::pair<int, int>> ConfusionHeatMap::cellAt(const QPoint& point) const {
    if (!result_) return std::nullopt;
    for (int t = 0; t < kMorphologyCount; ++t)
        for (int p = 0; p < kMorphologyCount; ++p)
            if (cellRect(t, p).contains(point)) return std::pair{t, p};
    return std::nullopt;
}

QString ConfusionHeatMap::cellText(int trueClass, int predicted) const {
    if (!result_) return {};
    const std::size_t count =
        result_
            ->confusion[static_cast<std::size_t>(trueClass)][static_cast<std::size_t>(predicted)];
    return QStringLiteral("%1\n%2%").arg(count).arg(
        QLocale().toString(rowPercent(*result_, trueClass, predicted), 'f', 1));
}

void ConfusionHeatMap::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    if (!result_) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                         tr("Evaluate a run to see its confusion matrix."));
        return;
    }
    const QRect g = gridRect();
    QFont bold = font();
    bold.setBold(true);

    // Axis titles.
    painter.setPen(palette().color(QPalette::Text));
    painter.setFont(bold);
    painter.drawText(QRect(g.left(), 0, g.width(), kTopMargin / 2), Qt::AlignCenter,
                     tr("Predicted class"));
    painter.drawText(QRect(0, 0, kLeftMargin, kTopMargin), Qt::AlignCenter, tr("True class"));
    painter.setFont(font());

    for (int i = 0; i < kMorphologyCount; ++i) {
        // Column labels with the class colour as a strip; row labels with a swatch.
        const QRect col = cellRect(0, i);
        const QRect colLabel(col.left(), kTopMargin / 2, col.width(), kTopMargin / 2 - 4);
        painter.fillRect(QRect(colLabel.left() + 2, colLabel.bottom() + 1, colLabel.width() - 4, 3),
                         morphologyColor(i));
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(colLabel, Qt::AlignCenter, morphologyShortName(i));
        const QRect row = cellRect(i, 0);
        const QRect rowLabel(4, row.top(), kLeftMargin - 10, row.height());
        painter.fillRect(QRect(rowLabel.right() - 2, row.top() + 2, 3, row.height() - 4),
                         morphologyColor(i));
        painter.drawText(
            rowLabel.adjusted(0, 0, -8, 0), Qt::AlignRight | Qt::AlignVCenter,
            morphologyShortName(i) + QStringLiteral("\n") +
                tr("n = %1").arg(result_->perClass[static_cast<std::size_t>(i)].support));
    }

    const QColor high(0x08, 0x30, 0x6b), low(0xf7, 0xfb, 0xff);
    for (int t = 0; t < kMorphologyCount; ++t) {
        for (int p = 0; p < kMorphologyCount; ++p) {
            const QRect r = cellRect(t, p);
            const double share = rowPercent(*result_, t, p) / 100.0;
            const double s = std::sqrt(share);  // small mistakes stay visible
            const QColor c = QColor::fromRgbF(
                static_cast<float>(low.redF() + (high.redF() - low.redF()) * s),
                static_cast<float>(low.greenF() + (high.greenF() - low.greenF()) * s),
                static_cast<float>(low.blueF() + (high.blueF() - low.blueF()) * s));
            painter.fillRect(r, c);
            painter.setPen(QPen(palette().color(QPalette::Mid), 1));
            painter.drawRect(r.adjusted(0, 0, -1, -1));
            painter.setPen(s > 0.55 ? Qt::white : Qt::black);
            QFont f = font();
            f.setBold(t == p);
            painter.setFont(f);
            painter.drawText(r, Qt::AlignCenter, cellText(t, p));
        }
    }
    painter.setFont(font());
    if (selected_) {
        // Visible on light and dark cells alike: a black frame lined with white.
        const QRect r = cellRect(selected_->first, selected_->second);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(Qt::black, 4));
        painter.drawRect(r.adjusted(2, 2, -2, -2));
        painter.setPen(QPen(Qt::white, 2));
        painter.drawRect(r.adjusted(5, 5, -5, -5));
    }
}

void ConfusionHeatMap::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    if (const auto cell = cellAt(event->position().toPoint())) {
        setSelectedCell(cell);
        emit cellClicked(cell->first, cell->second);
    }
}

void ConfusionHeatMap::mouseMoveEvent(QMouseEvent* event) {
    const auto cell = cellAt(event->position().toPoint());
    setCursor(cell ? Qt::PointingHandCursor : Qt::ArrowCursor);
    if (cell && result_) {
        QToolTip::showText(
            event->globalPosition().toPoint(),
            tr("True %1, predicted %2: %3 galaxies. Click to see them.")
                .arg(morphologyShortName(cell->first), morphologyShortName(cell->second))
                .arg(result_->confusion[static_cast<std::size_t>(cell->first)]
                                       [static_cast<std::size_t>(cell->second)]),
            this);
    }
}

}  // namespace gz::ui
