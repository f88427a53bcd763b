#pragma once
// The "Map" panel: every galaxy of the open data set placed by what a run's model sees in it
// (its embedding, laid out in 2-D; gz/embedding_map.h), as a job on the window's JobRunner.
// Coloured by label, split, the run's prediction, its correctness or the user's marks on the run; a
// click shows the galaxy in the panel's inspector, Shift+drag (a rectangle) or Ctrl+drag (a lasso)
// picks a region whose galaxies the
// Dataset browser can show, "More like this" sends the picked galaxy's nearest neighbours (cosine
// of the embeddings) to the browser in order of similarity; the browser's selection is ringed on
// the map. "More like this" is also asked from the other panels (a galaxy of the open data set) and
// for an image of no data set (a JPEG dropped on the panel, a predicted file).

#include <QWidget>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "dataset/galaxylistmodel.h"
#include "gz/embedding_map.h"
#include "gz/similarity.h"

class QComboBox;
class QLabel;
class QPushButton;

namespace gz::ui {

class GalaxyInspector;
class JobRunner;
class LabelingSession;
class MapView;
class RunChooser;
class ThumbnailLoader;

class MapPanel : public QWidget {
    Q_OBJECT

public:
    enum class Colouring { Label, Split, Prediction, Correctness, Mark };
    /// Neighbours "More like this" sends to the browser.
    static constexpr std::size_t kSimilarShown = 48;

    MapPanel(JobRunner* runner, std::filesystem::path workspace, LabelingSession* session,
             QWidget* parent = nullptr);

    void refreshRuns();
    void setRun(const std::filesystem::path& run);
    /// Starts embedding the open data set with the chosen run and laying out its map (both kept
    /// in the workspace, so the second time is quick); false, with statusText(), when refused.
    bool layOut();
    void setColouring(Colouring colouring);

    /// Rings a galaxy (catalog row) on the map and shows it in the inspector (nullopt: none).
    void showGalaxy(std::optional<std::size_t> row);
    /// The picked region, as map point indices.
    void selectPoints(std::vector<std::size_t> points);
    /// Sends the picked region to the browser (chosenForBrowser).
    void showSelectionInBrowser();
    /// Sends the shown galaxy's nearest neighbours to the browser (chosenForBrowser).
    void showMoreLikeThis();
    /// "More like this" from elsewhere: the galaxies of the open data set nearest to galaxy `id`
    /// of it, or to an image file of no data set, go to the browser. The embeddings of the chosen
    /// run are made first (in a job, kept in the workspace) when none are at hand; an image is
    /// always embedded in a job. False, with statusText(), when refused.
    bool moreLikeGalaxy(std::int64_t id);
    bool moreLikeImage(const std::filesystem::path& file);

    MapView* view() const { return view_; }
    GalaxyInspector* inspector() const { return inspector_; }
    /// Catalog row of map point i.
    std::size_t rowOfPoint(std::size_t i) const { return rowOfPoint_[i]; }
    std::optional<std::size_t> pointOfRow(std::size_t row) const;
    /// The run's predicted class of map point i (from the same pass as its embedding).
    int predictedOfPoint(std::size_t i) const { return predictionOfPoint_[i].predicted(); }
    QString statusText() const { return status_; }

signals:
    /// Galaxies for the Dataset browser to show.
    void chosenForBrowser(std::shared_ptr<const gz::ui::GalaxyListModel::Chosen> chosen);
    /// A map is shown (after layOut()).
    void mapShown();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    /// The job behind moreLikeGalaxy (image empty) and moreLikeImage.
    bool findSimilar(std::optional<std::int64_t> id, const std::filesystem::path& image);
    /// Sends `found` (with the query galaxy's row first, when it has one) to the browser.
    void sendNeighbours(std::optional<std::size_t> queryRow, const std::vector<Neighbour>& found,
                        const QString& title);
    void clearMap();
    void colour();
    void setStatus(const QString& text, bool error = false);
    void updateButtons();

    JobRunner* runner_;
    std::filesystem::path workspace_;
    LabelingSession* session_;
    RunChooser* runCombo_ = nullptr;
    QPushButton* layOutButton_ = nullptr;
    QComboBox* colourBox_ = nullptr;
    QPushButton* showSelectionButton_ = nullptr;
    QPushButton* moreLikeThisButton_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    MapView* view_ = nullptr;
    ThumbnailLoader* thumbnails_ = nullptr;
    GalaxyInspector* inspector_ = nullptr;
    QString status_;

    // The map shown: its points' catalog rows, and the embeddings' similarity index.
    EmbeddingMap map_;
    std::vector<std::size_t> rowOfPoint_;
    std::vector<Prediction> predictionOfPoint_;           ///< the run's, from the embedding's pass
    std::vector<std::optional<std::size_t>> pointOfRow_;  ///< by catalog row
    std::shared_ptr<const SimilarityIndex> index_;
    std::filesystem::path indexRun_;  ///< the run whose embeddings index_ holds
    std::optional<std::size_t> shownRow_;
};

}  // namespace gz::ui
