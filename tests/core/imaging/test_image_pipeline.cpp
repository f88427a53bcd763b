// The training and evaluation transforms: geometry, photometry, standardisation, random draws,
// determinism and bad image files.

#include <fcntl.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <set>
#include <tuple>

#include "fixtures.h"
#include "gz/error.h"
#include "gz/image_pipeline.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

// A 424x424 image whose pixels say where they are: R = x, G = y (mod 256), B = (x + 2y) mod 256.
SourceImage positionImage(int size = 424) {
    SourceImage s;
    s.rgb.create(size, size, CV_8UC3);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            s.rgb.at<cv::Vec3b>(y, x) =
                cv::Vec3b(static_cast<uchar>(x % 256), static_cast<uchar>(y % 256),
                          static_cast<uchar>((x + 2 * y) % 256));
    s.fullWidth = s.fullHeight = size;
    return s;
}

// A smooth image: channel c = a_c + b_c * x + d_c * y (linear, so bilinear sampling is exact).
SourceImage rampImage(int size = 424) {
    SourceImage s;
    s.rgb.create(size, size, CV_8UC3);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            s.rgb.at<cv::Vec3b>(y, x) =
                cv::Vec3b(static_cast<uchar>(x / 2), static_cast<uchar>(y / 2),
                          static_cast<uchar>(40 + (x + y) / 4));
    s.fullWidth = s.fullHeight = size;
    return s;
}

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

double maxAbsDiff(const cv::Mat& a, const cv::Mat& b) {
    return cv::norm(a, b, cv::NORM_INF);
}

void meanStd(const cv::Mat& m, double& mean, double& std) {
    cv::Scalar mu, sd;
    cv::meanStdDev(m.reshape(1), mu, sd);
    mean = mu[0];
    std = sd[0];
}

std::vector<std::uint8_t> encodeJpeg(const cv::Mat& rgb) {
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<std::uint8_t> bytes;
    cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, 95});
    return bytes;
}

void writeBytes(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

// A colourful image with detail at every scale: smooth ramps plus seeded noise.
cv::Mat testPattern(int width, int height, int channels = 3) {
    cv::Mat m(height, width, CV_8UC(channels));
    cv::RNG rng(static_cast<std::uint64_t>(width) * 1000 + static_cast<std::uint64_t>(height));
    rng.fill(m, cv::RNG::UNIFORM, 0, 60);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < channels; ++c)
                m.ptr<std::uint8_t>(y)[channels * x + c] +=
                    static_cast<std::uint8_t>((x * (c + 1) + y * (3 - c)) % 190);
    return m;
}

std::vector<std::uint8_t> imencode(const cv::Mat& image, const std::vector<int>& params) {
    std::vector<std::uint8_t> bytes;
    cv::imencode(".jpg", image, bytes, params);
    return bytes;
}

cv::Mat imdecodeRgb(std::vector<std::uint8_t>& bytes, int flags) {
    cv::Mat bgr = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1, bytes.data()),
                               flags | cv::IMREAD_IGNORE_ORIENTATION);
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return rgb;
}

// Overwrites 64 bytes in the middle of the entropy-coded data, keeping every header and the end
// marker: libjpeg decodes it to garbage with no more than a warning.
std::vector<std::uint8_t> scrambleEntropyData(std::vector<std::uint8_t> jpeg) {
    std::size_t sos = 0;
    for (std::size_t i = 2; i + 3 < jpeg.size() && sos == 0; ++i)
        if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) sos = i;
    const std::size_t start = sos + 2 + ((std::size_t(jpeg[sos + 2]) << 8) | jpeg[sos + 3]);
    const std::size_t end = jpeg.size() - 2;  // the EOI marker
    if (sos == 0 || end < start + 256) throw std::logic_error("no scan data to scramble");
    const std::size_t at = start + (end - start) / 2;
    for (std::size_t k = 0; k < 64; ++k)  // no 0xFF: no marker is made up
        jpeg[at + k] = static_cast<std::uint8_t>((k * 97 + 13) & 0x7F);
    return jpeg;
}

std::vector<std::uint8_t> scrambledNoiseJpeg() {
    cv::Mat rgb(424, 424, CV_8UC3);
    cv::RNG(424).fill(rgb, cv::RNG::UNIFORM, 0, 256);
    return scrambleEntropyData(encodeJpeg(rgb));
}

