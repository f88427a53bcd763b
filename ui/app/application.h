#pragma once
// Application-wide set-up shared by galaxy-studio and the GUI tests.

#include <QIcon>
#include <QString>
#include <vector>

#include "gz/versions.h"

class QApplication;

namespace gz::ui {

/// The project's version ("0.1.0").
QString applicationVersion();

/// The libraries galaxy-studio runs with: Qt (qVersion(), the library loaded), then core's
/// (gz::coreLibraryVersions()).
std::vector<LibraryVersion> libraryVersions();

/// What --version prints: "galaxy-studio VERSION", then a line per library.
QString versionReport();

/// The application icon (rendered from resources/icons/galaxy-studio.svg).
QIcon applicationIcon();

/// Sets the organisation and application names (so QSettings works), the display name, the
/// version and the desktop file name. Needs no application object yet.
void setApplicationIdentity();

/// setApplicationIdentity() plus the window icon and the app-wide WheelGuard (spin and combo
/// boxes take the wheel only when focused).
void configureApplication(QApplication& app);

}  // namespace gz::ui
