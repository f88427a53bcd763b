// The decoded cache built in shards (a Slurm job array): parts assembled into the very file a
// direct build writes, incomplete or stale parts ignored, and `galaxy-cli preprocess --shard`.

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <set>

#include "fixtures.h"
#include "gz/cache_shards.h"
#include "gz/catalog.h"
#include "gz/decoded_cache.h"
#include "gz/error.h"
#include "imaging_fixtures.h"
#include "preprocess_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;
using test::q;
using test::readBytes;

namespace {

std::set<std::string> partFilesIn(const fs::path& folder) {
    std::set<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec))
        if (e.path().extension() == ".gzpart") names.insert(e.path().filename().string());
    return names;
}

}  // namespace

class TestCacheShards : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    test::DemoSplit demo_;
    fs::path badData_;  // the demo data with two unusable images
    std::optional<Catalog> bad_;

    // Every part of `count` except those in `leaveOut`, into `workspace`, from `catalog`.
    void writeParts(const Catalog& catalog, const fs::path& workspace, int count,
                    const std::set<int>& leaveOut = {}) {
        for (int i = 0; i < count; ++i) {
            if (leaveOut.count(i)) continue;
            const CachePart part =
                buildCachePart(catalog, demo_.ids(), workspace, {}, CacheShard{i, count}, 2);
            QVERIFY(fs::exists(part.file));
            QCOMPARE(part.shard, (CacheShard{i, count}));
        }
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        demo_.create(dir());
        QVERIFY(demo_.split.size() >= 20);
        // Two unusable images in different shards, so that assembling must merge skipped records.
        badData_ = dir() / "bad";
        fs::copy(demo_.data, badData_, fs::copy_options::recursive);
        auto ids = demo_.ids();
        std::sort(ids.begin(), ids.end());
        const fs::path images = badData_ / std::string(kKaggleImageDirName);
        const std::string whole = readBytes(images / (std::to_string(ids[1]) + ".jpg"));
        test::writeText(images / (std::to_string(ids[1]) + ".jpg"),
                        whole.substr(0, whole.size() / 2));
        test::writeText(images / (std::to_string(ids[ids.size() - 2]) + ".jpg"), "");
        bad_ = Catalog::open(CatalogSource::kaggleFolder(badData_));
    }

    void shardTextIsParsedOrRefusedClearly() {
        QCOMPARE(CacheShard::parse("0/4"), (CacheShard{0, 4}));
        QCOMPARE(CacheShard::parse("3/4"), (CacheShard{3, 4}));
        QCOMPARE(CacheShard::parse("0/1").text(), std::string("0/1"));
        const std::pair<const char*, const char*> bad[] = {
            {"4/4", "must be 0..3"}, {"1/0", "must be 1..100000"}, {"-1/4", "expected I/N"},
            {"a/b", "expected I/N"}, {"2", "expected I/N"},        {"1/2/3", "expected I/N"},
            {"", "expected I/N"},    {"1/200000", "1..100000"},    {" 1/4", "expected I/N"},
        };
        for (const auto& [text, reason] : bad) {
            try {
                CacheShard::parse(text);
                QFAIL(qPrintable(QString("accepted \"%1\"").arg(text)));
            } catch (const DataError& e) {
                QVERIFY2(std::string(e.what()).find(reason) != std::string::npos, e.what());
                QVERIFY2(std::string(e.what()).find(std::string("\"") + text + "\"") !=
                             std::string::npos,
                         e.what());
            }
        }
    }

    void shardsCoverEveryGalaxyOnceInOrder() {
        QCOMPARE((CacheShard{0, 3}.range(10)), (std::pair<std::size_t, std::size_t>{0, 3}));
        QCOMPARE((CacheShard{1, 3}.range(10)), (std::pair<std::size_t, std::size_t>{3, 6}));
        QCOMPARE((CacheShard{2, 3}.range(10)), (std::pair<std::size_t, std::size_t>{6, 10}));
        for (std::size_t n : {0, 1, 5, 54, 61578})
            for (int count : {1, 3, 7, 200}) {
                std::size_t next = 0, smallest = n, largest = 0;
                for (int i = 0; i < count; ++i) {
                    const auto [first, last] = CacheShard{i, count}.range(n);
                    QCOMPARE(first, next);
                    QVERIFY(last >= first);
                    smallest = std::min(smallest, last - first);
                    largest = std::max(largest, last - first);
                    next = last;
                }
                QCOMPARE(next, n);
                QVERIFY(largest - smallest <= 1);
            }
    }

    void assembledPartsEqualADirectBuildByteForByte() {
        for (int count : {1, 3, 40}) {  // 40 shards: more than galaxies, some parts empty
            const fs::path sharded = dir() / ("ws-sharded-" + std::to_string(count));
            const fs::path direct = dir() / ("ws-direct-" + std::to_string(count));
            writeParts(*bad_, sharded, count);
            QCOMPARE(partFilesIn(sharded / "cache").size(), std::size_t(count));

            const DecodedCache assembled =
                DecodedCache::buildOrLoad(*bad_, demo_.ids(), sharded, {}, 2);
            QCOMPARE(assembled.origin(), CacheOrigin::Assembled);
            QVERIFY2(assembled.partsNote().find("assembled from " + std::to_string(count) +
                                                " shard parts") != std::string::npos,
                     assembled.partsNote().c_str());
            QVERIFY(partFilesIn(sharded / "cache").empty());  // the parts are used up

            const DecodedCache built = DecodedCache::buildOrLoad(*bad_, demo_.ids(), direct, {}, 2);
            QCOMPARE(built.origin(), CacheOrigin::Decoded);
            QVERIFY(built.partsNote().empty());
            QCOMPARE(built.summary().skipped, std::size_t(2));
            QCOMPARE(assembled.file().filename(), built.file().filename());
            const std::string a = readBytes(assembled.file()), b = readBytes(built.file());
            QVERIFY(!a.empty());
            QVERIFY2(a == b, "the assembled cache differs from the directly built one");
            QCOMPARE(assembled.summary().skipped, std::size_t(2));
            QCOMPARE(assembled.skipped(), built.skipped());

            // And the next load reuses it.
            QCOMPARE(DecodedCache::buildOrLoad(*bad_, demo_.ids(), sharded, {}, 2).origin(),
                     CacheOrigin::Reused);
        }
    }

    void aMissingPartMeansANormalDecode() {
        const fs::path ws = dir() / "ws-missing";
        writeParts(*demo_.catalog, ws, 3, {1});
        const DecodedCache cache =
            DecodedCache::buildOrLoad(*demo_.catalog, demo_.ids(), ws, {}, 2);
        QCOMPARE(cache.origin(), CacheOrigin::Decoded);
        QCOMPARE(cache.size(), demo_.split.size());
        QVERIFY2(cache.partsNote().find("ignored") != std::string::npos, cache.partsNote().c_str());
        QVERIFY2(cache.partsNote().find("part 1/3 is missing") != std::string::npos,
                 cache.partsNote().c_str());
        const DecodedCache direct =
            DecodedCache::buildOrLoad(*demo_.catalog, demo_.ids(), dir() / "ws-missing-ref", {}, 2);
        QVERIFY(readBytes(cache.file()) == readBytes(direct.file()));
    }

    void aStalePartMeansANormalDecode() {
        const fs::path data = dir() / "touched";
        fs::copy(demo_.data, data, fs::copy_options::recursive);
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data));
        const fs::path ws = dir() / "ws-stale";
        writeParts(catalog, ws, 2);
        // An image of the second part changes after the parts were written.
        auto ids = demo_.ids();
        std::sort(ids.begin(), ids.end());
        const fs::path image =
            data / std::string(kKaggleImageDirName) / (std::to_string(ids.back()) + ".jpg");
        fs::last_write_time(image, fs::last_write_time(image) + std::chrono::seconds(5));

        const DecodedCache cache = DecodedCache::buildOrLoad(catalog, demo_.ids(), ws, {}, 2);
        QCOMPARE(cache.origin(), CacheOrigin::Decoded);
        QVERIFY2(cache.partsNote().find("part-1-of-2.gzpart is damaged or was made for other") !=
                     std::string::npos,
                 cache.partsNote().c_str());
    }

    void aPartOfOtherGalaxiesIsNotUsed() {
        // Parts of a smaller id set belong to another cache: the full set decodes without note.
        const fs::path ws = dir() / "ws-other";
        auto fewer = demo_.ids();
        fewer.pop_back();
        for (int i = 0; i < 2; ++i)
            buildCachePart(*demo_.catalog, fewer, ws, {}, CacheShard{i, 2}, 2);
        const DecodedCache cache =
            DecodedCache::buildOrLoad(*demo_.catalog, demo_.ids(), ws, {}, 2);
        QCOMPARE(cache.origin(), CacheOrigin::Decoded);
        QVERIFY(cache.partsNote().empty());
        QCOMPARE(partFilesIn(ws / "cache").size(), std::size_t(2));
    }

    void cliShardsThenAssembles() {
        const fs::path ws = dir() / "ws-cli";
        const QStringList common{"preprocess",       "--data",      q(demo_.data), "--split",
                                 q(demo_.splitFile), "--workspace", q(ws)};
        for (int i = 0; i < 3; ++i) {
            const auto r = test::runCli(common + QStringList{"--shard", QString("%1/3").arg(i)});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QVERIFY2(r.out.contains(QString("wrote shard %1/3").arg(i)), qPrintable(r.out));
        }
        // A shard writes its part and nothing else: no preprocess.json, no cache yet.
        QCOMPARE(partFilesIn(ws / "cache").size(), std::size_t(3));
        std::size_t entries = 0;
        for (const auto& e : fs::recursive_directory_iterator(ws)) entries += e.is_regular_file();
        QCOMPARE(entries, std::size_t(3));

        const fs::path out = dir() / "pp-cli";
        const auto r = test::runCli(common + QStringList{"--out", q(out)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("assembled from 3 shard parts"), qPrintable(r.err));
        const auto json =
            QJsonDocument::fromJson(QByteArray::fromStdString(readBytes(out / "preprocess.json")))
                .object();
        QCOMPARE(json["cache"].toObject()["origin"].toString(), QString("assembled"));
        QVERIFY(partFilesIn(ws / "cache").empty());
    }

    void cliRefusesBadShards() {
        const QStringList common{
            "preprocess",       "--data",      q(demo_.data),          "--split",
            q(demo_.splitFile), "--workspace", q(dir() / "ws-refused")};
        const std::pair<QString, QString> bad[] = {{"3/3", "must be 0..2"},
                                                   {"1/0", "must be 1..100000"},
                                                   {"x", "expected I/N"},
                                                   {"-1/2", "expected I/N"}};
        for (const auto& [shard, reason] : bad) {
            const auto r = test::runCli(common + QStringList{"--shard", shard});
            QVERIFY2(r.exitCode != 0, qPrintable(shard));
            QCOMPARE(r.err.trimmed().count('\n'), 0);
            QVERIFY2(r.err.contains("--shard") && r.err.contains(reason), qPrintable(r.err));
        }
        auto r = test::runCli(common + QStringList{"--shard", "0/2", "--out", q(dir() / "o")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("--out excludes --shard"), qPrintable(r.err));
        r = test::runCli(common + QStringList{"--shard", "0/2", "--npy"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("excludes --shard"), qPrintable(r.err));
        r = test::runCli(common);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("--out"), qPrintable(r.err));
        QVERIFY(!fs::exists(dir() / "ws-refused"));
    }
};

QTEST_GUILESS_MAIN(TestCacheShards)
#include "test_cache_shards.moc"
