// The training and evaluation transforms: geometry (crop, resize, rotation, flip), photometry
// and standardisation, and the steps the preview shows.

#include <QtTest>

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "gz/error.h"
#include "gz/image_pipeline.h"
#include "imaging_fixtures.h"

using namespace gz;
using test::maxAbsDiff;
using test::positionImage;
using test::rampImage;

namespace {

cv::Mat matrix2x2(float a, float b, float c, float d) {
    cv::Mat m(2, 2, CV_32FC3);
    m.at<cv::Vec3f>(0, 0) = cv::Vec3f::all(a);
    m.at<cv::Vec3f>(0, 1) = cv::Vec3f::all(b);
    m.at<cv::Vec3f>(1, 0) = cv::Vec3f::all(c);
    m.at<cv::Vec3f>(1, 1) = cv::Vec3f::all(d);
    return m;
}

float v0(const cv::Mat& m, int y, int x, int c = 0) {
    return m.at<cv::Vec3f>(y, x)[c];
}

void meanStd(const cv::Mat& m, double& mean, double& std) {
    cv::Scalar mu, sd;
    cv::meanStdDev(m.reshape(1), mu, sd);
    mean = mu[0];
    std = sd[0];
}

}  // namespace

class TestTransforms : public QObject {
    Q_OBJECT

private slots:
    // ---- geometry ----------------------------------------------------------------------------

    void centreCropBoxIsPilsCentreCrop() {
        const SourceImage s = positionImage();
        // side == out: the resize is the identity, so the output is the crop box itself.
        for (int side : {80, 171, 220, 241}) {
            const cv::Mat out = centreCropResize(s, side, side);
            const int left = (424 - side) / 2;  // 126 for 171: PIL rounds down
            QCOMPARE(out.rows, side);
            QCOMPARE(v0(out, 0, 0, 0), float(left % 256));
            QCOMPARE(v0(out, 0, 0, 1), float(left % 256));
            QCOMPARE(v0(out, side - 1, side - 1, 0), float((left + side - 1) % 256));
            QCOMPARE(v0(out, 5, 0, 1), float((left + 5) % 256));
        }
    }

    void resizeIsOpenCvBilinearWithoutAntialiasing() {
        const SourceImage s = positionImage();
        for (int side : {170, 201, 220, 241}) {
            const int left = (424 - side) / 2;
            cv::Mat crop, expected;
            s.rgb(cv::Rect(left, left, side, side)).convertTo(crop, CV_32FC3);
            cv::resize(crop, expected, cv::Size(80, 80), 0, 0, cv::INTER_LINEAR);
            const cv::Mat out = centreCropResize(s, side, 80);
            QCOMPARE(out.type(), CV_32FC3);
            // OpenCV computes its sample positions in single precision: ~0.002 on 0..255.
            QVERIFY2(maxAbsDiff(out, expected) < 1e-2,
                     qPrintable(QString::number(maxAbsDiff(out, expected))));
        }
    }

    void halfSizeSourceKeepsTheGeometry() {
        // A half-resolution source (each pixel averages 2x2 originals, as the JPEG DCT-domain
        // decode does) gives the same crop of a linear image as the full one.
        const SourceImage full = rampImage();
        SourceImage half = full;
        cv::resize(full.rgb, half.rgb, cv::Size(212, 212), 0, 0, cv::INTER_AREA);
        half.scale = 2.0;
        for (int side : {170, 171, 220, 241}) {
            const double d =
                maxAbsDiff(centreCropResize(full, side, 80), centreCropResize(half, side, 80));
            QVERIFY2(d < 1.01,
                     qPrintable(QString("side %1: %2").arg(side).arg(d)));  // 8-bit rounding
        }
        // A cached window (origin inside the frame) samples the same places.
        SourceImage window = half;
        window.rgb = half.rgb(cv::Rect(45, 45, 122, 122)).clone();
        window.originX = window.originY = 90;
        QVERIFY(maxAbsDiff(centreCropResize(half, 241, 80), centreCropResize(window, 241, 80)) <
                1e-4);
        QVERIFY(maxAbsDiff(centreCropResize(half, 170, 80), centreCropResize(window, 170, 80)) <
                1e-4);
    }

