// "More like this" (gz/similarity.h): exact cosine neighbours, in order, on sets whose answer is
// known.

#include <QtTest>

#include <cmath>
#include <random>

#include "gz/error.h"
#include "gz/similarity.h"

using namespace gz;

namespace {

/// Galaxy 100 + i at angle i degrees from the x axis in the first two of `dim` values, lengths
/// varying (cosine ignores them).
Embeddings fan(std::size_t count, std::size_t dim) {
    Embeddings e;
    e.dim = dim;
    for (std::size_t i = 0; i < count; ++i) {
        e.ids.push_back(100 + static_cast<std::int64_t>(i));
        const double angle = static_cast<double>(i) * M_PI / 180;
        const double length = 1 + static_cast<double>(i % 7);
        std::vector<float> row(dim, 0.0f);
        row[0] = static_cast<float>(length * std::cos(angle));
        row[1] = static_cast<float>(length * std::sin(angle));
        e.values.insert(e.values.end(), row.begin(), row.end());
    }
    return e;
}

}  // namespace

class TestSimilarity : public QObject {
    Q_OBJECT

private slots:
    void nearestComeInOrderOfAngle() {
        const SimilarityIndex index(fan(90, 8));
        const auto found = index.nearestTo(130, 6);  // 30 degrees
        QCOMPARE(found.size(), std::size_t{6});
        // 29 and 31 at 1 degree (in either order: float rounding decides), then 28 and 32, 27
        // and 33.
        for (std::size_t i = 0; i < found.size(); ++i) {
            QCOMPARE(std::abs(found[i].id - 130), static_cast<std::int64_t>(i / 2 + 1));
            const double angle = std::abs(static_cast<double>(found[i].id - 130)) * M_PI / 180;
            QVERIFY(std::abs(found[i].similarity - std::cos(angle)) < 1e-5);
        }
        // A query of any length, not from the set: the nearest angle first, itself included.
        const std::vector<float> query{0, 5, 0, 0, 0, 0, 0, 0};  // 90 degrees
        const auto q = index.nearest(query, 3);
        QCOMPARE(q[0].id, std::int64_t{189});
        QCOMPARE(q[1].id, std::int64_t{188});
        QCOMPARE(q[2].id, std::int64_t{187});
    }

    void clustersFindTheirOwn() {
        // 4 clusters of 3000 points in 64 dimensions, split over the workers: every neighbour of a
        // point is of its cluster, and a brute-force check agrees on the order.
        std::mt19937_64 gen(5);
        std::normal_distribution<float> normal;
        const std::size_t dim = 64, per = 3000, clusters = 4;
        std::vector<std::vector<float>> centres(clusters, std::vector<float>(dim));
        for (auto& c : centres)
            for (auto& v : c) v = normal(gen) * 3;
        Embeddings e;
        e.dim = dim;
        for (std::size_t i = 0; i < per * clusters; ++i) {
            e.ids.push_back(static_cast<std::int64_t>(i));
            for (std::size_t d = 0; d < dim; ++d)
                e.values.push_back(centres[i % clusters][d] + normal(gen) * 0.5f);
        }
        const SimilarityIndex index(e, 2);
        for (const std::int64_t id : {0, 1, 2, 3, 4097, 11999}) {
            const auto found = index.nearestTo(id, 25);
            QCOMPARE(found.size(), std::size_t{25});
            for (std::size_t i = 0; i < found.size(); ++i) {
                QCOMPARE(found[i].id % 4, id % 4);
                if (i) QVERIFY(found[i].similarity <= found[i - 1].similarity);
            }
            // No point outside the answer is more similar than its last.
            const auto all = index.nearestTo(id, e.size());
            QCOMPARE(all.size(), e.size() - 1);
            for (std::size_t i = 0; i < found.size(); ++i) QCOMPARE(all[i].id, found[i].id);
        }
    }

    void edgeCases() {
        Embeddings e = fan(5, 3);
        e.values[0] = e.values[1] = e.values[2] = 0;  // a zero row: similarity 0, never NaN
        const SimilarityIndex index(e);
        const auto all = index.nearestTo(101, 10);
        QCOMPARE(all.size(), std::size_t{4});  // k above the set: all the others
        QCOMPARE(all.back().id, std::int64_t{100});
        QCOMPARE(all.back().similarity, 0.0f);
        QVERIFY(index.nearestTo(101, 0).empty());
        // Exact ties: the lower GalaxyID first.
        Embeddings twins = fan(3, 2);
        twins.values = {1, 0, 0, 1, 0, 1};  // 101 and 102 the same direction
        const auto tied = SimilarityIndex(twins).nearest(std::vector<float>{0, 2}, 2);
        QCOMPARE(tied[0].id, std::int64_t{101});
        QCOMPARE(tied[1].id, std::int64_t{102});
        QVERIFY_THROWS_EXCEPTION(DataError, index.nearestTo(999, 3));
        const std::vector<float> wrong{1, 2};
        QVERIFY_THROWS_EXCEPTION(DataError, index.nearest(wrong, 3));
    }
};

QTEST_GUILESS_MAIN(TestSimilarity)
#include "test_similarity.moc"
