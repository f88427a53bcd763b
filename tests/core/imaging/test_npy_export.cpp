// The .npy export of the original workflow: numpy's header, the streaming writer, and the eight
// arrays' names, shapes, labels and pixels, on synthetic 424x424 galaxies made at test time.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "fixtures.h"
#include "gz/npy.h"
#include "gz/preprocess.h"
#include "imaging_fixtures.h"
#include "npy_file.h"
#include "preprocess_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;
using test::maxAbsDiff;
using test::NpyFile;
using test::q;
using test::readBytes;

class TestNpyExport : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    test::DemoSplit demo_;
    static constexpr std::uint64_t kSeed = test::DemoSplit::kSeed;

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        demo_.create(dir());
        QVERIFY(demo_.split.size() >= 20);
    }

    // ---- .npy format -------------------------------------------------------------------------

    void npyHeaderIsWhatNumpyWrites() {
        // As numpy 1.24's numpy.save writes them (checked with python3-numpy).
        const std::string magic("\x93NUMPY\x01\x00v\x00", 10);
        QCOMPARE(npyHeader(NpyType::Float32, {2, 3}),
                 magic + "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" +
                     std::string(58, ' ') + "\n");
        QCOMPARE(npyHeader(NpyType::Int32, {3, 80, 80, 3}),
                 magic + "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 80, 80, 3), }" +
                     std::string(50, ' ') + "\n");
        QCOMPARE(npyHeader(NpyType::Int32, {5}),
                 magic + "{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }" +
                     std::string(60, ' ') + "\n");
        QCOMPARE(npyHeader(NpyType::Float32, {}),
                 magic + "{'descr': '<f4', 'fortran_order': False, 'shape': (), }" +
                     std::string(62, ' ') + "\n");
        QCOMPARE(
            npyHeader(NpyType::Float32, {123456789012, 64, 64, 3}),
            magic +
                "{'descr': '<f4', 'fortran_order': False, 'shape': (123456789012, 64, 64, 3), }" +
                std::string(39, ' ') + "\n");
        // numpy's spare room for the first axis: the header length does not depend on it.
        QCOMPARE(npyHeader(NpyType::Float32, {1, 64, 64, 3}).size(),
                 npyHeader(NpyType::Float32, {987654321, 64, 64, 3}).size());
    }

    void npyWriterStreamsAndCommits() {
        const fs::path target = dir() / "w" / "x.npy";
        fs::create_directories(target.parent_path());
        {
            NpyWriter w(target, NpyType::Int32, {2}, 3);
            const std::int32_t rows[3][2] = {{1, 2}, {3, 4}, {5, 6}};
            w.writeRows(2, rows[2], 1);  // any order
            w.writeRows(0, rows[0], 2);
            QVERIFY(fs::exists(w.temporary()));
            QVERIFY(!fs::exists(target));
            w.finish();
            w.commit();
        }
        const NpyFile n = NpyFile::read(target);
        QCOMPARE(n.header, npyHeader(NpyType::Int32, {3, 2}));
        QCOMPARE(n.ints(2), (std::vector<std::int32_t>{5, 6}));
        QCOMPARE(n.data.size(), std::size_t(24));
        // A placeholder row count, then the final one.
        {
            NpyWriter w(target, NpyType::Float32, {1}, 100);
            const float v[2] = {1.5f, 2.5f};
            w.writeRows(0, v, 2);
            w.setRows(2);
            w.finish();
            w.commit();
        }
        QCOMPARE(NpyFile::read(target).shape, (std::vector<std::size_t>{2, 1}));
        QCOMPARE(fs::file_size(target), std::uintmax_t(128 + 8));
        // Not committed: the old file stays, the temporary goes.
        fs::path temp;
        {
            NpyWriter w(target, NpyType::Float32, {1}, 1);
            temp = w.temporary();
        }
        QVERIFY(!fs::exists(temp));
        QCOMPARE(NpyFile::read(target).shape, (std::vector<std::size_t>{2, 1}));
    }

    // ---- the .npy export ----------------------------------------------------------------------

    void eightFilesWithTheOriginalNamesShapesAndData() {
        const PreprocessOptions o = demo_.options("out-main");
        const PreprocessReport r = runPreprocess(*demo_.catalog, demo_.split, o);
        const auto train = demo_.subset(Subset::Train), val = demo_.subset(Subset::Val),
                   test = demo_.subset(Subset::Test);
        const std::size_t n = train.size(), v = val.size(), t = test.size();
        QCOMPARE(r.subsets[0].usable, n);
        QCOMPARE(r.npyFiles.size(), std::size_t(8));
        using namespace npyfiles;
        const std::vector<std::tuple<std::string_view, std::string, std::vector<std::size_t>>>
            expected = {
                {kTrainImages1, "<f4", {n, 80, 80, 3}},      {kTrainLabels1, "<i4", {n, 5}},
                {kTrainImages2, "<f4", {16 * n, 64, 64, 3}}, {kTrainLabels2, "<i4", {16 * n, 5}},
                {kValImages, "<f4", {v, 64, 64, 3}},         {kValLabels, "<i4", {v, 5}},
                {kTestImages, "<f4", {t, 64, 64, 3}},        {kTestLabels, "<i4", {t, 5}},
            };
        std::map<std::string, NpyFile> files;
        for (const auto& [name, descr, shape] : expected) {
            const fs::path file = o.outDir / std::string(name);
            QVERIFY2(fs::exists(file), file.c_str());
            NpyFile f = NpyFile::read(file);
            QCOMPARE(f.descr, descr);
            QCOMPARE(f.shape, shape);
            QCOMPARE(f.header,
                     npyHeader(descr == "<f4" ? NpyType::Float32 : NpyType::Int32, shape));
            QCOMPARE(f.header.size() % 64, std::size_t(0));
            QCOMPARE(f.data.size(), f.rowFloats() * shape[0] * 4);
            files[std::string(name)] = std::move(f);
        }
        // Nothing else in the folder: no temporaries left. The names are links into the one
        // published set (test_npy_publish tests the sets).
        std::set<std::string> entries;
        for (const auto& e : fs::directory_iterator(o.outDir))
            entries.insert(e.path().filename().string());
        QCOMPARE(entries.size(), std::size_t(11));  // + preprocess.json, .npy-current, the set
        QVERIFY(entries.count(".npy-current") && entries.count("preprocess.json"));
        QCOMPARE(std::count_if(
                     entries.begin(), entries.end(),
                     [](const std::string& entry) { return entry.rfind(".npy-set-", 0) == 0; }),
                 1L);

        // One-hot labels in GalaxyID order, 16 per training image in Preprocess2.
        auto checkLabels = [&](const NpyFile& f, const auto& rows, std::size_t copies) {
            for (std::size_t row = 0; row < f.shape[0]; ++row) {
                const auto hot = f.ints(row);
                std::vector<std::int32_t> want(5, 0);
                want[static_cast<std::size_t>(rows[row / copies].first.label)] = 1;
                if (hot != want) return false;
            }
            return true;
        };
        QVERIFY(checkLabels(files[std::string(kTrainLabels1)], train, 1));
        QVERIFY(checkLabels(files[std::string(kTrainLabels2)], train, 16));
        QVERIFY(checkLabels(files[std::string(kValLabels)], val, 1));
        QVERIFY(checkLabels(files[std::string(kTestLabels)], test, 1));

        // The data: the transforms on a half-size decode of the original file.
        const AugmentationParams p;
        for (std::size_t row = 0; row < v; ++row) {
            const SourceImage src =
                decodeImage(demo_.imageOf(val[row].first.id), DecodeScale::Half);
            QVERIFY(maxAbsDiff(files[std::string(kValImages)].image(row),
                               evaluationTransform(src, p)) < 1e-4);
        }
        const SourceImage lastTest =
            decodeImage(demo_.imageOf(test.back().first.id), DecodeScale::Half);
        QVERIFY(maxAbsDiff(files[std::string(kTestImages)].image(t - 1),
                           evaluationTransform(lastTest, p)) < 1e-4);
        for (std::size_t row = 0; row < 2; ++row) {
            const SourceImage src =
                decodeImage(demo_.imageOf(train[row].first.id), DecodeScale::Half);
            const std::size_t index = train[row].second;
            const int side = drawAugmentation(p, kSeed, 0, index).cropSide;
            const cv::Mat p1 = files[std::string(kTrainImages1)].image(row);
            QVERIFY(maxAbsDiff(p1, centreCropResize(src, side, 80)) < 1e-3);
            double lo = 0, hi = 0;
            cv::minMaxLoc(p1.reshape(1), &lo, &hi);
            QVERIFY(lo >= 0 && hi <= 255 && hi > 20);  // 0..255, not standardised
            for (int c = 0; c < 16; ++c) {
                const cv::Mat copy =
                    files[std::string(kTrainImages2)].image(row * 16 + static_cast<std::size_t>(c));
                const cv::Mat want =
                    trainingTransform(src, p, preprocessCopyDraw(p, kSeed, index, c, 16));
                QVERIFY(maxAbsDiff(copy, want) < 1e-3);
            }
        }

        // preprocess.json
        const QJsonObject j =
            QJsonDocument::fromJson(QByteArray::fromStdString(readBytes(r.jsonFile))).object();
        QCOMPARE(r.jsonFile, o.outDir / "preprocess.json");
        QCOMPARE(j["counts"].toObject()["val"].toObject()["usable"].toInt(), static_cast<int>(v));
        QCOMPARE(j["skipped_count"].toInt(), 0);
        QCOMPARE(j["cache"].toObject()["file"].toString(), q(r.cacheFile));
        QVERIFY(j["cache"].toObject().contains("reused"));
        QCOMPARE(j["seconds"].toDouble(), r.seconds);
        QCOMPARE(j["cache"].toObject()["seconds"].toDouble(), r.cacheSeconds);
        QCOMPARE(j["files"].toArray().size(), 8);
        QCOMPARE(j["seed"].toInt(), static_cast<int>(kSeed));
    }

    void sixteenCopiesAreTwoCropsFourRotationsTwoFlips() {
        const AugmentationParams p;
        std::size_t cropsDiffer = 0;
        for (std::uint64_t index = 0; index < 50; ++index) {
            const int side = drawAugmentation(p, kSeed, 0, index).cropSide;
            std::set<std::tuple<int, int, bool>> combos;
            std::set<std::pair<int, int>> offsets[2];
            for (int j = 0; j < 16; ++j) {
                const AugmentationDraw d = preprocessCopyDraw(p, kSeed, index, j, 16);
                QCOMPARE(d.cropSide, side);
                QCOMPARE(d.rotation, (j / 2) % 4);
                QCOMPARE(d.flipped, j % 2 == 1);
                combos.insert({j / 8, d.rotation, d.flipped});
                offsets[j / 8].insert({d.offsetX, d.offsetY});
            }
            QCOMPARE(combos.size(), std::size_t(16));
            QCOMPARE(offsets[0].size(), std::size_t(1));
            QCOMPARE(offsets[1].size(), std::size_t(1));
            cropsDiffer += *offsets[0].begin() != *offsets[1].begin();
        }
        QVERIFY(cropsDiffer > 40);
        // Another number of copies: every value drawn.
        std::set<int> rotations;
        for (int j = 0; j < 12; ++j) {
            const AugmentationDraw d = preprocessCopyDraw(p, kSeed, 3, j, 12);
            const AugmentationDraw want =
                drawAugmentation(p, kSeed, 1 + static_cast<std::uint64_t>(j), 3);
            QCOMPARE(d.rotation, want.rotation);
            QCOMPARE(d.offsetX, want.offsetX);
            QCOMPARE(d.flipped, want.flipped);
            rotations.insert(d.rotation);
        }
        QVERIFY(rotations.size() > 1);

        // In the file, without the photometric steps (standardisation commutes with rotations
        // and flips), each crop's 8 copies are exactly the rotations and mirror images of one.
        PreprocessOptions o = demo_.options("out-geometry");
        o.params.brightness = false;
        o.params.contrast = false;
        runPreprocess(*demo_.catalog, demo_.split, o);
        const NpyFile f = NpyFile::read(o.outDir / std::string(npyfiles::kTrainImages2));
        for (std::size_t row = 0; row < 3; ++row)
            for (std::size_t crop = 0; crop < 2; ++crop) {
                const cv::Mat base = f.image(row * 16 + crop * 8);
                for (int k = 0; k < 4; ++k)
                    for (int flip = 0; flip < 2; ++flip) {
                        cv::Mat want = rotate90(base, k);
                        if (flip) want = flipHorizontal(want);
                        const auto c = static_cast<std::size_t>(2 * k + flip);
                        QVERIFY(maxAbsDiff(f.image(row * 16 + crop * 8 + c), want) < 1e-6);
                    }
            }
    }

    void outputIsDeterministicForASeed() {
        PreprocessOptions a = demo_.options("out-det-a");
        a.copies = 3;
        a.threads = 1;
        PreprocessOptions b = a;
        b.outDir = dir() / "out-det-b";
        b.threads = 2;
        PreprocessOptions c = a;
        c.outDir = dir() / "out-det-c";
        c.seed = kSeed + 1;
        runPreprocess(*demo_.catalog, demo_.split, a);
        runPreprocess(*demo_.catalog, demo_.split, b);
        runPreprocess(*demo_.catalog, demo_.split, c);
        for (auto name : {npyfiles::kTrainImages1, npyfiles::kTrainImages2, npyfiles::kTrainLabels2,
                          npyfiles::kValImages, npyfiles::kTestImages, npyfiles::kTestLabels}) {
            const std::string x = readBytes(a.outDir / std::string(name));
            QVERIFY(!x.empty());
            QVERIFY2(x == readBytes(b.outDir / std::string(name)), std::string(name).c_str());
        }
        QVERIFY(readBytes(a.outDir / std::string(npyfiles::kTrainImages2)) !=
                readBytes(c.outDir / std::string(npyfiles::kTrainImages2)));
        QVERIFY(readBytes(a.outDir / std::string(npyfiles::kValImages)) ==
                readBytes(c.outDir / std::string(npyfiles::kValImages)));
    }
};

QTEST_GUILESS_MAIN(TestNpyExport)
#include "test_npy_export.moc"
