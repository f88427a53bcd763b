// The Augmentation panel on rendered demo galaxies: the training transform step by step with the
// values drawn (the same draws and pixels as the core's training transform), re-roll, the grid,
// the evaluation transform, switching steps off, refusing bad values, JSON save/load, that every
// parameter goes into the form and back unchanged, and that the parameters set here are the ones
// the rest of the window (training) reads.

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "app/mainwindow.h"
#include "augmentation/augmentationform.h"
#include "augmentation/augmentationpanel.h"
#include "augmentation/augmentationsettings.h"
#include "common/cvimage.h"
#include "dataset/datasetpanel.h"
#include "dataset/galaxybrowser.h"
#include "dataset/loadeddataset.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/decoded_cache.h"
#include "gz/demo.h"
#include "gz/files.h"
#include "gz/image_pipeline.h"

using gz::test::screenshot;

namespace fs = std::filesystem;
using gz::AugmentationParams;
using gz::ui::AugmentationPanel;
using gz::ui::MainWindow;

namespace {

constexpr int kTimeoutMs = 60000;

// Every field away from its default, within the form's ranges and decimals.
AugmentationParams nonDefaultParams() {
    AugmentationParams p;
    p.scaleJitter = false;
    p.cropMin = 150;
    p.cropMax = 200;
    p.resizeTo = 96;
    p.randomCrop = false;
    p.outputSize = 72;
    p.rotateAngle = false;
    p.angleMax = 30.0;
    p.rotate = false;
    p.flip = false;
    p.flipProbability = 0.25;
    p.brightness = false;
    p.brightnessDelta = 40.5;
    p.contrast = false;
    p.contrastMin = 0.35;
    p.contrastMax = 1.5;
    p.hue = true;
    p.hueDelta = 0.125;
    p.saturation = true;
    p.saturationMin = 0.5;
    p.saturationMax = 1.75;
    p.clipPhotometric = true;
    p.standardize = false;
    p.evalCrop = 200;
    return p;
}

QJsonObject paramsObject(const AugmentationParams& p) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(p.toJson()))
        .object()[QStringLiteral("params")]
        .toObject();
}
const QStringList kStepNames = {
    "original", "scale crop", "resize",   "rotate by an angle", "random crop", "rotate",
    "flip",     "brightness", "contrast", "hue / saturation",   "standardise"};

}  // namespace

