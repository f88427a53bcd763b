// The JPEG decoder: RGB pixels identical to OpenCV's at every reduced size, regions, grey
// images, and damaged or wrong files refused with their name.

#include <fcntl.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cstdio>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <tuple>

#include "fixtures.h"
#include "gz/error.h"
#include "gz/image_pipeline.h"
#include "imaging_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;
using test::encodeJpeg;
using test::maxAbsDiff;
using test::positionImage;
using test::scrambledNoiseJpeg;
using test::writeBytes;

namespace {

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

// A progressive JPEG cut after its first `scans` scans, with the end marker after them: a valid
// file whose missing refinements make libjpeg smooth across blocks.
std::vector<std::uint8_t> firstScansOnly(const std::vector<std::uint8_t>& bytes, int scans) {
    std::size_t i = 2;  // after SOI
    while (i + 4 <= bytes.size()) {
        const std::uint8_t marker = bytes[i + 1];
        const std::size_t length = std::size_t(bytes[i + 2]) << 8 | bytes[i + 3];
        i += 2 + length;
        if (marker != 0xDA) continue;
        // The entropy-coded data ends at the first marker that is neither a stuffed zero nor a
        // restart marker.
        while (i + 1 < bytes.size() &&
               !(bytes[i] == 0xFF && bytes[i + 1] != 0 && (bytes[i + 1] & 0xF8) != 0xD0))
            ++i;
        if (--scans == 0) break;
    }
    std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(i));
    cut.insert(cut.end(), {0xFF, 0xD9});
    return cut;
}

cv::Mat imdecodeRgb(std::vector<std::uint8_t>& bytes, int flags) {
    cv::Mat bgr = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1, bytes.data()),
                               flags | cv::IMREAD_IGNORE_ORIENTATION);
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return rgb;
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

}  // namespace

class TestDecoding : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
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
            int scans = 0;  // > 0: only the first scans of a progressive image
        };
        const std::vector<Case> cases = {
            {{424, 424}, {cv::IMWRITE_JPEG_QUALITY, 95}},
            {{425, 301}, {cv::IMWRITE_JPEG_LUMA_QUALITY, 90, cv::IMWRITE_JPEG_CHROMA_QUALITY, 80}},
            {{425, 301}, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}},
            {{99, 67}, {cv::IMWRITE_JPEG_RST_INTERVAL, 2}},
            // Only the first two scans of a progressive image (found by fuzz_jpeg): the
            // interblock smoothing must see the same neighbours as in the whole decode.
            {{131, 77}, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}, 2}};
        cv::RNG rng(7);
        for (const Case& c : cases) {
            const int w = c.size.width, h = c.size.height;
            auto bytes = imencode(testPattern(w, h), c.params);
            if (c.scans > 0) bytes = firstScansOnly(bytes, c.scans);
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

QTEST_APPLESS_MAIN(TestDecoding)
#include "test_decoding.moc"
