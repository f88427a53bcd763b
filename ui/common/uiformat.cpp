#include "common/uiformat.h"

#include <QChar>

#include <cmath>

namespace gz::ui {

QString formatDuration(double seconds) {
    if (!(seconds >= 0)) return QStringLiteral("?");
    const long s = std::lround(seconds);
    if (s >= 3600)
        return QStringLiteral("%1h%2m").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0'));
    return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

QString toQString(const std::filesystem::path& path) {
    return QString::fromStdString(path.string());
}

std::filesystem::path toPath(const QString& path) {
    return std::filesystem::path(path.toStdString());
}

}  // namespace gz::ui