// An 8x8 CMYK JPEG (four components, YCCK-coded per its Adobe marker), made with ImageMagick 6.9:
// convert -size 8x8 xc:'rgb(200,60,20)' -colorspace CMYK -strip -quality 75 cmyk.jpg
std::vector<std::uint8_t> cmykJpeg() {
    static const char kBytes[] =
        "\xFF\xD8\xFF\xEE\x00\x0E\x41\x64\x6F\x62\x65\x00\x64\x00\x00\x00\x00\x02\xFF\xDB\x00\x43"
        "\x00\x08"
        "\x06\x06\x07\x06\x05\x08\x07\x07\x07\x09\x09\x08\x0A\x0C\x14\x0D\x0C\x0B\x0B\x0C\x19\x12"
        "\x13\x0F"
        "\x14\x1D\x1A\x1F\x1E\x1D\x1A\x1C\x1C\x20\x24\x2E\x27\x20\x22\x2C\x23\x1C\x1C\x28\x37\x29"
        "\x2C\x30"
        "\x31\x34\x34\x34\x1F\x27\x39\x3D\x38\x32\x3C\x2E\x33\x34\x32\xFF\xDB\x00\x43\x01\x09\x09"
        "\x09\x0C"
        "\x0B\x0C\x18\x0D\x0D\x18\x32\x21\x1C\x21\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32"
        "\x32\x32"
        "\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32"
        "\x32\x32"
        "\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\xFF\xC0\x00\x14\x08\x00\x08\x00\x08\x04"
        "\x01\x11"
        "\x00\x02\x11\x01\x03\x11\x01\x04\x11\x00\xFF\xC4\x00\x15\x00\x01\x01\x00\x00\x00\x00\x00"
        "\x00\x00"
        "\x00\x00\x00\x00\x00\x00\x00\x02\x07\xFF\xC4\x00\x14\x10\x01\x00\x00\x00\x00\x00\x00\x00"
        "\x00\x00"
        "\x00\x00\x00\x00\x00\x00\x00\xFF\xC4\x00\x15\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00"
        "\x00\x00"
        "\x00\x00\x00\x00\x06\x07\xFF\xC4\x00\x14\x11\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
        "\x00\x00"
        "\x00\x00\x00\x00\xFF\xDA\x00\x0E\x04\x01\x00\x02\x11\x03\x11\x04\x00\x00\x3F\x00\x66\x49"
        "\x62\x90"
        "\xFF\xD9";
    return {kBytes, kBytes + sizeof kBytes - 1};
}

// What `fn` writes to the standard error stream (file descriptor 2).
template <typename Fn>
std::string capturedStderr(const fs::path& file, Fn&& fn) {
    std::fflush(stderr);
    const int saved = ::dup(2);
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 2);
    ::close(fd);
    fn();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// SplitMix64 (Steele, Lea and Flood 2014): the seed of stream `stream` of a run's `seed`.
std::uint64_t splitMix(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// The draws of image `index` in `epoch`, as the scheme defines them (every value drawn, in order:
// side, x, y, rotation, flip, brightness, contrast, hue, saturation).
AugmentationDraw referenceDraw(const AugmentationParams& p, std::uint64_t seed, std::uint64_t epoch,
                               std::uint64_t index) {
    std::mt19937_64 gen(splitMix(splitMix(seed, epoch), index));
    auto below = [&](std::uint64_t n) {  // rejection sampling: no modulo bias
        const std::uint64_t threshold = (0 - n) % n;
        for (std::uint64_t r = gen();; r = gen())
            if (r >= threshold) return static_cast<int>(r % n);
    };
    auto real = [&](double lo, double hi) {
        return lo + (hi - lo) * std::ldexp(static_cast<double>(gen() >> 11), -53);
    };
    AugmentationDraw d;
    const int maxOffset = p.resizeTo - p.outputSize;
    d.cropSide = p.cropMin + below(static_cast<std::uint64_t>(p.cropMax - p.cropMin + 1));
    d.offsetX = below(static_cast<std::uint64_t>(maxOffset + 1));
    d.offsetY = below(static_cast<std::uint64_t>(maxOffset + 1));
    d.rotation = below(4);
    d.flipped = real(0, 1) < p.flipProbability;
    d.brightness = real(-p.brightnessDelta, p.brightnessDelta);
    d.contrast = real(p.contrastMin, p.contrastMax);
    const double hue = real(-p.hueDelta, p.hueDelta);
    const double saturation = real(p.saturationMin, p.saturationMax);
    d.hue = p.hue ? hue : 0.0;
    d.saturation = p.saturation ? saturation : 1.0;
    return d;
}

}  // namespace

