// Timed checks of the decoded-image cache (ctest label perf): reopening a valid cache is quick.

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <optional>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/decoded_cache.h"
#include "gz/demo.h"
#include "gz/partition.h"

namespace fs = std::filesystem;
using namespace gz;

class TestPreprocessPerf : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    void reusingTheCacheTakesUnderHalfASecond() {
        QVERIFY(tmp_.isValid());
        DemoOptions demo;
        demo.count = 30;
        demo.seed = 5;
        writeDemoDataset(dir() / "data", demo);
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(dir() / "data"));
        std::vector<std::int64_t> ids;
        for (const auto& e : test::defaultRulesSplit(catalog, SplitRatios{0.5, 0.25, 0.25}, 42))
            ids.push_back(e.id);
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
