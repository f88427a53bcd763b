#include "common/formcontrols.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSpinBox>

namespace gz::ui {

QSpinBox* makeSpinBox(const QString& objectName, int lo, int hi, int value) {
    auto* s = new QSpinBox;
    s->setObjectName(objectName);
    s->setRange(lo, hi);
    s->setValue(value);
    return s;
}

QDoubleSpinBox* makeDoubleSpinBox(const QString& objectName, double lo, double hi, double value,
                                  int decimals, double step) {
    auto* s = new QDoubleSpinBox;
    s->setObjectName(objectName);
    s->setRange(lo, hi);
    s->setDecimals(decimals);
    s->setSingleStep(step);
    s->setValue(value);
    return s;
}

QComboBox* makeComboBox(const QString& objectName, const QStringList& items,
                        const std::string& current) {
    auto* c = new QComboBox;
    c->setObjectName(objectName);
    c->addItems(items);
    if (!current.empty()) c->setCurrentText(QString::fromStdString(current));
    return c;
}

QLabel* makeTextLabel(const QString& objectName) {
    auto* l = new QLabel;
    l->setObjectName(objectName);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    allowNarrow(l);
    return l;
}

void allowNarrow(QLabel* label) {
    label->setWordWrap(true);
    QSizePolicy policy = label->sizePolicy();
    policy.setHorizontalPolicy(QSizePolicy::Ignored);
    policy.setHeightForWidth(true);
    label->setSizePolicy(policy);
}

}  // namespace gz::ui
