#pragma once
// The misclassified-galaxy inspector: a gallery of predictions (e.g. one confusion-matrix cell,
// most confident first) stepped through with the keyboard, and for the current galaxy its image
// with a Grad-CAM saliency overlay (opacity adjustable), the five predicted probabilities as
// bars, true and predicted class, its vote fractions and label reason (GalaxyDetails), and the
// "label looks wrong" / "model wrong" marks saved in the run folder.

#include <QImage>
#include <QWidget>

#include <filesystem>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/latestonlyworker.h"
#include "dataset/loadeddataset.h"
#include "evaluation/evaluationdata.h"
#include "gz/evaluation.h"
#include "gz/labeling.h"
#include "gz/partition.h"

class QLabel;
class QListWidget;
class QSlider;
class QSplitter;
class QToolButton;

namespace gz {
class RunModel;
}

namespace gz::ui {

class GalaxyDetails;

/// The image with the saliency map drawn over it (the part the model sees outlined).
class SaliencyImageView : public QWidget {
    Q_OBJECT

public:
    explicit SaliencyImageView(QWidget* parent = nullptr);
    void setImage(const QImage& image, const QString& message = {});
    /// `map`: Format_Grayscale8 of the image's size (0..255 = saliency 0..1); null: none.
    void setSaliency(const QImage& map, const QRect& view);
    void setOpacity(double opacity);  ///< 0..1
    double opacity() const { return opacity_; }
    /// The picture as drawn: the image with the coloured overlay at the current opacity.
    QImage composed() const;
    QSize sizeHint() const override { return {320, 320}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void rebuildOverlay();
    QImage image_, map_, overlay_;
    QRect view_;
    QString message_;
    double opacity_ = 0.5;
};

/// The five probabilities as bars in the class colours; the true class is marked.
class ProbabilityBars : public QWidget {
    Q_OBJECT

public:
    explicit ProbabilityBars(QWidget* parent = nullptr);
    void setPrediction(const std::optional<Prediction>& prediction);
    QSize sizeHint() const override { return {300, 5 * 20 + 8}; }
    QSize minimumSizeHint() const override { return {200, 5 * 18 + 8}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    std::optional<Prediction> prediction_;
};

class MisclassifiedInspector : public QWidget {
    Q_OBJECT

public:
    explicit MisclassifiedInspector(QWidget* parent = nullptr);

    /// Where the galaxies come from: the data set (images, vote fractions), the rules that
    /// labeled them, their split subsets (may be empty), the run's model (nullptr: no saliency)
    /// and the run's marks (nullptr: marking off).
    void setContext(std::shared_ptr<const LoadedDataset> dataset, LabelRules rules,
                    std::unordered_map<std::int64_t, Subset> subsets,
                    std::shared_ptr<const RunModel> model, std::shared_ptr<RunMarks> marks);
    /// Shows a gallery (in the given order) and its first galaxy.
    void setGallery(std::vector<Prediction> gallery, const QString& title);
    const std::vector<Prediction>& gallery() const { return gallery_; }

    int currentIndex() const;
    void setCurrentIndex(int index);
    std::optional<Prediction> currentPrediction() const;
    /// Marks the current galaxy (None clears); saved in the run folder at once. False, with
    /// lastError(), when there is nothing to mark or the file cannot be written.
    bool markCurrent(GalaxyMark mark);
    QString lastError() const { return lastError_; }

    void setOpacity(double opacity);
    double opacity() const;
    /// Whether the current galaxy's saliency map is shown (false while it is computed).
    bool saliencyShown() const { return saliencyShown_; }
    /// The current saliency map (CV_32F values as 0..255 Grayscale8 at image size), or null.
    QImage saliencyMap() const { return saliencyMap_; }
    QImage shownImage() const { return image_; }
    QString imageStatus() const { return imageStatus_; }

    QListWidget* galleryList() const { return list_; }
    SaliencyImageView* imageView() const { return view_; }
    GalaxyDetails* details() const { return details_; }

    /// Whether the galaxy's details sit under the gallery (when the inspector is narrow) rather
    /// than in a column of their own.
    bool detailsUnderGallery() const;

signals:
    /// The current galaxy's image and saliency arrived (or failed: imageStatus()).
    void galaxyShown();
    void marksChanged();
    /// "More like this" was chosen in a gallery galaxy's context menu.
    void moreLikeThisRequested(std::int64_t id);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    struct Request {
        std::filesystem::path file;
        std::shared_ptr<const RunModel> model;  ///< nullptr: no saliency
        int target = 0;                         ///< the class the saliency explains
    };
    /// The image with its saliency; `error` says why the saliency is missing.
    struct Loaded {
        QImage image;
        QImage saliency;
        QRect view;
        QString error;
    };
    static Loaded load(const Request& request, const std::stop_token& stop);
    void showCurrent();
    void onLoaded(const Loaded& loaded);
    void onLoadFailed(const QString& error);
    void updateMarkButtons();
    QString itemText(const Prediction& p) const;

    std::shared_ptr<const LoadedDataset> dataset_;
    LabelRules rules_;
    std::unordered_map<std::int64_t, Subset> subsets_;
    std::shared_ptr<const RunModel> model_;
    std::shared_ptr<RunMarks> marks_;
    std::vector<Prediction> gallery_;

    QLabel* galleryTitle_ = nullptr;
    QListWidget* list_ = nullptr;
    QLabel* header_ = nullptr;
    SaliencyImageView* view_ = nullptr;
    QSlider* opacitySlider_ = nullptr;
    QWidget* saliencyControls_ = nullptr;
    ProbabilityBars* bars_ = nullptr;
    QToolButton* labelWrong_ = nullptr;
    QToolButton* modelWrong_ = nullptr;
    GalaxyDetails* details_ = nullptr;
    QSplitter* columns_ = nullptr;     ///< gallery | image | details (when wide)
    QSplitter* sideColumn_ = nullptr;  ///< gallery above details (when narrow)

    QImage image_, saliencyMap_;
    QString imageStatus_;
    bool saliencyShown_ = false;
    QString lastError_;

    // Decodes and explains the current galaxy. Last, so destroyed first.
    LatestOnlyWorker<Request, Loaded> loader_;
};

}  // namespace gz::ui