class TestAugmentationPanel : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path data_;
    std::unique_ptr<MainWindow> window_;
    AugmentationPanel* panel_ = nullptr;

    fs::path dir() const { return gz::ui::toPath(tmp_.path()); }

    void waitForPreview() {
        QTRY_VERIFY_WITH_TIMEOUT(!panel_->previewPending(), kTimeoutMs);
        QVERIFY2(panel_->lastError().isEmpty(), qPrintable(panel_->lastError()));
    }

    QString tileValue(const QString& prefix, int i) const {
        auto* label = panel_->findChild<QLabel*>(QStringLiteral("%1Value%2").arg(prefix).arg(i));
        return label ? label->text() : QStringLiteral("<no tile>");
    }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        data_ = dir() / "demo";
        gz::writeDemoDataset(data_, gz::DemoOptions{12, 3, gz::kKaggleImageSide});

        gz::ui::MainWindowOptions options;
        options.workspace = dir() / "workspace";
        window_ = std::make_unique<MainWindow>(options);
        window_->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
        QVERIFY(window_->openDataset(gz::ui::toQString(data_)));
        QTRY_VERIFY_WITH_TIMEOUT(window_->dataset() && !window_->isBusy(), kTimeoutMs);
        panel_ = window_->augmentationPanel();
        QVERIFY(panel_);
        window_->showPanel(panel_);
        // Opening a data set shows its first labeled galaxy.
        waitForPreview();
        QVERIFY(panel_->galaxyId() != 0);
    }

    void showsEveryStepWithTheValueDrawn() {
        panel_->setSeed(7);
        const long long id = window_->dataset()->catalog.id(4);
        QVERIFY(panel_->showGalaxy(id));
        QVERIFY(panel_->previewPending());  // computed off the GUI thread
        waitForPreview();
        const gz::ui::AugmentationPreview& p = panel_->preview();
        QCOMPARE(p.galaxyId, id);

        const AugmentationParams params = window_->augmentationSettings()->params();
        const gz::AugmentationDraw draw = gz::drawAugmentation(params, 7, panel_->roll(), 0);
        QCOMPARE(p.draw, draw);
        QCOMPARE(static_cast<int>(p.steps.size()), kStepNames.size());
        for (int i = 0; i < kStepNames.size(); ++i) QCOMPARE(p.steps[i].name, kStepNames[i]);
        // The tiles say what was drawn.
        QCOMPARE(tileValue("step", 1), QStringLiteral("S = %1").arg(draw.cropSide));
        QCOMPARE(tileValue("step", 3), QString::asprintf("%+.1f deg CCW", draw.angle));
        QCOMPARE(tileValue("step", 4),
                 QStringLiteral("x = %1, y = %2").arg(draw.offsetX).arg(draw.offsetY));
        QVERIFY2(tileValue("step", 5).startsWith(QStringLiteral("k = %1").arg(draw.rotation)),
                 qPrintable(tileValue("step", 5)));
        QCOMPARE(tileValue("step", 6),
                 draw.flipped ? QStringLiteral("flipped") : QStringLiteral("not flipped"));
        QCOMPARE(tileValue("step", 7), QString::asprintf("%+.1f", draw.brightness));
        QCOMPARE(tileValue("step", 9), QStringLiteral("off"));  // hue and saturation: off

        // The last image is exactly the core's training transform, rescaled for display.
        const fs::path file = data_ / gz::kKaggleImageDirName / (std::to_string(id) + ".jpg");
        const gz::SourceImage source = gz::decodeImage(
            file, gz::DecodeScale::Half, cv::Size(gz::kKaggleImageSide, gz::kKaggleImageSide));
        const cv::Mat expected = gz::toDisplayRgb8(gz::trainingTransform(source, params, draw));
        QCOMPARE(p.steps.back().image.size(), QSize(params.outputSize, params.outputSize));
        QCOMPARE(p.steps.back().image, gz::ui::toQImage(expected));

        // The grid and the evaluation transform beside it.
        QCOMPARE(static_cast<int>(p.grid.size()), panel_->gridCount());
        QVERIFY(panel_->findChild<QWidget*>(
            QStringLiteral("randomTile%1").arg(panel_->gridCount() - 1)));
        QCOMPARE(p.evaluation.size(), std::size_t{3});
        const cv::Mat evaluation = gz::toDisplayRgb8(gz::evaluationTransform(source, params));
        QCOMPARE(p.evaluation.back().image, gz::ui::toQImage(evaluation));
        screenshot(*window_, QStringLiteral("augmentation-panel"));
    }

    void rerollDrawsNewValuesForTheSameGalaxy() {
        const long long id = panel_->galaxyId();
        const gz::AugmentationDraw before = panel_->preview().draw;
        const quint64 roll = panel_->roll();
        QTest::mouseClick(panel_->findChild<QPushButton*>(QStringLiteral("rerollButton")),
                          Qt::LeftButton);
        QCOMPARE(panel_->roll(), roll + 1);
        waitForPreview();
        QCOMPARE(panel_->galaxyId(), id);
        const gz::AugmentationDraw after = panel_->preview().draw;
        QCOMPARE(after, gz::drawAugmentation(window_->augmentationSettings()->params(),
                                             panel_->seed(), roll + 1, 0));
        QVERIFY(!(after == before));

        panel_->setGridCount(5);
        waitForPreview();
        QCOMPARE(panel_->preview().grid.size(), std::size_t{5});
        QVERIFY(!panel_->findChild<QWidget*>(QStringLiteral("randomTile5")));
    }

    void switchingAStepOffIsSharedWithTraining() {
        auto* rotate = panel_->findChild<QCheckBox*>(QStringLiteral("rotateCheck"));
        QVERIFY(rotate && rotate->isChecked());
        // Find a draw that rotates, so switching off is visible.
        for (int i = 0; i < 20 && panel_->preview().draw.rotation == 0; ++i) {
            panel_->reroll();
            waitForPreview();
        }
        QVERIFY(panel_->preview().draw.rotation != 0);
        rotate->click();
        QVERIFY(!window_->augmentationSettings()->params().rotate);
        waitForPreview();
        QCOMPARE(panel_->preview().draw.rotation, 0);
        QCOMPARE(tileValue("step", 5), QStringLiteral("off"));
        rotate->click();
        QVERIFY(window_->augmentationSettings()->params().rotate);
        waitForPreview();
    }

    void badValuesAreRefusedAndNotApplied() {
        const AugmentationParams before = window_->augmentationSettings()->params();
        auto* cropMin = panel_->findChild<QSpinBox*>(QStringLiteral("cropMinSpin"));
        cropMin->setValue(before.cropMax + 10);
        QVERIFY2(panel_->lastError().startsWith(QStringLiteral("Not applied")),
                 qPrintable(panel_->lastError()));
        // In the words of the form (its row "1. Scale jitter, S"), not the code's names.
        QVERIFY2(panel_->lastError().contains(QStringLiteral("Scale jitter, S (from)")) &&
                     panel_->lastError().contains(QStringLiteral("Scale jitter, S (to)")) &&
                     !panel_->lastError().contains(QStringLiteral("crop")),
                 qPrintable(panel_->lastError()));
        QCOMPARE(window_->augmentationSettings()->params(), before);
        cropMin->setValue(before.cropMin);
        QVERIFY(panel_->lastError().isEmpty());
        QCOMPARE(window_->augmentationSettings()->params(), before);
    }

    void formRoundTripsEveryField() {
        const AugmentationParams params = nonDefaultParams();
        params.validate();
        // No field is left at its default (the JSON names every field).
        const QJsonObject changed = paramsObject(params);
        const QJsonObject defaults = paramsObject(AugmentationParams{});
        QCOMPARE(changed.size(), defaults.size());
        for (auto it = defaults.begin(); it != defaults.end(); ++it)
            QVERIFY2(changed.value(it.key()) != it.value(), qPrintable(it.key()));

        // The form alone: params -> controls -> params, without an edit reported.
        gz::ui::AugmentationForm form;
        QSignalSpy edits(&form, &gz::ui::AugmentationForm::edited);
        form.setParams(params);
        QCOMPARE(form.params(), params);
        QCOMPARE(edits.count(), 0);
        // A step that is off disables its values; the output size counts without a random crop.
        QVERIFY(!form.findChild<QDoubleSpinBox*>(QStringLiteral("contrastMinSpin"))->isEnabled());
        QVERIFY(form.findChild<QDoubleSpinBox*>(QStringLiteral("hueDeltaSpin"))->isEnabled());
        QVERIFY(form.findChild<QSpinBox*>(QStringLiteral("outputSizeSpin"))->isEnabled());
        form.findChild<QSpinBox*>(QStringLiteral("evalCropSpin"))->setValue(180);
        QCOMPARE(edits.count(), 1);
        QCOMPARE(form.params().evalCrop, 180);
        form.setParams(AugmentationParams{});
        QCOMPARE(form.params(), AugmentationParams{});

        // Through the panel: the shared settings -> its controls -> an edit -> the settings.
        window_->augmentationSettings()->setParams(params);
        auto* rotate = panel_->findChild<QCheckBox*>(QStringLiteral("rotateCheck"));
        rotate->click();
        QVERIFY(window_->augmentationSettings()->params().rotate);
        rotate->click();
        QCOMPARE(window_->augmentationSettings()->params(), params);
        window_->augmentationSettings()->setParams(AugmentationParams{});
        waitForPreview();
    }

    void savesAndLoadsJson() {
        AugmentationParams changed = window_->augmentationSettings()->params();
        changed.flip = false;
        changed.brightnessDelta = 20;
        window_->augmentationSettings()->setParams(changed);
        // The controls follow the shared settings.
        QVERIFY(!panel_->findChild<QCheckBox*>(QStringLiteral("flipCheck"))->isChecked());
        const QString file = tmp_.filePath(QStringLiteral("augmentation.json"));
        QVERIFY(panel_->saveParams(file));
        QCOMPARE(AugmentationParams::load(gz::ui::toPath(file)), changed);

        window_->augmentationSettings()->setParams(AugmentationParams{});
        QVERIFY(panel_->findChild<QCheckBox*>(QStringLiteral("flipCheck"))->isChecked());
        QVERIFY(panel_->loadParams(file));
        QCOMPARE(window_->augmentationSettings()->params(), changed);
        QVERIFY(!panel_->findChild<QCheckBox*>(QStringLiteral("flipCheck"))->isChecked());

        // A file with an unknown key is refused, naming the file; nothing changes.
        const QString bad = tmp_.filePath(QStringLiteral("bad.json"));
        gz::test::writeText(gz::ui::toPath(bad),
                            "{\"format\": \"galaxy-studio-augmentation\", \"version\": 1, "
                            "\"params\": {\"rotate\": true, \"rotation\": 3}}\n");
        QVERIFY(!panel_->loadParams(bad));
        QVERIFY2(panel_->lastError().contains(QStringLiteral("bad.json")),
                 qPrintable(panel_->lastError()));
        QVERIFY2(panel_->lastError().contains(QStringLiteral("rotation")),
                 qPrintable(panel_->lastError()));
        QCOMPARE(window_->augmentationSettings()->params(), changed);
        QVERIFY(panel_->loadParams(file));
        QVERIFY(panel_->lastError().isEmpty());
        window_->augmentationSettings()->setParams(AugmentationParams{});
        waitForPreview();
    }

    void galaxyByIdFieldAndUnknownIds() {
        auto* edit = panel_->findChild<QLineEdit*>(QStringLiteral("galaxyIdEdit"));
        const long long id = window_->dataset()->catalog.id(2);
        edit->setText(QString::number(id));
        QTest::mouseClick(panel_->findChild<QPushButton*>(QStringLiteral("showGalaxyButton")),
                          Qt::LeftButton);
        waitForPreview();
        QCOMPARE(panel_->preview().galaxyId, id);

        // An unknown GalaxyID typed into the field is refused right under it.
        edit->setText(QStringLiteral("987654321"));
        QTest::mouseClick(panel_->findChild<QPushButton*>(QStringLiteral("showGalaxyButton")),
                          Qt::LeftButton);
        QVERIFY2(panel_->lastError().contains(QStringLiteral("987654321")),
                 qPrintable(panel_->lastError()));
        QCOMPARE(panel_->galaxyId(), id);  // still showing the last good one
        const QString under = panel_->findChild<QLabel*>(QStringLiteral("galaxyLabel"))->text();
        QVERIFY2(under.contains(QStringLiteral("No galaxy 987654321")) &&
                     under.contains(QStringLiteral("Still showing galaxy %1").arg(id)),
                 qPrintable(under));
        screenshot(*window_, QStringLiteral("augmentation-unknown-id"));
        QVERIFY(panel_->showGalaxy(id));
        QVERIFY(!panel_->findChild<QLabel*>(QStringLiteral("galaxyLabel"))
                     ->text()
                     .contains(QStringLiteral("No galaxy")));
    }

    void unusableImageIsReportedWithItsName() {
        // Break one image (a copy of the data set: input data is never modified).
        const fs::path copy = dir() / "broken";
        fs::copy(data_, copy, fs::copy_options::recursive);
        const long long id = window_->dataset()->catalog.id(1);
        const fs::path jpeg = copy / gz::kKaggleImageDirName / (std::to_string(id) + ".jpg");
        gz::test::writeText(jpeg, "not a jpeg");
        QVERIFY(window_->openDataset(gz::ui::toQString(copy)));
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!panel_->previewPending(), kTimeoutMs);
        QVERIFY(panel_->showGalaxy(id));
        QTRY_VERIFY_WITH_TIMEOUT(!panel_->previewPending(), kTimeoutMs);
        QVERIFY2(panel_->lastError().contains(QString::number(id) + QStringLiteral(".jpg")),
                 qPrintable(panel_->lastError()));
    }

    void galaxySelectedInTheBrowserIsShown() {
        const long long id = window_->dataset()->catalog.id(7);
        QVERIFY(window_->datasetPanel()->browser()->selectGalaxy(id));
        QCOMPARE(panel_->galaxyId(), id);
        waitForPreview();
        QCOMPARE(panel_->preview().galaxyId, id);
    }

    void cleanupTestCase() { window_.reset(); }
};

QTEST_MAIN(TestAugmentationPanel)
#include "test_augmentationpanel.moc"
