// The main window: welcome page, opening data sets in the background, errors, cancellation,
// the demo start-up and closing while a job runs. Runs offscreen; screenshots go to
// $GZ_SCREENSHOT_DIR when it is set.

#include <QApplication>
#include <QCommandLinkButton>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <filesystem>
#include <memory>
#include <opencv2/core/utility.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "app/mainwindow.h"
#include "app/recentdatasets.h"
#include "app/welcomepage.h"
#include "common/jobrunner.h"
#include "dataset/datasetpanel.h"
#include "dataset/loadeddataset.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/files.h"
#include "gz/morphology.h"

using gz::test::screenshot;

namespace fs = std::filesystem;
using gz::ui::MainWindow;
using gz::ui::MainWindowOptions;

namespace {

constexpr int kJobTimeoutMs = 240000;

// Counts per label 0-4 and unlabeled for a list of labels.
struct ExpectedCounts {
    std::array<qulonglong, gz::kMorphologyCount> classes{};
    qulonglong unlabeled = 0;
    explicit ExpectedCounts(const std::vector<int>& labels) {
        for (int l : labels) (l >= 0 ? classes[l] : unlabeled) += 1;
    }
};

QString number(std::size_t n) {
    return QLocale().toString(static_cast<qulonglong>(n));
}

// Splits a CSV line into fields (fixtures never quote).
std::vector<std::string> fields(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line);
    for (std::string f; std::getline(in, f, ',');) out.push_back(f);
    return out;
}

