#pragma once
// Keeps the mouse wheel scrolling the page: spin boxes and combo boxes change their value under
// the wheel only while they have the keyboard focus (a click or Tab gives it), and charts that
// do not zoom pass the wheel on. Installed once on the application, so it holds for every panel.

#include <QObject>

class QApplication;
class QWidget;

namespace gz::ui {

class WheelGuard : public QObject {
    Q_OBJECT

public:
    using QObject::QObject;

    /// True when a wheel event over `widget` is for the page around it, not for the widget.
    static bool passesWheelOn(const QWidget* widget);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
};

/// Installs one WheelGuard on `app` (a second call does nothing).
void installWheelGuard(QApplication& app);

}  // namespace gz::ui
