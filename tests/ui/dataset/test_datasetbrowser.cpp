// The Dataset panel driven as a user would (offscreen): open a synthetic data set, browse and
// filter the thumbnail grid, select a galaxy and read its inspector, edit the label rules and
// see the counts, chart, browser and inspector follow, load a split, and the tiles of missing
// or corrupt images. Screenshots go to $GZ_SCREENSHOT_DIR when it is set.

#include <qcustomplot.h>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSplitter>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "app/mainwindow.h"
#include "dataset/datasetpanel.h"
#include "dataset/galaxybrowser.h"
#include "dataset/galaxydetails.h"
#include "dataset/galaxyinspector.h"
#include "dataset/galaxylistmodel.h"
#include "dataset/labelingsession.h"
#include "dataset/loadeddataset.h"
#include "dataset/ruleeditor.h"
#include "dataset/thumbnailloader.h"
#include "dataset/votefractiontree.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/catalog.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/morphology.h"
#include "gz/partition.h"

using gz::test::screenshot;

namespace fs = std::filesystem;
using gz::ui::GalaxyListModel;
using gz::ui::MainWindow;
using gz::ui::MainWindowOptions;
using gz::ui::ThumbnailLoader;

namespace {

constexpr int kJobTimeoutMs = 120000;

// Labels of the fixture: ids 1000 + index.
const std::vector<int> kLabels = {0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, -1, -1, -1};

std::size_t countOf(const std::vector<int>& labels, int label) {
    return static_cast<std::size_t>(std::count(labels.begin(), labels.end(), label));
}

}  // namespace

class TestDatasetBrowser : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    int counter_ = 0;

    fs::path newDir(const char* name) {
        return gz::ui::toPath(tmp_.path()) / (std::string(name) + "-" + std::to_string(++counter_));
    }

    MainWindowOptions options() {
        MainWindowOptions o;
        o.workspace = newDir("workspace");
        o.demo.count = 150;
        o.demo.imageSize = 424;
        return o;
    }

    static void open(MainWindow& window, const fs::path& dir) {
        window.resize(1400, 880);
        QVERIFY(gz::test::showAndOpen(window, dir, kJobTimeoutMs));
    }

    static gz::ui::GalaxyBrowser* browser(MainWindow& w) { return w.datasetPanel()->browser(); }
    static gz::ui::GalaxyInspector* inspector(MainWindow& w) {
        return w.datasetPanel()->inspector();
    }
    static gz::ui::RuleEditor* editor(MainWindow& w) { return w.datasetPanel()->ruleEditor(); }

    static qulonglong tableCount(MainWindow& window, int label) {
        auto* table = window.findChild<QTableWidget*>(QStringLiteral("morphologyCountTable"));
        return table->item(gz::ui::DatasetPanel::tableRow(label), 1)
            ->data(Qt::UserRole)
            .toULongLong();
    }

    // The bar heights of the chart, by table row (0-4, unlabeled).
    static std::vector<double> chartValues(MainWindow& window) {
        auto* chart = window.findChild<QCustomPlot*>(QStringLiteral("morphologyChart"));
        std::vector<double> values;
        for (int i = 0; i < chart->plottableCount(); ++i) {
            auto* bars = qobject_cast<QCPBars*>(chart->plottable(i));
            if (bars && bars->data()->size() == 1) values.push_back(bars->data()->begin()->value);
        }
        return values;
    }

    static std::vector<int> shownLabels(MainWindow& window) {
        std::vector<int> labels;
        GalaxyListModel* model = browser(window)->model();
        for (int r = 0; r < model->rowCount(); ++r)
            labels.push_back(model->index(r).data(GalaxyListModel::LabelRole).toInt());
        return labels;
    }

    static void waitRelabeled(MainWindow& window) {
        QTRY_VERIFY_WITH_TIMEOUT(!window.datasetPanel()->session()->isRelabeling(), 10000);
        QCoreApplication::processEvents();
    }

    static bool selectAndWaitImage(MainWindow& window, std::int64_t id) {
        if (!browser(window)->selectGalaxy(id)) return false;
        auto* insp = inspector(window);
        return QTest::qWaitFor([&] { return insp->imageStatus() != QObject::tr("Decoding…"); },
                               10000);
    }

