#pragma once
// A one-line label for texts of any length (paths, run names, split sources): it shows as much as
// fits, elided with "…", and the whole text in its tooltip. Its minimum width is a few
// characters, so a long text never widens the window.

#include <QLabel>

namespace gz::ui {

class ElidedLabel : public QLabel {
    Q_OBJECT

public:
    explicit ElidedLabel(Qt::TextElideMode mode = Qt::ElideMiddle, QWidget* parent = nullptr);

    /// Shows `text` (plain), elided to the label's width. Hides QLabel::setText on purpose: call
    /// it through an ElidedLabel.
    void setText(const QString& text);
    void clear();
    /// The text as given, not elided.
    QString fullText() const { return full_; }
    /// Whether the text is cut (then the tooltip holds all of it).
    bool isElided() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void elide();

    QString full_;
    Qt::TextElideMode mode_;
};

}  // namespace gz::ui
