// The helpers the panels share: colours and status labels, spin boxes, durations, paths and
// the cv::Mat -> QImage conversion.

#include <QDoubleSpinBox>
#include <QLabel>
#include <QSpinBox>
#include <QtTest>

#include <cmath>
#include <limits>
#include <memory>

#include <opencv2/core.hpp>

#include "common/cvimage.h"
#include "common/uiformat.h"
#include "common/uistyle.h"

using namespace gz::ui;

class TestUiCommon : public QObject {
    Q_OBJECT

private slots:
    void colours() {
        QCOMPARE(errorColor().name(), QStringLiteral("#b42318"));
        QCOMPARE(mutedColor().name(), QStringLiteral("#4a5563"));
    }

    void statusLabels() {
        QLabel label;
        setStatusText(&label, QStringLiteral("Failed"), StatusTone::Error);
        QCOMPARE(label.text(), QStringLiteral("Failed"));
        QCOMPARE(label.styleSheet(), QStringLiteral("color: #b42318;"));
        setStatusText(&label, QStringLiteral("Saved"), StatusTone::Muted);
        QCOMPARE(label.text(), QStringLiteral("Saved"));
        QCOMPARE(label.styleSheet(), QStringLiteral("color: #4a5563;"));
        setStatusText(&label, QStringLiteral("Done"));
        QCOMPARE(label.text(), QStringLiteral("Done"));
        QVERIFY(label.styleSheet().isEmpty());

        QLabel note;
        setMuted(&note);
        QCOMPARE(note.styleSheet(), QStringLiteral("color: #4a5563;"));
        QCOMPARE(errorHtml(QStringLiteral("a < b")),
                 QStringLiteral("<span style='color:#b42318'>a &lt; b</span>"));
    }

    void spinBoxes() {
        std::unique_ptr<QSpinBox> i(makeSpinBox(QStringLiteral("count"), 1, 48, 12));
        QCOMPARE(i->objectName(), QStringLiteral("count"));
        QCOMPARE(i->minimum(), 1);
        QCOMPARE(i->maximum(), 48);
        QCOMPARE(i->value(), 12);
        std::unique_ptr<QDoubleSpinBox> d(
            makeDoubleSpinBox(QStringLiteral("threshold"), 0, 1, 0.4567, 3, 0.01));
        QCOMPARE(d->objectName(), QStringLiteral("threshold"));
        QCOMPARE(d->minimum(), 0.0);
        QCOMPARE(d->maximum(), 1.0);
        QCOMPARE(d->decimals(), 3);
        QCOMPARE(d->singleStep(), 0.01);
        QCOMPARE(d->value(), 0.457);  // rounded to the decimals
    }

    void durations() {
        QCOMPARE(formatDuration(0), QStringLiteral("0m00s"));
        QCOMPARE(formatDuration(7.4), QStringLiteral("0m07s"));
        QCOMPARE(formatDuration(125), QStringLiteral("2m05s"));
        QCOMPARE(formatDuration(3599.4), QStringLiteral("59m59s"));
        QCOMPARE(formatDuration(3599.6), QStringLiteral("1h00m"));
        QCOMPARE(formatDuration(3720), QStringLiteral("1h02m"));
        QCOMPARE(formatDuration(26 * 3600 + 5 * 60), QStringLiteral("26h05m"));
        QCOMPARE(formatDuration(-1), QStringLiteral("?"));
        QCOMPARE(formatDuration(std::nan("")), QStringLiteral("?"));
    }

    void paths() {
        const QString name = QStringLiteral("/tmp/Galaxien – Übersicht/100008.jpg");
        const std::filesystem::path path = toPath(name);
        QCOMPARE(path.filename().string(), std::string("100008.jpg"));
        QCOMPARE(path.parent_path().filename().string(), std::string("Galaxien – Übersicht"));
        QCOMPARE(toQString(path), name);
        QVERIFY(toQString({}).isEmpty());
    }

    void matToImage() {
        cv::Mat rgb(2, 3, CV_8UC3, cv::Scalar(10, 20, 30));
        rgb.at<cv::Vec3b>(1, 2) = cv::Vec3b(200, 100, 50);
        const QImage image = toQImage(rgb);
        rgb.setTo(cv::Scalar(0, 0, 0));  // the image owns its pixels
        QCOMPARE(image.size(), QSize(3, 2));
        QCOMPARE(image.format(), QImage::Format_RGB888);
        QCOMPARE(image.pixel(0, 0), qRgb(10, 20, 30));
        QCOMPARE(image.pixel(2, 1), qRgb(200, 100, 50));
    }
};

QTEST_MAIN(TestUiCommon)
#include "test_uicommon.moc"
