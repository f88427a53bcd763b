// The synthetic demo data set: Kaggle layout, vote fractions that follow the decision tree and
// give the intended labels, the class mix, determinism for a seed, and the guards of its output
// folder (the images' content: test_demo_images).

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <sstream>
#include <stop_token>
#include <string>
#include <vector>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/morphology.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

constexpr std::size_t kCount = 300;
constexpr std::uint64_t kSeed = 2024;

std::vector<std::string> splitLine(const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream in(line);
    std::string f;
    while (std::getline(in, f, ',')) fields.push_back(f);
    return fields;
}

// The decision tree: each question's answers sum to the fraction of its parent answer (nullptr:
// everyone).
struct TreeSum {
    const char* parent;
    std::vector<const char*> answers;
};
const std::vector<TreeSum> kTreeSums = {
    {nullptr, {"Class1.1", "Class1.2", "Class1.3"}},
    {nullptr, {"Class6.1", "Class6.2"}},
    {"Class1.1", {"Class7.1", "Class7.2", "Class7.3"}},
    {"Class1.2", {"Class2.1", "Class2.2"}},
    {"Class2.2", {"Class3.1", "Class3.2"}},
    {"Class2.2", {"Class4.1", "Class4.2"}},
    {"Class2.2", {"Class5.1", "Class5.2", "Class5.3", "Class5.4"}},
    {"Class2.1", {"Class9.1", "Class9.2", "Class9.3"}},
    {"Class4.1", {"Class10.1", "Class10.2", "Class10.3"}},
    {"Class4.1", {"Class11.1", "Class11.2", "Class11.3", "Class11.4", "Class11.5", "Class11.6"}},
    {"Class6.1",
     {"Class8.1", "Class8.2", "Class8.3", "Class8.4", "Class8.5", "Class8.6", "Class8.7"}},
};

std::size_t col(const char* name) {
    return *voteColumnIndex(name);
}

// FNV-1a, 64 bits.
std::uint64_t fnv1a(const std::string& text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

std::map<std::string, std::string> filesIn(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file()) files[e.path().filename().string()] = readWholeFile(e.path());
    return files;
}

}  // namespace

