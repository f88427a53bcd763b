// A preprocess run as a whole: bad images skipped with their file named, a stop leaving no
// partial files, the output folder checks, and `galaxy-cli preprocess` / `bench preprocess`.

#include <unistd.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/npy.h"
#include "gz/preprocess.h"
#include "imaging_fixtures.h"
#include "npy_file.h"
#include "preprocess_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;
using test::NpyFile;
using test::q;
using test::readBytes;

class TestPreprocessJob : public QObject {
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

    void badImagesAreSkippedWithTheirFileNamed() {
        const fs::path bad = dir() / "bad";
        fs::copy(demo_.data, bad, fs::copy_options::recursive);
        const fs::path images = bad / std::string(kKaggleImageDirName);
        auto path = [&](std::size_t i) {
            return images / (std::to_string(demo_.split[i].id) + ".jpg");
        };
        // Seven kinds of bad file, each with the reason its message must give.
        std::map<std::size_t, std::string> reasons;
        std::string corrupt("\xFF\xD8\xFF", 3);
        for (int i = 0; i < 300; ++i) corrupt += static_cast<char>((i * 37) & 0x7F);
        test::writeText(path(0), corrupt);
        reasons[0] = "corrupt JPEG";
        const std::string whole = readBytes(path(1));
        test::writeText(path(1), whole.substr(0, whole.size() / 2));
        reasons[1] = "truncated JPEG";
        test::writeText(path(2), "");
        reasons[2] = "empty image file";
        std::vector<std::uint8_t> png;
        cv::imencode(".png", cv::Mat(424, 424, CV_8UC3, cv::Scalar(10, 20, 30)), png);
        test::writeText(path(3), std::string(png.begin(), png.end()));
        reasons[3] = "not a JPEG";
        cv::imwrite(path(4).string(), cv::Mat(300, 300, CV_8UC3, cv::Scalar(50, 60, 70)));
        reasons[4] = "300x300";
        fs::remove(path(5));
        reasons[5] = "not found";
        // Compressed data scrambled, headers and end marker intact: libjpeg only warns (and the
        // decoded cache decodes only a window of it): refused all the same, the warning quoted.
        test::writeBytes(path(6), test::scrambledNoiseJpeg());
        reasons[6] = "corrupt JPEG: Corrupt JPEG data: ";

        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(bad));
        QCOMPARE(catalog.missingImages().count, std::size_t(1));
        PreprocessOptions o = demo_.options("out-bad");
        o.copies = 2;
        o.workspace = dir() / "ws-bad";
        const PreprocessReport r = runPreprocess(catalog, demo_.split, o);
        QCOMPARE(r.summary.requested, demo_.split.size());
        QCOMPARE(r.summary.skipped, std::size_t(7));
        QCOMPARE(r.summary.usable, demo_.split.size() - 7);
        std::size_t skippedInSubsets = 0, usableInSubsets = 0;
        for (const auto& s : r.subsets) {
            skippedInSubsets += s.skipped;
            usableInSubsets += s.usable;
        }
        // The subsets count the labeled galaxies (the .npy files' rows); the bad ones are labeled.
        QCOMPARE(skippedInSubsets, std::size_t(7));
        QCOMPARE(usableInSubsets, countSplit(demo_.split).labeledTotal() - 7);
        for (const auto& [i, reason] : reasons) {
            const auto it =
                std::find_if(r.summary.firstSkipped.begin(), r.summary.firstSkipped.end(),
                             [&](const SkippedImage& s) { return s.id == demo_.split[i].id; });
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
        const PreprocessReport again = runPreprocess(catalog, demo_.split, o);
        QVERIFY(again.cacheReused);
        QCOMPARE(again.summary.skipped, std::size_t(7));
        QCOMPARE(again.summary.firstSkipped, r.summary.firstSkipped);
    }

