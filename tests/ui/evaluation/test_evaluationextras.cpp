// Smaller things a user of the evaluation side relies on: "Evaluate" in the Runs panel evaluates;
// Prediction's TTA and both panels' decision follow the run as galaxy-cli does, and decide; a mark
// in the gallery is never cut off; the Grad-CAM overlay comes with its colour scale; and a class
// has one name in every panel.

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>

#include "app/mainwindow.h"
#include "dataset/datasetpanel.h"
#include "evaluation/evaluationpanel.h"
#include "evaluation/misclassifiedinspector.h"
#include "evaluation/predictionpanel.h"
#include "evaluation/saliencyscale.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/files.h"
#include "gz/morphology.h"
#include "gz/partition.h"
#include "gz/run_folder.h"
#include "gz/training.h"
#include "training/runspanel.h"
#include "training_fixtures.h"

using gz::test::child;
using gz::test::screenshot;

namespace fs = std::filesystem;
using gz::ui::MainWindow;

namespace {

constexpr int kJobTimeoutMs = 120000;

bool sameColor(QRgb a, QRgb b) {
    return std::abs(qRed(a) - qRed(b)) <= 24 && std::abs(qGreen(a) - qGreen(b)) <= 24 &&
           std::abs(qBlue(a) - qBlue(b)) <= 24;
}

// Every text a user can read in `root`: labels, buttons, combo items, table and list items.
QStringList visibleTexts(QWidget* root) {
    QStringList out;
    for (auto* w : root->findChildren<QLabel*>()) out << w->text();
    for (auto* w : root->findChildren<QAbstractButton*>()) out << w->text();
    for (auto* w : root->findChildren<QComboBox*>())
        for (int i = 0; i < w->count(); ++i) out << w->itemText(i);
    for (auto* w : root->findChildren<QTableWidget*>())
        for (int r = 0; r < w->rowCount(); ++r)
            for (int c = 0; c < w->columnCount(); ++c)
                if (w->item(r, c)) out << w->item(r, c)->text();
    for (auto* w : root->findChildren<QListWidget*>())
        for (int i = 0; i < w->count(); ++i) out << w->item(i)->text();
    return out;
}

}  // namespace