class TestImagePipeline : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

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

    // ---- random draws ---------------------------------------------------------------------------

    void everyDrawStaysInItsRange() {
        AugmentationParams p;
        p.hue = p.saturation = true;
        std::set<int> sides, offsets, rotations;
        int flips = 0;
        double bLo = 1e9, bHi = -1e9, cLo = 1e9, cHi = -1e9, hLo = 1e9, hHi = -1e9, sLo = 1e9,
               sHi = -1e9;
        constexpr int kDraws = 20000;
        for (int i = 0; i < kDraws; ++i) {
            const AugmentationDraw d = drawAugmentation(p, 42, 0, static_cast<std::uint64_t>(i));
            QVERIFY(d.cropSide >= 170 && d.cropSide <= 241);
            QVERIFY(d.offsetX >= 0 && d.offsetX <= 16 && d.offsetY >= 0 && d.offsetY <= 16);
            QVERIFY(d.rotation >= 0 && d.rotation <= 3);
            sides.insert(d.cropSide);
            offsets.insert(d.offsetX);
            offsets.insert(d.offsetY);
            rotations.insert(d.rotation);
            flips += d.flipped;
            bLo = std::min(bLo, d.brightness), bHi = std::max(bHi, d.brightness);
            cLo = std::min(cLo, d.contrast), cHi = std::max(cHi, d.contrast);
            hLo = std::min(hLo, d.hue), hHi = std::max(hHi, d.hue);
            sLo = std::min(sLo, d.saturation), sHi = std::max(sHi, d.saturation);
        }
        QCOMPARE(sides.size(), std::size_t(72));    // 170..241 inclusive, every value drawn
        QCOMPARE(offsets.size(), std::size_t(17));  // 0..16 inclusive
        QCOMPARE(rotations.size(), std::size_t(4));
        QVERIFY(std::abs(flips - kDraws / 2) < 400);  // p = 0.5 (about 6 sigma)
        QVERIFY(bLo >= -63 && bHi <= 63 && bLo < -62 && bHi > 62);
        QVERIFY(cLo >= 0.2 && cHi <= 1.8 && cLo < 0.21 && cHi > 1.79);
        QVERIFY(hLo >= -0.2 && hHi <= 0.2 && hLo < -0.199 && hHi > 0.199);
        QVERIFY(sLo >= 0.0 && sHi <= 2.0 && sLo < 0.01 && sHi > 1.99);
    }

    void drawsAreDeterministicPerImageAndEpoch() {
        // The draws follow a fixed scheme (a std::mt19937_64 seeded by SplitMix64 of seed, epoch
        // and index; values in a fixed order), computed here again: the same on every platform,
        // so that a resumed run draws what the first one would have.
        const AugmentationParams p;
        const std::vector<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>> cases = {
            {7, 3, 11}, {7, 4, 11}, {7, 3, 12}, {8, 3, 11}, {0, 0, 0}};
        for (const auto& [seed, epoch, index] : cases)
            QCOMPARE(drawAugmentation(p, seed, epoch, index), referenceDraw(p, seed, epoch, index));
        QVERIFY(!(drawAugmentation(p, 7, 3, 11) == drawAugmentation(p, 7, 4, 11)));
        QVERIFY(!(drawAugmentation(p, 7, 3, 11) == drawAugmentation(p, 7, 3, 12)));
        QVERIFY(!(drawAugmentation(p, 8, 3, 11) == drawAugmentation(p, 7, 3, 11)));
    }

    void trainingTransformIsTheStepsInOrder() {
        // The documented steps applied one by one give the transform's output.
        const SourceImage s = positionImage();
        const AugmentationParams p;
        for (std::uint64_t index = 0; index < 8; ++index) {
            AugmentationDraw d = drawAugmentation(p, 7, 3, index);
            d.rotation = static_cast<int>(index % 4);  // every rotation, with and without a flip
            d.flipped = index % 8 >= 4;
            cv::Mat want = centreCropResize(s, d.cropSide, p.resizeTo);
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

    void switchedOffStepsDrawNeutralValuesAndKeepTheOthers() {
        AugmentationParams p;
        const AugmentationDraw all = drawAugmentation(p, 1, 0, 9);
        p.rotate = false;
        p.flip = false;
        p.brightness = false;
        p.scaleJitter = false;
        p.randomCrop = false;
        const AugmentationDraw some = drawAugmentation(p, 1, 0, 9);
        QCOMPARE(some.rotation, 0);
        QCOMPARE(some.flipped, false);
        QCOMPARE(some.brightness, 0.0);
        QCOMPARE(some.cropSide, 220);
        QCOMPARE(some.offsetX, 8);
        QCOMPARE(some.contrast, all.contrast);  // unchanged by switching the others off
    }

    void stepsAreRecordedForThePreview() {
        const SourceImage s = positionImage();
        AugmentationParams p;
        std::vector<TransformStep> steps;
        const cv::Mat out = trainingTransform(s, p, drawAugmentation(p, 1, 0, 0), &steps);
        QStringList names;
        for (const auto& st : steps) names << QString::fromStdString(st.name);
        QCOMPARE(names,
                 (QStringList{"original", "scale crop", "resize", "random crop", "rotate", "flip",
                              "brightness", "contrast", "hue / saturation", "standardise"}));
        QCOMPARE(steps[2].image.size(), cv::Size(80, 80));
        QCOMPARE(maxAbsDiff(steps.back().image, out), 0.0);
        QVERIFY(QString::fromStdString(steps[1].value).startsWith("S = "));
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

    // ---- parameters -----------------------------------------------------------------------------

    void shippedExperimentParamsLoad() {
        // resources/experiments/augmentation-96px.json (README, issue 6's resolution experiment):
        // the defaults at 96 px from a 120 px resize.
        const QByteArray source = qgetenv("GZ_SOURCE_DIR");
        if (source.isEmpty()) QSKIP("GZ_SOURCE_DIR is unset (ctest sets it)");
        const AugmentationParams p =
            AugmentationParams::load(fs::path(source.toStdString()) / "resources" / "experiments" /
                                     "augmentation-96px.json");
        AugmentationParams expected;
        expected.resizeTo = 120;
        expected.outputSize = 96;
        QCOMPARE(p, expected);
    }

    void paramsJsonRoundTripAndValidation() {
        AugmentationParams p;
        p.cropMin = 180;
        p.hue = true;
        p.clipPhotometric = true;
        p.contrastMax = 1.5;
        p.save(dir() / "aug.json");
        QCOMPARE(AugmentationParams::load(dir() / "aug.json"), p);
        // Missing keys keep their defaults.
        QCOMPARE(AugmentationParams::fromJson(R"({"params": {"crop_min": 200}})").cropMin, 200);
        QCOMPARE(AugmentationParams::fromJson(R"({"params": {}})"), AugmentationParams{});
        const std::vector<std::pair<std::string, std::string>> bad = {
            {R"({"params": {"crop_mni": 200}})", "unknown parameter \"crop_mni\""},
            {R"({"params": {"crop_min": "big"}})", "wrong type"},
            {R"({"params": {"crop_min": 250}})", "cropMin <= cropMax"},
            {R"({"params": {"output_size": 90}})", "outputSize <= resizeTo"},
            {R"({"params": {"flip_probability": 1.5}})", "flipProbability"},
            {R"([1, 2])", "\"params\" object"},
            {R"({"params": )", "not valid JSON"}};
        for (const auto& [json, fragment] : bad) {
            try {
                AugmentationParams::fromJson(json, "aug.json");
                QFAIL(qPrintable("accepted " + QString::fromStdString(json)));
            } catch (const DataError& e) {
                QVERIFY2(std::string(e.what()).find(fragment) != std::string::npos, e.what());
                QVERIFY2(std::string(e.what()).starts_with("aug.json: "), e.what());
            }
        }
    }

    // ---- decoding and bad files
    // ------------------------------------------------------------------

    void decodesJpegToRgbAtFullAndHalfSize() {
        cv::Mat rgb(424, 424, CV_8UC3, cv::Scalar(200, 60, 20));  // orange in RGB
        const fs::path file = dir() / "orange.jpg";
        writeBytes(file, encodeJpeg(rgb));
        const SourceImage full = decodeImage(file, DecodeScale::Full, cv::Size(424, 424));
        QCOMPARE(full.rgb.size(), cv::Size(424, 424));
        QCOMPARE(full.scale, 1.0);
        const cv::Vec3b px = full.rgb.at<cv::Vec3b>(200, 200);
        QVERIFY2(std::abs(px[0] - 200) < 4 && std::abs(px[2] - 20) < 4, "channels are not RGB");
        const SourceImage half = decodeImage(file, DecodeScale::Half);
        QCOMPARE(half.rgb.size(), cv::Size(212, 212));
        QCOMPARE(half.scale, 2.0);
        QCOMPARE(half.fullWidth, 424);
    }

    void pixelsAreThoseOfOpenCvImdecode() {
        // The same library with the same settings as cv::imdecode: identical pixels, whole and
        // half size, whatever the chroma subsampling, progressive or not, odd sizes included.
        struct Case {
            const char* name;
            std::vector<int> params;
        };
        const std::vector<Case> cases = {
            {"4:2:0 q95", {cv::IMWRITE_JPEG_QUALITY, 95}},
            {"4:4:4", {cv::IMWRITE_JPEG_LUMA_QUALITY, 90, cv::IMWRITE_JPEG_CHROMA_QUALITY, 80}},
            {"progressive", {cv::IMWRITE_JPEG_PROGRESSIVE, 1, cv::IMWRITE_JPEG_QUALITY, 80}},
            {"restart markers", {cv::IMWRITE_JPEG_RST_INTERVAL, 3}}};
        for (const cv::Size size :
             {cv::Size(424, 424), cv::Size(425, 301), cv::Size(17, 9), cv::Size(1, 1)})
            for (const Case& c : cases) {
                auto bytes = imencode(testPattern(size.width, size.height), c.params);
                const QString what =
                    QString("%1 %2x%3").arg(c.name).arg(size.width).arg(size.height);
                const SourceImage full = decodeImage(bytes, "t.jpg", DecodeScale::Full, size);
                QVERIFY2(maxAbsDiff(full.rgb, imdecodeRgb(bytes, cv::IMREAD_COLOR)) == 0,
                         qPrintable(what));
                QCOMPARE(full.scale, 1.0);
                const SourceImage half = decodeImage(bytes, "t.jpg", DecodeScale::Half, size);
                QVERIFY2(maxAbsDiff(half.rgb, imdecodeRgb(bytes, cv::IMREAD_REDUCED_COLOR_2)) == 0,
                         qPrintable(what));
                // Every half-size pixel covers two original pixels per axis (the last of an odd
                // size, one): the scale is exactly 2 and the size rounds up.
                QCOMPARE(half.scale, 2.0);
                QCOMPARE(half.rgb.size(), cv::Size((size.width + 1) / 2, (size.height + 1) / 2));
                QCOMPARE(half.fullWidth, size.width);
                QCOMPARE(half.fullHeight, size.height);
                // Quarter and eighth size (the browser's thumbnails): OpenCV's reduced decodes.
                for (const auto& [scale, denom, flag] :
                     {std::tuple{DecodeScale::Quarter, 4, cv::IMREAD_REDUCED_COLOR_4},
                      std::tuple{DecodeScale::Eighth, 8, cv::IMREAD_REDUCED_COLOR_8}}) {
                    const SourceImage small = decodeImage(bytes, "t.jpg", scale, size);
                    QVERIFY2(maxAbsDiff(small.rgb, imdecodeRgb(bytes, flag)) == 0,
                             qPrintable(what + QString(" 1/%1").arg(denom)));
                    QCOMPARE(small.scale, static_cast<double>(denom));
                    QCOMPARE(small.rgb.size(), cv::Size((size.width + denom - 1) / denom,
                                                        (size.height + denom - 1) / denom));
                }
                QCOMPARE(half.originX, 0.0);
            }
    }

    void grayscaleJpegGivesThreeEqualChannels() {
        auto bytes = imencode(testPattern(97, 61, 1), {cv::IMWRITE_JPEG_QUALITY, 90});
        QCOMPARE(cv::imdecode(bytes, cv::IMREAD_UNCHANGED).channels(), 1);  // a grey JPEG
        for (const DecodeScale scale : {DecodeScale::Full, DecodeScale::Half}) {
            const SourceImage s = decodeImage(bytes, "grey.jpg", scale);
            QCOMPARE(s.rgb.type(), CV_8UC3);
            std::vector<cv::Mat> channels;
            cv::split(s.rgb, channels);
            QCOMPARE(maxAbsDiff(channels[0], channels[1]), 0.0);
            QCOMPARE(maxAbsDiff(channels[0], channels[2]), 0.0);
            const int grey =
                scale == DecodeScale::Full ? cv::IMREAD_GRAYSCALE : cv::IMREAD_REDUCED_GRAYSCALE_2;
            QCOMPARE(maxAbsDiff(channels[0], cv::imdecode(bytes, grey)), 0.0);
            QVERIFY(cv::norm(channels[0], cv::NORM_INF) > 100);  // not a blank image
        }
    }

    void regionDecodeIsTheWholeDecodeCropped() {
        // The region is in original pixels; the result starts at the decoded pixel containing
        // its corner and ends at the one containing its last pixel, exactly as the whole decode.
        struct Case {
            cv::Size size;
            std::vector<int> params;
        };
        const std::vector<Case> cases = {
            {{424, 424}, {cv::IMWRITE_JPEG_QUALITY, 95}},
            {{425, 301}, {cv::IMWRITE_JPEG_LUMA_QUALITY, 90, cv::IMWRITE_JPEG_CHROMA_QUALITY, 80}},
            {{425, 301}, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}},
            {{99, 67}, {cv::IMWRITE_JPEG_RST_INTERVAL, 2}}};
        cv::RNG rng(7);
        for (const Case& c : cases) {
            const int w = c.size.width, h = c.size.height;
            const auto bytes = imencode(testPattern(w, h), c.params);
            std::vector<cv::Rect> regions = {{0, 0, w, h},         {w / 5, h / 5, w / 2, h / 2},
                                             {0, 10, w, 5},        {3, 0, 1, h},
                                             {w - 1, h - 1, 1, 1}, {1, 1, 1, 1},
                                             {16, 16, 16, 16},     {15, 17, 33, 40}};
            if (w == 424) regions.push_back({90, 90, 244, 244});  // the decoded cache's window
            for (int k = 0; k < 40; ++k) {
                const int x = rng.uniform(0, w), y = rng.uniform(0, h);
                regions.push_back({x, y, rng.uniform(1, w - x + 1), rng.uniform(1, h - y + 1)});
            }
            for (const DecodeScale scale : {DecodeScale::Full, DecodeScale::Half}) {
                const int d = scale == DecodeScale::Half ? 2 : 1;
                const SourceImage whole = decodeImage(bytes, "r.jpg", scale);
                for (const cv::Rect& r : regions) {
                    const SourceImage s = decodeImage(bytes, "r.jpg", scale, c.size, r);
                    const QString what = QString("%1x%2 scale %3 region %4,%5 %6x%7")
                                             .arg(w)
                                             .arg(h)
                                             .arg(d)
                                             .arg(r.x)
                                             .arg(r.y)
                                             .arg(r.width)
                                             .arg(r.height);
                    const cv::Rect cells(r.x / d, r.y / d, (r.x + r.width + d - 1) / d - r.x / d,
                                         (r.y + r.height + d - 1) / d - r.y / d);
                    QVERIFY2(s.rgb.size() == cells.size(), qPrintable(what));
                    QCOMPARE(s.originX, double(cells.x * d));
                    QCOMPARE(s.originY, double(cells.y * d));
                    QCOMPARE(s.scale, double(d));
                    QCOMPARE(s.fullWidth, w);
                    QVERIFY2(maxAbsDiff(s.rgb, whole.rgb(cells)) == 0, qPrintable(what));
                }
            }
            QVERIFY_THROWS_EXCEPTION(DataError, decodeImage(bytes, "r.jpg", DecodeScale::Half, {},
                                                            cv::Rect(1, 1, w, 1)));
            QVERIFY_THROWS_EXCEPTION(DataError, decodeImage(bytes, "r.jpg", DecodeScale::Half, {},
                                                            cv::Rect(0, 0, 0, 1)));
        }
    }

    void damagedDataIsRefusedQuietlyWholeOrRegion() {
        // libjpeg only warns about damaged compressed data (and would print the warning):
        // refused with the warning quoted, nothing printed, also when only a window is decoded
        // and the damage lies outside it.
        const auto bytes = scrambledNoiseJpeg();
        for (const auto& region :
             {std::optional<cv::Rect>(), std::optional<cv::Rect>(cv::Rect(90, 90, 244, 244)),
              std::optional<cv::Rect>(cv::Rect(0, 0, 16, 16))}) {
            std::string message;
            const std::string printed = capturedStderr(dir() / "stderr.txt", [&] {
                try {
                    decodeImage(bytes, "x.jpg", DecodeScale::Half, cv::Size(424, 424), region);
                } catch (const DataError& e) {
                    message = e.what();
                }
            });
            QVERIFY2(message.starts_with("x.jpg: corrupt JPEG: Corrupt JPEG data: "),
                     message.c_str());
            QCOMPARE(printed, std::string());
        }
        // An unknown JFIF revision is the one warning that says nothing about the pixels.
        auto jfif2 = encodeJpeg(positionImage().rgb);
        QCOMPARE(jfif2[11], std::uint8_t(1));  // APP0 "JFIF\0", major version
        jfif2[11] = 2;
        const std::string printed = capturedStderr(dir() / "stderr2.txt", [&] {
            QCOMPARE(decodeImage(jfif2, "v2.jpg", DecodeScale::Half).rgb.cols, 212);
        });
        QCOMPARE(printed, std::string());
    }

    void badImageFilesAreRefusedWithTheirName_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("missing") << "missing"
                                 << "not found";
        QTest::newRow("empty") << "empty"
                               << "empty image file";
        QTest::newRow("truncated") << "truncated"
                                   << "truncated JPEG";
        QTest::newRow("garbage after the header") << "corrupt"
                                                  << "JPEG";
        QTest::newRow("png named .jpg") << "png"
                                        << "not a JPEG";
        QTest::newRow("text") << "text"
                              << "not a JPEG";
        QTest::newRow("wrong size") << "small"
                                    << "image is 300x300, expected 424x424";
        QTest::newRow("scrambled compressed data") << "scrambled"
                                                   << "corrupt JPEG: Corrupt JPEG data: ";
        QTest::newRow("CMYK") << "cmyk"
                              << "JPEG in CMYK";
    }

    void badImageFilesAreRefusedWithTheirName() {
        QFETCH(QString, kind);
        QFETCH(QString, fragment);
        const fs::path file = dir() / ("bad-" + kind.toStdString() + ".jpg");
        cv::Mat rgb(424, 424, CV_8UC3);
        cv::randu(rgb, 0, 255);
        auto jpeg = encodeJpeg(rgb);
        if (kind == "empty") writeBytes(file, {});
        if (kind == "truncated")
            writeBytes(file, {jpeg.begin(), jpeg.begin() + static_cast<long>(jpeg.size() / 2)});
        if (kind == "corrupt") {
            std::vector<std::uint8_t> b(jpeg.begin(), jpeg.begin() + 4);
            b.resize(5000, 0x5A);
            writeBytes(file, b);
        }
        if (kind == "png") {
            std::vector<std::uint8_t> png;
            cv::imencode(".png", rgb, png);
            writeBytes(file, png);
        }
        if (kind == "text") test::writeText(file, "GalaxyID,Class1.1\n");
        if (kind == "small")
            writeBytes(file, encodeJpeg(cv::Mat(300, 300, CV_8UC3, cv::Scalar::all(9))));
        if (kind == "scrambled") writeBytes(file, scrambledNoiseJpeg());
        if (kind == "cmyk") writeBytes(file, cmykJpeg());  // 8x8: no size expected
        try {
            decodeImage(file, DecodeScale::Half,
                        kind == "cmyk" ? std::nullopt : std::optional(cv::Size(424, 424)));
            QFAIL("decoded a bad file");
        } catch (const DataError& e) {
            const QString msg = e.what();
            QVERIFY2(msg.startsWith(QString::fromStdString(file.string()) + ": "), qPrintable(msg));
            QVERIFY2(msg.contains(fragment), qPrintable(msg));
        }
    }
};

QTEST_APPLESS_MAIN(TestImagePipeline)
#include "test_image_pipeline.moc"
