// The decoded-image cache: its window of the originals, entries equal to half-size decodes, reuse
// until an image changes, and the whole real sample.

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/decoded_cache.h"
#include "gz/error.h"
#include "gz/labeling.h"
#include "imaging_fixtures.h"
#include "preprocess_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;
using test::maxAbsDiff;
using test::readBytes;

class TestDecodedCache : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    test::DemoSplit demo_;

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        demo_.create(dir());
        QVERIFY(demo_.split.size() >= 20);
    }

    void cacheGeometryFollowsTheParams() {
        const CacheGeometry g = CacheGeometry::forParams({});
        QCOMPARE(g.fullWidth, 424);
        QCOMPARE(g.fullHeight, 424);
        QCOMPARE(g.scale, 2);
        QCOMPARE(g.originX, 90);  // original pixels [90, 334): every crop up to 244
        QCOMPARE(g.originY, 90);
        QCOMPARE(g.width, 122);
        QCOMPARE(g.height, 122);
        AugmentationParams small;
        small.cropMin = 100;
        small.cropMax = 150;
        small.evalCrop = 120;
        // Crops [162, 262) for 100 to [137, 287) for 150: a sample at x reads half pixels
        // floor(x / 2 - 0.5) and the next, from 68 on; the last is taken at the edge itself,
        // floor(287 / 2 - 0.5) + 1 = 144.
        const CacheGeometry s = CacheGeometry::forParams(small);
        QCOMPARE(s.originX, 136);
        QCOMPARE(s.width, 77);
        QCOMPARE(s.height, 77);
        AugmentationParams noJitter;
        noJitter.scaleJitter = false;  // only the evaluation crop: [102, 322), half pixels 50..161
        const CacheGeometry e = CacheGeometry::forParams(noJitter);
        QCOMPARE(e.originX, 100);
        QCOMPARE(e.width, 112);
        AugmentationParams huge;
        huge.cropMax = 500;
        QVERIFY_THROWS_EXCEPTION(DataError, CacheGeometry::forParams(huge));
    }

    void cachedEntriesGiveTheHalfDecodeResults() {
        const DecodedCache cache =
            DecodedCache::buildOrLoad(*demo_.catalog, demo_.ids(), dir() / "ws", {}, 2);
        QCOMPARE(cache.size(), demo_.split.size());
        QCOMPARE(cache.summary().skipped, std::size_t(0));
        const AugmentationParams p;
        for (std::size_t i = 0; i < 4; ++i) {
            const SourceImage entry = cache.image(i);
            QCOMPARE(entry.rgb.cols, 122);
            QCOMPARE(entry.scale, 2.0);
            QCOMPARE(entry.originX, 90.0);
            QCOMPARE(entry.fullWidth, 424);
            const SourceImage full = decodeImage(demo_.imageOf(cache.id(i)), DecodeScale::Half);
            for (int side : {170, 171, 199, 220, 240, 241})
                for (int out : {80, 64, 33, 241}) {
                    const double d = maxAbsDiff(centreCropResize(entry, side, out),
                                                centreCropResize(full, side, out));
                    QVERIFY2(d < 1e-3,
                             qPrintable(QString("S %1 -> %2: %3").arg(side).arg(out).arg(d)));
                }
            QVERIFY(maxAbsDiff(evaluationTransform(entry, p), evaluationTransform(full, p)) < 1e-4);
            const AugmentationDraw draw = drawAugmentation(p, 3, 0, i);
            QVERIFY(maxAbsDiff(trainingTransform(entry, p, draw),
                               trainingTransform(full, p, draw)) < 1e-4);
        }
    }

    void cacheIsReusedUntilAnImageChanges() {
        const fs::path ws = dir() / "ws-reuse";
        const auto ids = demo_.ids();
        const DecodedCache first = DecodedCache::buildOrLoad(*demo_.catalog, ids, ws, {}, 2);
        QVERIFY(!first.reused());
        QVERIFY(fs::exists(first.file()));
        QCOMPARE(first.file().parent_path(), ws / "cache");
        const DecodedCache second = DecodedCache::buildOrLoad(*demo_.catalog, ids, ws, {}, 2);
        QVERIFY(second.reused());
        QCOMPARE(second.file(), first.file());
        QCOMPARE(second.ids(), first.ids());
        QCOMPARE(maxAbsDiff(second.image(3).rgb, first.image(3).rgb), 0.0);
        // The order of the ids asked for does not matter.
        auto reversed = ids;
        std::reverse(reversed.begin(), reversed.end());
        QVERIFY(DecodedCache::buildOrLoad(*demo_.catalog, reversed, ws, {}, 2).reused());

        // Touching an image rebuilds the same file.
        const fs::path image = demo_.imageOf(first.id(3));
        fs::last_write_time(image, fs::last_write_time(image) + std::chrono::hours(1));
        const DecodedCache touched = DecodedCache::buildOrLoad(*demo_.catalog, ids, ws, {}, 2);
        QVERIFY(!touched.reused());
        QCOMPARE(touched.file(), first.file());
        QVERIFY(DecodedCache::buildOrLoad(*demo_.catalog, ids, ws, {}, 2).reused());

        // Replacing an image (by another galaxy's) rebuilds, with the new pixels.
        const std::string original = readBytes(image);
        test::writeText(image, readBytes(demo_.imageOf(first.id(4))));
        fs::last_write_time(image, fs::last_write_time(image) + std::chrono::hours(2));
        const DecodedCache replaced = DecodedCache::buildOrLoad(*demo_.catalog, ids, ws, {}, 2);
        QVERIFY(!replaced.reused());
        QCOMPARE(maxAbsDiff(replaced.image(3).rgb, replaced.image(4).rgb), 0.0);

        // A removed image rebuilds and is reported; putting it back rebuilds again.
        fs::remove(image);
        const DecodedCache removed = DecodedCache::buildOrLoad(*demo_.catalog, ids, ws, {}, 2);
        QVERIFY(!removed.reused());
        QCOMPARE(removed.size(), ids.size() - 1);
        QCOMPARE(removed.summary().skipped, std::size_t(1));
        QVERIFY(removed.summary().firstSkipped[0].message.find("not found") != std::string::npos);
        test::writeText(image, original);
        const DecodedCache restored = DecodedCache::buildOrLoad(*demo_.catalog, ids, ws, {}, 2);
        QVERIFY(!restored.reused());
        QCOMPARE(restored.size(), ids.size());
        QCOMPARE(maxAbsDiff(restored.image(3).rgb, first.image(3).rgb), 0.0);

        // Other geometry: another file; the first one stays valid.
        AugmentationParams other;
        other.cropMax = 200;
        const DecodedCache narrow = DecodedCache::buildOrLoad(*demo_.catalog, ids, ws, other, 2);
        QVERIFY(!narrow.reused());
        QVERIFY(narrow.file() != first.file());
        QVERIFY(narrow.geometry().width < first.geometry().width);
        QVERIFY(DecodedCache::buildOrLoad(*demo_.catalog, ids, ws, {}, 2).reused());

        // A damaged cache file is rebuilt, not trusted.
        {
            std::fstream f(first.file(), std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(20);
            f.write("garbage!", 8);
        }
        QVERIFY(!DecodedCache::buildOrLoad(*demo_.catalog, ids, ws, {}, 2).reused());
        fs::resize_file(first.file(), fs::file_size(first.file()) - 10);
        QVERIFY(!DecodedCache::buildOrLoad(*demo_.catalog, ids, ws, {}, 2).reused());
    }

    void sampleCacheHoldsEveryLabeledGalaxy() {
        const auto sample = test::sampleDir();
        if (!sample)
            QSKIP(
                "GZ2_SAMPLE_DIR is not set: skipping the decoded cache of the real Galaxy Zoo 2 "
                "sample (.ci/run sets it to ../shared/data/gz2-sample)");
        const Catalog c = Catalog::open(CatalogSource::kaggleFolder(*sample));
        const Labeling l = labelCatalog(c, LabelRules::defaults());
        std::vector<std::int64_t> ids;
        for (std::size_t r = 0; r < c.size(); ++r)
            if (l.labels[r] >= 0) ids.push_back(c.id(r));
        QCOMPARE(ids.size(), std::size_t(1440));
        QElapsedTimer t;
        t.start();
        const DecodedCache cache = DecodedCache::buildOrLoad(c, ids, dir() / "ws-sample", {}, 2);
        qInfo("decoded cache of the sample: %zu images, %.1f MB, %lld ms", cache.size(),
              static_cast<double>(cache.fileBytes()) / 1e6, static_cast<long long>(t.elapsed()));
        QCOMPARE(cache.size(), std::size_t(1440));
        QCOMPARE(cache.summary().skipped, std::size_t(0));
        QVERIFY(!cache.reused());
        QVERIFY(cache.file().string().rfind(fs::weakly_canonical(*sample).string(), 0) ==
                std::string::npos);
        const SourceImage full =
            decodeImage(*c.imagePath(*c.rowOf(cache.id(700))), DecodeScale::Half);
        QVERIFY(maxAbsDiff(evaluationTransform(cache.image(700), {}),
                           evaluationTransform(full, {})) < 1e-4);
    }
};

QTEST_GUILESS_MAIN(TestDecodedCache)
#include "test_decoded_cache.moc"
