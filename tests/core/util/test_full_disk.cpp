// Writing onto a full file system: a run (training), a decoded cache (preprocess), a .npy export
// and marks.csv each fail with an error naming the path, leave the previous file as it was and no
// temporary behind, and work again in the same process once there is room. Each case mounts a
// small tmpfs of its own (unmounted however the case ends, and in a mount namespace of the test's
// own, so that not even a crash leaves one behind) and fills it. Needs root and a mount
// that is allowed: otherwise the test exits 77, which ctest reports as skipped (a failure with
// GZ_REQUIRE_TMPFS=1, as .ci/run sets).

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "fixtures.h"
#include "gz/demo.h"
#include "gz/error.h"
#include "gz/preprocess.h"
#include "gz/run_folder.h"
#include "gz/run_marks.h"
#include "gz/training.h"
#include "preprocess_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

std::string readAll(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Every entry below `dir` whose name holds ".tmp-" (what an interrupted write leaves).
std::vector<std::string> temporariesIn(const fs::path& dir) {
    std::vector<std::string> found;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.path().filename().string().find(".tmp-") != std::string::npos)
            found.push_back(e.path().string());
    return found;
}

// A tmpfs of `size` mounted on `dir` (created) while the object lives.
class SmallDisk {
public:
    SmallDisk(fs::path dir, const std::string& size) : dir_(std::move(dir)) {
        fs::create_directories(dir_);
        const std::string options = "size=" + size;
        if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) != 0)
            error_ = std::strerror(errno);
    }
    ~SmallDisk() {
        free();
        if (error_.empty()) ::umount2(dir_.c_str(), MNT_DETACH);
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;

    const std::string& error() const { return error_; }
    const fs::path& dir() const { return dir_; }

    // Writes a filler file until no byte more fits. True when the disk is then full.
    bool fill() {
        const int fd = ::open((dir_ / "filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return false;
        std::vector<char> block(1 << 16, 'x');
        for (std::size_t size = block.size(); size > 0; size /= 2)
            while (::write(fd, block.data(), size) > 0) {
            }
        ::close(fd);
        const fs::path probe = dir_ / "probe";
        const int p = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const bool full = p >= 0 && ::write(p, "x", 1) < 0 && errno == ENOSPC;
        if (p >= 0) ::close(p);
        fs::remove(probe);
        return full;
    }
    void free() {
        std::error_code ec;
        fs::remove(dir_ / "filler", ec);
    }

private:
    fs::path dir_;
    std::string error_;
};

// Whether `e` names `path` (its message holds it).
bool names(const std::exception& e, const fs::path& path) {
    return std::string(e.what()).find(path.string()) != std::string::npos;
}

}  // namespace

#define MOUNT_OR_FAIL(disk) QVERIFY2((disk).error().empty(), (disk).error().c_str())

class TestFullDisk : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    test::DemoSplit demo_;

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        demo_.create(dir() / "demo");
    }

    void marksOnAFullDisk() {
        SmallDisk disk(dir() / "marks", "1m");
        MOUNT_OR_FAIL(disk);
        const fs::path run = disk.dir() / "run";
        fs::create_directories(run);
        RunMarks marks(run);
        marks.setMark(Prediction{1, 0, {0.9f, 0.1f, 0, 0, 0}}, GalaxyMark::LabelWrong);
        const fs::path file = RunMarks::fileIn(run);
        const std::string before = readAll(file);
        QVERIFY(!before.empty());

        QVERIFY(disk.fill());
        try {
            marks.setMark(Prediction{2, 4, {0.2f, 0, 0, 0, 0.8f}}, GalaxyMark::ModelWrong);
            QFAIL("marks saved onto a full disk");
        } catch (const DataError& e) {
            QVERIFY2(names(e, file), e.what());
        }
        QCOMPARE(readAll(file), before);
        QCOMPARE(temporariesIn(run), std::vector<std::string>{});

        disk.free();
        marks.setMark(Prediction{2, 4, {0.2f, 0, 0, 0, 0.8f}}, GalaxyMark::ModelWrong);
        QCOMPARE(RunMarks(run).all().size(), std::size_t(2));
    }

    void cacheOnAFullDisk() {
        SmallDisk disk(dir() / "cache", "16m");
        MOUNT_OR_FAIL(disk);
        PreprocessOptions o = demo_.options("unused");
        o.npy = false;
        o.outDir = disk.dir() / "out";
        o.workspace = disk.dir() / "ws";
        const PreprocessReport first = runPreprocess(*demo_.catalog, demo_.split, o);
        const std::string cacheBefore = readAll(first.cacheFile);
        const std::string jsonBefore = readAll(first.jsonFile);

        PreprocessOptions other = o;  // another crop range: another cache file
        other.params.cropMax = 230;
        QVERIFY(disk.fill());
        try {
            runPreprocess(*demo_.catalog, demo_.split, other);
            QFAIL("a cache written onto a full disk");
        } catch (const DataError& e) {
            QVERIFY2(names(e, o.workspace / "cache"), e.what());
        }
        QCOMPARE(readAll(first.cacheFile), cacheBefore);
        QCOMPARE(readAll(first.jsonFile), jsonBefore);
        QCOMPARE(temporariesIn(disk.dir()), std::vector<std::string>{});

        disk.free();
        const PreprocessReport second = runPreprocess(*demo_.catalog, demo_.split, other);
        QVERIFY(second.cacheFile != first.cacheFile);
        QCOMPARE(readAll(first.cacheFile), cacheBefore);
    }

    void exportOnAFullDisk() {
        SmallDisk disk(dir() / "export", "16m");
        MOUNT_OR_FAIL(disk);
        PreprocessOptions o = demo_.options("unused");
        o.copies = 2;
        o.outDir = disk.dir() / "out";
        o.workspace = dir() / "export-ws";  // the cache on the ordinary disk
        const PreprocessReport first = runPreprocess(*demo_.catalog, demo_.split, o);
        QCOMPARE(first.npyFiles.size(), std::size_t(8));
        std::map<fs::path, std::string> before;
        for (const auto& f : first.npyFiles) before[f.file] = readAll(f.file);

        o.seed = 8;
        QVERIFY(disk.fill());
        try {
            runPreprocess(*demo_.catalog, demo_.split, o);
            QFAIL("an export written onto a full disk");
        } catch (const DataError& e) {
            QVERIFY2(names(e, o.outDir), e.what());
        }
        for (const auto& [file, bytes] : before) QCOMPARE(readAll(file), bytes);
        QCOMPARE(temporariesIn(disk.dir()), std::vector<std::string>{});

        disk.free();
        const PreprocessReport second = runPreprocess(*demo_.catalog, demo_.split, o);
        QVERIFY(readAll(second.npyFiles[2].file) != before[first.npyFiles[2].file]);
    }

    void trainingOnAFullDisk() {
        const fs::path data = dir() / "train-data";
        writeDemoDataset(data, DemoOptions{40, 7, kKaggleImageSide});
        SmallDisk disk(dir() / "train", "64m");
        MOUNT_OR_FAIL(disk);
        const fs::path workspace = disk.dir() / "ws";
        const TrainConfig config = test::quickTraining(3);

        // The disk fills up after the first epoch's files are written.
        fs::path runDir;
        std::map<fs::path, std::string> before;
        bool filled = false;
        TrainCallbacks callbacks;
        callbacks.onEpoch = [&](const EpochRecord&) {
            if (filled) return;
            const RunFolder run{runDir};
            for (const fs::path& f : {run.lastCheckpoint(), run.metrics(), run.config()})
                before[f] = readAll(f);
            filled = disk.fill();
        };
        runDir = newRunFolder(workspace, config.model);
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(data));
        const auto split = test::defaultRulesSplit(catalog, {0.6, 0.2, 0.2}, 42);
        try {
            startTraining(runDir, config, catalog, split, workspace, {}, callbacks);
            QFAIL("a training went on writing onto a full disk");
        } catch (const DataError& e) {
            QVERIFY2(names(e, runDir), e.what());
        }
        QVERIFY(filled);
        for (const auto& [file, bytes] : before) {
            QVERIFY(!bytes.empty());
            QVERIFY2(readAll(file) == bytes, file.c_str());
        }
        QCOMPARE(temporariesIn(runDir), std::vector<std::string>{});

        disk.free();
        const TrainOutcome resumed = resumeTraining(runDir, workspace);
        QCOMPARE(resumed.status, TrainOutcome::Status::Finished);
        QCOMPARE(resumed.epochsCompleted, 3);
    }
};

