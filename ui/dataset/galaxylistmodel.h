#pragma once
// The galaxies the browser shows: catalog rows filtered by morphology, split and GalaxyID, and
// sorted by GalaxyID, a vote fraction, a model's predicted fraction or how far a model's
// fractions are from the volunteers'. One row per galaxy; only indices, no images.

#include <QAbstractListModel>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "dataset/labelingsession.h"
#include "dataset/loadeddataset.h"
#include "gz/labeling.h"

namespace gz::ui {

class GalaxyListModel : public QAbstractListModel {
    Q_OBJECT

public:
    enum Role {
        CatalogRowRole = Qt::UserRole + 1,  ///< qulonglong
        GalaxyIdRole,                       ///< qlonglong
        LabelRole,                          ///< int: 0-4, kUnlabeled, or kNoLabel
        SubsetRole,                         ///< int: Subset, or -1 when not in the split
        SortValueRole,  ///< QString: the value sorted by ("–" for a galaxy without a
                        ///< prediction), or the chosen galaxy's note ("" by GalaxyID)
    };
    /// LabelRole when the rules cannot label the catalog.
    static constexpr int kNoLabel = -2;

    /// Which split subset to show: all galaxies, one subset, or those not in the split.
    enum class SplitFilter { All, Train, Val, Test, NotInSplit };
    /// Whose fractions a sort reads: the catalog's (the volunteers'), the model's loaded with
    /// setModelFractions, or each galaxy's RMSE between the two (Kaggle's metric for one galaxy).
    enum class SortSource { Volunteers, Model, ModelError };
    /// Sort key: GalaxyID, or a vote column (index into kVoteColumns) of `source`. Galaxies
    /// without a model's fractions come last, in either order.
    struct Sort {
        int voteColumn = -1;  ///< -1: GalaxyID (ignored for ModelError)
        bool descending = false;
        SortSource source = SortSource::Volunteers;
        bool operator==(const Sort&) const = default;
        bool byGalaxyId() const { return source != SortSource::ModelError && voteColumn < 0; }
    };

    /// Galaxies chosen elsewhere (a region of the map, "more like this"): only these are shown,
    /// with the other filters still applied. With notes (e.g. the similarity), in their own order
    /// with the note under each; without, sorted as usual.
    struct Chosen {
        QString title;                  ///< what they are, for the browser's bar
        std::vector<std::size_t> rows;  ///< catalog rows
        std::vector<QString> notes;     ///< empty, or one per row
    };

    explicit GalaxyListModel(QObject* parent = nullptr);

    void setDataset(std::shared_ptr<const LoadedDataset> dataset);
    void setLabeling(std::shared_ptr<const Labeling> labeling);
    void setSplit(std::shared_ptr<const SplitMap> split);
    /// A model's fractions for the catalog's rows (nullptr: none; a Model sort then shows
    /// GalaxyID order).
    void setModelFractions(std::shared_ptr<const ModelFractions> fractions);

    /// nullopt: every morphology; otherwise a label 0-4 or kUnlabeled.
    void setMorphologyFilter(std::optional<int> label);
    void setSplitFilter(SplitFilter filter);
    /// Galaxies whose GalaxyID contains `digits` (empty: all).
    void setIdFilter(const QString& digits);
    void setSort(Sort sort);
    /// nullptr: every galaxy (the chosen set is cleared, also by a new data set).
    void setChosen(std::shared_ptr<const Chosen> chosen);
    const std::shared_ptr<const Chosen>& chosen() const { return chosen_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;

    /// Catalog row of a model row.
    std::size_t catalogRow(int modelRow) const { return rows_[static_cast<std::size_t>(modelRow)]; }
    /// The shown catalog rows, in view order.
    const std::vector<std::size_t>& catalogRows() const { return rows_; }
    /// Model row showing catalog row `row`, or -1 when it is filtered out.
    int modelRowOf(std::size_t catalogRow) const;
    /// The label of a catalog row under the current labeling (kNoLabel without one).
    int labelOf(std::size_t catalogRow) const;

private:
    void rebuild();
    /// The value catalog row `row` is sorted by (NaN: no prediction); sort_ not by GalaxyID.
    double sortValue(std::size_t row) const;

    std::shared_ptr<const LoadedDataset> dataset_;
    std::shared_ptr<const Labeling> labeling_;
    std::shared_ptr<const SplitMap> split_;
    std::shared_ptr<const ModelFractions> modelFractions_;
    std::optional<int> morphology_;
    SplitFilter splitFilter_ = SplitFilter::All;
    QString idFilter_;
    Sort sort_;
    std::shared_ptr<const Chosen> chosen_;
    std::vector<QString> notes_;  ///< per shown row, with a chosen set that has notes
    std::vector<std::size_t> rows_;
};

}  // namespace gz::ui
