#pragma once
// The spin boxes, combo boxes and message labels of the panels, each made with its object name
// (and range and initial value) in one call.

#include <QString>
#include <QStringList>

#include <string>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace gz::ui {

/// A spin box named `objectName` with range lo..hi, showing `value`.
QSpinBox* makeSpinBox(const QString& objectName, int lo, int hi, int value);
/// A spin box named `objectName` with range lo..hi, `decimals` places and arrow steps of `step`,
/// showing `value`.
QDoubleSpinBox* makeDoubleSpinBox(const QString& objectName, double lo, double hi, double value,
                                  int decimals, double step);
/// A combo box named `objectName` of `items`, showing `current` when it is one of them (else the
/// first).
QComboBox* makeComboBox(const QString& objectName, const QStringList& items,
                        const std::string& current = {});
/// An empty label named `objectName` for status lines and read-outs: word-wrapped, its text
/// selectable with the mouse, as narrow as the layout makes it (see allowNarrow).
QLabel* makeTextLabel(const QString& objectName);

/// Word-wraps `label` and lets the layout give it any width: a long path or a run of
/// non-breaking spaces in its text wraps or is cut at the edge instead of setting the window's
/// minimum width (the height still follows the text at the given width).
void allowNarrow(QLabel* label);

}  // namespace gz::ui
