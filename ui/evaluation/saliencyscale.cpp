#include "evaluation/saliencyscale.h"

#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>

namespace gz::ui {

namespace {

constexpr int kBarHeight = 10;
constexpr int kGap = 6;

QString lowText() {
    return QObject::tr("Grad-CAM: weak");
}

QString highText() {
    return QObject::tr("strong");
}

}  // namespace

QRgb saliencyColor(double v) {
    v = std::clamp(v, 0.0, 1.0);
    static const std::array<std::array<double, 3>, 5> stops = {{
        {0.05, 0.05, 0.55},
        {0.0, 0.55, 0.95},
        {0.2, 0.85, 0.45},
        {1.0, 0.85, 0.0},
        {0.9, 0.05, 0.05},
    }};
    const double x = v * 4.0;
    const auto i = static_cast<std::size_t>(std::min(3.0, std::floor(x)));
    const double f = x - static_cast<double>(i);
    auto mix = [&](std::size_t c) { return stops[i][c] + (stops[i + 1][c] - stops[i][c]) * f; };
    return qRgb(static_cast<int>(mix(0) * 255), static_cast<int>(mix(1) * 255),
                static_cast<int>(mix(2) * 255));
}

SaliencyScale::SaliencyScale(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("saliencyScale"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(
        tr("Grad-CAM colours: where the model's evidence for the predicted class is weak (blue) "
           "to strong (red)"));
}

QSize SaliencyScale::sizeHint() const {
    return {240, std::max(kBarHeight, fontMetrics().height()) + 4};
}

QSize SaliencyScale::minimumSizeHint() const {
    const QFontMetrics fm = fontMetrics();
    return {fm.horizontalAdvance(lowText()) + fm.horizontalAdvance(highText()) + 2 * kGap + 40,
            sizeHint().height()};
}

QRect SaliencyScale::barRect() const {
    const QFontMetrics fm = fontMetrics();
    const int left = fm.horizontalAdvance(lowText()) + kGap;
    const int right = width() - fm.horizontalAdvance(highText()) - kGap;
    return {left, (height() - kBarHeight) / 2, std::max(1, right - left), kBarHeight};
}

void SaliencyScale::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const QRect bar = barRect();
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    for (int i = 0; i <= 8; ++i) gradient.setColorAt(i / 8.0, QColor(saliencyColor(i / 8.0)));
    painter.fillRect(bar, gradient);
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(0, 0, bar.left() - kGap, height()), Qt::AlignRight | Qt::AlignVCenter,
                     lowText());
    painter.drawText(QRect(bar.right() + kGap, 0, width() - bar.right() - kGap, height()),
                     Qt::AlignLeft | Qt::AlignVCenter, highText());
}

}  // namespace gz::ui
