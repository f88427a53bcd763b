// Closing the main window in the middle of every kind of job (open a data set, label, partition,
// preprocess with .npy export, train, evaluate, predict), then reopening the same workspace: no
// crash, no file left half-written or as a temporary, and the training resumed after reopening.

#include <QCheckBox>
#include <QJsonDocument>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "app/mainwindow.h"
#include "dataset/datasetpanel.h"
#include "dataset/labelingsession.h"
#include "evaluation/evaluationpanel.h"
#include "evaluation/predictionpanel.h"
#include "fixtures.h"
#include "gui_fixtures.h"
#include "gz/demo.h"
#include "gz/run_info.h"
#include "npy_file.h"
#include "training/trainingpanel.h"
#include "training_fixtures.h"

using gz::test::child;

namespace fs = std::filesystem;
using gz::ui::MainWindow;

namespace {

constexpr int kJobTimeoutMs = 90000;

std::string readAll(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Why `file` looks half-written, or "" when it is complete as far as its kind can tell.
std::string partialContent(const fs::path& file) {
    const std::string name = file.filename().string();
    const std::string ext = file.extension().string();
    if (name.find(".tmp-") != std::string::npos) return "a temporary left behind";
    if (ext == ".csv" || name == "log.txt") {
        const std::string text = readAll(file);
        if (text.empty() || text.back() != '\n') return "text without its last line's end";
    } else if (ext == ".json") {
        QJsonParseError error{};
        QJsonDocument::fromJson(QByteArray::fromStdString(readAll(file)), &error);
        if (error.error != QJsonParseError::NoError) return "JSON that does not parse";
    } else if (ext == ".npy") {
        const gz::test::NpyFile npy = gz::test::NpyFile::read(file);
        std::size_t values = 1;
        for (auto n : npy.shape) values *= n;
        if (npy.header.empty() || npy.data.size() != values * 4) return ".npy of the wrong size";
    }
    return {};
}

}  // namespace

class TestCloseMidJob : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path data_, workspace_, npyOut_, run_;

    fs::path dir() const { return gz::ui::toPath(tmp_.path()); }

    std::unique_ptr<MainWindow> openWindow() {
        return gz::test::openWindow(workspace_, data_, {1360, 860}, kJobTimeoutMs);
    }

    // Closes `window` while its job runs: the question, "Cancel Job and Quit", and the window
    // gone once the job has stopped; then destroys it.
    static bool closeMidJob(std::unique_ptr<MainWindow>& window) {
        if (!window->isBusy()) return false;
        if (window->close()) return false;  // a running job is never left without asking
        auto* box = window->findChild<QMessageBox*>(QStringLiteral("confirmCloseBox"));
        if (!box || !QTest::qWaitFor([&] { return box->isVisible(); }, 5000)) return false;
        QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
        const bool closed = QTest::qWaitFor([&] { return !window->isVisible(); }, kJobTimeoutMs);
        const bool idle = !window->isBusy();
        window.reset();
        return closed && idle;
    }

    // Every file of the workspace and the export folder is complete.
    void verifyNoPartialFile() const {
        for (const fs::path& root : {workspace_, npyOut_}) {
            if (!fs::exists(root)) continue;
            for (const auto& e : fs::recursive_directory_iterator(root)) {
                if (!e.is_regular_file()) continue;
                const std::string why = partialContent(e.path());
                QVERIFY2(why.empty(),
                         qPrintable(QString::fromStdString(e.path().string() + ": " + why)));
            }
        }
    }

    void reopenAndVerify() {
        verifyNoPartialFile();
        auto window = openWindow();
        QVERIFY2(window, "the workspace does not open again");
    }

private slots:
    void initTestCase() {
        QVERIFY(gz::test::initGuiTest(tmp_));
        data_ = dir() / "demo";
        gz::writeDemoDataset(data_, gz::DemoOptions{48, 5, gz::kKaggleImageSide});
        workspace_ = dir() / "workspace";
        npyOut_ = dir() / "npy-out";
    }

