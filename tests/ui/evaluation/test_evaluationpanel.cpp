// The Evaluation and Prediction panels and the misclassified-galaxy inspector. Hand-made
// predictions check the heat map's counts and row percentages, that a clicked cell's gallery
// holds exactly its galaxies in descending confidence, keyboard stepping, and marks saved in the
// run folder (surviving reopening, exported elsewhere, a broken file never overwritten). A tiny
// run trained at test time on rendered galaxies is then evaluated from the panel (its test split
// and the open data set), shows a Grad-CAM overlay of the image's size, and predicts a folder.

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSlider>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "app/mainwindow.h"
#include "dataset/galaxydetails.h"
#include "dataset/loadeddataset.h"
#include "dataset/votefractiontree.h"
#include "evaluation/confusionheatmap.h"
#include "evaluation/evaluationdata.h"
#include "evaluation/evaluationpanel.h"
#include "evaluation/misclassifiedinspector.h"
#include "evaluation/predictionpanel.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/decoded_cache.h"
#include "gz/demo.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/labeling.h"
#include "gz/morphology.h"
#include "gz/partition.h"
#include "gz/run_folder.h"
#include "gz/training.h"
#include "training/runspanel.h"

using gz::test::child;
using gz::test::screenshot;

namespace fs = std::filesystem;
using gz::GalaxyMark;
using gz::Prediction;
using gz::ui::EvaluationPanel;
using gz::ui::MainWindow;

namespace {

constexpr int kJobTimeoutMs = 60000;

// A prediction of `id` with true label `t` whose arg max is `p` with probability `conf`.
Prediction pred(std::int64_t id, int t, int p, float conf) {
    Prediction out;
    out.id = id;
    out.trueLabel = t;
    const float rest = (1.0f - conf) / 4.0f;
    out.probabilities.fill(rest);
    out.probabilities[static_cast<std::size_t>(p)] = conf;
    return out;
}

}  // namespace