std::string join(const std::vector<std::string>& parts) {
    std::string s;
    for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? "," : "") + parts[i];
    return s;
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    int folderCounter_ = 0;

    fs::path newDir(const char* name) {
        return gz::ui::toPath(tmp_.path()) /
               (std::string(name) + "-" + std::to_string(++folderCounter_));
    }

    MainWindowOptions options(std::size_t demoCount = 60, int demoSize = 96) {
        MainWindowOptions o;
        o.workspace = newDir("workspace");
        o.demo.count = demoCount;
        o.demo.imageSize = demoSize;
        return o;
    }

    static void showWindow(MainWindow& window) {
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
    }

    static void waitIdle(MainWindow& window) {
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), kJobTimeoutMs);
    }

    static QTableWidget* countTable(MainWindow& window) {
        return window.findChild<QTableWidget*>(QStringLiteral("morphologyCountTable"));
    }

    static QString galaxyCountText(MainWindow& window) {
        auto* label = window.findChild<QLabel*>(QStringLiteral("galaxyCountValue"));
        return label ? label->text() : QString();
    }

    static qulonglong tableCount(MainWindow& window, int label) {
        QTableWidget* table = countTable(window);
        if (!table) return ~0ULL;
        return table->item(gz::ui::DatasetPanel::tableRow(label), 1)
            ->data(Qt::UserRole)
            .toULongLong();
    }

    static void verifyCounts(MainWindow& window, const std::vector<int>& labels) {
        const ExpectedCounts expected(labels);
        for (int label = 0; label < gz::kMorphologyCount; ++label)
            QCOMPARE(tableCount(window, label), expected.classes[label]);
        QCOMPARE(tableCount(window, gz::kUnlabeled), expected.unlabeled);
    }

    static bool onWelcomePage(MainWindow& window) {
        auto* stack = window.findChild<QStackedWidget*>(QStringLiteral("centralStack"));
        return stack && stack->currentWidget() &&
               stack->currentWidget()->objectName() == QStringLiteral("welcomePage");
    }

    // Opens a synthetic Kaggle folder and waits until the Dataset panel shows it.
    void openAndWait(MainWindow& window, const fs::path& dir, const std::vector<int>& labels) {
        QVERIFY(window.openDataset(gz::ui::toQString(dir)));
        QVERIFY(window.isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(galaxyCountText(window), number(labels.size()), kJobTimeoutMs);
        waitIdle(window);
        QVERIFY(window.dataset());
        QCOMPARE(window.dataset()->catalog.size(), labels.size());
    }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        QCOMPARE(QCoreApplication::applicationName(), QStringLiteral("galaxy-studio"));
    }

    // What a user copies into a bug report: the version and the libraries the app runs with.
    void aboutBoxNamesTheVersions() {
        MainWindow window(options());
        showWindow(window);
        auto* about = window.findChild<QAction*>(QStringLiteral("aboutAction"));
        QVERIFY(about);
        QString text;
        QTimer::singleShot(0, &window, [&] {
            auto* box = window.findChild<QMessageBox*>();
            if (!box) return;
            text = box->text();
            box->accept();
        });
        about->trigger();  // QMessageBox::about returns once the box is closed
        QVERIFY2(text.contains(QStringLiteral("Galaxy Morphology Studio " GZ_PROJECT_VERSION)),
                 qPrintable(text));
        for (const QString& library :
             {QStringLiteral("Qt ") + QString::fromLatin1(qVersion()),
              QStringLiteral("OpenCV ") + QString::fromStdString(cv::getVersionString()),
              QStringLiteral("LibTorch " GZ_TORCH_VERSION)})
            QVERIFY2(text.contains(library), qPrintable(library + QStringLiteral(" in ") + text));
    }

    void showsWelcomePage() {
        MainWindow window(options());
        showWindow(window);
        QVERIFY(onWelcomePage(window));
        auto* openButton =
            window.findChild<QCommandLinkButton*>(QStringLiteral("welcomeOpenDatasetButton"));
        auto* demoButton =
            window.findChild<QCommandLinkButton*>(QStringLiteral("welcomeOpenDemoButton"));
        QVERIFY(openButton && openButton->isVisible() && openButton->isEnabled());
        QVERIFY(demoButton && demoButton->isVisible() && demoButton->isEnabled());
        QVERIFY(!window.dataset());
        QVERIFY(!window.findChild<QProgressBar*>(QStringLiteral("jobProgressBar"))->isVisible());
        screenshot(window, QStringLiteral("welcome"));
    }

    void opensDatasetAndShowsCounts() {
        const std::vector<int> labels = {0, 0, 0, 1, 1, 2, 3, 3, 3, 3, 4, 4, -1, -1, -1};
        const fs::path dir = newDir("kaggle");
        gz::test::writeKaggleFolder(dir, labels);

        MainWindow window(options());
        showWindow(window);
        openAndWait(window, dir, labels);
        QVERIFY(!onWelcomePage(window));
        verifyCounts(window, labels);
        QVERIFY(window.datasetPanel()->isVisible());

        auto* columns = window.findChild<QLabel*>(QStringLiteral("voteColumnsValue"));
        QVERIFY(columns->text().contains(QStringLiteral("All 37")));
        auto* csv = window.findChild<QLabel*>(QStringLiteral("csvPathValue"));
        QVERIFY(csv->text().contains(QStringLiteral("training_solutions_rev1.csv")));
        auto* missing = window.findChild<QLabel*>(QStringLiteral("missingImagesValue"));
        QVERIFY(missing->text().startsWith(QStringLiteral("None")));
        auto* refusal = window.findChild<QLabel*>(QStringLiteral("labelingErrorLabel"));
        QVERIFY(!refusal->isVisible());
        QVERIFY(window.findChild<QWidget*>(QStringLiteral("morphologyChart"))->isVisible());

        // Remembered in the recent list (QSettings).
        const auto recent = gz::ui::RecentDatasets::load();
        QVERIFY(!recent.isEmpty());
        QCOMPARE(recent.front(), gz::ui::DatasetLocation::kaggleFolder(dir));
        screenshot(window, QStringLiteral("dataset"));
    }

    void reportsMissingImages() {
        const std::vector<int> labels = {0, 1, 2, 3, 4};
        const fs::path dir = newDir("missing");
        gz::test::writeKaggleFolder(dir, labels);
        fs::remove(dir / gz::kKaggleImageDirName / "1001.jpg");
        fs::remove(dir / gz::kKaggleImageDirName / "1003.jpg");

        MainWindow window(options());
        showWindow(window);
        QVERIFY(window.openDataset(gz::ui::toQString(dir)));
        waitIdle(window);
        QVERIFY(window.dataset());
        QCOMPARE(galaxyCountText(window), number(3));
        auto* missing = window.findChild<QLabel*>(QStringLiteral("missingImagesValue"));
        QVERIFY2(missing->text().contains(QStringLiteral("1001")), qPrintable(missing->text()));
        QVERIFY2(missing->text().contains(QStringLiteral("1003")), qPrintable(missing->text()));
    }

    void brokenCsvShowsErrorAndKeepsDataset() {
        const std::vector<int> labels = {0, 1, 4, -1};
        const fs::path good = newDir("good");
        gz::test::writeKaggleFolder(good, labels);

        // Rows on lines 2-4, then a NaN on line 5.
        const fs::path broken = newDir("broken");
        gz::test::writeKaggleFolder(broken, {0, 1, 2});
        std::vector<std::string> row = fields(gz::test::kaggleRow(1003, 3));
        row[1] = "nan";
        const fs::path csv = broken / gz::kKaggleCsvName;
        gz::test::writeText(csv, gz::readWholeFile(csv) + join(row) + "\n");
        gz::test::writeJpeg(broken / gz::kKaggleImageDirName / "1003.jpg");

        MainWindow window(options());
        showWindow(window);
        openAndWait(window, good, labels);
        const auto before = window.dataset();

        QVERIFY(window.openDataset(gz::ui::toQString(broken)));
        waitIdle(window);
        const QString error = window.lastError();
        QVERIFY2(error.contains(QStringLiteral("training_solutions_rev1.csv")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral(":5")), qPrintable(error));
        auto* box = window.findChild<QMessageBox*>(QStringLiteral("errorMessageBox"));
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QVERIFY(box->informativeText().contains(error));

        // The previous data set is still loaded and shown.
        QCOMPARE(window.dataset(), before);
        QCOMPARE(galaxyCountText(window), number(labels.size()));
        verifyCounts(window, labels);
        screenshot(window, QStringLiteral("error"));
        screenshot(*box, QStringLiteral("error-dialog"));
        box->accept();

        // A folder that is not in the Kaggle layout is an error too, naming the CSV it lacks.
        const fs::path empty = newDir("empty");
        fs::create_directories(empty);
        QVERIFY(window.openDataset(gz::ui::toQString(empty)));
        waitIdle(window);
        QVERIFY2(window.lastError().contains(QStringLiteral("training_solutions_rev1.csv")),
                 qPrintable(window.lastError()));
        QCOMPARE(window.dataset(), before);
    }

    void labelingRefusalIsShownInsteadOfCounts() {
        // Drop Class7.3: the cigar rule cannot be evaluated, so labeling refuses.
        const std::vector<int> labels = {0, 1, 3, 4};
        const fs::path dir = newDir("nocigar");
        gz::test::writeKaggleFolder(dir, labels);
        const std::size_t dropped = *gz::voteColumnIndex("Class7.3") + 1;
        std::string text;
        std::stringstream in(gz::readWholeFile(dir / gz::kKaggleCsvName));
        for (std::string line; std::getline(in, line);) {
            auto f = fields(line);
            f.erase(f.begin() + static_cast<std::ptrdiff_t>(dropped));
            text += join(f) + "\n";
        }
        gz::test::writeText(dir / gz::kKaggleCsvName, text);

        MainWindow window(options());
        showWindow(window);
        openAndWait(window, dir, labels);
        QVERIFY(!window.dataset()->labeling);
        auto* refusal = window.findChild<QLabel*>(QStringLiteral("labelingErrorLabel"));
        QVERIFY(refusal->isVisible());
        QVERIFY2(refusal->text().contains(QStringLiteral("Class7.3")), qPrintable(refusal->text()));
        QVERIFY(!countTable(window)->isVisible());
        auto* columns = window.findChild<QLabel*>(QStringLiteral("voteColumnsValue"));
        QVERIFY2(columns->text().contains(QStringLiteral("36 of 37")), qPrintable(columns->text()));
        QVERIFY(columns->text().contains(QStringLiteral("Class7.3")));
        screenshot(window, QStringLiteral("labeling-refused"));
    }

    void cancelWhileLoadingKeepsDataset() {
        const std::vector<int> labels = {2, 2, 4};
        const fs::path good = newDir("small");
        gz::test::writeKaggleFolder(good, labels);

        // Large enough that the job cannot finish before the cancel below arrives.
        const fs::path big = newDir("big");
        std::string csv = gz::test::kaggleHeader() + "\n";
        for (int i = 0; i < 60000; ++i) csv += gz::test::kaggleRow(5000 + i, i % 5) + "\n";
        gz::test::writeText(big / gz::kKaggleCsvName, csv);
        fs::create_directories(big / gz::kKaggleImageDirName);

        MainWindow window(options());
        showWindow(window);
        openAndWait(window, good, labels);
        const auto before = window.dataset();

        std::optional<gz::ui::JobOutcome::Status> status;
        connect(&window, &MainWindow::jobFinished, this,
                [&](const gz::ui::JobOutcome& outcome) { status = outcome.status; });
        QVERIFY(window.openDataset(gz::ui::toQString(big)));
        QVERIFY(!window.openDemo());  // one job at a time
        window.cancelJob();
        waitIdle(window);
        QVERIFY(status);
        QCOMPARE(*status, gz::ui::JobOutcome::Status::Cancelled);
        QCOMPARE(window.dataset(), before);
        QCOMPARE(galaxyCountText(window), number(labels.size()));
        verifyCounts(window, labels);
        QVERIFY(window.lastError().isEmpty());
    }

    void demoGeneratesThenReopens() {
        const MainWindowOptions demoOptions = options(60, 96);
        MainWindow window(demoOptions);
        showWindow(window);
        const fs::path demoDir = gz::demoDatasetDir(window.workspace());
        QVERIFY(!fs::exists(demoDir / gz::kKaggleCsvName));

        QVERIFY(window.openDemo());
        waitIdle(window);
        QVERIFY2(window.dataset(), qPrintable(window.lastError()));
        QCOMPARE(window.dataset()->catalog.size(), std::size_t{60});
        QVERIFY(fs::exists(demoDir / gz::kKaggleCsvName));
        QCOMPARE(galaxyCountText(window), number(60));
        QVERIFY(window.dataset()->labeling);
        // The counts of the labels the generator intended (the same demo made here again), with
        // every morphology among them.
        std::vector<int> intended;
        for (const auto& t : gz::writeDemoDataset(newDir("demo-truth"), demoOptions.demo))
            intended.push_back(t.label);
        verifyCounts(window, intended);
        for (int label = 0; label < gz::kMorphologyCount; ++label)
            QVERIFY2(tableCount(window, label) > 0, "every morphology appears in the demo");
        screenshot(window, QStringLiteral("demo"));

        // A complete demo is opened as it is, not generated again.
        const auto written = fs::last_write_time(demoDir / gz::kKaggleCsvName);
        const auto first = window.dataset();
        QVERIFY(window.openDemo());
        waitIdle(window);
        QVERIFY(window.dataset() != first);
        QCOMPARE(fs::last_write_time(demoDir / gz::kKaggleCsvName), written);
    }

    void cancelButtonStopsDemoGeneration() {
        const std::vector<int> labels = {0, 3};
        const fs::path good = newDir("kept");
        gz::test::writeKaggleFolder(good, labels);

        MainWindow window(options(5000, 424));
        showWindow(window);
        openAndWait(window, good, labels);
        const auto before = window.dataset();

        QVERIFY(window.openDemo());
        auto* bar = window.findChild<QProgressBar*>(QStringLiteral("jobProgressBar"));
        auto* cancel = window.findChild<QPushButton*>(QStringLiteral("jobCancelButton"));
        QVERIFY(bar->isVisible() && cancel->isVisible());
        // The generator's progress reaches the GUI thread.
        QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() > 0 && bar->value() > 0, 120000);
        screenshot(window, QStringLiteral("demo-progress"));
        QTest::mouseClick(cancel, Qt::LeftButton);
        waitIdle(window);
        QVERIFY(!bar->isVisible() && !cancel->isVisible());
        QCOMPARE(window.dataset(), before);
        QCOMPARE(galaxyCountText(window), number(labels.size()));
        QVERIFY(!fs::exists(gz::demoDatasetDir(window.workspace()) / gz::kKaggleCsvName));
    }

    void closingWhileBusyAsksThenWaitsForTheJob() {
        MainWindow window(options(5000, 424));
        showWindow(window);
        QVERIFY(window.openDemo());
        QVERIFY(!window.close());  // refused for now: a question is asked
        auto* box = window.findChild<QMessageBox*>(QStringLiteral("confirmCloseBox"));
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QVERIFY(window.isVisible());

        // "Keep Working" leaves the job running.
        QTest::mouseClick(box->button(QMessageBox::No), Qt::LeftButton);
        QVERIFY(window.isVisible());
        QVERIFY(window.isBusy());

        QVERIFY(!window.close());
        QTRY_VERIFY(box->isVisible());
        QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), kJobTimeoutMs);
        QVERIFY(!window.isBusy());
        QVERIFY(QSettings().contains(QStringLiteral("mainWindow/geometry")));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