class TestEvaluationExtras : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path data_, workspace_, run_, ttaRun_, headRun_, plainRun_;

    fs::path dir() const { return gz::ui::toPath(tmp_.path()); }

    // A copy of run_ named `name` whose config is changed by `edit`.
    fs::path copyRun(const std::string& name, const std::function<void(gz::TrainConfig&)>& edit) {
        const fs::path copy = workspace_ / "runs" / name;
        fs::copy(run_, copy, fs::copy_options::recursive);
        const fs::path file = gz::RunFolder{copy}.config();
        gz::TrainConfig config = gz::TrainConfig::fromJson(gz::readWholeFile(file), file);
        edit(config);
        gz::test::writeText(file, config.toJson());
        return copy;
    }

    std::unique_ptr<MainWindow> openWindow(int width = 1400, int height = 880) {
        return gz::test::openWindow(workspace_, data_, {width, height}, kJobTimeoutMs);
    }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        data_ = dir() / "demo";
        gz::writeDemoDataset(data_, gz::DemoOptions{50, 9, gz::kKaggleImageSide});
        workspace_ = dir() / "workspace";
        gz::TrainConfig config;
        config.model = "compact";
        config.batch = 10;
        config.epochs = 1;
        config.threads = 1;
        config.tta = false;
        run_ = gz::test::trainRun(data_, workspace_, {0.5, 0.2, 0.3}, config).dir;

        // The same run as if trained with TTA, and as if deciding by its head: copies whose
        // config says so; and a run without a votes head.
        ttaRun_ = copyRun("with-tta", [](gz::TrainConfig& c) { c.tta = true; });
        headRun_ = copyRun("by-head", [](gz::TrainConfig& c) { c.decision = gz::Decision::Head; });
        config.votesWeight = 0;
        plainRun_ = gz::test::trainRun(data_, workspace_, {0.5, 0.2, 0.3}, config).dir;
    }

    void runsEvaluateStartsTheEvaluation() {
        auto window = openWindow();
        QVERIFY(window);
        gz::ui::RunsPanel* runs = window->runsPanel();
        window->showPanel(runs);
        runs->refresh();
        QVERIFY(runs->openRun(run_));
        gz::ui::EvaluationPanel* panel = window->evaluationPanel();
        QSignalSpy evaluated(panel, &gz::ui::EvaluationPanel::evaluated);
        QTest::mouseClick(child<QPushButton>(runs, "evaluateRunButton"), Qt::LeftButton);
        QVERIFY(panel->isVisible());
        QCOMPARE(*panel->selectedRun(), run_);
        QTRY_VERIFY_WITH_TIMEOUT(evaluated.count() == 1 && !window->isBusy(), kJobTimeoutMs);
        QVERIFY2(child<QLabel>(panel, "evaluationSummary")->text().contains("Accuracy"),
                 qPrintable(child<QLabel>(panel, "evaluationSummary")->text()));
    }

    void predictionTtaFollowsTheRun() {
        gz::ui::MainWindowOptions options;
        options.workspace = workspace_;
        MainWindow window(options);
        gz::ui::PredictionPanel* panel = window.predictionPanel();
        auto* tta = child<QCheckBox>(panel, "predictionTtaCheck");
        panel->refreshRuns();
        panel->setRun(ttaRun_);
        QVERIFY(tta->isChecked());
        panel->setRun(run_);
        QVERIFY(!tta->isChecked());
        // The user's choice stays while the run stays chosen, also over a refresh.
        tta->setChecked(true);
        panel->refreshRuns();
        QVERIFY(tta->isChecked());
        panel->setRun(ttaRun_);
        panel->setRun(run_);
        QVERIFY(!tta->isChecked());
    }

    void theDecisionFollowsTheRunAndDecides() {
        auto window = openWindow();
        QVERIFY(window);
        gz::ui::EvaluationPanel* panel = window->evaluationPanel();
        window->showPanel(panel);
        auto* decision = child<QComboBox>(panel, "evaluationDecisionCombo");
        panel->setRun(headRun_);
        QVERIFY(decision->isEnabled());
        QCOMPARE(decision->currentText(), QStringLiteral("head"));
        panel->setRun(plainRun_);  // no votes head: its classification head decides
        QVERIFY(!decision->isEnabled());
        panel->setRun(run_);
        QVERIFY(decision->isEnabled());
        QCOMPARE(decision->currentText(), QStringLiteral("combined"));
        panel->refreshRuns();  // a choice stays while the run does
        decision->setCurrentText(QStringLiteral("fractions"));
        panel->refreshRuns();
        QCOMPARE(decision->currentText(), QStringLiteral("fractions"));

        // Evaluated as the run's model predicts when told to decide by the fractions.
        panel->setSource(gz::ui::EvaluationPanel::Source::Test);
        QVERIFY2(panel->evaluate(), qPrintable(panel->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        QVERIFY2(panel->statusText().contains(QStringLiteral("decided by fractions")),
                 qPrintable(panel->statusText()));
        const gz::Catalog catalog = gz::Catalog::open(gz::CatalogSource::kaggleFolder(data_));
        const auto galaxies = gz::readSplitSubset(gz::RunFolder{run_}.split(), gz::Subset::Test);
        const auto predictBy = [&](gz::Decision d) {
            return gz::predictCatalog(run_, catalog, galaxies, workspace_, false, std::nullopt, 0,
                                      {}, {}, nullptr, gz::CheckpointChoice::Best, d);
        };
        const auto byFractions = predictBy(gz::Decision::Fractions);
        const auto byHead = predictBy(gz::Decision::Head);
        QCOMPARE(panel->predictions().size(), byFractions.size());
        float headDiffers = 0;
        for (std::size_t i = 0; i < byFractions.size(); ++i) {
            const auto& shown = panel->predictions()[i];
            QCOMPARE(shown.id, byFractions[i].id);
            for (std::size_t c = 0; c < gz::kMorphologyCount; ++c) {
                QVERIFY(std::abs(shown.probabilities[c] - byFractions[i].probabilities[c]) < 1e-5f);
                headDiffers = std::max(
                    headDiffers, std::abs(shown.probabilities[c] - byHead[i].probabilities[c]));
            }
        }
        QVERIFY(headDiffers > 1e-3f);  // the choice was not the head's
        screenshot(*window, QStringLiteral("evaluation-decision"));

        // Prediction: the same boxes, the same following, the decision passed on.
        gz::ui::PredictionPanel* prediction = window->predictionPanel();
        auto* predictionDecision = child<QComboBox>(prediction, "predictionDecisionCombo");
        prediction->refreshRuns();
        prediction->setRun(headRun_);
        QCOMPARE(predictionDecision->currentText(), QStringLiteral("head"));
        prediction->setRun(plainRun_);
        QVERIFY(!predictionDecision->isEnabled());
        prediction->setRun(run_);
        predictionDecision->setCurrentText(QStringLiteral("head"));
        const fs::path images = data_ / gz::kKaggleImageDirName;
        prediction->setFolder(images);
        QVERIFY2(prediction->predict(), qPrintable(prediction->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        const auto folderByHead = gz::predictFolder(run_, images, false, std::nullopt, 0, {}, {},
                                                    nullptr, gz::Decision::Head);
        QCOMPARE(prediction->predictions().size(), folderByHead.size());
        for (std::size_t i = 0; i < folderByHead.size(); ++i)
            for (std::size_t c = 0; c < gz::kMorphologyCount; ++c)
                QVERIFY(std::abs(prediction->predictions()[i].probabilities[c] -
                                 folderByHead[i].probabilities[c]) < 1e-5f);
    }

    void marksAndGradCamScaleAreReadable() {
        auto window = openWindow(1024, 700);
        QVERIFY(window);
        gz::ui::EvaluationPanel* panel = window->evaluationPanel();
        window->showPanel(panel);
        panel->setRun(run_);
        QVERIFY(panel->evaluate());
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        gz::ui::MisclassifiedInspector* inspector = panel->inspector();
        for (int t = 0; t < gz::kMorphologyCount && inspector->gallery().empty(); ++t)
            for (int p = 0; p < gz::kMorphologyCount && inspector->gallery().empty(); ++p)
                panel->showCell(t, p);
        QVERIFY(!inspector->gallery().empty());
        QVERIFY(inspector->markCurrent(gz::GalaxyMark::LabelWrong));

        // The mark is readable in the row as the list draws it, however narrow the list.
        QListWidget* list = inspector->galleryList();
        QListWidgetItem* item = list->item(inspector->currentIndex());
        const int textWidth = list->visualItemRect(item).width() - list->iconSize().width() - 12;
        const QString drawn =
            list->fontMetrics().elidedText(item->text(), Qt::ElideRight, textWidth);
        QVERIFY2(drawn.contains(QStringLiteral("[L]")), qPrintable(drawn));

        // Grad-CAM has its colour scale, from the overlay's weakest colour to its strongest.
        auto* scale = inspector->findChild<gz::ui::SaliencyScale*>(QStringLiteral("saliencyScale"));
        QVERIFY(scale);
        QVERIFY(scale->isVisible());
        const QImage drawnScale = scale->grab().toImage();
        const QRect bar = scale->barRect();
        const qreal ratio = drawnScale.devicePixelRatio();
        const auto pixel = [&](int x) {
            return drawnScale.pixel(static_cast<int>(x * ratio),
                                    static_cast<int>(bar.center().y() * ratio));
        };
        QVERIFY(sameColor(pixel(bar.left() + 1), gz::ui::saliencyColor(0)));
        QVERIFY(sameColor(pixel(bar.right() - 1), gz::ui::saliencyColor(1)));
        screenshot(*window, QStringLiteral("evaluation-marked-1024"));
    }

    void aClassHasOneNameInEveryPanel() {
        auto window = openWindow();
        QVERIFY(window);
        QVERIFY(gz::test::partition(*window, kJobTimeoutMs));
        window->evaluationPanel()->setRun(run_);
        QVERIFY(window->evaluationPanel()->evaluate());
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        window->evaluationPanel()->showCell(0, 0);
        // Only the display names; the long descriptions are tooltips.
        const QStringList texts = visibleTexts(window.get());
        for (std::string_view title : gz::kMorphologyTitles) {
            const QString longName = QString::fromUtf8(title.data(), qsizetype(title.size()));
            if (longName == QStringLiteral("Edge-on") || longName == QStringLiteral("Spiral"))
                continue;  // the same as the display name
            for (const QString& text : texts) QVERIFY2(!text.contains(longName), qPrintable(text));
        }
        const QStringList dataset = visibleTexts(window->datasetPanel());
        QVERIFY(dataset.contains(QStringLiteral("Round")));
        QVERIFY(dataset.contains(QStringLiteral("In-between")));
    }
};

QTEST_MAIN(TestEvaluationExtras)
#include "test_evaluationextras.moc"
