#include "common/uiformat.h"

#include <QLocale>

#include "gz/progress.h"

namespace gz::ui {

QString formatDuration(double seconds) {
    return QString::fromStdString(gz::formatDuration(seconds));
}

QString formatCount(std::size_t n) {
    return QLocale().toString(static_cast<qulonglong>(n));
}

QString toQString(const std::filesystem::path& path) {
    return QString::fromStdString(path.string());
}

std::filesystem::path toPath(const QString& path) {
    return std::filesystem::path(path.toStdString());
}

}  // namespace gz::ui
