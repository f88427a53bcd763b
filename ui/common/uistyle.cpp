#include "common/uistyle.h"

#include <QLabel>

namespace gz::ui {

namespace {

QString coloredHtml(const QColor& color, const QString& text) {
    return QStringLiteral("<span style='color:%1'>%2</span>")
        .arg(color.name(), text.toHtmlEscaped());
}

}  // namespace

QColor errorColor() {
    return {0xb4, 0x23, 0x18};
}

QColor mutedColor() {
    return {0x4a, 0x55, 0x63};
}

QColor textColor() {
    return {0x1f, 0x29, 0x37};
}

QColor disabledTextColor() {
    return {0x9a, 0xa3, 0xad};
}

QColor warningColor() {
    return {0x9a, 0x4d, 0x00};
}

QColor warningBoxColor() {
    return {0xff, 0xf4, 0xe5};
}

QColor warningBoxTextColor() {
    return {0x6b, 0x3d, 0x00};
}

QColor warningAccentColor() {
    return {0xf0, 0xb4, 0x5b};
}

QColor cardBorderColor() {
    return {0xd5, 0xdc, 0xe6};
}

QColor skyColor() {
    return {0x10, 0x12, 0x16};
}

QString colorStyle(const QColor& color) {
    return QStringLiteral("color: %1;").arg(color.name());
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
        case StatusTone::Warning:
            label->setStyleSheet(colorStyle(warningColor()));
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
    return coloredHtml(errorColor(), text);
}

QString warningHtml(const QString& text) {
    return coloredHtml(warningColor(), text);
}

}  // namespace gz::ui
