#include "common/elidedlabel.h"

#include <QEvent>
#include <QFontMetrics>

#include <algorithm>

namespace gz::ui {

namespace {

// The room the frame, margin and indent take (QLabel's own padding) on each side together.
int padding(const QLabel& label) {
    return 2 * (label.frameWidth() + label.margin() + std::max(label.indent(), 0));
}

}  // namespace

ElidedLabel::ElidedLabel(Qt::TextElideMode mode, QWidget* parent) : QLabel(parent), mode_(mode) {
    setTextFormat(Qt::PlainText);
    setWordWrap(false);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void ElidedLabel::setText(const QString& text) {
    if (text == full_ && !QLabel::text().isEmpty()) return;
    full_ = text;
    updateGeometry();
    elide();
}

void ElidedLabel::clear() {
    setText(QString());
}

bool ElidedLabel::isElided() const {
    return QLabel::text() != full_;
}

QSize ElidedLabel::sizeHint() const {
    return {fontMetrics().horizontalAdvance(full_) + padding(*this) + 2,
            QLabel::sizeHint().height()};
}

QSize ElidedLabel::minimumSizeHint() const {
    const int least = fontMetrics().horizontalAdvance(QStringLiteral("M…M"));
    return {least + padding(*this), QLabel::minimumSizeHint().height()};
}

void ElidedLabel::resizeEvent(QResizeEvent* event) {
    QLabel::resizeEvent(event);
    elide();
}

void ElidedLabel::changeEvent(QEvent* event) {
    QLabel::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
        updateGeometry();
        elide();
    }
}

void ElidedLabel::elide() {
    const int room = std::max(0, width() - padding(*this));
    const QString shown = fontMetrics().elidedText(full_, mode_, room);
    if (shown != QLabel::text()) QLabel::setText(shown);
    setToolTip(shown == full_ ? QString() : full_);
}

}  // namespace gz::ui