private slots:
    void initTestCase() { QVERIFY(gz::test::initGuiTest(tmp_)); }

    void browsesAndFiltersByMorphology() {
        const fs::path dir = newDir("kaggle");
        gz::test::writeKaggleFolder(dir, kLabels);
        MainWindow window(options());
        open(window, dir);
        auto* b = browser(window);
        QCOMPARE(b->model()->rowCount(), static_cast<int>(kLabels.size()));
        // Sorted by GalaxyID by default; every galaxy's thumbnail arrives (decoded off the GUI
        // thread) and is drawn.
        QCOMPARE(b->model()->index(0).data(GalaxyListModel::GalaxyIdRole).toLongLong(), 1000);
        const auto [first, last] = b->visibleRange();
        QCOMPARE(first, 0);
        QCOMPARE(last, static_cast<int>(kLabels.size()) - 1);
        QTRY_COMPARE_WITH_TIMEOUT(b->visibleThumbnailsReady(), static_cast<int>(kLabels.size()),
                                  10000);
        QCOMPARE(b->loader()->decodedOnGuiThread(), quint64{0});
        QVERIFY(b->loader()->thumbnail(0).state == ThumbnailLoader::State::Ready);
        QCOMPARE(b->loader()->thumbnail(0).image.size(), QSize(32, 32));

        // Counts per class always in view.
        auto* counts = window.findChild<QLabel*>(QStringLiteral("browserCounts"));
        QVERIFY(counts->isVisible());
        QVERIFY2(counts->text().contains(QStringLiteral("Spiral <b>5</b>")),
                 qPrintable(counts->text()));
        QVERIFY(counts->text().contains(QStringLiteral("Unlabeled <b>3</b>")));
        screenshot(window, QStringLiteral("browser-all"));

        // The morphology box filters; each class and "unlabeled".
        auto* box = window.findChild<QComboBox*>(QStringLiteral("morphologyFilterBox"));
        for (int label : {0, 1, 2, 3, 4, gz::kUnlabeled}) {
            box->setCurrentIndex(box->findData(label));
            const std::vector<int> shown = shownLabels(window);
            QCOMPARE(shown.size(), countOf(kLabels, label));
            QVERIFY(std::all_of(shown.begin(), shown.end(), [&](int l) { return l == label; }));
            QVERIFY2(box->currentText().contains(QString::number(countOf(kLabels, label))),
                     qPrintable(box->currentText()));
        }
        box->setCurrentIndex(box->findData(3));
        auto* shown = window.findChild<QLabel*>(QStringLiteral("browserShown"));
        QVERIFY2(shown->text().startsWith(QStringLiteral("Showing 3 of 20")),
                 qPrintable(shown->text()));
        screenshot(window, QStringLiteral("browser-edge-on"));
        box->setCurrentIndex(0);
        QCOMPARE(b->model()->rowCount(), static_cast<int>(kLabels.size()));

        // By GalaxyID (digits contained in it).
        auto* idEdit = window.findChild<QLineEdit*>(QStringLiteral("galaxyIdFilter"));
        QTest::keyClicks(idEdit, QStringLiteral("101"));
        QCOMPARE(b->model()->rowCount(), 10);  // 1010 ... 1019
        idEdit->setText(QStringLiteral("1017"));
        QCOMPARE(b->model()->rowCount(), 1);
        idEdit->clear();

        // Sorted by a vote fraction, descending: Class1.1 never increases along the grid.
        // The list names the question and the answer, not the column code.
        auto* sort = window.findChild<QComboBox*>(QStringLiteral("sortBox"));
        const std::size_t c11 = *gz::voteColumnIndex("Class1.1");
        sort->setCurrentIndex(sort->findData(static_cast<int>(c11)));
        QCOMPARE(sort->currentText(),
                 QStringLiteral("Q1 Is the galaxy simply smooth and rounded, with no sign of a "
                                "disk? — smooth"));
        window.findChild<QToolButton*>(QStringLiteral("sortOrderButton"))->setChecked(true);
        const gz::Catalog& catalog = window.dataset()->catalog;
        double previous = 2;
        for (int r = 0; r < b->model()->rowCount(); ++r) {
            const double v = catalog.value(b->model()->catalogRow(r), c11);
            QVERIFY(v <= previous);
            previous = v;
        }
        QCOMPARE(catalog.value(b->model()->catalogRow(0), c11), 0.8);  // a smooth galaxy first
    }

    void inspectorShowsVotesLabelAndReason() {
        const fs::path dir = newDir("inspect");
        gz::test::writeKaggleFolder(dir, kLabels);
        MainWindow window(options());
        open(window, dir);
        auto* insp = inspector(window);
        gz::ui::GalaxyDetails* details = insp->details();
        QVERIFY(!details->shownLabel());

        // A round galaxy: rule 1 matched, with the values that made it match.
        QVERIFY(selectAndWaitImage(window, 1001));
        QCOMPARE(insp->shownRow(), std::optional<std::size_t>(1));
        QCOMPARE(details->shownLabel(), std::optional<int>(0));
        QVERIFY2(details->reasonText().contains(
                     QStringLiteral("Rule 1 matched (● Round): Class1.1 = 0.800 ≥ 0.469 and "
                                    "Class7.1 = 0.720 ≥ 0.500")),
                 qPrintable(details->reasonText()));
        QVERIFY(insp->imageStatus().isEmpty());
        QCOMPARE(insp->image().size(), QSize(32, 32));  // full size, not the thumbnail
        // Zoom.
        insp->setZoom(4.0);
        QCOMPARE(insp->zoom(), 4.0);
        insp->zoomToFit();
        QVERIFY(insp->zoom() > 4.0);  // a 32-pixel image fills the view

        // The vote fractions grouped by the 11 questions, answers in order.
        QTreeWidget* tree = details->votesTree();
        QCOMPARE(tree->topLevelItemCount(), 11);
        QTreeWidgetItem* q7 = tree->topLevelItem(6);
        QVERIFY(q7->text(0).startsWith(QStringLiteral("Q7 How rounded is it?")));
        QCOMPARE(q7->childCount(), 3);
        QVERIFY(q7->child(0)->text(0).contains(QStringLiteral("Class7.1")));
        QVERIFY(q7->child(0)->text(0).contains(QStringLiteral("completely round")));
        QCOMPARE(q7->child(0)->text(1), QStringLiteral("0.720"));
        QVERIFY(q7->child(0)->font(0).bold());             // a column the rules read
        QCOMPARE(tree->topLevelItem(7)->childCount(), 7);  // Q8 has seven answers
        screenshot(window, QStringLiteral("inspector-round"));
        // A model's fractions get a column of their own beside the volunteers'; none: hidden.
        QVERIFY(tree->isColumnHidden(2) && !details->shownPrediction(15));
        std::vector<float> predicted(gz::kVoteColumnCount, 0.25F);
        predicted[15] = 0.6F;
        details->showPredictedFractions(predicted);
        QVERIFY(!tree->isColumnHidden(2));
        QCOMPARE(*details->shownPrediction(15), 0.6F * 1.0);
        QCOMPARE(q7->child(0)->text(2), QStringLiteral("0.600"));
        details->showPredictedFractions({});
        QVERIFY(tree->isColumnHidden(2));

        // An unlabeled galaxy: why every rule failed.
        QVERIFY(selectAndWaitImage(window, 1018));
        QCOMPARE(details->shownLabel(), std::optional<int>(gz::kUnlabeled));
        const QString reason = details->reasonText();
        QVERIFY2(reason.contains(QStringLiteral("No rule matched")), qPrintable(reason));
        QVERIFY2(reason.contains(QStringLiteral("Rule 1 (● Round) failed: Class1.1 = 0.400 < "
                                                "0.469")),
                 qPrintable(reason));
        QVERIFY(
            reason.contains(QStringLiteral("Rule 4 (● Edge-on) failed: Class1.2 = 0.400 < "
                                           "0.430")));
        QCOMPARE(reason.count(QStringLiteral("failed")), 5);
    }

    void inspectorShowsOnlyTheColumnsTheFileHas() {
        // A file with Q1 and Q7 only (the three smooth rules can be evaluated).
        const fs::path dir = newDir("subset");
        gz::test::writeKaggleFolder(dir, {0, 1, 2});
        std::vector<std::string> keep = {"GalaxyID", "Class1.1", "Class1.2", "Class1.3",
                                         "Class7.1", "Class7.2", "Class7.3"};
        const std::string text = gz::readWholeFile(dir / gz::kKaggleCsvName);
        std::istringstream in(text);
        std::vector<std::size_t> fields;
        std::string out;
        bool header = true;
        for (std::string line; std::getline(in, line);) {
            std::vector<std::string> f;
            std::istringstream ls(line);
            for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
            if (header) {
                for (std::size_t i = 0; i < f.size(); ++i)
                    if (std::find(keep.begin(), keep.end(), f[i]) != keep.end())
                        fields.push_back(i);
                header = false;
            }
            std::string row;
            for (std::size_t i : fields) row += (row.empty() ? "" : ",") + f[i];
            out += row + "\n";
        }
        gz::test::writeText(dir / gz::kKaggleCsvName, out);

        MainWindow window(options());
        open(window, dir);
        QVERIFY(!window.dataset()->labeling);  // edge-on and spiral need Q2 and Q4
        // Switching those two rules off labels the catalog.
        editor(window)->enabledBox(3)->setChecked(false);
        editor(window)->enabledBox(4)->setChecked(false);
        waitRelabeled(window);
        QVERIFY(window.currentLabeling());
        QCOMPARE(tableCount(window, 2), qulonglong{1});
        auto* table = window.findChild<QTableWidget*>(QStringLiteral("morphologyCountTable"));
        QVERIFY(table->isVisible());

        QVERIFY(selectAndWaitImage(window, 1002));
        QTreeWidget* tree = inspector(window)->details()->votesTree();
        QCOMPARE(tree->topLevelItemCount(), 2);  // Q1 and Q7
        QVERIFY(tree->topLevelItem(1)->text(0).startsWith(QStringLiteral("Q7")));
        QCOMPARE(inspector(window)->details()->shownLabel(), std::optional<int>(2));
        // Rules after the one that matched are not tested, whether on or off.
        QVERIFY2(inspector(window)->details()->reasonText().startsWith(
                     QStringLiteral("Rule 3 matched (● Cigar): Class1.1 = 0.800 ≥ 0.469 and "
                                    "Class7.3 = 0.720 ≥ 0.500\nRule 1 (● Round) failed: "
                                    "Class7.1 = 0.000 < 0.500")),
                 qPrintable(inspector(window)->details()->reasonText()));
        QVERIFY(!inspector(window)->details()->reasonText().contains(QStringLiteral("Rule 4")));
        // With the cigar rule off too, galaxy 1002 is unlabeled and the reason says which rules
        // were off.
        editor(window)->enabledBox(2)->setChecked(false);
        waitRelabeled(window);
        QCOMPARE(inspector(window)->details()->shownLabel(), std::optional<int>(gz::kUnlabeled));
        QVERIFY(inspector(window)->details()->reasonText().contains(
            QStringLiteral("Rule 4 (● Edge-on) is switched off.")));
    }

    void editingThresholdsRelabelsEverywhere() {
        const fs::path dir = newDir("rules");
        gz::test::writeKaggleFolder(dir, kLabels);
        MainWindow window(options());
        open(window, dir);
        QSignalSpy rulesSpy(&window, &MainWindow::rulesChanged);
        QSignalSpy labelingSpy(&window, &MainWindow::labelingChanged);
        QCOMPARE(tableCount(window, 0), qulonglong{4});
        QCOMPARE(chartValues(window), (std::vector<double>{4, 3, 2, 3, 5, 3}));
        auto* box = window.findChild<QComboBox*>(QStringLiteral("morphologyFilterBox"));
        box->setCurrentIndex(box->findData(0));
        QCOMPARE(browser(window)->model()->rowCount(), 4);
        QVERIFY(selectAndWaitImage(window, 1000));

        // Class7.1 >= 0.95: the round galaxies (Class7.1 = 0.72) match nothing now.
        QDoubleSpinBox* spin = editor(window)->thresholdBox(0, 1);
        QCOMPARE(spin->value(), 0.5);
        spin->selectAll();
        QTest::keyClicks(spin, QStringLiteral("0.95"));
        QCOMPARE(spin->value(), 0.95);
        waitRelabeled(window);
        QVERIFY(!rulesSpy.isEmpty());
        QVERIFY(!labelingSpy.isEmpty());
        QCOMPARE(window.currentRules().rules[0].conditions[1].threshold, 0.95);
        QCOMPARE(tableCount(window, 0), qulonglong{0});
        QCOMPARE(tableCount(window, gz::kUnlabeled), qulonglong{7});
        QCOMPARE(chartValues(window), (std::vector<double>{0, 3, 2, 3, 5, 7}));
        QCOMPARE(window.currentLabeling()->counts[0], std::size_t{0});
        // The browser relabels: no round galaxies left under the filter.
        QCOMPARE(browser(window)->model()->rowCount(), 0);
        box->setCurrentIndex(0);
        const auto row = browser(window)->model()->modelRowOf(0);
        QCOMPARE(browser(window)->model()->index(row).data(GalaxyListModel::LabelRole).toInt(),
                 gz::kUnlabeled);
        auto* counts = window.findChild<QLabel*>(QStringLiteral("browserCounts"));
        QVERIFY(counts->text().contains(QStringLiteral("Round <b>0</b>")));
        auto* note = window.findChild<QLabel*>(QStringLiteral("rulesNote"));
        QVERIFY(note->text().contains(QStringLiteral("edited")));

        // The inspector explains it with the new threshold.
        QVERIFY(selectAndWaitImage(window, 1000));
        const QString reason = inspector(window)->details()->reasonText();
        QVERIFY2(reason.contains(QStringLiteral("Rule 1 (● Round) failed: Class7.1 = 0.720 < "
                                                "0.950")),
                 qPrintable(reason));
        auto* overview = window.findChild<QScrollArea*>(QStringLiteral("datasetOverview"));
        overview->ensureWidgetVisible(editor(window));
        screenshot(window, QStringLiteral("rules-edited"));

        // Switching the spiral rule off.
        editor(window)->enabledBox(4)->setChecked(false);
        waitRelabeled(window);
        QVERIFY(!editor(window)->thresholdBox(4, 0)->isEnabled());
        QCOMPARE(tableCount(window, 4), qulonglong{0});
        QCOMPARE(tableCount(window, gz::kUnlabeled), qulonglong{12});

        // Reset to the paper's defaults.
        window.findChild<QPushButton*>(QStringLiteral("resetRulesButton"))->click();
        waitRelabeled(window);
        QCOMPARE(window.currentRules(), gz::LabelRules::defaults());
        QCOMPARE(editor(window)->thresholdBox(0, 1)->value(), 0.5);
        QVERIFY(editor(window)->enabledBox(4)->isChecked());
        QCOMPARE(chartValues(window), (std::vector<double>{4, 3, 2, 3, 5, 3}));
    }

    void savesAndLoadsRules() {
        const fs::path dir = newDir("save");
        gz::test::writeKaggleFolder(dir, kLabels);
        MainWindow window(options());
        open(window, dir);
        gz::ui::RuleEditor* e = editor(window);
        e->thresholdBox(4, 2)->setValue(0.9);  // spiral: Class4.1 >= 0.9
        waitRelabeled(window);
        QCOMPARE(tableCount(window, 4), qulonglong{0});
        const QString file = QString::fromStdString((newDir("rules") / "mine.json").string());
        QDir().mkpath(QFileInfo(file).absolutePath());
        QCOMPARE(e->saveRules(file), QString());
        QCOMPARE(gz::LabelRules::load(gz::ui::toPath(file)).rules[4].conditions[2].threshold, 0.9);
        // Never into the data set.
        const QString inside = gz::ui::toQString(dir / "rules.json");
        QVERIFY(e->saveRules(inside).contains(QStringLiteral("inside the data set")));
        QVERIFY(!fs::exists(dir / "rules.json"));

        e->resetToDefaults();
        waitRelabeled(window);
        QCOMPARE(tableCount(window, 4), qulonglong{5});
        QCOMPARE(e->loadRules(file), QString());
        waitRelabeled(window);
        QCOMPARE(e->thresholdBox(4, 2)->value(), 0.9);
        QCOMPARE(tableCount(window, 4), qulonglong{0});

        // A bad file: a clear message naming it, the rules unchanged.
        const fs::path bad = newDir("bad") / "bad.json";
        gz::test::writeText(bad,
                            "{\"format\": \"galaxy-studio-label-rules\", \"version\": 1, "
                            "\"rules\": [{\"label\": \"round\", \"conditions\": "
                            "[{\"column\": \"Class99.1\", \"at_least\": 0.5}]}]}");
        const QString error = e->loadRules(gz::ui::toQString(bad));
        QVERIFY2(error.contains(QStringLiteral("bad.json")) &&
                     error.contains(QStringLiteral("Class99.1")),
                 qPrintable(error));
        QCOMPARE(e->thresholdBox(4, 2)->value(), 0.9);
    }

    void splitFilterAndInspector() {
        const fs::path dir = newDir("split");
        gz::test::writeKaggleFolder(dir, kLabels);
        MainWindow window(options());
        open(window, dir);
        auto* splitBox = window.findChild<QComboBox*>(QStringLiteral("splitFilterBox"));
        QVERIFY(!splitBox->isEnabled());  // no split yet

        std::vector<gz::LabeledGalaxy> labeled;
        for (std::size_t i = 0; i < kLabels.size(); ++i)  // an older split.csv: labeled rows only
            if (kLabels[i] >= 0) labeled.push_back({std::int64_t(1000 + i), kLabels[i]});
        const auto split = gz::stratifiedSplit(labeled, {0.5, 0.25, 0.25}, 7);
        const fs::path file = newDir("splitfile") / "split.csv";
        fs::create_directories(file.parent_path());
        gz::writeSplitCsv(file, split);
        browser(window)->loadSplitFile(gz::ui::toQString(file));
        QVERIFY(splitBox->isEnabled());

        std::size_t tests = 0;
        for (const auto& e : split) tests += e.subset == gz::Subset::Test;
        const QString testItem = QStringLiteral("Test (%1)").arg(tests);
        QVERIFY(splitBox->findText(testItem) > 0);
        splitBox->setCurrentIndex(splitBox->findText(testItem));
        GalaxyListModel* model = browser(window)->model();
        QCOMPARE(static_cast<std::size_t>(model->rowCount()), tests);
        for (int r = 0; r < model->rowCount(); ++r)
            QCOMPARE(model->index(r).data(GalaxyListModel::SubsetRole).toInt(),
                     static_cast<int>(gz::Subset::Test));
        const auto id = model->index(0).data(GalaxyListModel::GalaxyIdRole).toLongLong();
        QVERIFY(selectAndWaitImage(window, id));
        auto* subset =
            window.datasetPanel()->findChild<QLabel*>(QStringLiteral("galaxySubsetLabel"));
        QCOMPARE(subset->text(), QStringLiteral("split: test"));
        splitBox->setCurrentIndex(splitBox->findText(QStringLiteral("Not in split")));
        QCOMPARE(model->rowCount(), 3);  // the unlabeled galaxies
        screenshot(window, QStringLiteral("split-filter"));

        // The training launcher's way in: MainWindow::setSplit.
        window.setSplit({{1000, 0, gz::Subset::Val}}, QStringLiteral("run 1"));
        splitBox->setCurrentIndex(splitBox->findText(QStringLiteral("Validation (1)")));
        QCOMPARE(model->rowCount(), 1);

        // A broken split file: a message naming file and line, the split kept.
        const fs::path bad = newDir("badsplit") / "split.csv";
        gz::test::writeText(bad, "GalaxyID,label,split\n1000,0,train\n1001,0,holiday\n");
        QTimer::singleShot(0, this, [] {
            for (QWidget* w : QApplication::topLevelWidgets())
                if (auto* box = qobject_cast<QMessageBox*>(w)) {
                    QVERIFY2(box->text().contains(QStringLiteral("split.csv")),
                             qPrintable(box->text()));
                    box->accept();
                }
        });
        browser(window)->loadSplitFile(gz::ui::toQString(bad));
        QCOMPARE(model->rowCount(), 1);
    }

    void missingAndCorruptImagesShowTheirTiles() {
        const fs::path dir = newDir("broken");
        gz::test::writeKaggleFolder(dir, {0, 1, 3, 4});
        const fs::path images = dir / gz::kKaggleImageDirName;
        gz::test::writeText(images / "1001.jpg", "\xff\xd8\xff\xe0 this is not a JPEG");
        MainWindow window(options());
        open(window, dir);
        fs::remove(images / "1002.jpg");  // gone after the catalog was read
        ThumbnailLoader* loader = browser(window)->loader();
        loader->setDataset(window.dataset());  // forget what was decoded before the removal
        browser(window)->view()->viewport()->update();
        QTRY_COMPARE_WITH_TIMEOUT(browser(window)->visibleThumbnailsReady(), 4, 10000);
        QVERIFY(loader->thumbnail(0).state == ThumbnailLoader::State::Ready);
        QVERIFY(loader->thumbnail(1).state == ThumbnailLoader::State::Unreadable);
        QVERIFY(loader->thumbnail(1).error.contains(QStringLiteral("1001.jpg")));
        QVERIFY(loader->thumbnail(2).state == ThumbnailLoader::State::Missing);
        screenshot(*browser(window), QStringLiteral("browser-broken-images"));

        QVERIFY(selectAndWaitImage(window, 1001));
        QVERIFY2(inspector(window)->imageStatus().contains(QStringLiteral("1001.jpg")),
                 qPrintable(inspector(window)->imageStatus()));
        QVERIFY(inspector(window)->image().isNull());
        QCOMPARE(inspector(window)->details()->shownLabel(), std::optional<int>(1));
        QVERIFY(selectAndWaitImage(window, 1002));
        QVERIFY(inspector(window)->imageStatus().contains(QStringLiteral("missing")));
    }

    void thumbnailRequestsOutOfViewAreCancelled() {
        // 300 galaxies at 424x424: the requests are queued far faster than they are decoded.
        const fs::path dir = newDir("many");
        const std::vector<int> labels(300, 0);
        gz::test::writeKaggleFolder(dir, labels, false);
        for (std::size_t i = 0; i < labels.size(); ++i)
            gz::test::writeJpeg(dir / gz::kKaggleImageDirName / (std::to_string(1000 + i) + ".jpg"),
                                424);
        const auto dataset = gz::ui::loadDataset(gz::ui::DatasetLocation::kaggleFolder(dir),
                                                 gz::LabelRules::defaults(), {}, {});
        ThumbnailLoader loader;
        loader.setDataset(dataset);
        QSignalSpy ready(&loader, &ThumbnailLoader::thumbnailReady);
        for (std::size_t row = 0; row < labels.size(); ++row)
            QVERIFY(loader.thumbnail(row).state == ThumbnailLoader::State::Loading);
        QCOMPARE(loader.pendingCount(), 300);
        std::vector<std::size_t> rows(labels.size());
        std::iota(rows.begin(), rows.end(), std::size_t{0});
        loader.keepOnly(0, 9, rows);  // only the first ten are still in view
        QTRY_COMPARE_WITH_TIMEOUT(loader.pendingCount(), 0, 30000);
        QCOMPARE(loader.decodedCount() + loader.cancelledCount(), quint64{300});
        QVERIFY2(loader.cancelledCount() > 200,
                 qPrintable(QString::number(loader.cancelledCount())));
        for (std::size_t row = 0; row < 10; ++row) QVERIFY(loader.isCached(row));
        QCOMPARE(loader.thumbnail(0).image.size(), QSize(106, 106));  // 424 at a quarter
        QCOMPARE(loader.decodedOnGuiThread(), quint64{0});

        // The cache is bounded: a budget of 200 KiB keeps only a few 106x106 thumbnails.
        loader.setCacheKiB(200);
        QVERIFY(loader.cacheKiB() <= 200);
        for (std::size_t row = 0; row < 60; ++row) loader.thumbnail(row);
        QTRY_COMPARE_WITH_TIMEOUT(loader.pendingCount(), 0, 30000);
        QVERIFY(loader.cacheKiB() <= 200);
        QVERIFY(loader.cachedCount() < 10);
    }

    void demoScreenshotsAndLayoutRemembered() {
        MainWindow window(options());
        window.resize(1400, 880);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openDemo());
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy() && window.dataset(), kJobTimeoutMs);
        auto* b = browser(window);
        QTRY_VERIFY_WITH_TIMEOUT(b->visibleThumbnailsReady() > 0 &&
                                     b->visibleThumbnailsReady() ==
                                         b->visibleRange().second - b->visibleRange().first + 1,
                                 20000);
        // The first spiral.
        auto* box = window.findChild<QComboBox*>(QStringLiteral("morphologyFilterBox"));
        box->setCurrentIndex(box->findData(4));
        const auto id = b->model()->index(1).data(GalaxyListModel::GalaxyIdRole).toLongLong();
        box->setCurrentIndex(0);
        QVERIFY(selectAndWaitImage(window, id));
        QVERIFY(!inspector(window)->image().isNull());
        QCOMPARE(inspector(window)->image().size(), QSize(424, 424));
        QTRY_VERIFY_WITH_TIMEOUT(
            b->visibleThumbnailsReady() == b->visibleRange().second - b->visibleRange().first + 1,
            20000);
        screenshot(window, QStringLiteral("dataset-demo"));

        // The panel layout is kept for the next window.
        auto* splitter = window.findChild<QSplitter*>(QStringLiteral("datasetSplitter"));
        splitter->setSizes({380, 700, 300});
        const QList<int> sizes = splitter->sizes();
        window.close();
        MainWindow again(options());
        again.resize(window.size());
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QVERIFY(again.openDataset(gz::ui::toQString(gz::demoDatasetDir(window.workspace()))));
        QTRY_VERIFY_WITH_TIMEOUT(!again.isBusy() && again.dataset(), kJobTimeoutMs);
        auto* splitter2 = again.findChild<QSplitter*>(QStringLiteral("datasetSplitter"));
        QCOMPARE(splitter2->sizes(), sizes);
    }
};

QTEST_MAIN(TestDatasetBrowser)
#include "test_datasetbrowser.moc"