    void handComputedResizeOnASmallImage() {
        // 4x4 -> 2x2 halves exactly: each output is the mean of a 2x2 block.
        SourceImage s;
        s.rgb.create(4, 4, CV_8UC3);
        const int values[4][4] = {
            {0, 10, 20, 30}, {40, 50, 60, 70}, {80, 90, 100, 110}, {120, 130, 140, 150}};
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 4; ++x)
                s.rgb.at<cv::Vec3b>(y, x) = cv::Vec3b::all(static_cast<uchar>(values[y][x]));
        s.fullWidth = s.fullHeight = 4;
        const cv::Mat out = centreCropResize(s, 4, 2);
        QCOMPARE(v0(out, 0, 0), 25.0f);   // (0 + 10 + 40 + 50) / 4
        QCOMPARE(v0(out, 0, 1), 45.0f);   // (20 + 30 + 60 + 70) / 4
        QCOMPARE(v0(out, 1, 0), 105.0f);  // (80 + 90 + 120 + 130) / 4
        QCOMPARE(v0(out, 1, 1), 125.0f);
        // 4 -> 3: sample positions 1/6, 3/2, 17/6 (index coordinates) with replicated edges.
        const cv::Mat three = centreCropResize(s, 4, 3);
        // Row/column position p = (u + 0.5) * 4/3 - 0.5 = 0.1667, 1.5, 2.8333.
        const double p[3] = {1.0 / 6.0, 1.5, 17.0 / 6.0};
        for (int v = 0; v < 3; ++v)
            for (int u = 0; u < 3; ++u) {
                const double expected = 10.0 * p[u] + 40.0 * p[v];  // the image is 10x + 40y
                QVERIFY(std::abs(v0(three, v, u) - expected) < 1e-3);
            }
    }

    void randomCropWindow() {
        const cv::Mat resized = centreCropResize(positionImage(), 80, 80);  // left = 172
        const cv::Mat w = cropWindow(resized, 16, 3, 64);
        QCOMPARE(w.rows, 64);
        QCOMPARE(w.cols, 64);
        QCOMPARE(v0(w, 0, 0, 0), float(172 + 16));
        QCOMPARE(v0(w, 0, 0, 1), float(172 + 3));
        QCOMPARE(v0(w, 63, 63, 0), float(172 + 16 + 63));
        QVERIFY_THROWS_EXCEPTION(DataError, cropWindow(resized, 17, 0, 64));
    }

    void rotationIsCounterClockwiseLikeNumpyRot90() {
        // numpy.rot90([[1, 2], [3, 4]]) == [[2, 4], [1, 3]]
        const cv::Mat m = matrix2x2(1, 2, 3, 4);
        const cv::Mat r1 = rotate90(m, 1);
        QCOMPARE(v0(r1, 0, 0), 2.0f);
        QCOMPARE(v0(r1, 0, 1), 4.0f);
        QCOMPARE(v0(r1, 1, 0), 1.0f);
        QCOMPARE(v0(r1, 1, 1), 3.0f);
        const cv::Mat r2 = rotate90(m, 2);  // [[4, 3], [2, 1]]
        QCOMPARE(v0(r2, 0, 0), 4.0f);
        QCOMPARE(v0(r2, 1, 0), 2.0f);
        const cv::Mat r3 = rotate90(m, 3);  // [[3, 1], [4, 2]]
        QCOMPARE(v0(r3, 0, 0), 3.0f);
        QCOMPARE(v0(r3, 0, 1), 1.0f);
        QCOMPARE(maxAbsDiff(rotate90(m, 4), m), 0.0);
        QCOMPARE(maxAbsDiff(rotate90(rotate90(m, 1), 3), m), 0.0);
    }

    void rotationByAnAngleIsCounterClockwiseAboutTheCentre() {
        cv::Mat m;
        positionImage(9).rgb.convertTo(m, CV_32FC3);
        QCOMPARE(maxAbsDiff(rotateAngle(m, 0.0), m), 0.0);
        // A quarter turn lands on the pixel grid: it is rot90's, up to the rounding of cos(90).
        QVERIFY(maxAbsDiff(rotateAngle(m, 90.0), rotate90(m, 1)) < 1e-3);
        QVERIFY(maxAbsDiff(rotateAngle(m, -90.0), rotate90(m, 3)) < 1e-3);
        const cv::Mat r = rotateAngle(m, 30.0);
        QCOMPARE(r.size(), m.size());
        QCOMPARE(r.type(), CV_32FC3);
        QVERIFY(std::abs(v0(r, 4, 4) - v0(m, 4, 4)) < 1e-3);  // the centre stays
        // The corners the rotation uncovers are mirrored image, never a black fill.
        double lo = 0, hi = 0;
        cv::minMaxLoc(r.reshape(1), &lo, &hi);
        double mLo = 0, mHi = 0;
        cv::minMaxLoc(m.reshape(1), &mLo, &mHi);
        QVERIFY(lo >= mLo - 1e-3 && hi <= mHi + 1e-3);
    }

    void flipIsLeftRight() {
        const cv::Mat f = flipHorizontal(matrix2x2(1, 2, 3, 4));  // [[2, 1], [4, 3]]
        QCOMPARE(v0(f, 0, 0), 2.0f);
        QCOMPARE(v0(f, 0, 1), 1.0f);
        QCOMPARE(v0(f, 1, 0), 4.0f);
    }

    void transformsGiveTheOutputSize() {
        const SourceImage s = positionImage();
        const AugmentationParams p;
        const cv::Mat train = trainingTransform(s, p, drawAugmentation(p, 1, 0, 0));
        QCOMPARE(train.size(), cv::Size(64, 64));
        QCOMPARE(train.type(), CV_32FC3);
        const cv::Mat eval = evaluationTransform(s, p);
        QCOMPARE(eval.size(), cv::Size(64, 64));
        QCOMPARE(eval.type(), CV_32FC3);
    }

    void evaluationTransformIsCentreCrop220Resize80Crop64() {
        const SourceImage s = positionImage();
        AugmentationParams p;
        p.standardize = false;
        cv::Mat expected = centreCropResize(s, 220, 80)(cv::Rect(8, 8, 64, 64)).clone();
        QCOMPARE(maxAbsDiff(evaluationTransform(s, p), expected), 0.0);
        p.standardize = true;
        standardizeImage(expected);
        QVERIFY(maxAbsDiff(evaluationTransform(s, p), expected) < 1e-6);
    }

    // ---- photometry and standardisation --------------------------------------------------------

    void brightnessAndContrastByHand() {
        cv::Mat m(1, 2, CV_32FC3);
        m.at<cv::Vec3f>(0, 0) = cv::Vec3f(10, 100, 200);
        m.at<cv::Vec3f>(0, 1) = cv::Vec3f(30, 140, 250);
        adjustBrightness(m, 20, false);
        QCOMPARE(m.at<cv::Vec3f>(0, 1)[2], 270.0f);  // not clipped
        // Channel means after brightness: 40, 140, 245; factor 0.5 halves each deviation.
        adjustContrast(m, 0.5, false);
        QVERIFY(std::abs(m.at<cv::Vec3f>(0, 0)[0] - 35.0f) < 1e-4);
        QVERIFY(std::abs(m.at<cv::Vec3f>(0, 1)[0] - 45.0f) < 1e-4);
        QVERIFY(std::abs(m.at<cv::Vec3f>(0, 0)[1] - 130.0f) < 1e-4);
        QVERIFY(std::abs(m.at<cv::Vec3f>(0, 1)[2] - 257.5f) < 1e-4);
        adjustContrast(m, 1.0, true);  // clip only
        QCOMPARE(m.at<cv::Vec3f>(0, 1)[2], 255.0f);
        adjustBrightness(m, -100, true);
        QCOMPARE(m.at<cv::Vec3f>(0, 0)[0], 0.0f);
    }

    void standardisationGivesMeanZeroStdOne() {
        const SourceImage s = positionImage();
        const AugmentationParams p;
        for (std::uint64_t i = 0; i < 20; ++i) {
            const cv::Mat x = trainingTransform(s, p, drawAugmentation(p, 3, 0, i));
            double mean = 0, std = 0;
            meanStd(x, mean, std);
            QVERIFY(std::abs(mean) < 1e-5);
            QVERIFY(std::abs(std - 1.0) < 1e-4);
        }
        // By hand: values 0..5 -> mean 2.5, std sqrt(35/12).
        cv::Mat m(1, 2, CV_32FC3);
        m.at<cv::Vec3f>(0, 0) = cv::Vec3f(0, 1, 2);
        m.at<cv::Vec3f>(0, 1) = cv::Vec3f(3, 4, 5);
        standardizeImage(m);
        QVERIFY(std::abs(m.at<cv::Vec3f>(0, 0)[0] - float(-2.5 / std::sqrt(35.0 / 12.0))) < 1e-5);
        // A flat image: std 0 is replaced by 1/sqrt(N), giving zeros, not NaN.
        cv::Mat flat(8, 8, CV_32FC3, cv::Scalar::all(77));
        standardizeImage(flat);
        QCOMPARE(cv::norm(flat, cv::NORM_INF), 0.0);
    }

    void withoutClippingStandardisationCancelsBrightness() {
        const SourceImage s = rampImage();
        AugmentationParams p;
        AugmentationDraw d = drawAugmentation(p, 5, 0, 0);
        AugmentationDraw brighter = d;
        brighter.brightness = d.brightness + 50;
        QVERIFY(maxAbsDiff(trainingTransform(s, p, d), trainingTransform(s, p, brighter)) < 1e-4);
        // With 8-bit clipping the shift saturates bright pixels and survives standardisation.
        p.clipPhotometric = true;
        d.brightness = 100;
        brighter.brightness = 150;
        QVERIFY(maxAbsDiff(trainingTransform(s, p, d), trainingTransform(s, p, brighter)) > 0.01);
    }

    void hueAndSaturation() {
        cv::Mat red(2, 2, CV_32FC3, cv::Scalar(255, 0, 0));
        cv::Mat same = red.clone();
        adjustHue(same, 0.0, false);
        QVERIFY(maxAbsDiff(same, red) < 1e-3);
        adjustHue(red, 1.0 / 3.0, false);  // red -> green
        QVERIFY(std::abs(v0(red, 0, 0, 0)) < 0.5f);
        QVERIFY(std::abs(v0(red, 0, 0, 1) - 255.0f) < 0.5f);
        cv::Mat colour(2, 2, CV_32FC3, cv::Scalar(200, 100, 50));
        adjustSaturation(colour, 0.0, false);  // grey: R = G = B = V
        QVERIFY(std::abs(v0(colour, 1, 1, 0) - 200.0f) < 0.5f);
        QVERIFY(std::abs(v0(colour, 1, 1, 2) - 200.0f) < 0.5f);
    }

    void trainingTransformIsTheStepsInOrder() {
        // The documented steps applied one by one give the transform's output.
        const SourceImage s = positionImage();
        AugmentationParams p;
        p.rotateAngle = true;  // whatever the default: every step is checked
        for (std::uint64_t index = 0; index < 8; ++index) {
            AugmentationDraw d = drawAugmentation(p, 7, 3, index);
            d.rotation = static_cast<int>(index % 4);  // every rotation, with and without a flip
            d.flipped = index % 8 >= 4;
            cv::Mat want = centreCropResize(s, d.cropSide, p.resizeTo);
            want = rotateAngle(want, d.angle);
            want = cropWindow(want, d.offsetX, d.offsetY, p.outputSize);
            want = rotate90(want, d.rotation);
            if (d.flipped) want = flipHorizontal(want);
            adjustBrightness(want, d.brightness, p.clipPhotometric);
            adjustContrast(want, d.contrast, p.clipPhotometric);
            standardizeImage(want);
            QVERIFY2(maxAbsDiff(trainingTransform(s, p, d), want) < 1e-5,
                     qPrintable(QString::number(index)));
        }
    }

    void stepsAreRecordedForThePreview() {
        const SourceImage s = positionImage();
        AugmentationParams p;
        p.rotateAngle = true;
        std::vector<TransformStep> steps;
        const AugmentationDraw d = drawAugmentation(p, 1, 0, 0);
        const cv::Mat out = trainingTransform(s, p, d, &steps);
        QStringList names;
        for (const auto& st : steps) names << QString::fromStdString(st.name);
        QCOMPARE(names, (QStringList{"original", "scale crop", "resize", "rotate by an angle",
                                     "random crop", "rotate", "flip", "brightness", "contrast",
                                     "hue / saturation", "standardise"}));
        QCOMPARE(steps[2].image.size(), cv::Size(80, 80));
        QCOMPARE(maxAbsDiff(steps.back().image, out), 0.0);
        QVERIFY(QString::fromStdString(steps[1].value).startsWith("S = "));
        QCOMPARE(QString::fromStdString(steps[3].value),
                 QString::asprintf("%+.1f deg CCW", d.angle));  // the rotation by any angle
        std::vector<TransformStep> evalSteps;
        evaluationTransform(s, p, &evalSteps);
        QCOMPARE(evalSteps.size(), std::size_t(3));
        const cv::Mat shown = toDisplayRgb8(out);
        QCOMPARE(shown.type(), CV_8UC3);
        double lo = 0, hi = 0;
        cv::minMaxLoc(shown.reshape(1), &lo, &hi);
        QCOMPARE(lo, 0.0);
        QCOMPARE(hi, 255.0);
    }
};

QTEST_APPLESS_MAIN(TestTransforms)
#include "test_transforms.moc"