// Skips (exit 77) with `why`, or fails when GZ_REQUIRE_TMPFS=1 (CI, where it must run).
int skip(const std::string& why) {
    const char* required = std::getenv("GZ_REQUIRE_TMPFS");
    const bool must = required && std::string(required) == "1";
    std::cerr << (must ? "FAIL (GZ_REQUIRE_TMPFS=1): " : "SKIP: ") << why << "\n";
    return must ? 1 : 77;
}

int main(int argc, char** argv) {
    if (::geteuid() != 0) return skip("test_full_disk mounts small tmpfs file systems: needs root");
    // A mount namespace of this process's own: its mounts go with it even when it crashes.
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        return skip(std::string("no private mount namespace here: ") + std::strerror(errno));
    char probe[] = "/tmp/gz-full-disk-probe-XXXXXX";
    if (!::mkdtemp(probe))
        return skip(std::string("cannot make a folder to mount on: ") + std::strerror(errno));
    const bool mounted = ::mount("tmpfs", probe, "tmpfs", 0, "size=1m") == 0;
    const int err = errno;
    if (mounted) ::umount2(probe, MNT_DETACH);
    ::rmdir(probe);
    if (!mounted)
        return skip(std::string("mounting a tmpfs is refused here: ") + std::strerror(err));
    QCoreApplication app(argc, argv);
    TestFullDisk test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_full_disk.moc"
