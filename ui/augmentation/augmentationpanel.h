#pragma once
// The "Augmentation" panel: one galaxy through the training transform step by step, a grid of
// random augmentations and the evaluation transform beside it, with a control for every
// AugmentationParams field. The parameters live in the shared AugmentationSettings, so what is
// set here is what training uses. Images are computed off the GUI thread.

#include <QWidget>

#include <memory>

#include "augmentation/augmentationpreview.h"
#include "common/latestonlyworker.h"
#include "dataset/loadeddataset.h"

class QGridLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QTimer;

namespace gz::ui {

class AugmentationForm;
class AugmentationSettings;

class AugmentationPanel : public QWidget {
    Q_OBJECT

public:
    explicit AugmentationPanel(AugmentationSettings* settings, QWidget* parent = nullptr);

    void setDataset(std::shared_ptr<const LoadedDataset> dataset);

    /// The galaxy shown (0 when none).
    long long galaxyId() const { return galaxyId_; }
    quint64 seed() const;
    quint64 roll() const { return roll_; }
    int gridCount() const;
    void setSeed(quint64 seed);
    void setGridCount(int count);

    /// The last preview computed (empty before the first).
    const AugmentationPreview& preview() const { return preview_; }
    /// True while a preview is being computed or waits to be.
    bool previewPending() const;
    /// The last message shown about a bad input (unknown galaxy, bad JSON, ...).
    QString lastError() const { return lastError_; }

    /// Saves / loads the parameters as JSON; false (and lastError()) on failure.
    bool saveParams(const QString& file);
    bool loadParams(const QString& file);

public slots:
    /// Shows a galaxy of the loaded data set (what the galaxy browser calls). False, with a
    /// message naming the ID, when the data set has no such galaxy or no image folder.
    bool showGalaxy(long long id);
    /// Draws new random values for the same galaxy.
    void reroll();
    void showRandomGalaxy();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QWidget* createControls();
    QWidget* createPreviewArea();
    void controlsEdited();
    void schedulePreview();
    void startPreview();
    void previewReady(AugmentationPreview preview);
    void previewFailed(const QString& error);
    void showPreview();
    void showMessage(const QString& message, bool error);
    /// Fits the tiles to the preview's width: as many columns as fit (at most 5 steps, 7 random,
    /// 2 evaluation), the evaluation box beside the steps or below them. True when it changed.
    bool arrangeTiles();
    void fillTiles(QGridLayout* grid, const std::vector<PreviewTile>& tiles, int columns,
                   const QString& prefix);
    void chooseSaveFile();
    void chooseLoadFile();

    AugmentationSettings* settings_;
    std::shared_ptr<const LoadedDataset> dataset_;
    long long galaxyId_ = 0;
    quint64 roll_ = 0;
    AugmentationPreview preview_;
    QString lastError_;

    QTimer* debounce_ = nullptr;

    // Controls.
    QLineEdit* idEdit_ = nullptr;
    QLabel* galaxyLabel_ = nullptr;
    QSpinBox* seedSpin_ = nullptr;
    QLabel* rollLabel_ = nullptr;
    QSpinBox* gridSpin_ = nullptr;
    QLabel* message_ = nullptr;
    AugmentationForm* form_ = nullptr;

    // Preview area.
    QScrollArea* previewScroll_ = nullptr;
    QGridLayout* upperGrid_ = nullptr;
    QWidget* evalBox_ = nullptr;
    int stepsColumns_ = 5;
    int randomColumns_ = 7;
    bool evalBeside_ = true;
    QGridLayout* stepsGrid_ = nullptr;
    QGridLayout* randomGrid_ = nullptr;
    QGridLayout* evalGrid_ = nullptr;
    QLabel* drawSummary_ = nullptr;

    // One preview at a time; a newer request stops the running one. Last, so destroyed first.
    LatestOnlyWorker<PreviewRequest, AugmentationPreview> worker_;
};

}  // namespace gz::ui
