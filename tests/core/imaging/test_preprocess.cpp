// The decoded-image cache, the .npy export of the original workflow and `galaxy-cli preprocess`
// / `bench preprocess`, on synthetic 424x424 galaxies made at test time.

#include <unistd.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/decoded_cache.h"
#include "gz/demo.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/npy.h"
#include "gz/partition.h"
#include "gz/preprocess.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

QString q(const fs::path& p) {
    return QString::fromStdString(p.string());
}

std::string readBytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeBytes(const fs::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
}

// A 424x424 noise JPEG with 64 bytes in the middle of its compressed data overwritten (no
// 0xFF, so no marker is made up), every header and the end marker kept.
std::string scrambledNoiseJpeg() {
    cv::Mat bgr(424, 424, CV_8UC3);
    cv::RNG(424).fill(bgr, cv::RNG::UNIFORM, 0, 256);
    std::vector<std::uint8_t> jpeg;
    cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 95});
    std::size_t sos = 0;
    for (std::size_t i = 2; i + 3 < jpeg.size() && sos == 0; ++i)
        if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) sos = i;
    const std::size_t start = sos + 2 + ((std::size_t(jpeg[sos + 2]) << 8) | jpeg[sos + 3]);
    const std::size_t at = start + (jpeg.size() - 2 - start) / 2;
    for (std::size_t k = 0; k < 64; ++k)
        jpeg[at + k] = static_cast<std::uint8_t>((k * 97 + 13) & 0x7F);
    return {jpeg.begin(), jpeg.end()};
}

double maxAbsDiff(const cv::Mat& a, const cv::Mat& b) {
    if (a.size() != b.size() || a.type() != b.type()) return 1e30;
    return cv::norm(a, b, cv::NORM_INF);
}

// A .npy file read back: the header parsed by hand (not by our writer's code) and the data.
struct NpyFile {
    std::string header;  // magic through '\n'
    std::string descr;
    std::vector<std::size_t> shape;
    std::string data;

    static NpyFile read(const fs::path& file) {
        NpyFile n;
        const std::string bytes = readBytes(file);
        if (bytes.size() < 10 || bytes.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)) != 0)
            return n;
        const std::size_t length =
            static_cast<unsigned char>(bytes[8]) |
            (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
        n.header = bytes.substr(0, 10 + length);
        n.data = bytes.substr(10 + length);
        const auto d = n.header.find("'descr': '");
        if (d != std::string::npos) n.descr = n.header.substr(d + 10, 3);
        const auto s = n.header.find("'shape': (");
        const auto e = n.header.find(')', s);
        std::string dims = n.header.substr(s + 10, e - s - 10);
        std::replace(dims.begin(), dims.end(), ',', ' ');
        std::istringstream in(dims);
        for (std::size_t v; in >> v;) n.shape.push_back(v);
        return n;
    }
    std::size_t rowFloats() const {
        std::size_t p = 1;
        for (std::size_t i = 1; i < shape.size(); ++i) p *= shape[i];
        return p;
    }
    // Row `r` of an (N, h, w, 3) float32 array as CV_32FC3.
    cv::Mat image(std::size_t r) const {
        cv::Mat m(static_cast<int>(shape[1]), static_cast<int>(shape[2]), CV_32FC3);
        std::memcpy(m.data, data.data() + r * rowFloats() * 4, rowFloats() * 4);
        return m;
    }
    std::vector<std::int32_t> ints(std::size_t r) const {
        std::vector<std::int32_t> v(rowFloats());
        std::memcpy(v.data(), data.data() + r * rowFloats() * 4, rowFloats() * 4);
        return v;
    }
};

std::vector<std::int64_t> idsOf(const std::vector<SplitEntry>& split) {
    std::vector<std::int64_t> ids;
    for (const auto& e : split) ids.push_back(e.id);
    return ids;
}

}  // namespace

