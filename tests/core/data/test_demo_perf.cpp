// Timed checks of the demo generator (ctest label perf): how soon a stop request ends it.

#include <QTemporaryDir>
#include <QtTest>

#include "fixtures.h"
#include "gz/demo.h"

class TestDemoPerf : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private slots:
    void aStopEndsGenerationWithinHalfASecond() {
        QVERIFY(tmp_.isValid());
        gz::DemoOptions options;
        options.count = 400;
        const auto stopped = gz::test::stopDemoGeneration(
            std::filesystem::path(tmp_.path().toStdString()) / "stopped", options, 2);
        QVERIFY(stopped.cancelled);
        qInfo("stopped %.3f s after the request", stopped.secondsAfterStop);
        QVERIFY(stopped.secondsAfterStop >= 0 && stopped.secondsAfterStop < 0.5);
    }
};

QTEST_APPLESS_MAIN(TestDemoPerf)
#include "test_demo_perf.moc"
