// core's file helpers, tested directly: the run-folder lock across processes (util/file_io.h
// FolderLock), atomic writes (gz/files.h writeFileAtomically, built on util/file_io.h) and the
// low-level readers and writers of util/file_io.h.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixtures.h"
#include "gz/error.h"
#include "gz/files.h"
#include "util/file_io.h"

namespace fs = std::filesystem;
using gz::DataError;
using gz::detail::FolderLock;

namespace {

// The names in a folder.
std::set<std::string> listing(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
    return names;
}

// What FolderLock(dir) says in a fresh process: "acquired" or the DataError's message.
std::string tryLockInChild(const fs::path& dir) {
    int fds[2];
    if (::pipe(fds) != 0) return "pipe failed";
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        std::string result;
        try {
            FolderLock lock(dir);
            result = "acquired";
        } catch (const DataError& e) {
            result = e.what();
        }
        const ssize_t n = ::write(fds[1], result.data(), result.size());
        ::_exit(n == static_cast<ssize_t>(result.size()) ? 0 : 1);
    }
    ::close(fds[1]);
    std::string out;
    char buf[256];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return out;
}

// A child process that holds the lock on `dir` until told to end (by closing `release`).
struct LockingChild {
    pid_t pid = -1;
    int release = -1;

    explicit LockingChild(const fs::path& dir) {
        int ready[2], hold[2];
        if (::pipe(ready) != 0 || ::pipe(hold) != 0) return;
        pid = ::fork();
        if (pid == 0) {
            ::close(ready[0]);
            ::close(hold[1]);
            char answer = 'n';
            try {
                FolderLock lock(dir);
                answer = 'y';
                if (::write(ready[1], &answer, 1) != 1) ::_exit(1);
                char c;
                while (::read(hold[0], &c, 1) > 0) {
                }  // until the parent closes its end
            } catch (...) {
                if (::write(ready[1], &answer, 1) != 1) ::_exit(1);
            }
            ::_exit(0);
        }
        ::close(ready[1]);
        ::close(hold[0]);
        char answer = 'n';
        if (::read(ready[0], &answer, 1) != 1 || answer != 'y') pid = -1;
        ::close(ready[0]);
        release = hold[1];
    }
    void end() {
        if (release >= 0) ::close(release);
        release = -1;
        if (pid > 0) ::waitpid(pid, nullptr, 0);
        pid = -1;
    }
    ~LockingChild() { end(); }
};

}  // namespace

class TestFileIo : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    int counter_ = 0;

    fs::path newDir(const std::string& name) {
        const fs::path d =
            fs::path(tmp_.path().toStdString()) / (name + "-" + std::to_string(++counter_));
        fs::create_directories(d);
        return d;
    }

