// A model's predicted vote fractions in the Dataset panel, as a user loads them: the browser
// sorts by a predicted fraction or by how far a galaxy's prediction is from the volunteers'
// (galaxies the file lacks last), the inspector shows the model's fractions beside the
// volunteers', and a wrong file is named in a message while the loaded fractions stay.

#include <QComboBox>
#include <QLabel>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "app/mainwindow.h"
#include "common/elidedlabel.h"
#include "common/uiformat.h"
#include "dataset/datasetpanel.h"
#include "dataset/galaxybrowser.h"
#include "dataset/galaxylistmodel.h"
#include "dataset/labelingsession.h"
#include "dataset/votefractiontree.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/catalog.h"
#include "gz/demo.h"
#include "gz/evaluation.h"
#include "gz/files.h"
#include "gz/vote_fit.h"

using gz::test::screenshot;

namespace fs = std::filesystem;
using gz::ui::GalaxyListModel;
using gz::ui::MainWindow;

namespace {

constexpr int kJobTimeoutMs = 120000;
constexpr std::size_t kNotPredicted = 10;  // the catalog's last galaxies, absent from the file

// A model's guess: the volunteers' fractions moved by an amount that differs by galaxy.
std::vector<float> guessOf(const gz::Catalog& catalog, std::size_t row) {
    std::vector<float> v;
    const double shift = 0.02 * static_cast<double>(row % 9);
    for (double x : catalog.row(row))
        v.push_back(static_cast<float>(std::clamp(x + shift, 0.0, 1.0)));
    return v;
}

// Accepts the next message box once it shows, keeping its text.
void acceptNextMessage(QObject* context, QString* text) {
    auto* timer = new QTimer(context);
    QObject::connect(timer, &QTimer::timeout, context, [timer, text] {
        for (QWidget* w : QApplication::topLevelWidgets())
            if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible()) {
                *text = box->text();
                box->accept();
                timer->deleteLater();
            }
    });
    timer->start(20);
}

}  // namespace

