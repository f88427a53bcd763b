#pragma once
// The "More like this" entry of the galaxy lists' context menus (the Dataset browser's grid, the
// evaluation and suspects galleries, the prediction table): one text and behaviour for all. What
// it finds is the Map panel's (MapPanel::moreLikeGalaxy / moreLikeImage).

#include <QModelIndex>
#include <QString>

#include <functional>

class QAbstractItemView;

namespace gz::ui {

/// The menu entry's text.
QString moreLikeThisText();

/// Right-clicking an item of `view` opens a menu with "More like this"; choosing it calls
/// `chosen` with the item's index.
void offerMoreLikeThis(QAbstractItemView* view, std::function<void(const QModelIndex&)> chosen);

}  // namespace gz::ui
