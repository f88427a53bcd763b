// RunModel (gz/explain.h): one galaxy's probabilities and its Grad-CAM map.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/explain.h"
#include "gz/partition.h"
#include "gz/training.h"
#include "imaging_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

struct Blob {
    std::int64_t id;
    int label;
    cv::Point centre;  // original pixels
    int radius;
};

// One colour a class, a disc placed at random inside what the model sees (the central 176
// pixels of 424), far enough off centre that "the peak is on the object" means something.
std::vector<Blob> writeOffCentreBlobs(const fs::path& dir, int perClass, std::int64_t firstId,
                                      std::uint64_t seed) {
    std::mt19937_64 gen(seed);
    std::vector<Blob> blobs;
    std::string csv = test::kaggleHeader() + "\n";
    std::int64_t id = firstId;
    for (int i = 0; i < perClass; ++i)
        for (int label = 0; label < 5; ++label, ++id) {
            const int radius = 32 + static_cast<int>(gen() % 8);
            const cv::Point centre(212 + static_cast<int>(gen() % 91) - 45,
                                   212 + static_cast<int>(gen() % 91) - 45);
            test::writeBlobJpeg(dir / "images_training_rev1" / (std::to_string(id) + ".jpg"), label,
                                centre, radius, 2);
            csv += test::kaggleRow(id, label) + "\n";
            blobs.push_back({id, label, centre, radius});
        }
    test::writeText(dir / "training_solutions_rev1.csv", csv);
    return blobs;
}

}  // namespace

class TestExplain : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    fs::path trained_, untrained_;
    std::vector<Blob> unseen_;

    // How many of the unseen blobs have their Grad-CAM peak (for their own class) on the disc.
    int peaksOnTheObject(const fs::path& run) {
        const RunModel model(run, 2);
        int inside = 0;
        for (const Blob& b : unseen_) {
            const SourceImage image = decodeImage(dir() / "unseen" / "images_training_rev1" /
                                                  (std::to_string(b.id) + ".jpg"));
            const SaliencyMap s = model.gradCam(image, b.label);
            double peak = 0;
            cv::Point at;
            cv::minMaxLoc(s.map, nullptr, &peak, nullptr, &at);
            if (peak > 0 && std::hypot(at.x - b.centre.x, at.y - b.centre.y) <= b.radius) ++inside;
        }
        return inside;
    }

private slots:
    void initTestCase() {
        writeOffCentreBlobs(dir() / "train", 20, 5000, 1);
        unseen_ = writeOffCentreBlobs(dir() / "unseen", 4, 9000, 2);
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(dir() / "train"));
        const auto split = test::defaultRulesSplit(catalog, {0.8, 0.1, 0.1}, 42);
        TrainConfig c;
        c.model = "compact";
        c.batch = 16;
        c.epochs = 12;
        c.threads = 2;
        c.seed = 3;
        trained_ = dir() / "trained";
        startTraining(trained_, c, catalog, split, dir() / "workspace");
        // The same network, its weights as initialised (a rate too small to move them).
        c.epochs = 1;
        c.lr = 1e-12;
        untrained_ = dir() / "untrained";
        startTraining(untrained_, c, catalog, split, dir() / "workspace");
    }

    void mapHasTheImageSizeAndCoversWhatTheModelSees() {
        const RunModel model(trained_, 2);
        const Blob& b = unseen_.front();
        const SourceImage full = decodeImage(dir() / "unseen" / "images_training_rev1" /
                                             (std::to_string(b.id) + ".jpg"));
        const SaliencyMap s = model.gradCam(full);
        QCOMPARE(s.map.rows, 424);
        QCOMPARE(s.map.cols, 424);
        QCOMPARE(s.map.type(), CV_32F);
        // Centre crop 220 -> 80, centre 64 of it: the central 176 original pixels.
        QCOMPARE(s.view, cv::Rect(124, 124, 176, 176));
        QCOMPARE(s.grid, cv::Size(4, 4));  // compact's last stage at 64 px
        double lo = 0, hi = 0;
        cv::minMaxLoc(s.map, &lo, &hi);
        QVERIFY(lo >= 0 && hi <= 1.0001);
        QCOMPARE(cv::countNonZero(s.map(cv::Rect(0, 0, 424, 124))), 0);  // outside the view
        // The probabilities are the model's, and the explained class is the predicted one.
        const Probabilities p = model.predict(full);
        for (std::size_t k = 0; k < p.size(); ++k)
            QVERIFY(std::abs(p[k] - s.probabilities[k]) < 1e-5);
        Prediction pred;
        pred.probabilities = p;
        QCOMPARE(s.targetClass, pred.predicted());
        // A half-size decode (as the cache keeps) explains the same image in the same frame.
        const SourceImage half =
            decodeImage(dir() / "unseen" / "images_training_rev1" / (std::to_string(b.id) + ".jpg"),
                        DecodeScale::Half);
        QCOMPARE(model.gradCam(half).map.size(), s.map.size());
        QVERIFY_THROWS_EXCEPTION(DataError, model.gradCam(full, 5));
    }

    void peaksOnTheObjectForATrainedModel() {
        const int trained = peaksOnTheObject(trained_);
        const int untrained = peaksOnTheObject(untrained_);
        qInfo("Grad-CAM peak on the object: trained %d of %zu, untrained %d of %zu", trained,
              unseen_.size(), untrained, unseen_.size());
        QVERIFY2(trained >= 18, qPrintable(QString("trained: %1 of 20").arg(trained)));
        QVERIFY2(trained >= untrained + 6,
                 qPrintable(QString("trained %1, untrained %2").arg(trained).arg(untrained)));
    }

    void missingRunIsRefused() {
        QVERIFY_THROWS_EXCEPTION(DataError, RunModel(dir() / "no-such-run"));
    }
};

QTEST_GUILESS_MAIN(TestExplain)
#include "test_explain.moc"
