// The Suspects panel on a data set made at test time: a search trained with the settings given to
// it, its suspects in rank order in the inspector, marks by key saved in the search's folder,
// the marked galaxies exported (never over the marks file nor into the data set), an earlier
// search opened again with its marks, and a damaged search refused with the file named.

#include <QComboBox>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "app/mainwindow.h"
#include "dataset/datasetpanel.h"
#include "evaluation/misclassifiedinspector.h"
#include "explore/suspectspanel.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/demo.h"
#include "gz/files.h"
#include "gz/run_marks.h"
#include "gz/suspects.h"

namespace fs = std::filesystem;
using gz::test::child;
using gz::ui::SuspectsPanel;

namespace {

constexpr int kJobTimeoutMs = 240000;
constexpr int kGalaxies = 40;

}  // namespace

class TestSuspectsPanel : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path data_, workspace_;
    std::string csvBefore_;
    std::unique_ptr<gz::ui::MainWindow> window_;

    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    SuspectsPanel* panel() const { return window_->suspectsPanel(); }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        data_ = dir() / "demo";
        workspace_ = dir() / "workspace";
        gz::writeDemoDataset(data_, gz::DemoOptions{kGalaxies, 3, gz::kKaggleImageSide});
        csvBefore_ = gz::readWholeFile(data_ / "training_solutions_rev1.csv");
        window_ = gz::test::openWindow(workspace_, data_, QSize(1400, 900), kJobTimeoutMs);
        QVERIFY(window_);
    }

    void findsAndRanksTheSuspects() {
        window_->showPanel(panel());
        auto* find = child<QPushButton>(panel(), "findSuspectsButton");
        QVERIFY(find->isEnabled());
        panel()->setConfigSource([] { return gz::test::quickTraining(); });
        panel()->setFolds(2);
        QSignalSpy shown(panel(), &SuspectsPanel::searchShown);
        QTest::mouseClick(find, Qt::LeftButton);
        QVERIFY2(window_->isBusy(), qPrintable(panel()->statusText()));
        QVERIFY(!find->isEnabled());  // one job at a time
        QVERIFY2(shown.wait(kJobTimeoutMs), qPrintable(panel()->statusText()));
        const auto& search = panel()->search();
        QVERIFY(search);
        // Every labeled galaxy predicted out of sample; the gallery is the ranking, in order.
        const auto labeling = window_->currentLabeling();
        std::size_t labeled = 0;
        for (const int label : labeling->labels) labeled += label >= 0 ? 1 : 0;
        QCOMPARE(search->outOfSample.size(), labeled);
        QVERIFY(!search->suspects.empty());
        const auto& gallery = panel()->inspector()->gallery();
        QCOMPARE(gallery.size(), search->suspects.size());
        for (std::size_t i = 0; i < gallery.size(); ++i) {
            QCOMPARE(gallery[i].id, search->suspects[i].id);
            QCOMPARE(gallery[i].trueLabel, search->suspects[i].given);
        }
        // Kept in the workspace with the fold runs; the data set untouched.
        QVERIFY(gz::isInsideFolder(search->folder, workspace_ / "suspects"));
        QVERIFY(fs::is_regular_file(gz::suspectsFileIn(search->folder)));
        QVERIFY(fs::is_directory(search->folder / "fold-2"));
        QCOMPARE(gz::readWholeFile(data_ / "training_solutions_rev1.csv"), csvBefore_);
        QVERIFY(panel()->statusText().contains(
            QString::fromStdString(search->folder.filename().string())));
        // No one model predicted them all: no saliency to show.
        QVERIFY(child<QWidget>(panel()->inspector(), "saliencyControls")->isHidden());
        gz::test::screenshot(*window_, "suspects-panel");
    }

    void marksByKeyAndExports() {
        QVERIFY(panel()->search());
        const fs::path folder = panel()->search()->folder;
        auto* inspector = panel()->inspector();
        QListWidget* list = inspector->galleryList();
        list->setFocus();
        const std::int64_t first = inspector->currentPrediction()->id;
        QTest::keyClick(list, Qt::Key_L);
        QVERIFY(list->item(0)->text().startsWith("[L]"));
        QCOMPARE(panel()->marks()->mark(first), gz::GalaxyMark::LabelWrong);
        const gz::RunMarks saved(folder);  // read back from the search's marks.csv
        QCOMPARE(saved.mark(first), gz::GalaxyMark::LabelWrong);
        QCOMPARE(saved.all().size(), std::size_t{1});
        QVERIFY(child<QLabel>(panel(), "marksLabel")->text().contains("1 label looks wrong"));
        // The export is a copy elsewhere: not the marks file itself, never in the data set.
        const fs::path exported = dir() / "curation" / "marked.csv";
        QVERIFY2(panel()->exportMarks(exported), qPrintable(panel()->statusText()));
        QCOMPARE(gz::readWholeFile(exported), gz::readWholeFile(gz::RunMarks::fileIn(folder)));
        QVERIFY(gz::readWholeFile(exported).find(std::to_string(first) + ",label_wrong") !=
                std::string::npos);
        QVERIFY(!panel()->exportMarks(gz::RunMarks::fileIn(folder)));
        QVERIFY(!panel()->exportMarks(data_ / "marked.csv"));
        QVERIFY(!fs::exists(data_ / "marked.csv"));
        QCOMPARE(gz::readWholeFile(data_ / "training_solutions_rev1.csv"), csvBefore_);
    }

    void opensAnEarlierSearchWithItsMarks() {
        QVERIFY(panel()->search());
        const auto before = *panel()->search();
        SuspectsPanel reopened(nullptr, workspace_, window_->datasetPanel()->session());
        reopened.resize(1200, 800);
        reopened.show();
        auto* searches = child<QComboBox>(&reopened, "suspectSearches");
        QCOMPARE(searches->count(), 2);  // the hint, then the one search
        QSignalSpy shown(&reopened, &SuspectsPanel::searchShown);
        searches->activated(1);
        QCOMPARE(shown.count(), 1);
        const auto& search = reopened.search();
        QVERIFY(search);
        QCOMPARE(search->folder, before.folder);
        QCOMPARE(search->suspects.size(), before.suspects.size());
        for (std::size_t i = 0; i < before.suspects.size(); ++i)
            QCOMPARE(search->suspects[i].id, before.suspects[i].id);
        QCOMPARE(search->thresholds, before.thresholds);
        QVERIFY(reopened.inspector()->galleryList()->item(0)->text().startsWith("[L]"));
    }

    void refusesADamagedSearch() {
        const fs::path bad = workspace_ / "suspects" / "20200101-000000-suspects";
        gz::test::writeText(gz::outOfSampleFileIn(bad), "GalaxyID,nonsense\n1,2\n");
        SuspectsPanel reopened(nullptr, workspace_, window_->datasetPanel()->session());
        QVERIFY(!reopened.openSearch(bad));
        QVERIFY2(reopened.statusText().contains("out-of-sample.csv"),
                 qPrintable(reopened.statusText()));
        QVERIFY(!reopened.search());
        // Without a runner (or a data set) there is nothing to start.
        QVERIFY(!reopened.findSuspects());
    }
};

QTEST_MAIN(TestSuspectsPanel)
#include "test_suspectspanel.moc"
