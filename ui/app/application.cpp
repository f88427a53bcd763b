#include "app/application.h"

#include <QApplication>

#include "common/wheelguard.h"
#include "gz/versions.h"

// Resources of a static library must be registered explicitly; Q_INIT_RESOURCE cannot be used
// inside a namespace.
static void initStudioResources() {
    Q_INIT_RESOURCE(studio);
}

namespace gz::ui {

QString applicationVersion() {
    return QString::fromStdString(projectVersion());
}

namespace {

// The Qt library loaded at run time, which may be newer than the headers built against.
LibraryVersion qtVersion() {
    return {"Qt", qVersion()};
}

}  // namespace

std::vector<LibraryVersion> libraryVersions() {
    std::vector<LibraryVersion> versions{qtVersion()};
    for (auto& library : coreLibraryVersions()) versions.push_back(std::move(library));
    return versions;
}

QString versionReport() {
    return QString::fromStdString(gz::versionReport("galaxy-studio", {qtVersion()}));
}

QIcon applicationIcon() {
    initStudioResources();
    QIcon icon;
    for (int size : {32, 64, 256})
        icon.addFile(QStringLiteral(":/gz/icons/galaxy-studio-%1.png").arg(size),
                     QSize(size, size));
    return icon;
}

void setApplicationIdentity() {
    QApplication::setOrganizationName(QStringLiteral("galaxy-studio"));
    QApplication::setApplicationName(QStringLiteral("galaxy-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("Galaxy Morphology Studio"));
    QApplication::setApplicationVersion(applicationVersion());
    QApplication::setDesktopFileName(QStringLiteral("galaxy-studio"));
}

void configureApplication(QApplication& app) {
    setApplicationIdentity();
    app.setWindowIcon(applicationIcon());
    installWheelGuard(app);
}

}  // namespace gz::ui
