#pragma once
// The "Prediction" panel: a run's model on a folder of JPEGs without labels (galaxy-cli predict
// in the GUI), as a job on the window's JobRunner; the results browsed by predicted class and
// confidence (with the image of the selected one); the rows shown are exported as CSV.

#include <QImage>
#include <QWidget>

#include <filesystem>
#include <optional>
#include <vector>

#include "common/latestonlyworker.h"
#include "gz/evaluation.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace gz::ui {

class InferenceChoices;
class JobRunner;
class RunChooser;
class VoteFractionTree;

class PredictionPanel : public QWidget {
    Q_OBJECT

public:
    PredictionPanel(JobRunner* runner, std::filesystem::path workspace, QWidget* parent = nullptr);

    void refreshRuns();
    void setRun(const std::filesystem::path& run);
    std::optional<std::filesystem::path> selectedRun() const;
    void setFolder(const std::filesystem::path& folder);
    /// Starts predicting the folder; false, with statusText(), when refused.
    bool predict();

    /// Shows only one predicted class (nullopt: all) with at least `minConfidence`.
    void setFilter(std::optional<int> predictedClass, double minConfidence = 0);
    /// The rows shown, in the order shown (by descending confidence).
    std::vector<Prediction> shownPredictions() const;
    const std::vector<Prediction>& predictions() const { return predictions_; }
    /// Writes the rows shown, in the order shown, as the prediction table's CSV
    /// (gz/prediction_table.h) to `file` (never into the image folder).
    bool exportCsv(const std::filesystem::path& file);
    QString statusText() const { return status_; }
    QTableWidget* table() const { return table_; }
    /// The image of the selected row (null while decoding or when there is none).
    QImage previewImage() const { return preview_; }
    /// The selected image's predicted vote fractions (shown for a run with a votes head).
    VoteFractionTree* fractionsTree() const { return fractions_; }

signals:
    void predicted();
    void previewShown();
    /// "More like this" was chosen in the context menu of a prediction with an image file.
    void moreLikeImageRequested(const QString& file);

private:
    void fillTable();
    void updateButtons();
    void showSelected();
    void showPreview(const QImage& image, const QString& error);
    /// The prediction (index into predictions_) of the selected row, if any.
    std::optional<std::size_t> selectedIndex() const;
    /// The predictions shown, as indexes into predictions_, in the order shown.
    std::vector<std::size_t> shownIndexes() const;
    void setStatus(const QString& text, bool error = false);
    /// A newly chosen run sets TTA as it was trained (as galaxy-cli predict does).

    JobRunner* runner_;
    std::vector<Prediction> predictions_;
    std::filesystem::path predictedFolder_;
    std::vector<std::filesystem::path> files_;  // the folder's JPEGs as predictFolder numbers them
    QString status_;
    QImage preview_;

    RunChooser* runCombo_ = nullptr;
    QLineEdit* folder_ = nullptr;
    InferenceChoices* choices_ = nullptr;
    QPushButton* predictButton_ = nullptr;
    QPushButton* exportButton_ = nullptr;
    QComboBox* classFilter_ = nullptr;
    QDoubleSpinBox* minConfidence_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QLabel* counts_ = nullptr;
    QTableWidget* table_ = nullptr;
    QLabel* image_ = nullptr;
    QLabel* imageCaption_ = nullptr;
    VoteFractionTree* fractions_ = nullptr;

    // Decodes the selected row's image. Last, so destroyed first.
    LatestOnlyWorker<std::filesystem::path, QImage> decoder_;
};

}  // namespace gz::ui
