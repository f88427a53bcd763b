#pragma once
// The spin boxes and combo boxes of the Training panel's forms, each made with its object name,
// range and initial value in one call.

#include <QString>
#include <QStringList>

#include <string>

class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace gz::ui::formcontrols {

/// A combo box of `items`, showing `current` when it is one of them (else the first).
QComboBox* combo(const QString& objectName, const QStringList& items,
                 const std::string& current = {});
QSpinBox* intSpin(const QString& objectName, int lo, int hi, int value);
QDoubleSpinBox* realSpin(const QString& objectName, double lo, double hi, double value,
                         int decimals, double step);

}  // namespace gz::ui::formcontrols
