#include "dataset/galaxylistmodel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "common/morphologycolors.h"
#include "dataset/votefractiontree.h"

namespace gz::ui {

GalaxyListModel::GalaxyListModel(QObject* parent) : QAbstractListModel(parent) {}

void GalaxyListModel::setDataset(std::shared_ptr<const LoadedDataset> dataset) {
    dataset_ = std::move(dataset);
    labeling_.reset();
    split_.reset();
    modelFractions_.reset();
    chosen_.reset();
    rebuild();
}

void GalaxyListModel::setLabeling(std::shared_ptr<const Labeling> labeling) {
    labeling_ = std::move(labeling);
    if (morphology_) {
        rebuild();  // membership changes
    } else if (!rows_.empty()) {
        emit dataChanged(index(0), index(rowCount() - 1), {LabelRole, Qt::ToolTipRole});
    }
}

void GalaxyListModel::setSplit(std::shared_ptr<const SplitMap> split) {
    split_ = std::move(split);
    if (!split_) splitFilter_ = SplitFilter::All;
    rebuild();
}

void GalaxyListModel::setModelFractions(std::shared_ptr<const ModelFractions> fractions) {
    modelFractions_ = std::move(fractions);
    if (sort_.source != SortSource::Volunteers) rebuild();
}

void GalaxyListModel::setMorphologyFilter(std::optional<int> label) {
    if (label == morphology_) return;
    morphology_ = label;
    rebuild();
}

void GalaxyListModel::setSplitFilter(SplitFilter filter) {
    if (filter == splitFilter_) return;
    splitFilter_ = filter;
    rebuild();
}

void GalaxyListModel::setIdFilter(const QString& digits) {
    const QString trimmed = digits.trimmed();
    if (trimmed == idFilter_) return;
    idFilter_ = trimmed;
    rebuild();
}

void GalaxyListModel::setSort(Sort sort) {
    if (sort == sort_) return;
    sort_ = sort;
    rebuild();
}

void GalaxyListModel::setChosen(std::shared_ptr<const Chosen> chosen) {
    if (chosen == chosen_) return;
    chosen_ = std::move(chosen);
    rebuild();
}

int GalaxyListModel::labelOf(std::size_t catalogRow) const {
    if (!labeling_ || catalogRow >= labeling_->labels.size()) return kNoLabel;
    return labeling_->labels[catalogRow];
}

void GalaxyListModel::rebuild() {
    beginResetModel();
    rows_.clear();
    notes_.clear();
    if (dataset_) {
        const Catalog& catalog = dataset_->catalog;
        const std::string idText = idFilter_.toStdString();
        const auto keep = [&](std::size_t r) {
            if (r >= catalog.size()) return false;
            if (morphology_ && labelOf(r) != *morphology_) return false;
            if (splitFilter_ != SplitFilter::All) {
                const auto subset = split_ ? split_->subsetOf(catalog.id(r)) : std::nullopt;
                const bool inFilter = splitFilter_ == SplitFilter::NotInSplit
                                          ? !subset
                                          : subset && static_cast<int>(*subset) ==
                                                          static_cast<int>(splitFilter_) -
                                                              static_cast<int>(SplitFilter::Train);
                if (!inFilter) return false;
            }
            return idText.empty() ||
                   std::to_string(catalog.id(r)).find(idText) != std::string::npos;
        };
        if (chosen_) {
            const bool noted = chosen_->notes.size() == chosen_->rows.size();
            for (std::size_t i = 0; i < chosen_->rows.size(); ++i) {
                if (!keep(chosen_->rows[i])) continue;
                rows_.push_back(chosen_->rows[i]);
                if (noted) notes_.push_back(chosen_->notes[i]);
            }
            if (noted) {  // in the chosen order
                endResetModel();
                return;
            }
        } else {
            rows_.reserve(catalog.size());
            for (std::size_t r = 0; r < catalog.size(); ++r)
                if (keep(r)) rows_.push_back(r);
        }
        // Galaxies without a value (no prediction, a column the file lacks) come last; ties
        // keep GalaxyID order, so the order never depends on the file's.
        const bool byValue = !sort_.byGalaxyId();
        std::vector<double> values;
        if (byValue) {
            values.resize(catalog.size());
            for (std::size_t r : rows_) values[r] = sortValue(r);
        }
        const auto less = [&](std::size_t a, std::size_t b) {
            if (byValue) {
                const double va = values[a], vb = values[b];
                if (std::isnan(va) != std::isnan(vb)) return std::isnan(vb);
                if (va != vb && !std::isnan(va)) return sort_.descending ? va > vb : va < vb;
                return catalog.id(a) < catalog.id(b);
            }
            return sort_.descending ? catalog.id(a) > catalog.id(b) : catalog.id(a) < catalog.id(b);
        };
        std::sort(rows_.begin(), rows_.end(), less);
    }
    endResetModel();
}

double GalaxyListModel::sortValue(std::size_t row) const {
    constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
    const Catalog& catalog = dataset_->catalog;
    const auto column = static_cast<std::size_t>(std::max(0, sort_.voteColumn));
    switch (sort_.source) {
        case SortSource::Volunteers:
            return catalog.hasColumn(column) ? catalog.value(row, column) : kNone;
        // A galaxy the file lacks has NaN fractions, a column the catalog lacks NaN votes: both
        // give NaN here.
        case SortSource::Model:
            return modelFractions_ ? modelFractions_->fractions.row(row)[column] : kNone;
        case SortSource::ModelError:
            return modelFractions_
                       ? galaxyRmse(modelFractions_->fractions.row(row), catalog.row(row))
                       : kNone;
    }
    return kNone;
}

int GalaxyListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int GalaxyListModel::modelRowOf(std::size_t catalogRow) const {
    const auto it = std::find(rows_.begin(), rows_.end(), catalogRow);
    return it == rows_.end() ? -1 : static_cast<int>(it - rows_.begin());
}

QVariant GalaxyListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount() || !dataset_) return {};
    const std::size_t row = rows_[static_cast<std::size_t>(index.row())];
    const Catalog& catalog = dataset_->catalog;
    switch (role) {
        case Qt::DisplayRole:
            return QString::number(catalog.id(row));
        case CatalogRowRole:
            return QVariant::fromValue<qulonglong>(row);
        case GalaxyIdRole:
            return QVariant::fromValue<qlonglong>(catalog.id(row));
        case LabelRole:
            return labelOf(row);
        case SubsetRole: {
            const auto subset = split_ ? split_->subsetOf(catalog.id(row)) : std::nullopt;
            return subset ? static_cast<int>(*subset) : -1;
        }
        case SortValueRole:
            if (!notes_.empty()) return notes_[static_cast<std::size_t>(index.row())];
            if (sort_.byGalaxyId()) return QString();
            return VoteFractionTree::formatFraction(sortValue(row));
        case Qt::ToolTipRole: {
            const int label = labelOf(row);
            return tr("Galaxy %1 — %2")
                .arg(catalog.id(row))
                .arg(label == kNoLabel ? tr("not labeled (the rules cannot be applied)")
                                       : morphologyShortName(label));
        }
        case Qt::AccessibleTextRole:
            return tr("Galaxy %1").arg(catalog.id(row));
        default:
            return {};
    }
}

}  // namespace gz::ui
