#include "app/application.h"

#include <QApplication>

#include "common/wheelguard.h"

#ifndef GZ_VERSION
#error "GZ_VERSION must be defined by the build"
#endif

// Resources of a static library must be registered explicitly; Q_INIT_RESOURCE cannot be used
// inside a namespace.
static void initStudioResources() {
    Q_INIT_RESOURCE(studio);
}

namespace gz::ui {

QString applicationVersion() {
    return QStringLiteral(GZ_VERSION);
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
