#pragma once
// Helpers of the GUI tests (header-only: the tests that include it link gz_ui and Qt Widgets).

#include <QCoreApplication>
#include <QDir>
#include <QSize>
#include <QString>
#include <QTemporaryDir>
#include <QWidget>
#include <QtTest>

#include <filesystem>
#include <memory>

#include "app/application.h"
#include "app/mainwindow.h"
#include "common/uiformat.h"
#include "dataset/loadeddataset.h"
#include "fixtures.h"

namespace gz::test {

/// The start of every GUI test case: settings kept in `tmp` (never the user's) and the
/// application configured as galaxy-studio's. False when `tmp` could not be made.
inline bool initGuiTest(const QTemporaryDir& tmp) {
    if (!tmp.isValid()) return false;
    isolateSettings(tmp.filePath(QStringLiteral("config")));
    ui::configureApplication(*qApp);
    return true;
}

/// Shows `window`, opens the data set at `data` and waits (up to timeoutMs) until it is loaded
/// and no job runs. False when any step fails or times out.
inline bool showAndOpen(ui::MainWindow& window, const std::filesystem::path& data, int timeoutMs) {
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) return false;
    if (!window.openDataset(ui::toQString(data))) return false;
    return QTest::qWaitFor([&] { return window.dataset() && !window.isBusy(); }, timeoutMs);
}

/// A main window with its workspace in `workspace`, resized to `size`, shown, with the data set
/// at `data` open (see showAndOpen); null when it could not be opened in time.
inline std::unique_ptr<ui::MainWindow> openWindow(const std::filesystem::path& workspace,
                                                  const std::filesystem::path& data, QSize size,
                                                  int timeoutMs) {
    ui::MainWindowOptions options;
    options.workspace = workspace;
    auto window = std::make_unique<ui::MainWindow>(options);
    window->resize(size);
    if (!showAndOpen(*window, data, timeoutMs)) return nullptr;
    return window;
}

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