class TestEvaluationPanel : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path data_, workspace_, run_;
    std::vector<Prediction> hand_;

    fs::path dir() const { return gz::ui::toPath(tmp_.path()); }

    static std::vector<std::int64_t> ids(const std::vector<Prediction>& v) {
        std::vector<std::int64_t> out;
        for (const auto& p : v) out.push_back(p.id);
        return out;
    }

    // A panel showing the hand-made predictions as an evaluation of `runDir`.
    std::unique_ptr<EvaluationPanel> handPanel(const fs::path& runDir) {
        auto panel = std::make_unique<EvaluationPanel>(nullptr, dir() / "no-workspace");
        panel->resize(1300, 820);
        panel->show();
        fs::create_directories(runDir);
        panel->showEvaluation(runDir, hand_, nullptr, gz::LabelRules::defaults(), {}, nullptr,
                              QStringLiteral("hand-made"));
        return panel;
    }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        QLocale::setDefault(QLocale::c());

        // Hand-made predictions. Round (0): 4 galaxies, 2 right, 2 predicted spiral (4).
        // Spiral (4): 3 galaxies, 1 right, 2 predicted round. Edge-on (3): 1, right.
        hand_ = {
            pred(1, 0, 0, 0.9f),  pred(2, 0, 0, 0.6f),  pred(3, 0, 4, 0.55f),
            pred(4, 0, 4, 0.95f), pred(5, 4, 4, 0.8f),  pred(6, 4, 0, 0.4f),
            pred(7, 4, 0, 0.7f),  pred(8, 3, 3, 0.99f), pred(9, 0, 4, 0.75f),
        };
        // Round: 5 in all: 2 right, 3 spiral (ids 4 0.95, 9 0.75, 3 0.55).

        // A tiny run trained on rendered galaxies, in the workspace's runs folder.
        data_ = dir() / "demo";
        gz::writeDemoDataset(data_, gz::DemoOptions{60, 7, gz::kKaggleImageSide});
        workspace_ = dir() / "workspace";
        // With a votes head: the inspector shows the predicted vote fractions too.
        gz::TrainConfig config = gz::test::quickTraining(2);
        config.votesWeight = 10;
        run_ = gz::test::trainRun(data_, workspace_, {0.5, 0.2, 0.3}, config).dir;
        QVERIFY(fs::exists(run_ / "predictions.csv"));
    }

    void heatMapShowsHandComputedCountsAndRowPercentages() {
        auto panel = handPanel(dir() / "hand-run-1");
        const auto* map = panel->heatMap();
        QVERIFY(map->result());
        const auto& c = map->result()->confusion;
        // Hand-computed matrix.
        QCOMPARE(c[0][0], std::size_t{2});
        QCOMPARE(c[0][4], std::size_t{3});
        QCOMPARE(c[4][4], std::size_t{1});
        QCOMPARE(c[4][0], std::size_t{2});
        QCOMPARE(c[3][3], std::size_t{1});
        std::size_t total = 0;
        for (const auto& row : c)
            for (std::size_t v : row) total += v;
        QCOMPARE(total, hand_.size());
        QCOMPARE(map->cellText(0, 0), QStringLiteral("2\n40.0%"));
        QCOMPARE(map->cellText(0, 4), QStringLiteral("3\n60.0%"));
        QCOMPARE(map->cellText(4, 0), QStringLiteral("2\n66.7%"));
        QCOMPARE(map->cellText(4, 4), QStringLiteral("1\n33.3%"));
        QCOMPARE(map->cellText(3, 3), QStringLiteral("1\n100.0%"));
        QCOMPARE(map->cellText(1, 1), QStringLiteral("0\n0.0%"));  // an empty row
        // Metrics: accuracy 4/9; round precision 2/4 (ids 1, 2 right; 6, 7 wrongly round),
        // recall 2/5; spiral precision 1/4, recall 1/3; support as the rows.
        QCOMPARE(panel->result()->accuracy, 4.0 / 9.0);
        const QTableWidget* t = panel->metricsTable();
        QCOMPARE(t->item(0, 1)->text(), QStringLiteral("0.500"));
        QCOMPARE(t->item(0, 2)->text(), QStringLiteral("0.400"));
        QCOMPARE(t->item(0, 5)->text(), QStringLiteral("5"));
        QCOMPARE(t->item(4, 1)->text(), QStringLiteral("0.250"));
        QCOMPARE(t->item(4, 2)->text(), QStringLiteral("0.333"));
        QCOMPARE(t->item(4, 5)->text(), QStringLiteral("3"));
        QCOMPARE(t->item(3, 4)->text(), QStringLiteral("1.000"));  // edge-on F1
        // 95% Wilson intervals: recall 2/5 and 1/3, accuracy 4/9.
        QCOMPARE(t->horizontalHeaderItem(3)->text(), QStringLiteral("Recall 95%"));
        QCOMPARE(t->item(0, 3)->text(), QStringLiteral("0.12–0.77"));
        QCOMPARE(t->item(4, 3)->text(), QStringLiteral("0.06–0.79"));
        const QString summary = child<QLabel>(panel.get(), "evaluationSummary")->text();
        QVERIFY2(summary.contains("0.444") && summary.contains("0.189–0.733"), qPrintable(summary));
        // Without a trained run there is nothing to evaluate, and the panel says so.
        QVERIFY(!panel->evaluate());
        QVERIFY2(panel->statusText().contains("No trained run"), qPrintable(panel->statusText()));
    }

    void clickingACellShowsExactlyItsGalaxiesMostConfidentFirst() {
        auto panel = handPanel(dir() / "hand-run-2");
        auto* map = panel->heatMap();
        QVERIFY(QTest::qWaitForWindowExposed(panel.get()));
        // True round, predicted spiral: ids 4 (0.95), 9 (0.75), 3 (0.55).
        QTest::mouseClick(map, Qt::LeftButton, {}, map->cellRect(0, 4).center());
        QCOMPARE(ids(panel->inspector()->gallery()), (std::vector<std::int64_t>{4, 9, 3}));
        QCOMPARE(panel->inspector()->galleryList()->count(), 3);
        QCOMPARE(panel->inspector()->currentPrediction()->id, std::int64_t{4});
        QVERIFY(map->selectedCell() == std::pair(0, 4));
        // True spiral, predicted round: 7 (0.7) before 6 (0.4).
        QTest::mouseClick(map, Qt::LeftButton, {}, map->cellRect(4, 0).center());
        QCOMPARE(ids(panel->inspector()->gallery()), (std::vector<std::int64_t>{7, 6}));
        // The diagonal and an empty cell.
        QTest::mouseClick(map, Qt::LeftButton, {}, map->cellRect(0, 0).center());
        QCOMPARE(ids(panel->inspector()->gallery()), (std::vector<std::int64_t>{1, 2}));
        QTest::mouseClick(map, Qt::LeftButton, {}, map->cellRect(2, 1).center());
        QVERIFY(panel->inspector()->gallery().empty());
        QVERIFY(!panel->inspector()->currentPrediction());
        // Every cell's gallery: exactly its galaxies, by descending confidence.
        for (int t = 0; t < gz::kMorphologyCount; ++t)
            for (int p = 0; p < gz::kMorphologyCount; ++p) {
                panel->showCell(t, p);
                const auto& g = panel->inspector()->gallery();
                QCOMPARE(g.size(), map->result()->confusion[static_cast<std::size_t>(t)]
                                                           [static_cast<std::size_t>(p)]);
                for (std::size_t i = 0; i < g.size(); ++i) {
                    QCOMPARE(g[i].trueLabel, t);
                    QCOMPARE(g[i].predicted(), p);
                    if (i > 0) QVERIFY(g[i - 1].confidence() >= g[i].confidence());
                }
            }
    }

    void keyboardStepsThroughTheGallery() {
        auto panel = handPanel(dir() / "hand-run-3");
        QVERIFY(QTest::qWaitForWindowActive(panel.get()));
        panel->showCell(0, 4);
        auto* inspector = panel->inspector();
        QListWidget* list = inspector->galleryList();
        list->setFocus();
        QCOMPARE(inspector->currentIndex(), 0);
        QTest::keyClick(list, Qt::Key_Down);
        QCOMPARE(inspector->currentPrediction()->id, std::int64_t{9});
        QTest::keyClick(list, Qt::Key_J);
        QCOMPARE(inspector->currentPrediction()->id, std::int64_t{3});
        QTest::keyClick(list, Qt::Key_J);  // stays on the last one
        QCOMPARE(inspector->currentIndex(), 2);
        QTest::keyClick(list, Qt::Key_K);
        QTest::keyClick(list, Qt::Key_Up);
        QCOMPARE(inspector->currentPrediction()->id, std::int64_t{4});
        // The header names the galaxy, both classes and its place in the gallery.
        const QString header = child<QLabel>(inspector, "inspectorHeader")->text();
        QVERIFY2(header.contains("Galaxy 4") && header.contains("Round") &&
                     header.contains("Spiral") && header.contains("1 of 3"),
                 qPrintable(header));
    }

    void clickingACellMovesTheKeysToItsGallery() {
        auto panel = handPanel(dir() / "hand-run-focus");
        QVERIFY(QTest::qWaitForWindowActive(panel.get()));
        auto* table = child<QTableWidget>(panel.get(), "metricsTable");
        table->setFocus();
        QTRY_VERIFY(table->hasFocus());
        auto* map = panel->heatMap();
        QTest::mouseClick(map, Qt::LeftButton, {}, map->cellRect(0, 4).center());
        auto* inspector = panel->inspector();
        QTRY_VERIFY(inspector->galleryList()->hasFocus());
        // The keys a user presses go where the focus is: into the gallery the click filled.
        QCOMPARE(inspector->currentPrediction()->id, std::int64_t{4});
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down);
        QCOMPARE(inspector->currentPrediction()->id, std::int64_t{9});
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_J);
        QCOMPARE(inspector->currentPrediction()->id, std::int64_t{3});
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_K);
        QCOMPARE(inspector->currentPrediction()->id, std::int64_t{9});
    }

    void marksAreSavedInTheRunFolderAndSurviveReopening() {
        const fs::path runDir = dir() / "hand-run-4";
        {
            auto panel = handPanel(runDir);
            QVERIFY(QTest::qWaitForWindowActive(panel.get()));
            panel->showCell(0, 4);
            auto* inspector = panel->inspector();
            auto* labelWrong = child<QToolButton>(inspector, "markLabelWrongButton");
            QVERIFY(labelWrong->isEnabled());
            QTest::mouseClick(labelWrong, Qt::LeftButton);  // galaxy 4
            QVERIFY(fs::exists(runDir / "marks.csv"));
            inspector->galleryList()->setFocus();
            QTest::keyClick(inspector->galleryList(), Qt::Key_Down);
            QTest::keyClick(inspector->galleryList(), Qt::Key_M);  // galaxy 9: model wrong
            QVERIFY(child<QToolButton>(inspector, "markModelWrongButton")->isChecked());
            QVERIFY(inspector->galleryList()->item(1)->text().startsWith("[M]"));
            panel->showCell(4, 0);
            QVERIFY(inspector->markCurrent(GalaxyMark::ModelWrong));  // galaxy 7
            QVERIFY(inspector->markCurrent(GalaxyMark::None));        // and cleared again
            QCOMPARE(QString::fromStdString(gz::readWholeFile(runDir / "marks.csv")),
                     QStringLiteral("GalaxyID,mark,true,predicted,confidence\n"
                                    "4,label_wrong,round,spiral,0.950000\n"
                                    "9,model_wrong,round,spiral,0.750000\n"));
            QVERIFY(
                child<QLabel>(panel.get(), "marksLabel")->text().contains("1 label looks wrong"));
            // Export: a copy where the user chooses; not over the run's own file.
            const fs::path exported = dir() / "exports" / "marks-copy.csv";
            QVERIFY2(panel->exportMarks(exported), qPrintable(panel->statusText()));
            QCOMPARE(gz::readWholeFile(exported), gz::readWholeFile(runDir / "marks.csv"));
            QVERIFY(!panel->exportMarks(runDir / "marks.csv"));
        }
        {
            // Reopened: the marks are read back from the run folder.
            auto panel = handPanel(runDir);
            QCOMPARE(panel->marks()->mark(4), GalaxyMark::LabelWrong);
            QCOMPARE(panel->marks()->mark(9), GalaxyMark::ModelWrong);
            QCOMPARE(panel->marks()->mark(7), GalaxyMark::None);
            panel->showCell(0, 4);
            QVERIFY(child<QToolButton>(panel->inspector(), "markLabelWrongButton")->isChecked());
            QVERIFY(panel->inspector()->galleryList()->item(0)->text().startsWith("[L]"));
        }
        {
            // A broken marks.csv is reported with its line and never overwritten.
            const std::string broken =
                "GalaxyID,mark,true,predicted,confidence\n4,oops,round,spiral,0.9\n";
            gz::test::writeText(runDir / "marks.csv", broken);
            auto panel = handPanel(runDir);
            QVERIFY(!panel->marks());
            QVERIFY2(panel->statusText().contains("marks.csv") &&
                         panel->statusText().contains("marks.csv:2") &&
                         panel->statusText().contains("oops"),
                     qPrintable(panel->statusText()));
            panel->showCell(0, 4);
            QVERIFY(!child<QToolButton>(panel->inspector(), "markLabelWrongButton")->isEnabled());
            QVERIFY(!panel->inspector()->markCurrent(GalaxyMark::ModelWrong));
            QCOMPARE(gz::readWholeFile(runDir / "marks.csv"), broken);
        }
    }

    void evaluatesATrainedRunAndShowsGradCam() {
        gz::ui::MainWindowOptions options;
        options.workspace = workspace_;
        MainWindow window(options);
        window.resize(1400, 880);
        QVERIFY(gz::test::showAndOpen(window, data_, kJobTimeoutMs));

        // The Runs panel's "Evaluate" evaluates the run in the Evaluation panel.
        gz::ui::RunsPanel* runs = window.runsPanel();
        runs->refresh();
        QVERIFY(runs->openRun(run_));
        QTest::mouseClick(child<QPushButton>(runs, "evaluateRunButton"), Qt::LeftButton);
        EvaluationPanel* panel = window.evaluationPanel();
        QCOMPARE(window.findChild<QTabWidget*>("panelTabs")->currentWidget(), panel);
        QCOMPARE(*panel->selectedRun(), run_);
        QVERIFY(window.isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), kJobTimeoutMs);

        // The run's test split.
        panel->setSource(EvaluationPanel::Source::Test);
        QElapsedTimer timer;
        timer.start();
        QVERIFY2(panel->evaluate(), qPrintable(panel->statusText()));
        QVERIFY(window.isBusy());     // a job on the window's runner
        QVERIFY(!panel->evaluate());  // one at a time
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), kJobTimeoutMs);
        qInfo("evaluated the test split in %lld ms", static_cast<long long>(timer.elapsed()));
        QVERIFY2(panel->result(), qPrintable(panel->statusText()));
        std::set<std::int64_t> testIds;
        for (const auto& e : gz::readSplitCsv(run_ / "split.csv"))
            if (e.subset == gz::Subset::Test && e.label != gz::kUnlabeled) testIds.insert(e.id);
        const auto evaluated = ids(panel->predictions());
        QCOMPARE(std::set<std::int64_t>(evaluated.begin(), evaluated.end()), testIds);
        QCOMPARE(panel->result()->n, testIds.size());
        // The same model on the same galaxies as the run's own predictions.csv (no TTA).
        const auto own = gz::readPredictionsCsv(run_ / "predictions.csv");
        QCOMPARE(own.size(), panel->predictions().size());
        for (const Prediction& p : panel->predictions()) {
            const auto it = std::find_if(own.begin(), own.end(),
                                         [&](const Prediction& o) { return o.id == p.id; });
            QVERIFY(it != own.end());
            QCOMPARE(it->predicted(), p.predicted());
            QCOMPARE(it->trueLabel, p.trueLabel);
        }

        // The busiest off-diagonal cell, else the busiest cell: its gallery in the inspector.
        const auto& c = panel->result()->confusion;
        std::pair<int, int> cell{-1, -1};
        std::size_t best = 0;
        for (int pass = 0; pass < 2 && cell.first < 0; ++pass)
            for (int t = 0; t < gz::kMorphologyCount; ++t)
                for (int p = 0; p < gz::kMorphologyCount; ++p) {
                    const std::size_t n =
                        c[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)];
                    if ((pass == 1 || t != p) && n > best) {
                        best = n;
                        cell = {t, p};
                    }
                }
        QVERIFY(cell.first >= 0);
        auto* inspector = panel->inspector();
        QSignalSpy shown(inspector, &gz::ui::MisclassifiedInspector::galaxyShown);
        timer.restart();
        QTest::mouseClick(panel->heatMap(), Qt::LeftButton, {},
                          panel->heatMap()->cellRect(cell.first, cell.second).center());
        QCOMPARE(inspector->gallery().size(), best);
        QTRY_VERIFY_WITH_TIMEOUT(inspector->saliencyShown(), kJobTimeoutMs);
        qInfo("image and Grad-CAM shown %lld ms after the click",
              static_cast<long long>(timer.elapsed()));
        QVERIFY2(inspector->imageStatus().isEmpty(), qPrintable(inspector->imageStatus()));
        QCOMPARE(inspector->shownImage().size(), QSize(424, 424));
        QCOMPARE(inspector->saliencyMap().size(), inspector->shownImage().size());
        // Non-zero inside the evaluation crop only.
        const QImage map = inspector->saliencyMap();
        int inside = 0, outside = 0;
        for (int y = 0; y < map.height(); ++y)
            for (int x = 0; x < map.width(); ++x) {
                const bool in = x >= 124 && x < 300 && y >= 124 && y < 300;
                if (map.pixelColor(x, y).red() > 0) ++(in ? inside : outside);
            }
        QVERIFY(inside > 0);
        QCOMPARE(outside, 0);
        // The opacity control changes what is drawn; 0 shows the image alone.
        inspector->setOpacity(0.0);
        const QImage plain = inspector->imageView()->composed();
        QCOMPARE(plain, inspector->shownImage().convertToFormat(QImage::Format_RGB32));
        inspector->setOpacity(0.6);
        QVERIFY(inspector->imageView()->composed() != plain);
        // Votes and label reason from the browser's inspector.
        QVERIFY(inspector->details()->shownLabel().has_value());
        QCOMPARE(*inspector->details()->shownLabel(), cell.first);
        QVERIFY(!inspector->details()->reasonText().isEmpty());
        QVERIFY(inspector->details()->votesTree()->topLevelItemCount() > 0);
        // The votes head's fractions beside the volunteers', and their RMSE in the status.
        const auto shownPrediction = inspector->currentPrediction();
        QVERIFY(shownPrediction && shownPrediction->fractions.size() == gz::kVoteColumnCount);
        for (std::size_t column : {std::size_t{0}, std::size_t{17}}) {
            const auto shownFraction = inspector->details()->shownPrediction(column);
            QVERIFY(shownFraction.has_value());
            QCOMPARE(*shownFraction, static_cast<double>(shownPrediction->fractions[column]));
        }
        QVERIFY2(panel->statusText().contains("vote fractions: RMSE"),
                 qPrintable(panel->statusText()));
        screenshot(window, QStringLiteral("evaluation-panel"));

        // Stepping on drops the old galaxy's result and shows the next one's.
        if (inspector->gallery().size() > 1) {
            inspector->galleryList()->setFocus();
            QTest::keyClick(inspector->galleryList(), Qt::Key_Down);
            QVERIFY(!inspector->saliencyShown());
            QTRY_VERIFY_WITH_TIMEOUT(inspector->saliencyShown(), kJobTimeoutMs);
            QCOMPARE(inspector->currentIndex(), 1);
        }

        // A run whose data has moved: the failure names the file; the evaluation shown stays.
        const fs::path moved = dir() / "moved-run";
        fs::copy(run_, moved, fs::copy_options::recursive);
        std::string config = gz::readWholeFile(moved / "config.json");
        const std::string oldCsv = gz::loadRunConfig(run_).dataCsv.string();
        config.replace(config.find(oldCsv), oldCsv.size(), (dir() / "gone" / "votes.csv").string());
        gz::test::writeText(moved / "config.json", config);
        const std::size_t shownBefore = panel->result()->n;
        panel->setRun(moved);
        QCOMPARE(*panel->selectedRun(), moved);
        QVERIFY(panel->evaluate());
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), kJobTimeoutMs);
        QVERIFY2(panel->statusText().contains("Evaluation failed") &&
                     panel->statusText().contains("votes.csv"),
                 qPrintable(panel->statusText()));
        QCOMPARE(panel->result()->n, shownBefore);
        panel->setRun(run_);

        // The labeled data set open in the window.
        panel->setSource(EvaluationPanel::Source::OpenDataset);
        QVERIFY2(panel->evaluate(), qPrintable(panel->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), kJobTimeoutMs);
        const auto labeling = window.currentLabeling();
        QVERIFY(labeling);
        std::size_t labeled = 0;
        for (auto l : labeling->labels) labeled += l != gz::kUnlabeled;
        QCOMPARE(panel->result()->n, labeled);
    }

    void predictsAFolderFromTheGui() {
        gz::ui::MainWindowOptions options;
        options.workspace = workspace_;
        MainWindow window(options);
        window.resize(1400, 880);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // No data set is needed: File > Predict Images… shows the panel.
        gz::ui::PredictionPanel* panel = window.predictionPanel();
        QVERIFY(!panel->isVisible());
        window.findChild<QAction*>("predictImagesAction")->trigger();
        QVERIFY(panel->isVisible());
        panel->refreshRuns();
        QCOMPARE(*panel->selectedRun(), run_);

        // Twelve images, one with a name that is not a number, and one that is not a JPEG.
        const fs::path images = dir() / "unlabeled";
        fs::create_directories(images);
        int copied = 0;
        for (const auto& e : fs::directory_iterator(data_ / gz::kKaggleImageDirName)) {
            if (copied == 12) break;
            const fs::path target =
                images / (copied == 0 ? std::string("mystery.jpg") : e.path().filename().string());
            fs::copy_file(e.path(), target);
            ++copied;
        }
        gz::test::writeText(images / "broken.jpg", "not a jpeg");
        panel->setFolder(images);
        QVERIFY2(panel->predict(), qPrintable(panel->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), kJobTimeoutMs);
        QCOMPARE(panel->predictions().size(), std::size_t{12});
        QVERIFY2(panel->statusText().contains("broken.jpg"), qPrintable(panel->statusText()));

        // All shown, most confident first; one class filtered.
        auto shown = panel->shownPredictions();
        QCOMPARE(shown.size(), std::size_t{12});
        for (std::size_t i = 1; i < shown.size(); ++i)
            QVERIFY(shown[i - 1].confidence() >= shown[i].confidence());
        const int cls = panel->predictions().front().predicted();
        panel->setFilter(cls);
        shown = panel->shownPredictions();
        const auto expected =
            std::count_if(panel->predictions().begin(), panel->predictions().end(),
                          [&](const Prediction& p) { return p.predicted() == cls; });
        QCOMPARE(static_cast<long>(shown.size()), static_cast<long>(expected));
        for (const auto& p : shown) QCOMPARE(p.predicted(), cls);
        panel->setFilter(std::nullopt, 0.99);
        for (const auto& p : panel->shownPredictions()) QVERIFY(p.confidence() >= 0.99f);
        panel->setFilter(std::nullopt);

        // The selected row's image is shown; a filter that hides the row takes its image away.
        panel->table()->selectRow(0);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->previewImage().isNull(), kJobTimeoutMs);
        screenshot(window, QStringLiteral("prediction-panel"));
        const Prediction first = panel->shownPredictions().front();
        // The run has a votes head: the image's 37 predicted fractions, by question.
        gz::ui::VoteFractionTree* fractions = panel->fractionsTree();
        QVERIFY(fractions->isVisible());
        QCOMPARE(fractions->topLevelItemCount(), 11);
        QCOMPARE(first.fractions.size(), gz::kVoteColumnCount);
        QCOMPARE(*fractions->predicted(13), static_cast<double>(first.fractions[13]));
        panel->setFilter((first.predicted() + 1) % gz::kMorphologyCount);
        QVERIFY(panel->previewImage().isNull());
        QVERIFY(panel->table()->selectedItems().isEmpty());
        panel->setFilter(first.predicted());  // still shown: stays selected, with its image
        panel->table()->selectRow(0);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->previewImage().isNull(), kJobTimeoutMs);
        panel->setFilter(first.predicted(), 0.01);
        QVERIFY(!panel->previewImage().isNull());
        QCOMPARE(panel->table()->selectedItems().size(), panel->table()->columnCount());

        // Export: never into the image folder; elsewhere exactly the rows shown, in their order.
        QVERIFY(!panel->exportCsv(images / "predictions.csv"));
        QVERIFY2(panel->statusText().contains(QStringLiteral("inside the data set")),
                 qPrintable(panel->statusText()));
        QVERIFY(!fs::exists(images / "predictions.csv"));
        const fs::path out = dir() / "predicted.csv";
        QVERIFY2(panel->exportCsv(out), qPrintable(panel->statusText()));
        const auto filtered = verifyExport(out, panel->shownPredictions(), panel->table());
        QCOMPARE(filtered.size(), panel->shownPredictions().size());
        QCOMPARE(static_cast<long>(filtered.size()),
                 static_cast<long>(std::count_if(
                     panel->predictions().begin(), panel->predictions().end(),
                     [&](const Prediction& p) { return p.predicted() == first.predicted(); })));
        // Nothing shown, nothing written.
        panel->setFilter((first.predicted() + 1) % gz::kMorphologyCount, 1.0);
        QVERIFY(!panel->exportCsv(dir() / "nothing.csv"));
        QVERIFY(!fs::exists(dir() / "nothing.csv"));
        panel->setFilter(std::nullopt);
        QVERIFY2(panel->exportCsv(out), qPrintable(panel->statusText()));
        const auto all = verifyExport(out, panel->shownPredictions(), panel->table());
        QCOMPARE(all.size(), std::size_t{12});

        // The same classes as galaxy-cli predict, whose predictions.csv keeps its format.
        const fs::path cliOut = dir() / "cli-predicted.csv";
        const auto cli = gz::test::runCli({QStringLiteral("predict"), QStringLiteral("--run"),
                                           gz::ui::toQString(run_), QStringLiteral("--images"),
                                           gz::ui::toQString(images), QStringLiteral("--out"),
                                           gz::ui::toQString(cliOut)});
        QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
        const auto fromCli = gz::readPredictionsCsv(cliOut);
        QCOMPARE(fromCli.size(), all.size());
        for (const Prediction& p : fromCli) {
            const auto it = std::find_if(all.begin(), all.end(), [&](const QStringList& r) {
                return r[0].toLongLong() == p.id;
            });
            QVERIFY(it != all.end());
            QCOMPARE((*it)[2], QString::fromUtf8(gz::morphologyKey(p.predicted()).data()));
        }
    }