private slots:
    // ---- FolderLock ----------------------------------------------------------------------------

    void aSecondLockIsRefusedNamingTheHolder() {
        const fs::path run = newDir("run");
        const FolderLock held(run);
        QCOMPARE(gz::readWholeFile(run / ".lock"), std::to_string(::getpid()));
        // Another process is turned away, told which process holds the folder.
        const std::string other = tryLockInChild(run);
        QVERIFY2(other.starts_with(run.string() + ": is in use by another training or resume"),
                 other.c_str());
        QVERIFY2(other.find("(process " + std::to_string(::getpid()) + ")") != std::string::npos,
                 other.c_str());
        // So is a second lock in this process (flock locks belong to the open file).
        try {
            FolderLock again(run);
            QFAIL("locked the same folder twice");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("in use by another training") != std::string::npos,
                     e.what());
            QCOMPARE(e.file(), run);
        }
    }

    void theLockIsReleasedOnDestruction() {
        const fs::path run = newDir("released");
        {
            const FolderLock held(run);
            QVERIFY(tryLockInChild(run) != "acquired");
        }
        QCOMPARE(tryLockInChild(run), std::string("acquired"));
        const FolderLock again(run);  // and in this process
        QCOMPARE(gz::readWholeFile(run / ".lock"), std::to_string(::getpid()));
    }

    void aLockHeldByAnotherProcessEndsWithIt() {
        const fs::path run = newDir("child-holds");
        LockingChild child(run);
        QVERIFY(child.pid > 0);
        try {
            FolderLock mine(run);
            QFAIL("locked a folder another process holds");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("(process " + std::to_string(child.pid) + ")") !=
                         std::string::npos,
                     e.what());
        }
        child.end();  // the kernel drops the lock with the process
        const FolderLock mine(run);
        QCOMPARE(gz::readWholeFile(run / ".lock"), std::to_string(::getpid()));
    }

    void aFolderThatIsNotThereCannotBeLocked() {
        const fs::path missing = newDir("parent") / "no-such-run";
        try {
            FolderLock lock(missing);
            QFAIL("locked a folder that does not exist");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).starts_with(missing.string() +
                                                       ": cannot create its lock file: "),
                     e.what());
        }
        QVERIFY(!fs::exists(missing));
    }

    // ---- writeFileAtomically -------------------------------------------------------------------

    void writesAndReplacesWholeFiles() {
        const fs::path dir = newDir("atomic");
        const fs::path target = dir / "sub" / "folder" / "out.txt";  // parents are created
        gz::writeFileAtomically(target, [](std::ostream& out) { out << "first\n"; });
        QCOMPARE(gz::readWholeFile(target), std::string("first\n"));
        gz::writeFileAtomically(target, [](std::ostream& out) { out << "second, longer\n"; });
        QCOMPARE(gz::readWholeFile(target), std::string("second, longer\n"));
        QCOMPARE(listing(target.parent_path()), std::set<std::string>{"out.txt"});
    }

    void aFailedWriteLeavesTheOldFileAndNoTemporary() {
        const fs::path dir = newDir("failing");
        const fs::path target = dir / "keep.csv";
        gz::test::writeText(target, "old content\n");
        // The writer throws halfway: its exception goes through unchanged.
        try {
            gz::writeFileAtomically(target, [](std::ostream& out) {
                out << "half of the new";
                throw std::runtime_error("writer failed");
            });
            QFAIL("the writer's exception was swallowed");
        } catch (const std::runtime_error& e) {
            QCOMPARE(std::string(e.what()), std::string("writer failed"));
        }
        QCOMPARE(gz::readWholeFile(target), std::string("old content\n"));
        QCOMPARE(listing(dir), std::set<std::string>{"keep.csv"});

        // The stream fails (as on a full disk): a DataError naming the file.
        try {
            gz::writeFileAtomically(target, [](std::ostream& out) {
                out << "new";
                out.setstate(std::ios::badbit);
            });
            QFAIL("a failed stream was committed");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).starts_with(target.string() + ": write failed"),
                     e.what());
        }
        QCOMPARE(gz::readWholeFile(target), std::string("old content\n"));
        QCOMPARE(listing(dir), std::set<std::string>{"keep.csv"});
    }

    void aTargetThatCannotBeReplacedIsLeftAlone() {
        const fs::path dir = newDir("blocked");
        // A folder where the file should go: the rename fails, the temporary goes.
        fs::create_directories(dir / "taken" / "inside");
        QVERIFY_THROWS_EXCEPTION(
            DataError,
            gz::writeFileAtomically(dir / "taken", [](std::ostream& out) { out << "x"; }));
        QVERIFY(fs::is_directory(dir / "taken" / "inside"));
        QCOMPARE(listing(dir), std::set<std::string>{"taken"});
        // A regular file where a parent folder should be.
        gz::test::writeText(dir / "plain", "x");
        try {
            gz::writeFileAtomically(dir / "plain" / "out.txt",
                                    [](std::ostream& out) { out << "y"; });
            QFAIL("wrote below a regular file");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("cannot create folder") != std::string::npos,
                     e.what());
        }
        QCOMPARE(gz::readWholeFile(dir / "plain"), std::string("x"));
    }

    // ---- low-level helpers ---------------------------------------------------------------------

    void pwriteAllWritesAtTheOffsetAndNamesTheFileOnFailure() {
        const fs::path file = newDir("pwrite") / "data.bin";
        gz::test::writeText(file, "0123456789");
        const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
        QVERIFY(fd >= 0);
        gz::detail::pwriteAll(fd, "abc", 3, 4, file);
        gz::detail::pwriteAll(fd, "XY", 2, 12, file);  // past the end: a hole of zeros
        ::close(fd);
        QCOMPARE(gz::readWholeFile(file), std::string("0123abc789\0\0XY", 14));

        const int readOnly = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        try {
            gz::detail::pwriteAll(readOnly, "z", 1, 0, file);
            QFAIL("wrote through a read-only descriptor");
        } catch (const DataError& e) {
            QVERIFY2(
                std::string(e.what()).starts_with(file.string() + ": write failed (disk full?): "),
                e.what());
        }
        ::close(readOnly);
    }

    void readImageBytesReadsWholeFilesOnly() {
        const fs::path dir = newDir("read");
        static constexpr char kContent[] = "\xFF\xD8 bytes \0 and more";
        const std::string content(kContent, sizeof kContent - 1);
        gz::test::writeText(dir / "a.jpg", content);
        std::vector<std::uint8_t> bytes(1000, 7);  // longer than the file: shrinks to it
        gz::detail::readImageBytes(dir / "a.jpg", bytes);
        QCOMPARE(std::string(bytes.begin(), bytes.end()), content);
        for (const fs::path& bad : {dir / "missing.jpg", dir}) {
            try {
                gz::detail::readImageBytes(bad, bytes);
                QFAIL("read what is not an image file");
            } catch (const DataError& e) {
                QCOMPARE(std::string(e.what()), bad.string() + ": image file not found");
            }
        }
    }

    void insideFolderComparesWholeNames() {
        const fs::path dir = newDir("inside");
        fs::create_directories(dir / "data" / "images");
        fs::create_directories(dir / "data-2");
        using gz::detail::isInsideFolder;
        QVERIFY(isInsideFolder(dir / "data" / "images" / "x.jpg", dir / "data"));
        QVERIFY(isInsideFolder(dir / "data", dir / "data"));
        QVERIFY(isInsideFolder(dir / "data" / "images" / "..", dir / "data/"));
        QVERIFY(!isInsideFolder(dir / "data-2" / "x", dir / "data"));  // not a name prefix
        QVERIFY(!isInsideFolder(dir / "data" / ".." / "data-2", dir / "data"));
        QVERIFY(!isInsideFolder("", dir));
        QVERIFY(!isInsideFolder(dir, ""));
        // Through a symbolic link.
        fs::create_directory_symlink(dir / "data", dir / "link");
        QVERIFY(isInsideFolder(dir / "link" / "images", dir / "data"));
        QCOMPARE(gz::detail::absoluteClean(dir / "link" / "images"),
                 gz::detail::absoluteClean(dir / "data" / "images"));
    }
};

QTEST_APPLESS_MAIN(TestFileIo)
#include "test_file_io.moc"