    void closeWhileOpeningADataSet() {
        gz::ui::MainWindowOptions options;
        options.workspace = workspace_;
        auto window = std::make_unique<MainWindow>(options);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        QVERIFY(window->openDataset(gz::ui::toQString(data_)));
        QVERIFY(closeMidJob(window));
        reopenAndVerify();
    }

    void closeWhileLabeling() {
        auto window = openWindow();
        QVERIFY(window);
        gz::LabelRules rules = window->currentRules();
        rules.rules[0].conditions[0].threshold = 0.55;
        window->datasetPanel()->session()->setRules(rules);  // relabels off the GUI thread
        QVERIFY(window->close());  // nothing to ask: relabeling is not a job that writes
        window.reset();
        reopenAndVerify();
    }

    void closeWhilePartitioning() {
        auto window = openWindow();
        QVERIFY(window);
        QTest::mouseClick(child<QPushButton>(window->trainingPanel(), "partitionButton"),
                          Qt::LeftButton);
        QVERIFY(closeMidJob(window));
        reopenAndVerify();
    }

    void closeWhilePreprocessing() {
        auto window = openWindow();
        QVERIFY(window);
        gz::ui::TrainingPanel* panel = window->trainingPanel();
        QVERIFY(gz::test::partition(*window, kJobTimeoutMs));
        child<QLineEdit>(panel, "preprocessOutputEdit")->setText(gz::ui::toQString(npyOut_));
        child<QCheckBox>(panel, "npyCheck")->setChecked(true);
        QVERIFY(panel->preprocess());
        QVERIFY(closeMidJob(window));
        reopenAndVerify();
    }

    void closeWhileTrainingThenResumeAfterReopening() {
        auto window = openWindow();
        QVERIFY(window);
        gz::ui::TrainingPanel* panel = window->trainingPanel();
        QVERIFY(gz::test::partition(*window, kJobTimeoutMs));
        gz::test::setShortTraining(panel, 200);
        QVERIFY(panel->train());
        run_ = panel->currentRun();
        QTRY_VERIFY_WITH_TIMEOUT(fs::exists(run_ / "checkpoints" / "last.pt"), kJobTimeoutMs);
        QVERIFY(closeMidJob(window));
        verifyNoPartialFile();
        const gz::RunInfo stopped = gz::readRunInfo(run_);
        QCOMPARE(stopped.state, gz::RunInfo::State::Resumable);

        window = openWindow();
        QVERIFY(window);
        const int target = static_cast<int>(stopped.epochs.size()) + 1;
        QVERIFY2(window->trainingPanel()->resume(run_, target),
                 qPrintable(window->trainingPanel()->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), kJobTimeoutMs);
        const gz::RunInfo resumed = gz::readRunInfo(run_);
        QCOMPARE(resumed.state, gz::RunInfo::State::Finished);
        QCOMPARE(static_cast<int>(resumed.epochs.size()), target);
        window.reset();
        verifyNoPartialFile();
    }

    void closeWhileEvaluating() {
        QVERIFY(!run_.empty());
        auto window = openWindow();
        QVERIFY(window);
        window->evaluationPanel()->setRun(run_);
        window->evaluationPanel()->setSource(gz::ui::EvaluationPanel::Source::Test);
        QVERIFY(window->evaluationPanel()->evaluate());
        QVERIFY(closeMidJob(window));
        reopenAndVerify();
    }

    void closeWhilePredicting() {
        QVERIFY(!run_.empty());
        auto window = openWindow();
        QVERIFY(window);
        window->predictionPanel()->setRun(run_);
        window->predictionPanel()->setFolder(data_ / gz::kKaggleImageDirName);
        QVERIFY(window->predictionPanel()->predict());
        QVERIFY(closeMidJob(window));
        reopenAndVerify();
    }
};

QTEST_MAIN(TestCloseMidJob)
#include "test_close_midjob.moc"
