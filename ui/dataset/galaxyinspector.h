#pragma once
// The selected galaxy, large and zoomable (decoded at full size off the GUI thread), with its
// label, the reason for it and its vote fractions (GalaxyDetails).

#include <QFutureWatcher>
#include <QImage>
#include <QString>
#include <QThreadPool>
#include <QWidget>

#include <cstddef>
#include <optional>

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
    ~GalaxyInspector() override;

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

private:
    struct Decoded {
        QImage image;
        QString error;
        quint64 generation = 0;
    };
    void refresh();
    void onDecoded();

    LabelingSession* session_;
    std::optional<std::size_t> row_;
    QGraphicsScene* scene_ = nullptr;
    QGraphicsView* view_ = nullptr;
    QGraphicsPixmapItem* pixmap_ = nullptr;
    QLabel* imageMessage_ = nullptr;
    QStackedWidget* imageStack_ = nullptr;
    QLabel* zoomLabel_ = nullptr;
    GalaxyDetails* details_ = nullptr;
    QImage image_;
    QString imageError_;
    bool decoding_ = false;
    bool fit_ = true;

    QThreadPool pool_;
    QFutureWatcher<Decoded> watcher_;
    quint64 generation_ = 0;
};

}  // namespace gz::ui
