#pragma once
// Helpers of the GUI tests (header-only: the tests that include it link Qt Widgets).

#include <QCoreApplication>
#include <QDir>
#include <QString>
#include <QWidget>
#include <QtTest>

namespace gz::test {

/// Saves `widget` as NAME.png in $GZ_SCREENSHOT_DIR (nothing when it is unset), so that each
/// state a test reaches can be looked at.
inline void screenshot(QWidget& widget, const QString& name) {
    const QString out = qEnvironmentVariable("GZ_SCREENSHOT_DIR");
    if (out.isEmpty()) return;
    QDir().mkpath(out);
    QCoreApplication::processEvents();
    QVERIFY(widget.grab().save(QDir(out).filePath(name + QStringLiteral(".png"))));
}

/// The child widget of that object name (warns when there is none).
template <typename T>
T* child(QWidget* parent, const char* name) {
    T* w = parent->findChild<T*>(QString::fromLatin1(name));
    if (!w) qWarning("no child %s", name);
    return w;
}

}  // namespace gz::test
