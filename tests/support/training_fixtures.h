#pragma once
// Helpers of the Training panel's GUI tests (header-only: they link gz_ui and Qt Widgets).

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QSpinBox>
#include <QtTest>

#include "app/mainwindow.h"
#include "gui_fixtures.h"
#include "training/trainingpanel.h"

namespace gz::test {

/// A short, cheap configuration: compact model, batch 8, one thread.
inline void setShortTraining(ui::TrainingPanel* panel, int epochs) {
    child<QComboBox>(panel, "modelCombo")->setCurrentText(QStringLiteral("compact"));
    child<QSpinBox>(panel, "epochsSpin")->setValue(epochs);
    child<QSpinBox>(panel, "batchSpin")->setValue(8);
    child<QSpinBox>(panel, "threadsSpin")->setValue(1);
    child<QDoubleSpinBox>(panel, "learningRateSpin")->setValue(0.05);
}

/// Clicks Partition and waits (up to timeoutMs) for the split; false when none came.
inline bool partition(ui::MainWindow& window, int timeoutMs) {
    ui::TrainingPanel* panel = window.trainingPanel();
    QTest::mouseClick(child<QPushButton>(panel, "partitionButton"), Qt::LeftButton);
    return QTest::qWaitFor([&] { return !window.isBusy(); }, timeoutMs) && panel->split();
}

}  // namespace gz::test
