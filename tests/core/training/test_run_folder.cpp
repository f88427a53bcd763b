// The names of a run folder's files (gz/run_folder.h): the formats on disk that old runs, the
// GUI and the command line rely on.

#include <QtTest>
#include <filesystem>

#include "gz/run_folder.h"

namespace fs = std::filesystem;
using namespace gz;

class TestRunFolder : public QObject {
    Q_OBJECT

private slots:
    void everyFileHasItsName() {
        const RunFolder run{fs::path("runs") / "r1"};
        const fs::path root = fs::path("runs") / "r1";
        QCOMPARE(run.config(), root / "config.json");
        QCOMPARE(run.split(), root / "split.csv");
        QCOMPARE(run.metrics(), root / "metrics.csv");
        QCOMPARE(run.timing(), root / "timing.csv");
        QCOMPARE(run.checkpoints(), root / "checkpoints");
        QCOMPARE(run.lastCheckpoint(), root / "checkpoints" / "last.pt");
        QCOMPARE(run.bestCheckpoint(), root / "checkpoints" / "best.pt");
        QCOMPARE(run.predictions(), root / "predictions.csv");
        QCOMPARE(run.confusion(), root / "confusion.json");
        QCOMPARE(run.log(), root / "log.txt");
        QCOMPARE(run.marks(), root / "marks.csv");
        QCOMPARE(run.lock(), root / ".lock");
    }

    void filesLieInsideTheRoot() {
        const RunFolder run{fs::path("/tmp") / "a run"};
        for (const fs::path& file :
             {run.config(), run.split(), run.metrics(), run.timing(), run.predictions(),
              run.confusion(), run.log(), run.marks(), run.lock(), run.checkpoints()})
            QCOMPARE(file.parent_path(), run.root);
        QCOMPARE(run.lastCheckpoint().parent_path(), run.checkpoints());
        QCOMPARE(run.bestCheckpoint().parent_path(), run.checkpoints());
    }
};

QTEST_APPLESS_MAIN(TestRunFolder)
#include "test_run_folder.moc"
