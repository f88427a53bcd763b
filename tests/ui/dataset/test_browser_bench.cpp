// Benchmark of the galaxy browser on a catalog the size of the Kaggle training set (61,578
// galaxies, generated at test time; the image files are hard links to a few rendered demo
// galaxies). Measures and prints (qInfo, visible in ctest output): opening, time to the first
// screen of thumbnails after the catalog is shown, relabeling, re-filtering, and the longest
// GUI-thread stall while the grid scrolls from top to bottom (lateness of a 0 ms timer), with
// the thumbnail cache's size. The bounds asserted are loose enough for a loaded 2-core machine
// but catch a decode, a relabeling or a layout pass on the GUI thread.

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QListView>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/mainwindow.h"
#include "dataset/datasetpanel.h"
#include "dataset/galaxybrowser.h"
#include "dataset/galaxylistmodel.h"
#include "dataset/labelingsession.h"
#include "dataset/ruleeditor.h"
#include "dataset/thumbnailloader.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/labeling.h"
#include "stall_meter.h"

namespace fs = std::filesystem;
using gz::ui::MainWindow;

namespace {

constexpr int kGalaxies = 61578;

// Resident memory of this process in MiB (Linux), or -1.
double residentMiB() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return -1;
}

}  // namespace

class TestBrowserBench : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;

