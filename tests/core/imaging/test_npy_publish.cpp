// The eight .npy files of an export are published as one set: an export killed while writing or
// just before publishing leaves the previous set whole and readable, the next export removes
// what the killed one left and replaces the set whole; an export folder of plain files (from
// before sets) is taken over without ever showing a mix.

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "gz/error.h"
#include "gz/preprocess.h"
#include "npy_file.h"
#include "preprocess_fixtures.h"
#include "process_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

using Set = std::map<std::string, std::string>;  // file name -> header and data

const std::vector<std::string>& names() {
    using namespace npyfiles;
    static const std::vector<std::string> n{std::string(kTrainImages1), std::string(kTrainLabels1),
                                            std::string(kTrainImages2), std::string(kTrainLabels2),
                                            std::string(kValImages),    std::string(kValLabels),
                                            std::string(kTestImages),   std::string(kTestLabels)};
    return n;
}

// The eight files as a reader opening them by name sees them; a missing or unreadable one is "".
Set readSet(const fs::path& dir) {
    Set set;
    for (const auto& name : names()) {
        const test::NpyFile f = test::NpyFile::read(dir / name);
        set[name] = f.header + f.data;
    }
    return set;
}

bool complete(const Set& set) {
    for (const auto& [name, bytes] : set)
        if (bytes.empty()) return false;
    return set.size() == 8;
}

// The hidden entries of `dir` whose names start with `prefix`.
std::vector<std::string> hidden(const fs::path& dir, const std::string& prefix) {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().rfind(prefix, 0) == 0)
            found.push_back(e.path().filename().string());
    return found;
}

// Runs the export `o` in a child process killed when progress tells `message` (at `done` or
// later); returns whether SIGKILL ended it there.
bool killedAt(const test::DemoSplit& demo, const PreprocessOptions& o, std::string message,
              std::size_t done = 0) {
    return test::runUntilKilled([&] {
               runPreprocess(*demo.catalog, demo.split, o, {},
                             [&](std::size_t d, std::size_t, std::string_view m) {
                                 if (m == message && d >= done) test::killSelf();
                             });
           }) > 0;
}

}  // namespace

class TestNpyPublish : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    test::DemoSplit demo_;
    Set first_, second_;  // the sets of seeds 7 and 8, exported into folders of their own

    PreprocessOptions options(const std::string& out, std::uint64_t seed) const {
        PreprocessOptions o = demo_.options(out);
        o.copies = 2;
        o.seed = seed;
        return o;
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        demo_.create(dir());
        runPreprocess(*demo_.catalog, demo_.split, options("ref7", 7));
        runPreprocess(*demo_.catalog, demo_.split, options("ref8", 8));
        first_ = readSet(dir() / "ref7");
        second_ = readSet(dir() / "ref8");
        QVERIFY(complete(first_) && complete(second_));
        QVERIFY(first_ != second_);
    }

    void killedExportsLeaveTheOldSetAndTheNextReplacesItWhole() {
        runPreprocess(*demo_.catalog, demo_.split, options("out", 7));
        const fs::path out = dir() / "out";
        QCOMPARE(readSet(out), first_);

        QVERIFY(killedAt(demo_, options("out", 8), "writing .npy files", 5));
        QCOMPARE(readSet(out), first_);
        QCOMPARE(hidden(out, ".npy-set.tmp-").size(), std::size_t(1));  // the set being written
        // Killed after the new set is complete and renamed, just before it is published.
        QVERIFY(killedAt(demo_, options("out", 8), "publishing the .npy files"));
        QCOMPARE(readSet(out), first_);
        QVERIFY(hidden(out, ".npy-set.tmp-").empty());              // removed by the second export
        QCOMPARE(hidden(out, ".npy-set-").size(), std::size_t(2));  // published and unpublished

        std::vector<std::string> notes;
        runPreprocess(*demo_.catalog, demo_.split, options("out", 8), {},
                      [&](std::size_t, std::size_t, std::string_view m) {
                          if (m.rfind("removed", 0) == 0) notes.emplace_back(m);
                      });
        QCOMPARE(readSet(out), second_);
        QCOMPARE(hidden(out, ".npy-set").size(), std::size_t(1));  // the published set only
        QCOMPARE(notes.size(), std::size_t(1));
        QVERIFY2(notes[0].find("/.npy-set-") != std::string::npos, notes[0].c_str());
        QVERIFY2(notes[0].rfind("removed 1 stale", 0) == 0, notes[0].c_str());
    }

    void plainFilesOfAnOlderExportAreTakenOverWhole() {
        const fs::path out = dir() / "plain";
        fs::create_directories(out);
        for (const auto& name : names()) fs::copy_file(dir() / "ref7" / name, out / name);
        QVERIFY(fs::is_regular_file(fs::symlink_status(out / names()[0])));

        QVERIFY(killedAt(demo_, options("plain", 8), "publishing the .npy files"));
        QCOMPARE(readSet(out), first_);
        runPreprocess(*demo_.catalog, demo_.split, options("plain", 8));
        QCOMPARE(readSet(out), second_);
        QCOMPARE(hidden(out, ".npy-set").size(), std::size_t(1));
    }

    void aStoppedExportKeepsTheOldSet() {
        const fs::path out = dir() / "stopped";
        runPreprocess(*demo_.catalog, demo_.split, options("stopped", 7));
        std::stop_source stop;
        QVERIFY_THROWS_EXCEPTION(
            Cancelled,
            runPreprocess(*demo_.catalog, demo_.split, options("stopped", 8), stop.get_token(),
                          [&](std::size_t, std::size_t, std::string_view m) {
                              if (m == "publishing the .npy files") stop.request_stop();
                          }));
        QCOMPARE(readSet(out), first_);
        QCOMPARE(hidden(out, ".npy-set").size(), std::size_t(1));
        QVERIFY(hidden(out, ".npy-set.tmp-").empty());
    }
};

QTEST_GUILESS_MAIN(TestNpyPublish)
#include "test_npy_publish.moc"