private:
    // Checks that `file` holds the rows `shown` (with the file names the table shows) as the
    // prediction table's CSV, in order; returns its rows split into fields.
    static std::vector<QStringList> verifyExport(const fs::path& file,
                                                 const std::vector<Prediction>& shown,
                                                 QTableWidget* table) {
        QStringList lines = QString::fromStdString(gz::readWholeFile(file))
                                .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        std::vector<QStringList> rows;
        if (lines.isEmpty()) return rows;
        const QString header = lines.takeFirst();
        if (header != QStringLiteral("GalaxyID,file,predicted,confidence,p_round,p_in_between,"
                                     "p_cigar,p_edge_on,p_spiral"))
            qWarning("header %s", qPrintable(header));
        if (lines.size() != static_cast<int>(shown.size())) {
            qWarning("%d rows exported, %d shown", static_cast<int>(lines.size()),
                     static_cast<int>(shown.size()));
            return rows;
        }
        for (int i = 0; i < lines.size(); ++i) {
            const QStringList f = lines[i].split(QLatin1Char(','));
            const Prediction& p = shown[static_cast<std::size_t>(i)];
            const bool same = f.size() == 9 && f[0].toLongLong() == p.id &&
                              f[1] == table->item(i, 1)->text() && !f[1].isEmpty() &&
                              f[2] == QString::fromUtf8(gz::morphologyKey(p.predicted()).data()) &&
                              std::abs(f[3].toDouble() - p.confidence()) < 1e-5 &&
                              std::abs(f[4 + p.predicted()].toDouble() - p.confidence()) < 1e-5;
            if (!same) {
                qWarning("row %d differs: %s", i, qPrintable(lines[i]));
                return {};
            }
            rows.push_back(f);
        }
        return rows;
    }
};

QTEST_MAIN(TestEvaluationPanel)
#include "test_evaluationpanel.moc"