class TestPreprocess : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    fs::path data_, splitFile_;
    std::optional<Catalog> catalog_;
    std::vector<SplitEntry> split_;
    static constexpr std::uint64_t kSeed = 7;

    fs::path imageOf(std::int64_t id) const {
        return data_ / std::string(kKaggleImageDirName) / (std::to_string(id) + ".jpg");
    }
    PreprocessOptions options(const std::string& out) const {
        PreprocessOptions o;
        o.outDir = dir() / out;
        o.workspace = dir() / "ws";
        o.npy = true;
        o.threads = 2;
        o.seed = kSeed;
        return o;
    }
    // Split entries of a subset in GalaxyID order, with their positions in the split file.
    std::vector<std::pair<SplitEntry, std::size_t>> subset(Subset s) const {
        std::vector<std::pair<SplitEntry, std::size_t>> v;
        for (std::size_t i = 0; i < split_.size(); ++i)
            if (split_[i].subset == s) v.push_back({split_[i], i});
        std::sort(v.begin(), v.end(),
                  [](const auto& a, const auto& b) { return a.first.id < b.first.id; });
        return v;
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        data_ = dir() / "data";
        DemoOptions demo;
        demo.count = 30;
        demo.seed = 5;
        writeDemoDataset(data_, demo);
        catalog_ = Catalog::open(CatalogSource::kaggleFolder(data_));
        split_ = test::defaultRulesSplit(*catalog_, SplitRatios{0.5, 0.25, 0.25}, 42);
        QVERIFY(split_.size() >= 20);
        splitFile_ = dir() / "split.csv";
        writeSplitCsv(splitFile_, split_);
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

    // ---- the decoded cache ----------------------------------------------------------------

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
            DecodedCache::buildOrLoad(*catalog_, idsOf(split_), dir() / "ws", {}, 2);
        QCOMPARE(cache.size(), split_.size());
        QCOMPARE(cache.summary().skipped, std::size_t(0));
        const AugmentationParams p;
        for (std::size_t i = 0; i < 4; ++i) {
            const SourceImage entry = cache.image(i);
            QCOMPARE(entry.rgb.cols, 122);
            QCOMPARE(entry.scale, 2.0);
            QCOMPARE(entry.originX, 90.0);
            QCOMPARE(entry.fullWidth, 424);
            const SourceImage full = decodeImage(imageOf(cache.id(i)), DecodeScale::Half);
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
        const auto ids = idsOf(split_);
        const DecodedCache first = DecodedCache::buildOrLoad(*catalog_, ids, ws, {}, 2);
        QVERIFY(!first.reused());
        QVERIFY(fs::exists(first.file()));
        QCOMPARE(first.file().parent_path(), ws / "cache");
        const DecodedCache second = DecodedCache::buildOrLoad(*catalog_, ids, ws, {}, 2);
        QVERIFY(second.reused());
        QCOMPARE(second.file(), first.file());
        QCOMPARE(second.ids(), first.ids());
        QCOMPARE(maxAbsDiff(second.image(3).rgb, first.image(3).rgb), 0.0);
        // The order of the ids asked for does not matter.
        auto reversed = ids;
        std::reverse(reversed.begin(), reversed.end());
        QVERIFY(DecodedCache::buildOrLoad(*catalog_, reversed, ws, {}, 2).reused());

        // Touching an image rebuilds the same file.
        const fs::path image = imageOf(first.id(3));
        fs::last_write_time(image, fs::last_write_time(image) + std::chrono::hours(1));
        const DecodedCache touched = DecodedCache::buildOrLoad(*catalog_, ids, ws, {}, 2);
        QVERIFY(!touched.reused());
        QCOMPARE(touched.file(), first.file());
        QVERIFY(DecodedCache::buildOrLoad(*catalog_, ids, ws, {}, 2).reused());

        // Replacing an image (by another galaxy's) rebuilds, with the new pixels.
        const std::string original = readBytes(image);
        writeBytes(image, readBytes(imageOf(first.id(4))));
        fs::last_write_time(image, fs::last_write_time(image) + std::chrono::hours(2));
        const DecodedCache replaced = DecodedCache::buildOrLoad(*catalog_, ids, ws, {}, 2);
        QVERIFY(!replaced.reused());
        QCOMPARE(maxAbsDiff(replaced.image(3).rgb, replaced.image(4).rgb), 0.0);

        // A removed image rebuilds and is reported; putting it back rebuilds again.
        fs::remove(image);
        const DecodedCache removed = DecodedCache::buildOrLoad(*catalog_, ids, ws, {}, 2);
        QVERIFY(!removed.reused());
        QCOMPARE(removed.size(), ids.size() - 1);
        QCOMPARE(removed.summary().skipped, std::size_t(1));
        QVERIFY(removed.summary().firstSkipped[0].message.find("not found") != std::string::npos);
        writeBytes(image, original);
        const DecodedCache restored = DecodedCache::buildOrLoad(*catalog_, ids, ws, {}, 2);
        QVERIFY(!restored.reused());
        QCOMPARE(restored.size(), ids.size());
        QCOMPARE(maxAbsDiff(restored.image(3).rgb, first.image(3).rgb), 0.0);

        // Other geometry: another file; the first one stays valid.
        AugmentationParams other;
        other.cropMax = 200;
        const DecodedCache narrow = DecodedCache::buildOrLoad(*catalog_, ids, ws, other, 2);
        QVERIFY(!narrow.reused());
        QVERIFY(narrow.file() != first.file());
        QVERIFY(narrow.geometry().width < first.geometry().width);
        QVERIFY(DecodedCache::buildOrLoad(*catalog_, ids, ws, {}, 2).reused());

        // A damaged cache file is rebuilt, not trusted.
        {
            std::fstream f(first.file(), std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(20);
            f.write("garbage!", 8);
        }
        QVERIFY(!DecodedCache::buildOrLoad(*catalog_, ids, ws, {}, 2).reused());
        fs::resize_file(first.file(), fs::file_size(first.file()) - 10);
        QVERIFY(!DecodedCache::buildOrLoad(*catalog_, ids, ws, {}, 2).reused());
    }

    void badImagesAreSkippedWithTheirFileNamed() {
        const fs::path bad = dir() / "bad";
        fs::copy(data_, bad, fs::copy_options::recursive);
        const fs::path images = bad / std::string(kKaggleImageDirName);
        auto path = [&](std::size_t i) { return images / (std::to_string(split_[i].id) + ".jpg"); };
        // Seven kinds of bad file, each with the reason its message must give.
        std::map<std::size_t, std::string> reasons;
        std::string corrupt("\xFF\xD8\xFF", 3);
        for (int i = 0; i < 300; ++i) corrupt += static_cast<char>((i * 37) & 0x7F);
        writeBytes(path(0), corrupt);
        reasons[0] = "corrupt JPEG";
        const std::string whole = readBytes(path(1));
        writeBytes(path(1), whole.substr(0, whole.size() / 2));
        reasons[1] = "truncated JPEG";
        writeBytes(path(2), "");
        reasons[2] = "empty image file";
        std::vector<std::uint8_t> png;
        cv::imencode(".png", cv::Mat(424, 424, CV_8UC3, cv::Scalar(10, 20, 30)), png);
        writeBytes(path(3), std::string(png.begin(), png.end()));
        reasons[3] = "not a JPEG";
        cv::imwrite(path(4).string(), cv::Mat(300, 300, CV_8UC3, cv::Scalar(50, 60, 70)));
        reasons[4] = "300x300";
        fs::remove(path(5));
        reasons[5] = "not found";
        // Compressed data scrambled, headers and end marker intact: libjpeg only warns (and the
        // decoded cache decodes only a window of it): refused all the same, the warning quoted.
        writeBytes(path(6), scrambledNoiseJpeg());
        reasons[6] = "corrupt JPEG: Corrupt JPEG data: ";

        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(bad));
        QCOMPARE(catalog.missingImages().count, std::size_t(1));
        PreprocessOptions o = options("out-bad");
        o.copies = 2;
        o.workspace = dir() / "ws-bad";
        const PreprocessReport r = runPreprocess(catalog, split_, o);
        QCOMPARE(r.summary.requested, split_.size());
        QCOMPARE(r.summary.skipped, std::size_t(7));
        QCOMPARE(r.summary.usable, split_.size() - 7);
        std::size_t skippedInSubsets = 0, usableInSubsets = 0;
        for (const auto& s : r.subsets) {
            skippedInSubsets += s.skipped;
            usableInSubsets += s.usable;
        }
        QCOMPARE(skippedInSubsets, std::size_t(7));
        QCOMPARE(usableInSubsets, split_.size() - 7);
        for (const auto& [i, reason] : reasons) {
            const auto it =
                std::find_if(r.summary.firstSkipped.begin(), r.summary.firstSkipped.end(),
                             [&](const SkippedImage& s) { return s.id == split_[i].id; });
            QVERIFY2(it != r.summary.firstSkipped.end(), reason.c_str());
            QVERIFY2(it->message.find(path(i).string()) != std::string::npos, it->message.c_str());
            QVERIFY2(it->message.find(reason) != std::string::npos, it->message.c_str());
            QCOMPARE(it->file, path(i));
        }
        QVERIFY(r.summary.text().find("7 skipped") != std::string::npos);

        // The arrays hold only the usable images; preprocess.json lists the skipped ones.
        QCOMPARE(NpyFile::read(o.outDir / std::string(npyfiles::kTrainImages1)).shape[0],
                 r.subsets[0].usable);
        QCOMPARE(NpyFile::read(o.outDir / std::string(npyfiles::kValLabels)).shape[0],
                 r.subsets[1].usable);
        const QJsonObject j =
            QJsonDocument::fromJson(QByteArray::fromStdString(readBytes(r.jsonFile))).object();
        QCOMPARE(j["skipped_count"].toInt(), 7);
        const QJsonArray skipped = j["skipped"].toArray();
        QCOMPARE(skipped.size(), 7);
        for (const auto& v : skipped) {
            const QJsonObject s = v.toObject();
            QVERIFY(!s["reason"].toString().isEmpty());
            QVERIFY(s["file"].toString().endsWith(".jpg"));
            QVERIFY(s["split"].toString() == "train" || s["split"].toString() == "val" ||
                    s["split"].toString() == "test");
        }
        QCOMPARE(j["counts"].toObject()["train"].toObject()["usable"].toInt(),
                 static_cast<int>(r.subsets[0].usable));
        // The reused cache reports the same skips.
        const PreprocessReport again = runPreprocess(catalog, split_, o);
        QVERIFY(again.cacheReused);
        QCOMPARE(again.summary.skipped, std::size_t(7));
        QCOMPARE(again.summary.firstSkipped, r.summary.firstSkipped);
    }

    // ---- the .npy export ----------------------------------------------------------------------

    void eightFilesWithTheOriginalNamesShapesAndData() {
        const PreprocessOptions o = options("out-main");
        const PreprocessReport r = runPreprocess(*catalog_, split_, o);
        const auto train = subset(Subset::Train), val = subset(Subset::Val),
                   test = subset(Subset::Test);
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
        // Nothing else in the folder: no temporaries left.
        std::size_t entries = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(o.outDir)) ++entries;
        QCOMPARE(entries, std::size_t(9));  // + preprocess.json

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
            const SourceImage src = decodeImage(imageOf(val[row].first.id), DecodeScale::Half);
            QVERIFY(maxAbsDiff(files[std::string(kValImages)].image(row),
                               evaluationTransform(src, p)) < 1e-4);
        }
        const SourceImage lastTest = decodeImage(imageOf(test.back().first.id), DecodeScale::Half);
        QVERIFY(maxAbsDiff(files[std::string(kTestImages)].image(t - 1),
                           evaluationTransform(lastTest, p)) < 1e-4);
        for (std::size_t row = 0; row < 2; ++row) {
            const SourceImage src = decodeImage(imageOf(train[row].first.id), DecodeScale::Half);
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
        PreprocessOptions o = options("out-geometry");
        o.params.brightness = false;
        o.params.contrast = false;
        runPreprocess(*catalog_, split_, o);
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
        PreprocessOptions a = options("out-det-a");
        a.copies = 3;
        a.threads = 1;
        PreprocessOptions b = a;
        b.outDir = dir() / "out-det-b";
        b.threads = 2;
        PreprocessOptions c = a;
        c.outDir = dir() / "out-det-c";
        c.seed = kSeed + 1;
        runPreprocess(*catalog_, split_, a);
        runPreprocess(*catalog_, split_, b);
        runPreprocess(*catalog_, split_, c);
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

    void aStopLeavesNoPartialFiles() {
        // Earlier output in the folder must survive a cancelled run untouched.
        PreprocessOptions o = options("out-stop");
        o.workspace = dir() / "ws-stop";
        fs::create_directories(o.outDir);
        const fs::path old1 = o.outDir / std::string(npyfiles::kTrainImages1);
        const fs::path oldJson = o.outDir / "preprocess.json";
        writeBytes(old1, "earlier array");
        writeBytes(oldJson, "{}");
        auto listing = [](const fs::path& d) {
            std::set<std::string> names;
            std::error_code ec;
            for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec))
                names.insert(it->path().filename().string());
            return names;
        };
        const std::set<std::string> before = listing(o.outDir);

        // Stop while the cache is decoded (no cache file, no temporary), then while the arrays
        // are written (the cache is complete by then; no array, no temporary).
        for (std::string_view stage : {"decoding images", "writing .npy files"}) {
            std::stop_source source;
            bool asked = false;
            const ProgressFn progress = [&](std::size_t, std::size_t, std::string_view message) {
                if (message == stage) {
                    asked = true;
                    source.request_stop();
                }
            };
            QVERIFY_THROWS_EXCEPTION(
                Cancelled, runPreprocess(*catalog_, split_, o, source.get_token(), progress));
            QVERIFY(asked);
            QCOMPARE(listing(o.outDir), before);
            QCOMPARE(readBytes(old1), std::string("earlier array"));
            QCOMPARE(readBytes(oldJson), std::string("{}"));
            const auto cacheFiles = listing(o.workspace / "cache");
            QCOMPARE(cacheFiles.size(), std::size_t(stage == "decoding images" ? 0 : 1));
            for (const auto& name : cacheFiles)
                QVERIFY2(name.ends_with(".gzcache") && name[0] != '.', name.c_str());
        }
        // A direct stop before the start.
        std::stop_source now;
        now.request_stop();
        QVERIFY_THROWS_EXCEPTION(Cancelled, runPreprocess(*catalog_, split_, o, now.get_token()));
        QCOMPARE(listing(o.outDir), before);
    }

    void outputFolderChecks() {
        PreprocessOptions o = options("unused");
        for (const fs::path& inside :
             {data_, data_ / "out", data_ / std::string(kKaggleImageDirName) / "x"}) {
            o.outDir = inside;
            try {
                runPreprocess(*catalog_, split_, o);
                QFAIL("an output folder inside the data set was accepted");
            } catch (const DataError& e) {
                QVERIFY2(std::string(e.what()).find("inside the data set") != std::string::npos,
                         e.what());
            }
        }
        QVERIFY(!fs::exists(data_ / "out"));
        QVERIFY(!fs::exists(data_ / std::string(kKaggleImageDirName) / "x"));
        o.outDir = dir() / "out-ws";
        o.workspace = data_ / "ws";
        QVERIFY_THROWS_EXCEPTION(DataError, runPreprocess(*catalog_, split_, o));
        QVERIFY(!fs::exists(data_ / "ws"));

        // From the command line: one line on stderr, non-zero exit.
        const fs::path aFile = dir() / "a-file";
        writeBytes(aFile, "x");
        const QStringList base = {"preprocess",  "--data",      q(data_),       "--split",
                                  q(splitFile_), "--workspace", q(dir() / "ws")};
        struct Case {
            fs::path out;
            QString fragment;
        };
        std::vector<Case> cases = {{data_ / "out", "inside the data set"},
                                   {aFile, "is not a folder"},
                                   {aFile / "sub", "cannot create the output folder"}};
        if (::geteuid() != 0) {  // root writes anywhere
            const fs::path locked = dir() / "locked";
            fs::create_directories(locked);
            fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
            cases.push_back({locked, "not writable"});
        }
        for (const auto& c : cases) {
            const auto r = test::runCli(base + QStringList{"--out", q(c.out)});
            QVERIFY2(r.exitCode != 0, qPrintable(r.out));
            QCOMPARE(r.err.trimmed().split('\n').size(), 1);
            QVERIFY2(r.err.contains(c.fragment), qPrintable(r.err));
        }
    }

    // ---- the command line -----------------------------------------------------------------------

    void cliPreprocessWritesTheFilesAndReusesTheCache() {
        const fs::path out = dir() / "out-cli";
        const QStringList args = {"preprocess",  "--data", q(data_),      "--split",
                                  q(splitFile_), "--out",  q(out),        "--npy",
                                  "--copies",    "2",      "--threads",   "2",
                                  "--seed",      "3",      "--workspace", q(dir() / "ws-cli")};
        auto r = test::runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("preprocess.json") && r.out.contains("built"), qPrintable(r.out));
        for (auto name : {npyfiles::kTrainImages1, npyfiles::kTrainLabels1, npyfiles::kTrainImages2,
                          npyfiles::kTrainLabels2, npyfiles::kValImages, npyfiles::kValLabels,
                          npyfiles::kTestImages, npyfiles::kTestLabels})
            QVERIFY(fs::exists(out / std::string(name)));
        QCOMPARE(NpyFile::read(out / std::string(npyfiles::kTrainImages2)).shape[0],
                 2 * subset(Subset::Train).size());
        r = test::runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("reused"), qPrintable(r.out));
        const QJsonObject j =
            QJsonDocument::fromJson(QByteArray::fromStdString(readBytes(out / "preprocess.json")))
                .object();
        QVERIFY(j["cache"].toObject()["reused"].toBool());
        QCOMPARE(j["copies"].toInt(), 2);

        // Without --npy only the summary is written.
        const fs::path summaryOnly = dir() / "out-cli-json";
        r = test::runCli({"preprocess", "--data", q(data_), "--split", q(splitFile_), "--out",
                          q(summaryOnly), "--workspace", q(dir() / "ws-cli")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(fs::exists(summaryOnly / "preprocess.json"));
        QVERIFY(!fs::exists(summaryOnly / std::string(npyfiles::kValImages)));

        r = test::runCli({"--help"});
        QVERIFY(r.out.contains("preprocess"));
    }

    void cliBenchPreprocessReportsSaneNumbers() {
        const auto r = test::runCli({"bench", "preprocess", "--data", q(data_), "--threads", "2",
                                     "--seconds", "0.5", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        const QJsonObject j = QJsonDocument::fromJson(lines[0].toUtf8()).object();
        QCOMPARE(j["images"].toInt(), static_cast<int>(catalog_->size()));
        QCOMPARE(j["threads"].toInt(), 2);
        for (auto key : {"eval_images_per_s", "train_images_per_s"}) {
            const double v = j[key].toDouble();
            QVERIFY2(v > 10 && v < 1e6, qPrintable(QString("%1 = %2").arg(key).arg(v)));
        }
        const auto text =
            test::runCli({"bench", "preprocess", "--data", q(data_), "--seconds", "0"});
        QVERIFY2(text.exitCode == 0, qPrintable(text.err));
        QVERIFY(text.out.contains("images/s") && text.out.contains("memory"));
    }

    // ---- the real sample ------------------------------------------------------------------------

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

QTEST_GUILESS_MAIN(TestPreprocess)
#include "test_preprocess.moc"
