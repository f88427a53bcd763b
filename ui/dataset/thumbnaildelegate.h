#pragma once
// Paints one galaxy of the browser: its thumbnail (or a clear "loading" / "missing" /
// "unreadable" tile), its GalaxyID and its morphology in the class colour.

#include <QStyledItemDelegate>

namespace gz::ui {

class ThumbnailLoader;

class ThumbnailDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    ThumbnailDelegate(ThumbnailLoader* loader, QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    /// The size of every tile (the view uses it as its grid).
    static QSize tileSize();

private:
    ThumbnailLoader* loader_;
};

}  // namespace gz::ui
