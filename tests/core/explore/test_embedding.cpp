// Embeddings of a data set by a run's model (gz/embedding.h): the file is what a forward pass of
// each image gives, it is kept per run and data set and rebuilt when either changes, bad files
// are refused naming them; and galaxy-cli embed, map and similar work end to end.

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/embedding.h"
#include "gz/embedding_map.h"
#include "gz/error.h"
#include "gz/explain.h"
#include "gz/files.h"
#include "gz/jpeg_decoder.h"
#include "npy_file.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

float largestDifference(std::span<const float> a, std::span<const float> b) {
    float worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

}  // namespace

class TestEmbedding : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path data_, workspace_, run_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    void initTestCase() {
        data_ = dir() / "demo";
        workspace_ = dir() / "workspace";
        writeDemoDataset(data_, DemoOptions{40, 5, kKaggleImageSide});
        const auto run = test::trainRun(data_, workspace_, {0.6, 0.2, 0.2}, test::quickTraining());
        QCOMPARE(run.outcome.status, TrainOutcome::Status::Finished);
        run_ = run.dir;
    }

    void fileHoldsEachImagesForwardPass() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        // In fp32, as RunModel computes below (the run's own precision, auto, may be bfloat16).
        const EmbedResult r =
            embedCatalog(run_, catalog, workspace_, EmbedOptions{false, Precision::Fp32, 2});
        QVERIFY(!r.reused);
        QVERIFY(isInsideFolder(r.file, workspace_ / "embeddings"));
        // Every galaxy, labeled by the rules or not (the demo makes some match no rule).
        QCOMPARE(r.embeddings.ids, catalog.ids());
        QCOMPARE(r.embeddings.dim, std::size_t{256});  // compact's last stage

        // The file, read by the tests' own parser, as numpy would.
        const auto npy = test::NpyFile::read(r.file);
        QCOMPARE(QString::fromStdString(npy.descr), QStringLiteral("<f4"));
        QCOMPARE(npy.shape, (std::vector<std::size_t>{catalog.size(), 256}));
        QCOMPARE(readWholeFile(embeddingIdsFile(r.file)).substr(0, 9), std::string("GalaxyID\n"));

        // Each row is the forward pass of that galaxy's image alone (another batch, another path).
        const RunModel model(run_, 1);
        for (std::size_t row : {std::size_t{0}, std::size_t{17}, catalog.size() - 1}) {
            const auto image = decodeImage(*catalog.imagePath(row), DecodeScale::Half);
            const std::vector<float> alone = model.embed(image);
            QCOMPARE(alone.size(), std::size_t{256});
            std::vector<float> saved(256);
            std::memcpy(saved.data(), npy.data.data() + row * 256 * sizeof(float),
                        256 * sizeof(float));
            const float worst = largestDifference(alone, saved);
            QVERIFY2(worst < 1e-4f, qPrintable(QString::number(worst)));
            // And its class probabilities are that pass's prediction.
            const Probabilities p = model.predict(image);
            const float off = largestDifference(p, r.probabilities[row]);
            QVERIFY2(off < 1e-4f, qPrintable(QString::number(off)));
        }
        QCOMPARE(test::NpyFile::read(embeddingProbabilitiesFile(r.file)).shape,
                 (std::vector<std::size_t>{catalog.size(), 5}));
        // Galaxies differ.
        QVERIFY(largestDifference(r.embeddings.row(0), r.embeddings.row(1)) > 1e-3f);
        // TTA averages the 8 views: another embedding, kept in another file.
        const EmbedResult tta =
            embedCatalog(run_, catalog, workspace_, EmbedOptions{true, Precision::Fp32, 2});
        QVERIFY(tta.file != r.file);
        QVERIFY(largestDifference(tta.embeddings.row(0), r.embeddings.row(0)) > 1e-6f);
    }

    void keptPerRunAndDataSet() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        const EmbedOptions options{false, {}, 2};
        const EmbedResult first = embedCatalog(run_, catalog, workspace_, options);
        const EmbedResult again = embedCatalog(run_, catalog, workspace_, options);
        QVERIFY(again.reused);
        QCOMPARE(again.file, first.file);
        QCOMPARE(again.embeddings.values, first.embeddings.values);
        QVERIFY(again.probabilities == first.probabilities);

        // New weights (a resumed or retrained run): computed again.
        const fs::path best = run_ / "checkpoints" / "best.pt";
        fs::last_write_time(best, fs::last_write_time(best) + std::chrono::seconds(5));
        const EmbedResult retrained = embedCatalog(run_, catalog, workspace_, options);
        QVERIFY(!retrained.reused);
        QVERIFY(retrained.file != first.file);

        // A changed image: computed again, and that galaxy's row changes.
        const fs::path image = *catalog.imagePath(3);
        const fs::path other = *catalog.imagePath(4);
        fs::copy_file(other, image, fs::copy_options::overwrite_existing);
        const EmbedResult changed = embedCatalog(run_, catalog, workspace_, options);
        QVERIFY(!changed.reused);
        QVERIFY(largestDifference(changed.embeddings.row(3), retrained.embeddings.row(3)) > 1e-4f);
        QVERIFY(largestDifference(changed.embeddings.row(3), changed.embeddings.row(4)) < 1e-5f);

        // A damaged file in the workspace is computed again, not trusted.
        {
            std::ofstream damage(changed.file, std::ios::binary | std::ios::trunc);
            damage << "\x93NUMPY garbage";
        }
        const EmbedResult repaired = embedCatalog(run_, catalog, workspace_, options);
        QVERIFY(!repaired.reused);
        QCOMPARE(repaired.embeddings.values, changed.embeddings.values);
    }

    void badFilesAreRefusedNamingThem() {
        Embeddings e;
        e.ids = {10, 20, 30};
        e.dim = 2;
        e.values = {1, 2, 3, 4, 5, 6};
        const fs::path file = dir() / "bad" / "e.npy";
        writeEmbeddings(file, e);
        const Embeddings back = readEmbeddings(file);
        QCOMPARE(back.ids, e.ids);
        QCOMPARE(back.values, e.values);
        QCOMPARE(back.indexOf(20), std::optional<std::size_t>(1));
        QCOMPARE(back.indexOf(25), std::optional<std::size_t>());

        const fs::path ids = embeddingIdsFile(file);
        QCOMPARE(ids.filename().string(), std::string("e.ids.csv"));
        test::writeText(ids, "GalaxyID\r\n10\r\n20\r\n");  // CRLF is fine; a row short is not
        auto error = test::dataErrorOf([&] { readEmbeddings(file); });
        QVERIFY2(
            error.find("e.npy") != std::string::npos && error.find("3 rows") != std::string::npos,
            error.c_str());
        test::writeText(ids, "GalaxyID\n10\n30\n20\n");
        error = test::dataErrorOf([&] { readEmbeddings(file); });
        QVERIFY2(error.find("e.ids.csv") != std::string::npos &&
                     error.find("line 4") != std::string::npos,
                 error.c_str());
        test::writeText(ids, "GalaxyID\n10\nx20\n30\n");
        error = test::dataErrorOf([&] { readEmbeddings(file); });
        QVERIFY2(error.find("line 3") != std::string::npos, error.c_str());

        writeEmbeddings(file, e);
        const std::string bytes = readWholeFile(file);
        test::writeText(file, bytes.substr(0, bytes.size() - 3));  // truncated
        error = test::dataErrorOf([&] { readEmbeddings(file); });
        QVERIFY2(error.find("e.npy") != std::string::npos &&
                     error.find("truncated") != std::string::npos,
                 error.c_str());
        std::string int32 = bytes;
        int32.replace(int32.find("<f4"), 3, "<i4");
        test::writeText(file, int32);
        error = test::dataErrorOf([&] { readEmbeddings(file); });
        QVERIFY2(error.find("float32") != std::string::npos, error.c_str());
        test::writeText(file, "not numpy at all");
        error = test::dataErrorOf([&] { readEmbeddings(file); });
        QVERIFY2(error.find("not a .npy file") != std::string::npos, error.c_str());
        fs::remove(ids);
        writeEmbeddings(file, e);
        fs::remove(ids);
        error = test::dataErrorOf([&] { readEmbeddings(file); });
        QVERIFY2(error.find("e.ids.csv") != std::string::npos, error.c_str());
    }

    void cliEmbedMapAndSimilarEndToEnd() {
        const QString ws = test::q(workspace_);
        const auto common =
            QStringList{"--run", test::q(run_), "--data", test::q(data_), "--workspace",
                        ws,      "--threads",   "2",      "--no-tta"};
        const fs::path out = dir() / "exports" / "demo.npy";
        auto r = test::runCli(QStringList{"embed"} + common + QStringList{"--out", test::q(out)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("40 galaxies, 256 values each"), qPrintable(r.out));
        QCOMPARE(readEmbeddings(out).size(), std::size_t{40});
        // Never into the data set.
        r = test::runCli(QStringList{"embed"} + common +
                         QStringList{"--out", test::q(data_ / "e.npy")});
        QVERIFY(r.exitCode != 0);
        QVERIFY(!fs::exists(data_ / "e.npy"));

        const fs::path mapCsv = dir() / "exports" / "map.csv";
        r = test::runCli(QStringList{"map"} + common +
                         QStringList{"--out", test::q(mapCsv), "--seed", "3"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith("laid out the map of 40 galaxies"), qPrintable(r.out));
        const EmbeddingMap map = readMapCsv(mapCsv);
        QCOMPARE(map.ids.size(), std::size_t{40});
        r = test::runCli(QStringList{"map"} + common + QStringList{"--seed", "3"});
        QVERIFY2(r.out.startsWith("reused the map of 40 galaxies"), qPrintable(r.out));

        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data_));
        const std::int64_t id = catalog.id(5);
        r = test::runCli(QStringList{"similar"} + common +
                         QStringList{"--id", QString::number(id), "-k", "7"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QStringList lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 8);
        QCOMPARE(lines[0], QStringLiteral("rank,GalaxyID,similarity"));
        double previous = 2;
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList f = lines[i].split(',');
            QCOMPARE(f[0].toInt(), i);
            QVERIFY(f[1].toLongLong() != id);  // not itself
            QVERIFY(f[2].toDouble() <= previous);
            previous = f[2].toDouble();
        }
        // An image of no data set: that galaxy's image, copied elsewhere, finds itself first.
        const fs::path dropped = dir() / "dropped.jpg";
        fs::copy_file(*catalog.imagePath(5), dropped);
        r = test::runCli(QStringList{"similar"} + common +
                         QStringList{"--image", test::q(dropped), "-k", "3"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines[1].split(',')[1].toLongLong(), id);
        QVERIFY2(lines[1].split(',')[2].toDouble() > 0.9999, qPrintable(lines[1]));
        // Neither or both of --id and --image, or an unknown galaxy: refused.
        QVERIFY(test::runCli(QStringList{"similar"} + common).exitCode != 0);
        r = test::runCli(QStringList{"similar"} + common + QStringList{"--id", "7"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("galaxy 7"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestEmbedding)
#include "test_embedding.moc"
