#pragma once
// The look the panels share: the text colours, status labels and spin boxes.

#include <QColor>
#include <QString>

class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace gz::ui {

/// Text of errors: failed jobs, refused input (#b42318).
QColor errorColor();
/// Secondary text: notes, summaries, read-outs (#4a5563).
QColor mutedColor();

/// The colour a status label shows its text in.
enum class StatusTone {
    Normal,  ///< the palette's text colour
    Muted,   ///< mutedColor()
    Error,   ///< errorColor()
};

/// Sets `label`'s text and colours it by `tone`.
void setStatusText(QLabel* label, const QString& text, StatusTone tone = StatusTone::Normal);
/// Shows `label`'s text in the muted colour.
void setMuted(QLabel* label);
/// `text`, HTML-escaped, in the error colour (for rich-text labels).
QString errorHtml(const QString& text);

/// A spin box named `objectName` with range lo..hi, showing `value`.
QSpinBox* makeSpinBox(const QString& objectName, int lo, int hi, int value);
/// A spin box named `objectName` with range lo..hi, `decimals` places and arrow steps of `step`,
/// showing `value`.
QDoubleSpinBox* makeDoubleSpinBox(const QString& objectName, double lo, double hi, double value,
                                  int decimals, double step);

}  // namespace gz::ui
