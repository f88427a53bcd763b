// Timed checks of the decoded-image cache (ctest label perf): reopening a valid cache is quick.

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include "gz/catalog.h"
#include "gz/decoded_cache.h"
#include "preprocess_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;

class TestPreprocessPerf : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    void reusingTheCacheTakesUnderHalfASecond() {
        QVERIFY(tmp_.isValid());
        test::DemoSplit demo;
        demo.create(dir());
        const Catalog& catalog = *demo.catalog;
        const std::vector<std::int64_t> ids = demo.ids();
        const fs::path ws = dir() / "ws";
        QVERIFY(!DecodedCache::buildOrLoad(catalog, ids, ws, {}, 2).reused());
        QElapsedTimer t;
        t.start();
        const DecodedCache second = DecodedCache::buildOrLoad(catalog, ids, ws, {}, 2);
        const qint64 ms = t.elapsed();
        QVERIFY(second.reused());
        qInfo("reopened a cache of %zu images in %lld ms", second.size(),
              static_cast<long long>(ms));
        QVERIFY2(ms < 500, qPrintable(QString::number(ms)));
    }
};

QTEST_GUILESS_MAIN(TestPreprocessPerf)
#include "test_preprocess_perf.moc"
