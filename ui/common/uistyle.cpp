#include "common/uistyle.h"

#include <QDoubleSpinBox>
#include <QLabel>
#include <QSpinBox>

namespace gz::ui {

namespace {

QString colorStyle(const QColor& color) {
    return QStringLiteral("color: %1;").arg(color.name());
}

}  // namespace

QColor errorColor() {
    return {0xb4, 0x23, 0x18};
}

QColor mutedColor() {
    return {0x4a, 0x55, 0x63};
}

void setStatusText(QLabel* label, const QString& text, StatusTone tone) {
    label->setText(text);
    switch (tone) {
        case StatusTone::Normal:
            label->setStyleSheet(QString());
            break;
        case StatusTone::Muted:
            label->setStyleSheet(colorStyle(mutedColor()));
            break;
        case StatusTone::Error:
            label->setStyleSheet(colorStyle(errorColor()));
            break;
    }
}

void setMuted(QLabel* label) {
    label->setStyleSheet(colorStyle(mutedColor()));
}

QString errorHtml(const QString& text) {
    return QStringLiteral("<span style='color:%1'>%2</span>")
        .arg(errorColor().name(), text.toHtmlEscaped());
}

QSpinBox* makeSpinBox(const QString& objectName, int lo, int hi, int value) {
    auto* s = new QSpinBox;
    s->setObjectName(objectName);
    s->setRange(lo, hi);
    s->setValue(value);
    return s;
}

QDoubleSpinBox* makeDoubleSpinBox(const QString& objectName, double lo, double hi, double value,
                                  int decimals, double step) {
    auto* s = new QDoubleSpinBox;
    s->setObjectName(objectName);
    s->setRange(lo, hi);
    s->setDecimals(decimals);
    s->setSingleStep(step);
    s->setValue(value);
    return s;
}

}  // namespace gz::ui
