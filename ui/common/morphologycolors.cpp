#include "common/morphologycolors.h"

#include <QPainter>
#include <QPixmap>

namespace gz::ui {

namespace {
bool isClass(int label) {
    return label >= 0 && label < kMorphologyCount;
}
}  // namespace

QColor morphologyColor(int label) {
    return QColor::fromRgba(kMorphologyRgb[isClass(label) ? label : kMorphologyCount]);
}

QString morphologyShortName(int label) {
    static const std::array<const char*, kMorphologyCount + 1> names = {
        "Round", "In-between", "Cigar", "Edge-on", "Spiral", "Unlabeled"};
    return QString::fromLatin1(names[isClass(label) ? label : kMorphologyCount]);
}

QString morphologyTitle(int label) {
    if (!isClass(label)) return QStringLiteral("Unlabeled");
    const std::string_view title = kMorphologyTitles[label];
    return QString::fromUtf8(title.data(), static_cast<qsizetype>(title.size()));
}

QIcon morphologySwatch(int label, int size) {
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const QColor color = morphologyColor(label);
    painter.setPen(color.darker(130));
    painter.setBrush(color);
    painter.drawRoundedRect(QRectF(0.5, 0.5, size - 1.0, size - 1.0), size / 5.0, size / 5.0);
    return QIcon(pixmap);
}

}  // namespace gz::ui
