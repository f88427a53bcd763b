#include "common/wheelguard.h"

#include <QAbstractScrollArea>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QWheelEvent>

#include <qcustomplot.h>

namespace gz::ui {

namespace {

bool isValueControl(const QObject* object) {
    return qobject_cast<const QAbstractSpinBox*>(object) || qobject_cast<const QComboBox*>(object);
}

// The nearest scroll area around `widget` (not one inside it), or nullptr.
QAbstractScrollArea* enclosingScrollArea(QWidget* widget) {
    for (QWidget* w = widget->parentWidget(); w; w = w->parentWidget())
        if (auto* area = qobject_cast<QAbstractScrollArea*>(w)) return area;
    return nullptr;
}

}  // namespace

bool WheelGuard::passesWheelOn(const QWidget* widget) {
    if (isValueControl(widget)) return !widget->hasFocus();
    if (const auto* plot = qobject_cast<const QCustomPlot*>(widget))
        return !plot->interactions().testFlag(QCP::iRangeZoom);
    return false;
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Polish && isValueControl(watched)) {
        // The wheel must not give them the focus either (Qt's default for both is WheelFocus).
        auto* widget = static_cast<QWidget*>(watched);
        if (widget->focusPolicy() == Qt::WheelFocus) widget->setFocusPolicy(Qt::StrongFocus);
        return false;
    }
    if (event->type() != QEvent::Wheel || !watched->isWidgetType()) return false;
    auto* widget = static_cast<QWidget*>(watched);
    if (!passesWheelOn(widget)) return false;

    auto* wheel = static_cast<QWheelEvent*>(event);
    QAbstractScrollArea* area = enclosingScrollArea(widget);
    if (!area) {
        wheel->ignore();  // Qt offers an ignored wheel event to the parent
        return true;
    }
    QWidget* viewport = area->viewport();
    const QPointF position = viewport->mapFromGlobal(wheel->globalPosition());
    QWheelEvent forwarded(position, wheel->globalPosition(), wheel->pixelDelta(),
                          wheel->angleDelta(), wheel->buttons(), wheel->modifiers(), wheel->phase(),
                          wheel->inverted(), wheel->source(), wheel->pointingDevice());
    QCoreApplication::sendEvent(viewport, &forwarded);
    wheel->accept();
    return true;
}

void installWheelGuard(QApplication& app) {
    if (app.findChild<WheelGuard*>(QString(), Qt::FindDirectChildrenOnly)) return;
    app.installEventFilter(new WheelGuard(&app));
}

}  // namespace gz::ui
