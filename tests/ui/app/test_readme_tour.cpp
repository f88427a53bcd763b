// A tour of the app on the real Galaxy Zoo 2 sample, as a new user takes it at 1400x880: open the
// sample, look at a galaxy, edit a label rule and undo it, the augmentation, partition, train two
// short runs and compare them, evaluate and open the worst confusion cell, predict a folder of
// images, and (for the README) the sample's map, a galaxy's look-alikes, a suspects search and
// a model's vote fractions in the browser.
// Every step must finish with its result on screen; with GZ_SCREENSHOT_DIR set it saves the
// README's screenshots:
//   GZ2_SAMPLE_DIR=../shared/data/gz2-sample GZ_TOUR_WORKSPACE=~/galaxy-studio/workspace
//   GZ_SCREENSHOT_DIR=resources/screenshots build/tests/test_readme_tour   (one command line)
// Skips without GZ2_SAMPLE_DIR.

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QtTest>
#include <algorithm>
#include <filesystem>

#include "augmentation/augmentationpanel.h"
#include "dataset/datasetpanel.h"
#include "dataset/galaxybrowser.h"
#include "dataset/galaxyinspector.h"
#include "dataset/galaxylistmodel.h"
#include "dataset/labelingsession.h"
#include "dataset/ruleeditor.h"
#include "evaluation/confusionheatmap.h"
#include "evaluation/evaluationpanel.h"
#include "evaluation/misclassifiedinspector.h"
#include "evaluation/predictionpanel.h"
#include "explore/mappanel.h"
#include "explore/mapview.h"
#include "explore/suspectspanel.h"
#include "gui_fixtures.h"
#include "gz/training.h"
#include "training/runspanel.h"
#include "training/trainingpanel.h"
#include "training_fixtures.h"

namespace fs = std::filesystem;
using gz::test::child;
using gz::test::screenshot;
using gz::ui::MainWindow;

namespace {

constexpr int kJobTimeoutMs = 300000;

}  // namespace

class TestReadmeTour : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

    // Trains compact for `epochs` at `lr` from the Training panel, with the votes head at
    // `votesWeight` (0: off), and waits for the end.
    static bool trainRun(MainWindow& window, int epochs, double lr, double votesWeight) {
        gz::ui::TrainingPanel* panel = window.trainingPanel();
        window.showPanel(panel);
        child<QComboBox>(panel, "modelCombo")->setCurrentText(QStringLiteral("compact"));
        child<QSpinBox>(panel, "epochsSpin")->setValue(epochs);
        child<QDoubleSpinBox>(panel, "votesWeightSpin")->setValue(votesWeight);
        child<QSpinBox>(panel, "batchSpin")->setValue(32);
        child<QSpinBox>(panel, "threadsSpin")->setValue(2);
        child<QDoubleSpinBox>(panel, "learningRateSpin")->setValue(lr);
        QTest::mouseClick(child<QPushButton>(panel, "trainButton"), Qt::LeftButton);
        return QTest::qWaitFor([&] { return panel->isTraining(); }, 10000) &&
               QTest::qWaitFor([&] { return !panel->isTraining() && !window.isBusy(); },
                               kJobTimeoutMs);
    }

