// The helpers the panels share: colours and status labels, spin boxes, durations, paths and
// the cv::Mat -> QImage conversion.

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSpinBox>
#include <QtTest>

#include <cmath>
#include <limits>
#include <memory>

#include <opencv2/core.hpp>

#include "common/cvimage.h"
#include "common/formcontrols.h"
#include "common/uiformat.h"
#include "common/uistyle.h"

using namespace gz::ui;

class TestUiCommon : public QObject {
    Q_OBJECT

private slots:
    void colours() {
        QCOMPARE(errorColor().name(), QStringLiteral("#b42318"));
        QCOMPARE(mutedColor().name(), QStringLiteral("#4a5563"));
        QCOMPARE(textColor().name(), QStringLiteral("#1f2937"));
        QCOMPARE(disabledTextColor().name(), QStringLiteral("#9aa3ad"));
        QCOMPARE(warningColor().name(), QStringLiteral("#9a4d00"));
        QCOMPARE(warningBoxColor().name(), QStringLiteral("#fff4e5"));
        QCOMPARE(warningBoxTextColor().name(), QStringLiteral("#6b3d00"));
        QCOMPARE(warningAccentColor().name(), QStringLiteral("#f0b45b"));
        QCOMPARE(cardBorderColor().name(), QStringLiteral("#d5dce6"));
        QCOMPARE(skyColor().name(), QStringLiteral("#101216"));
        QCOMPARE(colorStyle(textColor()), QStringLiteral("color: #1f2937;"));
    }

    void statusLabels() {
        QLabel label;
        setStatusText(&label, QStringLiteral("Failed"), StatusTone::Error);
        QCOMPARE(label.text(), QStringLiteral("Failed"));
        QCOMPARE(label.styleSheet(), QStringLiteral("color: #b42318;"));
        setStatusText(&label, QStringLiteral("Saved"), StatusTone::Muted);
        QCOMPARE(label.text(), QStringLiteral("Saved"));
        QCOMPARE(label.styleSheet(), QStringLiteral("color: #4a5563;"));
        setStatusText(&label, QStringLiteral("3 missing"), StatusTone::Warning);
        QCOMPARE(label.styleSheet(), QStringLiteral("color: #9a4d00;"));
        setStatusText(&label, QStringLiteral("Done"));
        QCOMPARE(label.text(), QStringLiteral("Done"));
        QVERIFY(label.styleSheet().isEmpty());

        QLabel note;
        setMuted(&note);
        QCOMPARE(note.styleSheet(), QStringLiteral("color: #4a5563;"));
        QCOMPARE(errorHtml(QStringLiteral("a < b")),
                 QStringLiteral("<span style='color:#b42318'>a &lt; b</span>"));
        QCOMPARE(warningHtml(QStringLiteral("x & y")),
                 QStringLiteral("<span style='color:#9a4d00'>x &amp; y</span>"));
    }

    void textLabels() {
        std::unique_ptr<QLabel> l(makeTextLabel(QStringLiteral("status")));
        QCOMPARE(l->objectName(), QStringLiteral("status"));
        QVERIFY(l->text().isEmpty());
        QVERIFY(l->wordWrap());
        QCOMPARE(l->textInteractionFlags(), Qt::TextSelectableByMouse);
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

    void comboBoxes() {
        const QStringList items{QStringLiteral("cosine"), QStringLiteral("step")};
        std::unique_ptr<QComboBox> c(makeComboBox(QStringLiteral("schedule"), items, "step"));
        QCOMPARE(c->objectName(), QStringLiteral("schedule"));
        QCOMPARE(c->count(), 2);
        QCOMPARE(c->currentText(), QStringLiteral("step"));
        std::unique_ptr<QComboBox> unknown(makeComboBox(QStringLiteral("u"), items, "linear"));
        QCOMPARE(unknown->currentText(), QStringLiteral("cosine"));
        std::unique_ptr<QComboBox> unset(makeComboBox(QStringLiteral("v"), items));
        QCOMPARE(unset->currentText(), QStringLiteral("cosine"));
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
