#include "common/morelikethis.h"

#include <QAbstractItemView>
#include <QMenu>

namespace gz::ui {

QString moreLikeThisText() {
    return QObject::tr("More like this");
}

void offerMoreLikeThis(QAbstractItemView* view, std::function<void(const QModelIndex&)> chosen) {
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(view, &QWidget::customContextMenuRequested, view,
                     [view, chosen = std::move(chosen)](const QPoint& pos) {
                         const QModelIndex index = view->indexAt(pos);
                         if (!index.isValid()) return;
                         QMenu menu(view);
                         QAction* similar = menu.addAction(moreLikeThisText());
                         similar->setToolTip(QObject::tr(
                             "The galaxies of the open data set most similar to this one, by "
                             "the Map panel's run"));
                         if (menu.exec(view->viewport()->mapToGlobal(pos)) == similar)
                             chosen(index);
                     });
}

}  // namespace gz::ui
