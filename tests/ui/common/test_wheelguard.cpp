// The mouse wheel over the panels: a spin box or combo box in a scrollable form keeps its value
// and the form scrolls instead, unless the control has the focus; the Dataset overview's bar chart
// passes the wheel to the overview. Runs on a small Kaggle folder in the real main window.

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QWheelEvent>
#include <QtTest>

#include <filesystem>
#include <memory>
#include <vector>

#include "app/mainwindow.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "training/trainingpanel.h"

using gz::test::child;

namespace fs = std::filesystem;

namespace {

constexpr int kJobTimeoutMs = 120000;

// One notch of the wheel turned towards the user (scrolls a page down) over `widget`'s centre.
void turnWheel(QWidget* widget) {
    const QPointF local = QRectF(widget->rect()).center();
    QWheelEvent event(local, widget->mapToGlobal(local), QPoint(), QPoint(0, -120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(widget, &event);
}

}  // namespace

class TestWheelGuard : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::unique_ptr<gz::ui::MainWindow> window_;

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        const fs::path data = gz::ui::toPath(tmp_.path()) / "kaggle";
        gz::test::writeKaggleFolder(data, {0, 0, 1, 1, 2, 3, 3, 4, 4, -1});
        gz::ui::MainWindowOptions options;
        options.workspace = gz::ui::toPath(tmp_.path()) / "workspace";
        window_ = std::make_unique<gz::ui::MainWindow>(options);
        window_->resize(1024, 700);
        QVERIFY(gz::test::showAndOpen(*window_, data, kJobTimeoutMs));
    }

    void cleanupTestCase() { window_.reset(); }

    void spinBoxInTheOverviewScrollsThePageInstead() {
        auto* overview = child<QScrollArea>(window_.get(), "datasetOverview");
        auto* threshold = child<QDoubleSpinBox>(window_.get(), "threshold_0_0");
        QVERIFY(overview && threshold);
        QVERIFY(threshold->isVisible());
        QCOMPARE(threshold->focusPolicy(), Qt::StrongFocus);
        QScrollBar* bar = overview->verticalScrollBar();
        QVERIFY2(bar->maximum() > 0, "the overview must be taller than the window to scroll");
        bar->setValue(0);
        const double before = threshold->value();

        turnWheel(threshold);
        QCOMPARE(threshold->value(), before);
        QVERIFY(bar->value() > 0);
    }

    void barChartPassesTheWheelToTheOverview() {
        auto* overview = child<QScrollArea>(window_.get(), "datasetOverview");
        auto* chart = child<QWidget>(window_.get(), "morphologyChart");
        QVERIFY(overview && chart && chart->isVisible());
        QScrollBar* bar = overview->verticalScrollBar();
        bar->setValue(0);
        turnWheel(chart);
        QVERIFY(bar->value() > 0);
    }

    void focusedSpinBoxTakesTheWheel() {
        auto* threshold = child<QDoubleSpinBox>(window_.get(), "threshold_0_0");
        QVERIFY(threshold);
        window_->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window_.get()));
        threshold->setFocus(Qt::MouseFocusReason);
        QTRY_VERIFY(threshold->hasFocus());
        const double before = threshold->value();
        turnWheel(threshold);
        QVERIFY(threshold->value() < before);
    }

    void comboBoxOfTheTrainingFormKeepsItsChoice() {
        window_->showPanel(window_->trainingPanel());
        auto* model = child<QComboBox>(window_.get(), "modelCombo");
        QVERIFY(model && model->isVisible() && model->isEnabled() && model->count() > 1);
        QCOMPARE(model->focusPolicy(), Qt::StrongFocus);
        model->setCurrentIndex(0);
        model->clearFocus();
        turnWheel(model);
        QCOMPARE(model->currentIndex(), 0);
    }
};

QTEST_MAIN(TestWheelGuard)
#include "test_wheelguard.moc"
