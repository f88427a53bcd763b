#pragma once
// The look the panels share: the text colours and status labels.

#include <QColor>
#include <QString>

class QLabel;

namespace gz::ui {

/// Text of errors: failed jobs, refused input (#b42318).
QColor errorColor();
/// Secondary text: notes, summaries, read-outs (#4a5563).
QColor mutedColor();
/// Text on the light cards and tiles: headings, values, captions (#1f2937).
QColor textColor();
/// Text of what is switched off (#9aa3ad).
QColor disabledTextColor();
/// Text of warnings: images missing, a catalog the rules cannot label (#9a4d00).
QColor warningColor();
/// Warning boxes and badges: their background (#fff4e5), text (#6b3d00) and border, also the
/// mark of a missing image (#f0b45b).
QColor warningBoxColor();
QColor warningBoxTextColor();
QColor warningAccentColor();
/// The border of the white cards: the welcome card, the Dataset groups, thumbnails (#d5dce6).
QColor cardBorderColor();
/// The dark sky behind galaxy images (#101216).
QColor skyColor();

/// The style sheet that colours a widget's text: "color: #rrggbb;".
QString colorStyle(const QColor& color);

/// The colour a status label shows its text in.
enum class StatusTone {
    Normal,   ///< the palette's text colour
    Muted,    ///< mutedColor()
    Warning,  ///< warningColor()
    Error,    ///< errorColor()
};

/// Sets `label`'s text and colours it by `tone`.
void setStatusText(QLabel* label, const QString& text, StatusTone tone = StatusTone::Normal);
/// Shows `label`'s text in the muted colour.
void setMuted(QLabel* label);
/// `text`, HTML-escaped, in the error colour (for rich-text labels).
QString errorHtml(const QString& text);
/// `text`, HTML-escaped, in the warning colour (for rich-text labels).
QString warningHtml(const QString& text);

}  // namespace gz::ui