class TestDemo : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    fs::path main_;
    std::vector<DemoGalaxyTruth> truth_;
    double seconds_ = 0;

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        main_ = dir() / "demo";
        DemoOptions options;
        options.count = kCount;
        options.seed = kSeed;
        std::size_t lastDone = 0, calls = 0;
        const auto t0 = std::chrono::steady_clock::now();
        truth_ = writeDemoDataset(main_, options, {},
                                  [&](std::size_t done, std::size_t total, std::string_view) {
                                      QVERIFY(done >= lastDone);
                                      QCOMPARE(total, kCount);
                                      lastDone = done;
                                      ++calls;
                                  });
        seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        qInfo("generated %zu galaxies in %.2f s (%zu progress calls)", kCount, seconds_, calls);
        QCOMPARE(truth_.size(), kCount);
        QVERIFY(calls >= 1);
    }

    void layoutAndIds() {
        QVERIFY(fs::is_regular_file(main_ / kKaggleCsvName));
        QVERIFY(fs::is_directory(main_ / kKaggleImageDirName));
        std::set<std::int64_t> ids;
        for (std::size_t i = 0; i < truth_.size(); ++i) {
            QVERIFY(truth_[i].id >= 100000);
            if (i > 0) QVERIFY(truth_[i].id > truth_[i - 1].id);
            ids.insert(truth_[i].id);
        }
        QCOMPARE(ids.size(), kCount);
        // Random gaps, not consecutive numbers.
        QVERIFY(truth_.back().id - truth_.front().id > static_cast<std::int64_t>(kCount));
        const cv::Mat img = cv::imread(
            (main_ / kKaggleImageDirName / (std::to_string(truth_[0].id) + ".jpg")).string(),
            cv::IMREAD_UNCHANGED);
        QCOMPARE(img.cols, 424);
        QCOMPARE(img.rows, 424);
        QCOMPARE(img.channels(), 3);
        // No stray temporary files beside the catalog.
        for (const auto& e : fs::directory_iterator(main_)) {
            const std::string name = e.path().filename().string();
            QVERIFY2(
                name == kKaggleCsvName || name == kKaggleImageDirName || name == kDemoMarkerName,
                name.c_str());
        }
    }

    void csvTextFollowsTheTree() {
        const std::string text = readWholeFile(main_ / kKaggleCsvName);
        QVERIFY(text.find('\r') == std::string::npos);
        QVERIFY(!text.empty() && text.back() == '\n');
        std::stringstream in(text);
        std::string line;
        std::getline(in, line);
        QCOMPARE(QString::fromStdString(line), QString::fromStdString(test::kaggleHeader()));
        std::size_t rows = 0;
        std::int64_t previous = 0;
        double worst = 0;
        while (std::getline(in, line)) {
            const auto f = splitLine(line);
            QCOMPARE(f.size(), kVoteColumnCount + 1);
            const std::int64_t id = std::stoll(f[0]);
            QVERIFY(id > previous);
            previous = id;
            QCOMPARE(id, truth_[rows].id);
            std::array<double, kVoteColumnCount> v{};
            for (std::size_t c = 0; c < kVoteColumnCount; ++c) {
                v[c] = std::stod(f[c + 1]);
                QVERIFY2(v[c] >= 0 && v[c] <= 1, line.c_str());
            }
            for (const auto& sum : kTreeSums) {
                double total = 0;
                for (const char* a : sum.answers) total += v[col(a)];
                const double expected = sum.parent ? v[col(sum.parent)] : 1.0;
                worst = std::max(worst, std::abs(total - expected));
            }
            ++rows;
        }
        QCOMPARE(rows, kCount);
        qInfo("largest decision-tree sum error in the CSV text: %.2g", worst);
        QVERIFY(worst <= 1e-5);
    }

    void catalogGivesTheIntendedLabels() {
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(main_));
        QCOMPARE(catalog.size(), kCount);
        QCOMPARE(catalog.missingImages().count, std::size_t(0));
        QCOMPARE(catalog.presentColumns().size(), kVoteColumnCount);
        double worst = 0;
        for (std::size_t r = 0; r < catalog.size(); ++r)
            for (const auto& sum : kTreeSums) {
                double total = 0;
                for (const char* a : sum.answers) total += catalog.value(r, col(a));
                const double expected = sum.parent ? catalog.value(r, col(sum.parent)) : 1.0;
                worst = std::max(worst, std::abs(total - expected));
            }
        QVERIFY2(worst <= 1e-4, std::to_string(worst).c_str());

        const Labeling labeling = labelCatalog(catalog, LabelRules::defaults());
        for (const auto& t : truth_) {
            const auto row = catalog.rowOf(t.id);
            QVERIFY(row.has_value());
            QCOMPARE(int(labeling.labels[*row]), t.label);
        }
        for (int label = 0; label < kMorphologyCount; ++label)
            QVERIFY2(labeling.counts[label] > 0, std::string(morphologyKey(label)).c_str());
        QVERIFY(labeling.unlabeled > 0);
        qInfo(
            "labels: round %zu, in-between %zu, cigar %zu, edge-on %zu, spiral %zu, "
            "unlabeled %zu",
            labeling.counts[0], labeling.counts[1], labeling.counts[2], labeling.counts[3],
            labeling.counts[4], labeling.unlabeled);
    }

    void classMix() {
        const std::map<int, double> target = {{0, 0.22}, {1, 0.22}, {2, 0.12},
                                              {3, 0.14}, {4, 0.20}, {-1, 0.10}};
        std::map<int, std::size_t> counts;
        for (const auto& t : truth_) ++counts[t.label];
        QCOMPARE(counts.size(), target.size());
        for (const auto& [label, share] : target) {
            const double got = static_cast<double>(counts[label]) / kCount;
            QVERIFY2(std::abs(got - share) < 0.02, std::to_string(label).c_str());
        }
    }

    void tinyDataSetHasEveryClass() {
        const fs::path out = dir() / "tiny";
        DemoOptions options;
        options.count = 10;
        options.seed = 99;
        const auto truth = writeDemoDataset(out, options);
        QCOMPARE(truth.size(), std::size_t(10));
        std::set<int> labels;
        for (const auto& t : truth) labels.insert(t.label);
        QCOMPARE(labels, (std::set<int>{-1, 0, 1, 2, 3, 4}));
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(out));
        const Labeling labeling = labelCatalog(catalog, LabelRules::defaults());
        for (int label = 0; label < kMorphologyCount; ++label) QVERIFY(labeling.counts[label] > 0);
        for (std::size_t i = 0; i < truth.size(); ++i)
            QCOMPARE(int(labeling.labels[*catalog.rowOf(truth[i].id)]), truth[i].label);
    }

    void deterministicForASeed() {
        DemoOptions options;
        options.count = 24;
        options.seed = 5;
        const auto a = writeDemoDataset(dir() / "a", options);
        const auto b = writeDemoDataset(dir() / "b", options);
        options.seed = 6;
        const auto c = writeDemoDataset(dir() / "c", options);
        QCOMPARE(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].id, b[i].id);
            QCOMPARE(a[i].label, b[i].label);
            QCOMPARE(a[i].axisRatio, b[i].axisRatio);
        }
        const std::string csvA = readWholeFile(dir() / "a" / kKaggleCsvName);
        // Ids, labels and vote fractions are the same on every platform (demo_rng.h): the
        // catalog of this seed is pinned, so any change to the draws or their order shows.
        QCOMPARE(csvA.size(), std::size_t(8404));
        QCOMPARE(fnv1a(csvA), std::uint64_t(0x2f17a16d5f63daceULL));
        QVERIFY(csvA.starts_with(test::kaggleHeader() + "\n100000,0.967389,0.028643,0.003968,"));
        QVERIFY(csvA == readWholeFile(dir() / "b" / kKaggleCsvName));
        QVERIFY(csvA != readWholeFile(dir() / "c" / kKaggleCsvName));
        const auto imagesA = filesIn(dir() / "a" / kKaggleImageDirName);
        QCOMPARE(imagesA.size(), std::size_t(24));
        QVERIFY(imagesA == filesIn(dir() / "b" / kKaggleImageDirName));
    }

    void unwritableOutputThrowsDataError() {
        const fs::path file = dir() / "plain-file";
        test::writeText(file, "not a folder");
        DemoOptions options;
        options.count = 6;
        for (const fs::path& out : {file / "demo", file}) {
            try {
                writeDemoDataset(out, options);
                QFAIL("expected DataError");
            } catch (const DataError& e) {
                QVERIFY2(std::string(e.what()).find(file.string()) != std::string::npos, e.what());
            }
        }
        options.count = 0;
        QVERIFY_THROWS_EXCEPTION(DataError, writeDemoDataset(dir() / "empty", options));
    }

    void stopCancelsAndLeavesNoCatalog() {
        const fs::path out = dir() / "stopped";
        // An earlier demo's catalog is not left pointing at half-replaced images.
        DemoOptions first;
        first.count = 6;
        writeDemoDataset(out, first);
        DemoOptions options;
        options.count = 400;
        QVERIFY2(test::stopDemoGeneration(out, options, 2).cancelled, "expected Cancelled");
        QVERIFY(!fs::exists(out / kKaggleCsvName));
        std::size_t images = 0;
        for (const auto& e : fs::directory_iterator(out / kKaggleImageDirName)) {
            (void)e;
            ++images;
        }
        QVERIFY(images < options.count);

        // A stop requested before the start: nothing is written.
        std::stop_source early;
        early.request_stop();
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 writeDemoDataset(dir() / "never", options, early.get_token()));
        QVERIFY(!fs::exists(dir() / "never" / kKaggleCsvName));
    }

    void regeneratingReplacesTheCatalog() {
        const fs::path out = dir() / "again";
        DemoOptions options;
        options.count = 5;
        writeDemoDataset(out, options);
        test::writeText(out / kKaggleCsvName, "garbage\n");
        options.count = 12;
        writeDemoDataset(out, options);
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(out));
        QCOMPARE(catalog.size(), std::size_t(12));
        for (const auto& e : fs::directory_iterator(out)) {
            const std::string name = e.path().filename().string();
            QVERIFY2(
                name == kKaggleCsvName || name == kKaggleImageDirName || name == kDemoMarkerName,
                name.c_str());
        }
    }

    void refusesAFolderThatIsNotADemo() {
        // A user's real data set must survive a mistyped --out.
        const fs::path out = dir() / "users-data";
        test::writeKaggleFolder(out, {0, 1});
        const std::string before = readWholeFile(out / kKaggleCsvName);
        DemoOptions options;
        options.count = 5;
        try {
            writeDemoDataset(out, options);
            QFAIL("wrote a demo over a real data set");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("not empty") != std::string::npos, e.what());
        }
        QCOMPARE(readWholeFile(out / kKaggleCsvName), before);
        QVERIFY(!fs::exists(out / kDemoMarkerName));
        QVERIFY(fs::exists(out / kKaggleImageDirName / "1001.jpg"));
    }
};

QTEST_APPLESS_MAIN(TestDemo)
#include "test_demo.moc"