    void aStopLeavesNoPartialFiles() {
        // Earlier output in the folder must survive a cancelled run untouched.
        PreprocessOptions o = demo_.options("out-stop");
        o.workspace = dir() / "ws-stop";
        fs::create_directories(o.outDir);
        const fs::path old1 = o.outDir / std::string(npyfiles::kTrainImages1);
        const fs::path oldJson = o.outDir / "preprocess.json";
        test::writeText(old1, "earlier array");
        test::writeText(oldJson, "{}");
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
            QVERIFY_THROWS_EXCEPTION(Cancelled, runPreprocess(*demo_.catalog, demo_.split, o,
                                                              source.get_token(), progress));
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
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 runPreprocess(*demo_.catalog, demo_.split, o, now.get_token()));
        QCOMPARE(listing(o.outDir), before);
    }

    void outputFolderChecks() {
        PreprocessOptions o = demo_.options("unused");
        for (const fs::path& inside : {demo_.data, demo_.data / "out",
                                       demo_.data / std::string(kKaggleImageDirName) / "x"}) {
            o.outDir = inside;
            try {
                runPreprocess(*demo_.catalog, demo_.split, o);
                QFAIL("an output folder inside the data set was accepted");
            } catch (const DataError& e) {
                QVERIFY2(std::string(e.what()).find("inside the data set") != std::string::npos,
                         e.what());
            }
        }
        QVERIFY(!fs::exists(demo_.data / "out"));
        QVERIFY(!fs::exists(demo_.data / std::string(kKaggleImageDirName) / "x"));
        o.outDir = dir() / "out-ws";
        o.workspace = demo_.data / "ws";
        QVERIFY_THROWS_EXCEPTION(DataError, runPreprocess(*demo_.catalog, demo_.split, o));
        QVERIFY(!fs::exists(demo_.data / "ws"));

        // From the command line: one line on stderr, non-zero exit.
        const fs::path aFile = dir() / "a-file";
        test::writeText(aFile, "x");
        const QStringList base = {"preprocess",       "--data",      q(demo_.data),  "--split",
                                  q(demo_.splitFile), "--workspace", q(dir() / "ws")};
        struct Case {
            fs::path out;
            QString fragment;
        };
        std::vector<Case> cases = {{demo_.data / "out", "inside the data set"},
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
        const QStringList args = {"preprocess",       "--data", q(demo_.data), "--split",
                                  q(demo_.splitFile), "--out",  q(out),        "--npy",
                                  "--copies",         "2",      "--threads",   "2",
                                  "--seed",           "3",      "--workspace", q(dir() / "ws-cli")};
        auto r = test::runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("preprocess.json") && r.out.contains("built"), qPrintable(r.out));
        for (auto name : {npyfiles::kTrainImages1, npyfiles::kTrainLabels1, npyfiles::kTrainImages2,
                          npyfiles::kTrainLabels2, npyfiles::kValImages, npyfiles::kValLabels,
                          npyfiles::kTestImages, npyfiles::kTestLabels})
            QVERIFY(fs::exists(out / std::string(name)));
        QCOMPARE(NpyFile::read(out / std::string(npyfiles::kTrainImages2)).shape[0],
                 2 * demo_.subset(Subset::Train).size());
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
        r = test::runCli({"preprocess", "--data", q(demo_.data), "--split", q(demo_.splitFile),
                          "--out", q(summaryOnly), "--workspace", q(dir() / "ws-cli")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(fs::exists(summaryOnly / "preprocess.json"));
        QVERIFY(!fs::exists(summaryOnly / std::string(npyfiles::kValImages)));

        r = test::runCli({"--help"});
        QVERIFY(r.out.contains("preprocess"));
    }

    void cliBenchPreprocessReportsSaneNumbers() {
        const auto r = test::runCli({"bench", "preprocess", "--data", q(demo_.data), "--threads",
                                     "2", "--seconds", "0.5", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        const QJsonObject j = QJsonDocument::fromJson(lines[0].toUtf8()).object();
        QCOMPARE(j["images"].toInt(), static_cast<int>(demo_.catalog->size()));
        QCOMPARE(j["threads"].toInt(), 2);
        for (auto key : {"eval_images_per_s", "train_images_per_s"}) {
            const double v = j[key].toDouble();
            QVERIFY2(v > 10 && v < 1e6, qPrintable(QString("%1 = %2").arg(key).arg(v)));
        }
        const auto text =
            test::runCli({"bench", "preprocess", "--data", q(demo_.data), "--seconds", "0"});
        QVERIFY2(text.exitCode == 0, qPrintable(text.err));
        QVERIFY(text.out.contains("images/s") && text.out.contains("memory"));
    }
};

QTEST_GUILESS_MAIN(TestPreprocessJob)
#include "test_preprocess_job.moc"
