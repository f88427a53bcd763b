// The map (gz/embedding_map.h): the same seed gives the same map, separate clusters stay
// separate, and its file reads back or is refused naming the line.

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>

#include "fixtures.h"
#include "gz/embedding_map.h"
#include "gz/error.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

constexpr std::size_t kClusters = 4;

/// 4 clusters of 150 points in 32 dimensions; galaxy i belongs to cluster i % 4.
Embeddings clusters() {
    std::mt19937_64 gen(11);
    std::normal_distribution<float> normal;
    const std::size_t dim = 32;
    std::vector<float> centres(kClusters * dim);
    for (auto& c : centres) c = normal(gen) * 4;
    Embeddings e;
    e.dim = dim;
    for (std::size_t i = 0; i < 150 * kClusters; ++i) {
        e.ids.push_back(static_cast<std::int64_t>(1000 + i));
        for (std::size_t d = 0; d < dim; ++d)
            e.values.push_back(centres[(i % kClusters) * dim + d] + normal(gen));
    }
    return e;
}

/// The share of points whose nearest other point on the map is of their own cluster.
double neighbourPurity(const EmbeddingMap& m) {
    std::size_t same = 0;
    for (std::size_t i = 0; i < m.points.size(); ++i) {
        double best = INFINITY;
        std::size_t nearest = i;
        for (std::size_t j = 0; j < m.points.size(); ++j) {
            if (j == i) continue;
            const double dx = m.points[i].x - m.points[j].x, dy = m.points[i].y - m.points[j].y;
            if (dx * dx + dy * dy < best) {
                best = dx * dx + dy * dy;
                nearest = j;
            }
        }
        same += nearest % kClusters == i % kClusters;
    }
    return static_cast<double>(same) / static_cast<double>(m.points.size());
}

}  // namespace

class TestMap : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    void sameSeedSameMapAndClustersApart() {
        const Embeddings e = clusters();
        MapOptions o;
        o.seed = 7;
        o.epochs = 200;
        const EmbeddingMap a = layoutMap(e, o);
        const EmbeddingMap b = layoutMap(e, o);
        QCOMPARE(a.ids, e.ids);
        QCOMPARE(a.points.size(), e.size());
        QVERIFY(a.points == b.points);  // bit for bit
        o.seed = 8;
        const EmbeddingMap c = layoutMap(e, o);
        QVERIFY(!(c.points == a.points));
        for (const auto& m : {a, c}) {
            for (const auto& p : m.points) QVERIFY(std::isfinite(p.x) && std::isfinite(p.y));
            const double purity = neighbourPurity(m);
            QVERIFY2(purity > 0.98, qPrintable(QString::number(purity)));
        }
    }

    void tooFewGalaxiesAndCancel() {
        Embeddings e;
        e.dim = 2;
        e.ids = {1, 2};
        e.values = {0, 0, 1, 1};
        QVERIFY_THROWS_EXCEPTION(DataError, layoutMap(e));
        std::stop_source stop;
        stop.request_stop();
        QVERIFY_THROWS_EXCEPTION(Cancelled, layoutMap(clusters(), {}, stop.get_token()));
    }

    void fileRoundTripAndBadLines() {
        EmbeddingMap m;
        m.ids = {5, 7};
        m.points = {{0.1f, -2.5e-7f}, {12345.678f, 3}};
        const fs::path file = dir() / "map.csv";
        writeMapCsv(file, m);
        const EmbeddingMap back = readMapCsv(file);
        QCOMPARE(back.ids, m.ids);
        QVERIFY(back.points == m.points);  // exactly: shortest round-trip digits
        // Another options' map lives in another file beside the embeddings.
        MapOptions o;
        const fs::path f1 = mapFileFor(dir() / "e.npy", o);
        o.seed = 2;
        QVERIFY(mapFileFor(dir() / "e.npy", o) != f1);
        QCOMPARE(f1.parent_path(), dir());

        for (const auto& [text, line] : std::vector<std::pair<std::string, std::string>>{
                 {"GalaxyID,x\n", "line 1"},
                 {"GalaxyID,x,y\n1,2,3\n2,nan,1\n", "line 3"},
                 {"GalaxyID,x,y\n1,2\n", "line 2"},
                 {"GalaxyID,x,y\r\n1,2,3\r\nabc,1,1\r\n", "line 3"}}) {
            test::writeText(file, text);
            try {
                readMapCsv(file);
                QFAIL(text.c_str());
            } catch (const DataError& e) {
                const std::string what = e.what();
                QVERIFY2(what.find("map.csv") != std::string::npos &&
                             what.find(line) != std::string::npos,
                         what.c_str());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestMap)
#include "test_map.moc"