class TestModelFractions : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path data_;

    fs::path dir() const { return gz::ui::toPath(tmp_.path()); }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        data_ = dir() / "demo";
        gz::writeDemoDataset(data_, gz::DemoOptions{120, 3, 64});
    }

    void browserSortsByTheModelAndInspectorShowsIt() {
        const auto opened =
            gz::test::openWindow(dir() / "workspace", data_, {1400, 880}, kJobTimeoutMs);
        QVERIFY(opened);
        MainWindow& window = *opened;
        const gz::Catalog& catalog = window.dataset()->catalog;
        gz::ui::GalaxyBrowser* browser = window.datasetPanel()->browser();
        gz::ui::LabelingSession* session = window.datasetPanel()->session();

        std::vector<gz::Prediction> predictions;
        for (std::size_t r = 0; r + kNotPredicted < catalog.size(); ++r) {
            gz::Prediction p;
            p.id = catalog.id(r);
            p.fractions = guessOf(catalog, r);
            predictions.push_back(p);
        }
        gz::Prediction stranger;  // a galaxy of another data set
        stranger.id = 7;          // the demo's GalaxyIDs start at 100000
        stranger.fractions = guessOf(catalog, 0);
        predictions.push_back(stranger);
        const fs::path file = dir() / "run" / "fractions.csv";
        fs::create_directories(file.parent_path());
        gz::writeFractionsCsv(file, predictions);

        auto* sort = browser->findChild<QComboBox*>(QStringLiteral("sortBox"));
        QCOMPARE(sort->findText(QStringLiteral("Model: "), Qt::MatchStartsWith), -1);
        browser->loadFractionsFile(gz::ui::toQString(file));
        QTRY_VERIFY_WITH_TIMEOUT(session->modelFractions() != nullptr, 10000);
        QCOMPARE(session->modelFractions()->fractions.matched, catalog.size() - kNotPredicted);
        auto* shown = browser->findChild<gz::ui::ElidedLabel*>(QStringLiteral("browserShown"));
        QVERIFY(shown->fullText().contains(
            QStringLiteral("predicted fractions: fractions.csv (110 galaxies)")));

        // By the model's "smooth" (Class1.1), descending: the file's values, never increasing,
        // and the galaxies it lacks at the end.
        const std::size_t c11 = *gz::voteColumnIndex("Class1.1");
        const int smooth = sort->findText(QStringLiteral("Model: Q1"), Qt::MatchStartsWith);
        QVERIFY(smooth > 0);
        sort->setCurrentIndex(smooth);
        browser->findChild<QToolButton*>(QStringLiteral("sortOrderButton"))->setChecked(true);
        GalaxyListModel* model = browser->model();
        QCOMPARE(static_cast<std::size_t>(model->rowCount()), catalog.size());
        double previous = 2;
        for (int r = 0; r < model->rowCount(); ++r) {
            const std::size_t row = model->catalogRow(r);
            const QString value = model->index(r).data(GalaxyListModel::SortValueRole).toString();
            if (static_cast<std::size_t>(r) + kNotPredicted >= catalog.size()) {
                QVERIFY(row + kNotPredicted >= catalog.size());
                QCOMPARE(value, QStringLiteral("–"));
                continue;
            }
            const double predicted = session->modelFractions()->fractions.row(row)[c11];
            QVERIFY(std::abs(predicted - guessOf(catalog, row)[c11]) < 1e-5);
            QCOMPARE(value, gz::ui::VoteFractionTree::formatFraction(predicted));
            QVERIFY(predicted <= previous);
            previous = predicted;
        }

        // By the model's error, worst first: each galaxy's RMSE against the volunteers'.
        const int error = sort->findText(QStringLiteral("Model's error"), Qt::MatchStartsWith);
        QVERIFY(error > 0);
        sort->setCurrentIndex(error);
        double worst = 2;
        for (std::size_t r = 0; r + kNotPredicted < catalog.size(); ++r) {
            const std::size_t row = model->catalogRow(static_cast<int>(r));
            const double rmse = gz::galaxyRmse(guessOf(catalog, row), catalog.row(row));
            QVERIFY(rmse <= worst + 1e-5);
            worst = rmse;
        }
        const std::size_t first = model->catalogRow(0);
        QVERIFY(gz::galaxyRmse(guessOf(catalog, first), catalog.row(first)) > 0.05);

        // The inspector: the model's fractions beside the volunteers' for a predicted galaxy,
        // none for one the file lacks.
        auto* tree = window.datasetPanel()->findChild<gz::ui::VoteFractionTree*>();
        QVERIFY(browser->selectGalaxy(catalog.id(4)));
        QTRY_VERIFY(tree->predicted(c11).has_value());
        QVERIFY(std::abs(*tree->predicted(c11) - guessOf(catalog, 4)[c11]) < 1e-4);
        screenshot(window, QStringLiteral("browser-sorted-by-model-error"));
        QVERIFY(browser->selectGalaxy(catalog.id(catalog.size() - 1)));
        QTRY_VERIFY(!tree->predicted(c11).has_value());

        // A file without the 37 columns: a message naming it; the loaded fractions stay.
        const fs::path bad = dir() / "votes-only-q1.csv";
        gz::test::writeText(bad, "GalaxyID,Class1.1\n" + std::to_string(catalog.id(0)) + ",1\n");
        const auto* loaded = session->modelFractions().get();
        QString message;
        acceptNextMessage(this, &message);
        browser->loadFractionsFile(gz::ui::toQString(bad));
        QTRY_VERIFY_WITH_TIMEOUT(!message.isEmpty(), 10000);
        QVERIFY2(message.contains(QStringLiteral("votes-only-q1.csv")) &&
                     message.contains(QStringLiteral("Class1.2")),
                 qPrintable(message));
        QCOMPARE(session->modelFractions().get(), loaded);
        QCOMPARE(sort->currentIndex(), error);
    }
};

QTEST_MAIN(TestModelFractions)
#include "test_modelfractions.moc"