private slots:
    void initTestCase() { QVERIFY(gz::test::initGuiTest(tmp_)); }

    void tourOfTheRealSample() {
        const auto sample = gz::test::sampleDir();
        if (!sample)
            QSKIP("GZ2_SAMPLE_DIR is not set: the tour shows the real Galaxy Zoo 2 sample");
        gz::ui::MainWindowOptions options;
        // GZ_TOUR_WORKSPACE (a new or empty folder) puts the workspace where the README's
        // screenshots show a user's path rather than a test folder's.
        const QString tourWorkspace = qEnvironmentVariable("GZ_TOUR_WORKSPACE");
        options.workspace = tourWorkspace.isEmpty()
                                ? fs::path(tmp_.path().toStdString()) / "workspace"
                                : fs::path(tourWorkspace.toStdString());
        std::error_code ec;
        if (!tourWorkspace.isEmpty() && fs::exists(options.workspace, ec) &&
            !fs::is_empty(options.workspace, ec))
            QFAIL(
                "GZ_TOUR_WORKSPACE must name a new or empty folder (the tour never touches "
                "another workspace)");
        MainWindow window(options);
        window.resize(1400, 880);
        QVERIFY(gz::test::showAndOpen(window, *sample, kJobTimeoutMs));

        // A spiral galaxy in the inspector, its votes and the rule that labeled it.
        auto* browser = window.datasetPanel()->browser();
        auto* inspector = window.datasetPanel()->inspector();
        QVERIFY(browser->selectGalaxy(817872));
        QTRY_VERIFY_WITH_TIMEOUT(!inspector->image().isNull(), 20000);
        screenshot(window, QStringLiteral("dataset-panel"));

        // Editing a threshold: Class7.1 >= 0.95 for round leaves few round galaxies; the
        // inspector says why a round one is not round any more. Then back to the paper's rules.
        auto* editor = window.datasetPanel()->ruleEditor();
        QDoubleSpinBox* spin = editor->thresholdBox(0, 1);
        const double paper = spin->value();
        const std::size_t roundBefore = window.currentLabeling()->counts[0];
        auto relabeled = [&] {
            return QTest::qWaitFor(
                [&] { return !window.datasetPanel()->session()->isRelabeling(); }, 20000);
        };
        spin->setValue(0.95);
        QVERIFY(relabeled());
        QTRY_VERIFY(window.currentLabeling()->counts[0] < roundBefore);
        QVERIFY(browser->selectGalaxy(818366));
        QTRY_VERIFY_WITH_TIMEOUT(!inspector->image().isNull(), 20000);
        window.findChild<QScrollArea*>(QStringLiteral("datasetOverview"))
            ->ensureWidgetVisible(editor);
        QTest::qWait(200);
        screenshot(window, QStringLiteral("label-rules"));
        spin->setValue(paper);
        QVERIFY(relabeled());
        QTRY_COMPARE(window.currentLabeling()->counts[0], roundBefore);

        window.showPanel(window.augmentationPanel());
        QTRY_VERIFY_WITH_TIMEOUT(
            window.augmentationPanel()->findChild<QWidget*>(QStringLiteral("evalTile0")),
            kJobTimeoutMs);
        QTest::qWait(500);
        screenshot(window, QStringLiteral("augmentation-panel"));

        QVERIFY(gz::test::partition(window, kJobTimeoutMs));
        // The README's curves come from runs of 4 and 6 epochs with the defaults (the votes
        // head, weight 10). As a test, one epoch each takes every step as well: the first run
        // without the head (the labeled galaxies alone), the second with it (twice the images:
        // the unlabeled ones too). The suite runs twice, and under the sanitizers the sample's
        // epochs are most of this test's time.
        const bool forReadme = qEnvironmentVariableIsSet("GZ_SCREENSHOT_DIR");
        const double votesHead = gz::TrainConfig{}.votesWeight;
        QVERIFY(trainRun(window, forReadme ? 4 : 1, 0.02, forReadme ? votesHead : 0));
        QVERIFY(trainRun(window, forReadme ? 6 : 1, 0.05, votesHead));
        screenshot(window, QStringLiteral("training-live"));

        // The newer run against the older one.
        gz::ui::RunsPanel* runs = window.runsPanel();
        runs->refresh();
        QVERIFY(runs->runs().size() >= 2);
        std::vector<fs::path> finished;
        for (const auto& r : runs->runs())
            if (r.state == gz::RunInfo::State::Finished) finished.push_back(r.dir);
        QCOMPARE(finished.size(), std::size_t{2});
        // The panel's votes head is the run's (newest first).
        QVERIFY(gz::loadRunConfig(finished[0]).hasVotesHead());
        QCOMPARE(gz::loadRunConfig(finished[1]).hasVotesHead(), forReadme);
        QVERIFY(runs->openRun(finished[0]));
        QVERIFY(runs->setCompared(finished[1], true));
        window.showPanel(runs);
        QTest::qWait(300);
        screenshot(window, QStringLiteral("runs-compare"));

        // Evaluate the shown run; open its busiest off-diagonal confusion cell.
        gz::ui::EvaluationPanel* evaluation = window.evaluationPanel();
        window.showPanel(evaluation);
        QVERIFY2(evaluation->evaluate(), qPrintable(evaluation->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy() && evaluation->result(), kJobTimeoutMs);
        const auto& c = evaluation->result()->confusion;
        std::pair<int, int> cell{0, 1};
        std::size_t most = 0;
        for (int t = 0; t < gz::kMorphologyCount; ++t)
            for (int p = 0; p < gz::kMorphologyCount; ++p)
                if (t != p && c[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)] > most) {
                    most = c[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)];
                    cell = {t, p};
                }
        QVERIFY(most > 0);
        QTest::mouseClick(evaluation->heatMap(), Qt::LeftButton, {},
                          evaluation->heatMap()->cellRect(cell.first, cell.second).center());
        QTRY_VERIFY_WITH_TIMEOUT(evaluation->inspector()->saliencyShown(), kJobTimeoutMs);
        screenshot(window, QStringLiteral("evaluation-panel"));

        // A folder of images the runs never saw in training: the sample's test split would do,
        // but any JPEGs will; the first 40 of the folder.
        const fs::path folder = (tourWorkspace.isEmpty() ? fs::path(tmp_.path().toStdString())
                                                         : options.workspace.parent_path()) /
                                "new-images";
        QVERIFY2(!fs::exists(folder, ec), "the tour's image folder exists already");
        fs::create_directories(folder);
        int copied = 0;
        for (const auto& e : fs::directory_iterator(*sample / "images_training_rev1")) {
            if (copied++ == 40) break;
            fs::copy_file(e.path(), folder / e.path().filename());
        }
        gz::ui::PredictionPanel* prediction = window.predictionPanel();
        window.showPanel(prediction);
        prediction->setFolder(folder);
        QVERIFY2(prediction->predict(), qPrintable(prediction->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), kJobTimeoutMs);
        QCOMPARE(prediction->predictions().size(), std::size_t{40});
        prediction->table()->selectRow(0);
        QTRY_VERIFY_WITH_TIMEOUT(!prediction->previewImage().isNull(), kJobTimeoutMs);
        screenshot(window, QStringLiteral("prediction-panel"));

        // For the README only (each panel's own test covers each step from here on).
        if (!forReadme) return;

        // GZ_TOUR_FRACTIONS: a votes-head run's predicted fractions of the sample (galaxy-cli
        // evaluate --every-galaxy --out DIR, DIR/fractions.csv) in the browser, the galaxies the
        // model is furthest from the volunteers on first, the worst in the inspector.
        if (const QString fractions = qEnvironmentVariable("GZ_TOUR_FRACTIONS");
            !fractions.isEmpty()) {
            window.showPanel(window.datasetPanel());
            browser->loadFractionsFile(fractions);
            const auto* session = window.datasetPanel()->session();
            QTRY_VERIFY_WITH_TIMEOUT(session->modelFractions() != nullptr, kJobTimeoutMs);
            auto* sort = browser->findChild<QComboBox*>(QStringLiteral("sortBox"));
            sort->setCurrentIndex(
                sort->findText(QStringLiteral("Model's error"), Qt::MatchStartsWith));
            browser->findChild<QToolButton*>(QStringLiteral("sortOrderButton"))->setChecked(true);
            const std::size_t worst = browser->model()->catalogRow(0);
            QVERIFY(session->modelFractions()->fractions.has(worst));
            QVERIFY(browser->selectGalaxy(window.dataset()->catalog.id(worst)));
            QTRY_VERIFY_WITH_TIMEOUT(!inspector->image().isNull(), kJobTimeoutMs);
            QTRY_VERIFY_WITH_TIMEOUT(browser->visibleThumbnailsReady() > 0, kJobTimeoutMs);
            QTest::qWait(500);
            screenshot(window, QStringLiteral("browser-model-error"));
        }

        // The sample's map by the newer run (or GZ_TOUR_MAP_RUN, a run trained longer), an
        // edge-on galaxy picked on it, and the galaxies most like it.
        gz::ui::MapPanel* map = window.mapPanel();
        window.showPanel(map);
        map->refreshRuns();
        const QString mapRun = qEnvironmentVariable("GZ_TOUR_MAP_RUN");
        map->setRun(mapRun.isEmpty() ? finished[0] : fs::path(mapRun.toStdString()));
        QVERIFY2(map->layOut(), qPrintable(map->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy() && map->view()->pointCount() > 0, kJobTimeoutMs);
        const auto& labels = window.currentLabeling()->labels;
        const auto edgeOn = std::find(labels.begin(), labels.end(), 3);
        QVERIFY(edgeOn != labels.end());
        const auto row = static_cast<std::size_t>(edgeOn - labels.begin());
        map->showGalaxy(row);
        QTRY_VERIFY_WITH_TIMEOUT(!map->inspector()->image().isNull(), kJobTimeoutMs);
        screenshot(window, QStringLiteral("map-panel"));
        map->showMoreLikeThis();
        QTRY_VERIFY_WITH_TIMEOUT(
            browser->visibleThumbnailsReady() > 0 &&
                browser->visibleThumbnailsReady() ==
                    browser->visibleRange().second - browser->visibleRange().first + 1,
            kJobTimeoutMs);
        screenshot(window, QStringLiteral("more-like-this"));

        // GZ_TOUR_SUSPECTS: a search of the sample (galaxy-cli suspects) shown in the Suspects
        // panel, its first suspect beside the votes that decided its label.
        const QString suspects = qEnvironmentVariable("GZ_TOUR_SUSPECTS");
        if (suspects.isEmpty()) return;
        gz::ui::SuspectsPanel* panel = window.suspectsPanel();
        window.showPanel(panel);
        QVERIFY2(panel->openSearch(fs::path(suspects.toStdString())),
                 qPrintable(panel->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(!panel->inspector()->shownImage().isNull(), kJobTimeoutMs);
        screenshot(window, QStringLiteral("suspects-panel"));
    }
};

QTEST_MAIN(TestReadmeTour)
#include "test_readme_tour.moc"
