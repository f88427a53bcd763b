#pragma once
// The colours of the Grad-CAM overlay and the scale that explains them: a bar from the weakest
// to the strongest saliency, labelled, shown under the image.

#include <QRgb>
#include <QWidget>

namespace gz::ui {

/// The overlay's colour for a saliency `v` in 0..1 (dark blue -> cyan -> green -> yellow -> red;
/// values outside are clamped).
QRgb saliencyColor(double v);

class SaliencyScale : public QWidget {
    Q_OBJECT

public:
    explicit SaliencyScale(QWidget* parent = nullptr);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    /// The bar's rectangle (between the two end labels).
    QRect barRect() const;

protected:
    void paintEvent(QPaintEvent* event) override;
};

}  // namespace gz::ui
