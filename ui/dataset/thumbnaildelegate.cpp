#include "dataset/thumbnaildelegate.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include "common/morphologycolors.h"
#include "common/uistyle.h"
#include "dataset/galaxylistmodel.h"
#include "dataset/thumbnailloader.h"

namespace gz::ui {

namespace {
constexpr int kMargin = 6;
constexpr int kCaption = 36;
}  // namespace

ThumbnailDelegate::ThumbnailDelegate(ThumbnailLoader* loader, QObject* parent)
    : QStyledItemDelegate(parent), loader_(loader) {}

QSize ThumbnailDelegate::tileSize() {
    return {ThumbnailLoader::kSide + 2 * kMargin, ThumbnailLoader::kSide + 2 * kMargin + kCaption};
}

QSize ThumbnailDelegate::sizeHint(const QStyleOptionViewItem&, const QModelIndex&) const {
    return tileSize();
}

void ThumbnailDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                              const QModelIndex& index) const {
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect tile = option.rect.adjusted(2, 2, -2, -2);
    const bool selected = option.state & QStyle::State_Selected;
    const int label = index.data(GalaxyListModel::LabelRole).toInt();
    const QColor classColor =
        label == GalaxyListModel::kNoLabel ? QColor(0xc8, 0xcd, 0xd4) : morphologyColor(label);

    // Card.
    QPainterPath card;
    card.addRoundedRect(QRectF(tile).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
    painter->fillPath(card, selected ? QColor(0xe3, 0xee, 0xfb) : QColor(Qt::white));
    painter->setPen(selected ? QPen(option.palette.highlight().color(), 2)
                             : QPen(cardBorderColor(), 1));
    painter->drawPath(card);

    // Image area: galaxies sit on black sky.
    const int side = ThumbnailLoader::kSide;
    const QRect imageRect(tile.left() + (tile.width() - side) / 2, tile.top() + kMargin - 2, side,
                          side);
    painter->fillRect(imageRect, skyColor());
    const std::size_t row = index.data(GalaxyListModel::CatalogRowRole).toULongLong();
    const ThumbnailLoader::Thumbnail thumb = loader_->thumbnail(row);
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    if (thumb.state == ThumbnailLoader::State::Ready) {
        const QSize size = thumb.image.size().scaled(imageRect.size(), Qt::KeepAspectRatio);
        const QRect target(imageRect.left() + (side - size.width()) / 2,
                           imageRect.top() + (side - size.height()) / 2, size.width(),
                           size.height());
        painter->setRenderHint(QPainter::SmoothPixmapTransform);
        painter->drawImage(target, thumb.image);
    } else {
        QString text;
        QColor color(0x9a, 0xa3, 0xaf);
        switch (thumb.state) {
            case ThumbnailLoader::State::Loading:
                text = tr("loading…");
                break;
            case ThumbnailLoader::State::NoImage:
                text = tr("no image");
                break;
            case ThumbnailLoader::State::Missing:
                text = tr("⚠ missing");
                color = warningAccentColor();
                break;
            case ThumbnailLoader::State::Unreadable:
                text = tr("⚠ unreadable");
                color = QColor(0xf0, 0x80, 0x60);
                break;
            case ThumbnailLoader::State::Ready:
                break;
        }
        painter->setFont(small);
        painter->setPen(color);
        painter->drawText(imageRect, Qt::AlignCenter, text);
    }
    // The class colour as a strip under the image.
    painter->fillRect(QRect(imageRect.left(), imageRect.bottom() + 1, side, 4), classColor);

    // Caption: GalaxyID, then the morphology.
    const QRect caption(tile.left() + kMargin, imageRect.bottom() + 6, tile.width() - 2 * kMargin,
                        kCaption - 6);
    QFont idFont = option.font;
    idFont.setBold(true);
    painter->setFont(idFont);
    painter->setPen(textColor());
    const QFontMetrics idMetrics(idFont);
    painter->drawText(QRect(caption.left(), caption.top(), caption.width(), idMetrics.height()),
                      Qt::AlignHCenter | Qt::AlignTop, index.data(Qt::DisplayRole).toString());
    painter->setFont(small);
    const QFontMetrics smallMetrics(small);
    QString name =
        label == GalaxyListModel::kNoLabel ? tr("not labeled") : morphologyShortName(label);
    // Sorted by a vote fraction: its value, so the order can be read off the tiles.
    if (const QString value = index.data(GalaxyListModel::SortValueRole).toString();
        !value.isEmpty())
        name += QStringLiteral(" · ") + value;
    const int dot = smallMetrics.height() / 2 + 2;
    const int textWidth = smallMetrics.horizontalAdvance(name);
    const int x = caption.left() + (caption.width() - textWidth - dot - 4) / 2;
    const int y = caption.top() + idMetrics.height() + 1;
    painter->setPen(Qt::NoPen);
    painter->setBrush(classColor);
    painter->drawEllipse(QRect(x, y + (smallMetrics.height() - dot) / 2, dot, dot));
    painter->setPen(mutedColor());
    painter->drawText(QRect(x + dot + 4, y, textWidth + 2, smallMetrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter, name);
    painter->restore();
}

}  // namespace gz::ui
