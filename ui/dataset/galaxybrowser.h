#pragma once
// The galaxy browser: a virtualised thumbnail grid (list model + painting delegate; only the
// visible thumbnails are decoded, off the GUI thread) with filters by morphology, split and
// GalaxyID, sorting by GalaxyID, a vote fraction, a model's predicted fraction (a fractions file
// the user loads) or the model's error, and the galaxies per class always in view.

#include <QWidget>

#include "dataset/galaxylistmodel.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>
#include <utility>

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QTimer;
class QToolButton;

namespace gz::ui {

class ElidedLabel;
class LabelingSession;
class ThumbnailDelegate;
class ThumbnailLoader;

class GalaxyBrowser : public QWidget {
    Q_OBJECT

public:
    explicit GalaxyBrowser(LabelingSession* session, QWidget* parent = nullptr);

    GalaxyListModel* model() const { return model_; }
    ThumbnailLoader* loader() const { return loader_; }
    QListView* view() const { return view_; }

    /// Shows only one morphology (0-4, kUnlabeled) or all (nullopt), as the filter box does.
    void setMorphologyFilter(std::optional<int> label);
    /// Selects (and scrolls to) a galaxy; false when it is filtered out or unknown.
    bool selectGalaxy(std::int64_t id);
    /// First and last model rows in view (first > last when none).
    std::pair<int, int> visibleRange() const;
    /// How many of the visible galaxies have their thumbnail (or its failure) decoded.
    int visibleThumbnailsReady() const;

    /// Shows only `chosen` (a region of the map, "more like this"; nullptr: every galaxy again),
    /// with a bar saying what they are and a button to show every galaxy.
    void setChosen(std::shared_ptr<const GalaxyListModel::Chosen> chosen);

    /// Reads a split.csv and shows its subsets (errors in a dialog).
    void loadSplitFile(const QString& file);
    /// Reads a file of predicted fractions off the GUI thread; once read, the session's
    /// modelFractions() holds it and the sort box offers its columns (errors in a dialog).
    void loadFractionsFile(const QString& file);

signals:
    /// The selected galaxy changed (nullopt: none).
    void galaxySelected(std::optional<std::size_t> catalogRow);
    /// "More like this" was chosen in a galaxy's context menu.
    void moreLikeThisRequested(std::int64_t id);

private:
    void onDatasetChanged();
    void onLabelingChanged();
    void onSplitChanged();
    void updateCounts();
    void updateSortChoices();
    void chooseSplitFile();
    void chooseFractionsFile();
    void onModelFractionsChanged();
    void applySort();
    /// After the shown galaxies changed: the selected galaxy stays selected when still shown;
    /// `toTop` (a new filter or sort) shows the start of the list, otherwise the selection.
    void restoreSelection(bool toTop = false);
    void cancelHiddenRequests();
    void emitSelection();

    LabelingSession* session_;
    GalaxyListModel* model_ = nullptr;
    ThumbnailLoader* loader_ = nullptr;
    ThumbnailDelegate* delegate_ = nullptr;
    QListView* view_ = nullptr;
    QComboBox* morphologyBox_ = nullptr;
    QComboBox* splitBox_ = nullptr;
    QPushButton* loadSplitButton_ = nullptr;
    QPushButton* loadFractionsButton_ = nullptr;
    QLineEdit* idEdit_ = nullptr;
    QComboBox* sortBox_ = nullptr;
    QToolButton* orderButton_ = nullptr;
    QLabel* counts_ = nullptr;
    ElidedLabel* shown_ = nullptr;
    QWidget* chosenBar_ = nullptr;
    ElidedLabel* chosenTitle_ = nullptr;
    QTimer* cancelTimer_ = nullptr;
    std::optional<std::size_t> selected_;

    struct FractionsRequest {
        std::filesystem::path file;
        std::shared_ptr<const LoadedDataset> dataset;
    };
    struct FractionsRead {
        std::shared_ptr<const LoadedDataset> dataset;  ///< the one they were matched to
        std::shared_ptr<const ModelFractions> fractions;
    };
    static FractionsRead readFractions(const FractionsRequest& request,
                                       const std::stop_token& stop);
    LatestOnlyWorker<FractionsRequest, FractionsRead> fractionsReader_;
};

}  // namespace gz::ui
