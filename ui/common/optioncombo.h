#pragma once
// Combo boxes of a core option list (gz/train_options.h): the keys as items, so a panel offers
// exactly the values galaxy-cli takes, in one place.

#include <QComboBox>
#include <QString>
#include <QStringList>

#include <initializer_list>
#include <string>
#include <string_view>

#include "common/formcontrols.h"
#include "gz/train_options.h"

namespace gz::ui {

inline QString keyText(std::string_view key) {
    return QString::fromUtf8(key.data(), static_cast<qsizetype>(key.size()));
}

/// A combo box named `objectName` of an option's keys in `order`, showing `current`.
template <class E>
QComboBox* optionCombo(const QString& objectName, std::initializer_list<E> order, E current) {
    QStringList keys;
    for (E value : order) keys << keyText(optionKey(value));
    return makeComboBox(objectName, keys, std::string(optionKey(current)));
}

/// The option `box` shows.
template <class E>
E chosenOption(const QComboBox* box) {
    return requireOption<E>(box->currentText().toStdString());
}

/// Shows `value` in a box made by optionCombo.
template <class E>
void showOption(QComboBox* box, E value) {
    box->setCurrentText(keyText(optionKey(value)));
}

}  // namespace gz::ui