private slots:
    void initTestCase() { QVERIFY(gz::test::initGuiTest(tmp_)); }

    void browses61578Galaxies() {
        QElapsedTimer clock;
        clock.start();
        const fs::path root = gz::ui::toPath(tmp_.path());
        // A few rendered 424x424 galaxies; every catalog image is a hard link to one of them.
        const fs::path demo = root / "demo";
        gz::DemoOptions demoOptions;
        demoOptions.count = 24;
        gz::writeDemoDataset(demo, demoOptions);
        std::vector<fs::path> sources;
        for (const auto& entry : fs::directory_iterator(demo / gz::kKaggleImageDirName))
            sources.push_back(entry.path());
        std::sort(sources.begin(), sources.end());
        QVERIFY(!sources.empty());

        const fs::path data = root / "kaggle61578";
        const fs::path images = data / gz::kKaggleImageDirName;
        fs::create_directories(images);
        std::string csv = gz::test::kaggleHeader() + "\n";
        csv.reserve(std::size_t{kGalaxies} * 400);
        for (int i = 0; i < kGalaxies; ++i) {
            const std::int64_t id = 100000 + 7 * i;
            csv += gz::test::kaggleRow(id, i % 6 - 1) + "\n";
            fs::create_hard_link(sources[static_cast<std::size_t>(i) % sources.size()],
                                 images / (std::to_string(id) + ".jpg"));
        }
        gz::test::writeText(data / gz::kKaggleCsvName, csv);
        qInfo("fixture: %d galaxies written in %lld ms", kGalaxies,
              static_cast<long long>(clock.elapsed()));

        gz::ui::MainWindowOptions options;
        options.workspace = root / "workspace";
        MainWindow window(options);
        window.resize(1400, 880);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const double rssBefore = residentMiB();

        // Open; the clock for the thumbnails starts when the catalog is shown.
        QElapsedTimer shown;
        connect(&window, &MainWindow::datasetChanged, this, [&] { shown.start(); });
        clock.restart();
        QVERIFY(window.openDataset(gz::ui::toQString(data)));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy() && window.dataset(), 120000);
        const qint64 openMs = clock.elapsed();
        QCOMPARE(window.dataset()->catalog.size(), std::size_t{kGalaxies});
        gz::ui::GalaxyBrowser* browser = window.datasetPanel()->browser();
        gz::ui::ThumbnailLoader* loader = browser->loader();
        QCOMPARE(browser->model()->rowCount(), kGalaxies);
        const auto [first, last] = browser->visibleRange();
        const int visible = last - first + 1;
        QVERIFY(visible >= 12);
        QTRY_VERIFY_WITH_TIMEOUT(browser->visibleThumbnailsReady() == visible, 20000);
        const qint64 firstScreenMs = shown.elapsed();
        qInfo(
            "open (parse, check 61,578 image files, label): %lld ms; first screen of %d "
            "thumbnails %lld ms after the catalog was shown",
            static_cast<long long>(openMs), visible, static_cast<long long>(firstScreenMs));

        // Relabeling runs off the GUI thread; its time on the worker.
        std::vector<double> labelMs;
        for (int i = 0; i < 5; ++i) {
            const auto start = std::chrono::steady_clock::now();
            const gz::Labeling l =
                gz::labelCatalog(window.dataset()->catalog, gz::LabelRules::defaults());
            labelMs.push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count());
            QCOMPARE(l.labels.size(), std::size_t{kGalaxies});
        }
        std::sort(labelMs.begin(), labelMs.end());
        gz::test::StallMeter meter;
        meter.start();
        window.datasetPanel()->ruleEditor()->thresholdBox(0, 1)->setValue(0.8);
        QTRY_VERIFY(!window.datasetPanel()->session()->isRelabeling());
        QCOMPARE(window.currentLabeling()->counts[0], std::size_t{0});
        // Filtering 61,578 galaxies by morphology and back.
        auto* box = window.findChild<QComboBox*>(QStringLiteral("morphologyFilterBox"));
        QElapsedTimer filterClock;
        filterClock.start();
        box->setCurrentIndex(box->findData(4));
        const qint64 filterMs = filterClock.elapsed();
        QCOMPARE(browser->model()->rowCount(), kGalaxies / 6);
        filterClock.restart();
        box->setCurrentIndex(0);
        const qint64 unfilterMs = filterClock.elapsed();
        QTest::qWait(100);
        meter.stop();
        qInfo(
            "labelCatalog on 61,578 rows: median %.1f ms (on a worker thread); relabel after an "
            "edit %.1f ms; filter to one class %lld ms, back to all %lld ms; longest GUI stall "
            "meanwhile %.1f ms",
            labelMs[2], window.datasetPanel()->session()->lastRelabelMs(),
            static_cast<long long>(filterMs), static_cast<long long>(unfilterMs), meter.max());
        QVERIFY2(meter.max() < 250, "a relabeling or a filter blocked the GUI thread");

        // Scroll from top to bottom: a screen at a time for the first stretch, then in jumps
        // of about 80 rows of galaxies, one per frame (16 ms).
        QScrollBar* bar = browser->view()->verticalScrollBar();
        const int page = bar->pageStep();
        const int jump = std::max(page, bar->maximum() / 200);
        int steps = 0;
        meter.start();
        clock.restart();
        QTimer scroller;
        scroller.setInterval(16);
        connect(&scroller, &QTimer::timeout, this, [&] {
            const int step = steps < 60 ? page / 2 : jump;
            bar->setValue(std::min(bar->maximum(), bar->value() + step));
            ++steps;
            if (bar->value() >= bar->maximum()) scroller.stop();
        });
        scroller.start();
        QTRY_VERIFY_WITH_TIMEOUT(!scroller.isActive(), 120000);
        const qint64 scrollMs = clock.elapsed();
        const auto [endFirst, endLast] = browser->visibleRange();
        QCOMPARE(endLast, kGalaxies - 1);
        QTRY_VERIFY_WITH_TIMEOUT(browser->visibleThumbnailsReady() == endLast - endFirst + 1,
                                 20000);
        meter.stop();
        const double rssAfter = residentMiB();
        qInfo(
            "scrolled top to bottom in %d steps (%lld ms): longest GUI-thread stall %.1f ms, "
            "99th percentile %.1f ms over %zu timer runs; thumbnails decoded %llu, cancelled "
            "%llu, decoded on the GUI thread %llu; cache %d thumbnails, %d of %d KiB; "
            "resident memory %.0f MiB before opening, %.0f MiB after scrolling",
            steps, static_cast<long long>(scrollMs), meter.max(), meter.percentile(0.99),
            meter.samples(), static_cast<unsigned long long>(loader->decodedCount()),
            static_cast<unsigned long long>(loader->cancelledCount()),
            static_cast<unsigned long long>(loader->decodedOnGuiThread()), loader->cachedCount(),
            loader->cacheKiB(), loader->cacheMaxKiB(), rssBefore, rssAfter);

        QCOMPARE(loader->decodedOnGuiThread(), quint64{0});
        QVERIFY2(meter.max() < 250, "scrolling blocked the GUI thread");
        QVERIFY2(firstScreenMs < 5000, "the first thumbnails took too long");
        QVERIFY(loader->cacheKiB() <= loader->cacheMaxKiB());
        // Most requests for galaxies scrolled past were dropped before decoding.
        QVERIFY(loader->decodedCount() < static_cast<quint64>(kGalaxies) / 4);
        QVERIFY2(rssAfter < 0 || rssAfter - rssBefore < 400, "memory grew without bound");
    }
};

QTEST_MAIN(TestBrowserBench)
#include "test_browser_bench.moc"
