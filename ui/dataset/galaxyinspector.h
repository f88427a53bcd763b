#pragma once
// The selected galaxy, large and zoomable (decoded at full size off the GUI thread), with its
// label, the reason for it and its vote fractions (GalaxyDetails), a loaded model's beside them.

#include <QImage>
#include <QString>
#include <QWidget>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "common/latestonlyworker.h"

class QGraphicsPixmapItem;
class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QStackedWidget;
class QToolButton;

namespace gz::ui {

class GalaxyDetails;
class LabelingSession;

class GalaxyInspector : public QWidget {
    Q_OBJECT

public:
    explicit GalaxyInspector(LabelingSession* session, QWidget* parent = nullptr);

    /// Shows catalog row `row` (nullopt: nothing selected).
    void showGalaxy(std::optional<std::size_t> row);
    std::optional<std::size_t> shownRow() const { return row_; }

    GalaxyDetails* details() const { return details_; }
    /// The image shown (null while decoding or when it failed).
    QImage image() const { return image_; }
    /// "" when the image is shown; otherwise why not ("decoding", the decoder's message).
    QString imageStatus() const;
    double zoom() const;
    void setZoom(double factor);  ///< 1 = one image pixel per screen pixel
    void zoomToFit();

protected:
    void resizeEvent(QResizeEvent* event) override;

signals:
    /// The image of the shown galaxy was decoded (or failed).
    void imageShown();
    /// "More like this" was pressed for the shown galaxy.
    void moreLikeThisRequested(std::int64_t id);

private:
    /// The decoded image, or why there is none when the file is gone.
    struct Decoded {
        QImage image;
        QString error;
    };
    static Decoded decode(const std::filesystem::path& file, const std::stop_token& stop);
    void refresh();
    void onDecoded(const Decoded& decoded);

    LabelingSession* session_;
    std::optional<std::size_t> row_;
    QGraphicsScene* scene_ = nullptr;
    QGraphicsView* view_ = nullptr;
    QGraphicsPixmapItem* pixmap_ = nullptr;
    QLabel* imageMessage_ = nullptr;
    QStackedWidget* imageStack_ = nullptr;
    QLabel* zoomLabel_ = nullptr;
    QToolButton* similar_ = nullptr;
    GalaxyDetails* details_ = nullptr;
    QImage image_;
    QString imageError_;
    bool decoding_ = false;
    bool fit_ = true;

    // Decodes the newest galaxy asked for. Last, so destroyed first.
    LatestOnlyWorker<std::filesystem::path, Decoded> decoder_;
};

}  // namespace gz::ui
