#include "dataset/votefractiontree.h"

#include <QHeaderView>
#include <QPainter>
#include <QStyledItemDelegate>

#include <algorithm>
#include <cmath>

#include "dataset/galaxydetails.h"
#include "gz/vote_tree.h"

namespace gz::ui {

namespace {

constexpr int kFractionRole = Qt::UserRole + 1;
constexpr int kUsedRole = Qt::UserRole + 2;       // a column the label rules read: darker bar
constexpr int kPredictedRole = Qt::UserRole + 3;  // a model's fraction: a colour of its own

// Draws a vote fraction as a bar with its value.
class FractionDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override {
        const QVariant v = index.data(kFractionRole);
        if (!v.isValid()) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        painter->save();
        // The number on the right, a bar of the fraction on its left.
        const int textWidth = option.fontMetrics.horizontalAdvance(QStringLiteral("0.000")) + 8;
        const QRect text = option.rect.adjusted(option.rect.width() - textWidth, 0, -2, 0);
        const QRect r = option.rect.adjusted(4, 4, -textWidth - 2, -4);
        painter->fillRect(r, QColor(0xee, 0xf1, 0xf5));
        const double f = std::clamp(v.toDouble(), 0.0, 1.0);
        const QColor bar = index.data(kPredictedRole).toBool() ? QColor(0xe0, 0x8a, 0x2c)
                           : index.data(kUsedRole).toBool()    ? QColor(0x37, 0x6f, 0xd0)
                                                               : QColor(0x9d, 0xb4, 0xd6);
        painter->fillRect(QRect(r.left(), r.top(), static_cast<int>(r.width() * f), r.height()),
                          bar);
        painter->setPen(option.palette.text().color());
        painter->drawText(text, Qt::AlignVCenter | Qt::AlignRight,
                          VoteFractionTree::formatFraction(v.toDouble()));
        painter->restore();
    }
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        QSize size = QStyledItemDelegate::sizeHint(option, index);
        size.setHeight(std::max(size.height(), option.fontMetrics.height() + 6));
        return size;
    }
};

constexpr int kWideBar = 130;   // a fraction column alone
constexpr int kNarrowBar = 84;  // each of two side by side

void setFraction(QTreeWidgetItem* item, int column, double value) {
    item->setData(column, kFractionRole, value);
    item->setData(column, Qt::DisplayRole, VoteFractionTree::formatFraction(value));
}

}  // namespace

QString VoteFractionTree::formatFraction(double v) {
    return std::isnan(v) ? QStringLiteral("–") : QString::number(v, 'f', 3);
}

VoteFractionTree::VoteFractionTree(QWidget* parent) : QTreeWidget(parent) {
    setObjectName(QStringLiteral("voteFractionTree"));
    setColumnCount(3);
    setHeaderLabels({tr("Question / answer"), tr("Volunteers"), tr("Model")});
    headerItem()->setToolTip(kVolunteersColumn,
                             tr("The fraction of volunteers who gave the answer"));
    headerItem()->setToolTip(
        kModelColumn, tr("The fraction the model predicts (a run trained with a votes head)"));
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int column : {kVolunteersColumn, kModelColumn}) {
        header()->setSectionResizeMode(column, QHeaderView::Fixed);
        header()->resizeSection(column, kWideBar);
        setItemDelegateForColumn(column, new FractionDelegate(this));
    }
    header()->setStretchLastSection(false);
    setColumnHidden(kModelColumn, true);
    setRootIsDecorated(true);
    setUniformRowHeights(true);
    setSelectionMode(QAbstractItemView::NoSelection);
    setFocusPolicy(Qt::NoFocus);
    setWordWrap(false);
    setTextElideMode(Qt::ElideRight);
}

template <typename Present>
void VoteFractionTree::buildItems(Present&& present) {
    clear();
    answerItems_.assign(kVoteColumnCount, nullptr);
    for (std::size_t q = 0; q < kVoteQuestions.size(); ++q) {
        QTreeWidgetItem* parent = nullptr;  // made for the question's first present answer
        for (std::size_t c = kVoteQuestions[q].first;
             c < kVoteQuestions[q].first + kVoteQuestions[q].count; ++c) {
            if (!present(c)) continue;
            if (!parent) {
                const QString question = GalaxyDetails::questionTitle(static_cast<int>(q + 1));
                parent = new QTreeWidgetItem(this, {question});
                parent->setToolTip(0, question);
                parent->setFirstColumnSpanned(true);
            }
            const QString column = QString::fromLatin1(
                kVoteColumns[c].data(), static_cast<qsizetype>(kVoteColumns[c].size()));
            answerItems_[c] = new QTreeWidgetItem(
                parent, {QStringLiteral("%1  %2").arg(column, GalaxyDetails::answerTitle(c))});
        }
    }
    expandAll();
}

void VoteFractionTree::showVolunteers(const Catalog& catalog, std::size_t row,
                                      const std::set<std::string>& ruleColumns) {
    buildItems([&](std::size_t c) { return catalog.hasColumn(c); });
    setColumnHidden(kVolunteersColumn, false);
    setPredicted({});
    QFont bold = font();
    bold.setBold(true);
    for (std::size_t c = 0; c < kVoteColumnCount; ++c) {
        QTreeWidgetItem* item = answerItems_[c];
        if (!item) continue;
        const bool used = ruleColumns.contains(std::string(kVoteColumns[c]));
        setFraction(item, kVolunteersColumn, catalog.value(row, c));
        item->setData(kVolunteersColumn, kUsedRole, used);
        if (used) {
            item->setFont(0, bold);
            item->setToolTip(0, tr("Used by the label rules"));
        }
    }
}

void VoteFractionTree::showModelOnly(const std::vector<float>& fractions) {
    if (fractions.size() != kVoteColumnCount) {
        clearFractions();
        return;
    }
    buildItems([](std::size_t) { return true; });
    setColumnHidden(kVolunteersColumn, true);
    setPredicted(fractions);
}

void VoteFractionTree::setPredicted(const std::vector<float>& fractions) {
    const bool shown = fractions.size() == kVoteColumnCount;
    setColumnHidden(kModelColumn, !shown);
    // Two bars share the room one had, so that the answers' words stay readable.
    const bool both = shown && !isColumnHidden(kVolunteersColumn);
    header()->resizeSection(kVolunteersColumn, both ? kNarrowBar : kWideBar);
    header()->resizeSection(kModelColumn, both ? kNarrowBar : kWideBar);
    for (std::size_t c = 0; c < answerItems_.size(); ++c) {
        QTreeWidgetItem* item = answerItems_[c];
        if (!item) continue;
        if (shown) {
            setFraction(item, kModelColumn, fractions[c]);
            item->setData(kModelColumn, kPredictedRole, true);
        } else {
            item->setData(kModelColumn, kFractionRole, QVariant());
            item->setData(kModelColumn, Qt::DisplayRole, QVariant());
        }
    }
}

std::optional<double> VoteFractionTree::predicted(std::size_t voteColumn) const {
    if (isColumnHidden(kModelColumn) || voteColumn >= answerItems_.size() ||
        !answerItems_[voteColumn])
        return std::nullopt;
    const QVariant v = answerItems_[voteColumn]->data(kModelColumn, kFractionRole);
    return v.isValid() ? std::optional(v.toDouble()) : std::nullopt;
}

void VoteFractionTree::clearFractions() {
    clear();
    answerItems_.clear();
    setPredicted({});
}

}  // namespace gz::ui
