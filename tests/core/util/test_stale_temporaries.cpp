// What a killed write leaves behind and the next write removes: the hidden temporaries of the
// atomic writes and of the decoded cache (util/file_io.h temporaryPathFor,
// removeStaleTemporaries), only this host's and only those of a process that has ended.

#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gz/decoded_cache.h"
#include "gz/file_notes.h"
#include "gz/files.h"
#include "preprocess_fixtures.h"
#include "process_fixtures.h"
#include "util/file_io.h"

namespace fs = std::filesystem;
using namespace gz;

namespace {

// The names in `dir` that contain `part`.
std::vector<fs::path> entriesWith(const fs::path& dir, const std::string& part) {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().find(part) != std::string::npos) found.push_back(e.path());
    return found;
}

void touch(const fs::path& file) {
    std::ofstream(file) << "x";
}

std::string readAll(const fs::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

class TestStaleTemporaries : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    void initTestCase() { QVERIFY(tmp_.isValid()); }
    void cleanup() { setFileNoteSink({}); }

    void temporaryNamesCarryHostAndProcess() {
        const std::string& host = detail::hostTag();
        QVERIFY(!host.empty() && host.size() <= 32);
        for (char c : host)
            QVERIFY(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
        const std::string name = detail::temporaryPathFor(dir() / "marks.csv").filename().string();
        const std::string prefix =
            ".marks.csv.tmp-" + host + "-" + std::to_string(::getpid()) + "-";
        QVERIFY2(name.rfind(prefix, 0) == 0, name.c_str());
        QVERIFY(name.size() > prefix.size());
        QCOMPARE(detail::pidOfThisHost(name.substr(std::string(".marks.csv.tmp-").size())),
                 static_cast<int>(::getpid()));
        QCOMPARE(detail::pidOfThisHost("elsewhere-123-456"), 0);
    }

    // A write killed half-way leaves its temporary; the next write into the folder removes it and
    // says so, and leaves a live process's, another host's and an old-style temporary alone.
    void killedWriteIsCleanedByTheNextWrite() {
        const fs::path d = dir() / "write";
        fs::create_directories(d);
        const fs::path marks = d / "marks.csv";
        touch(marks);  // the user's earlier file
        const int child = test::runUntilKilled([&] {
            writeFileAtomically(marks, [](std::ostream& out) {
                out << "half a file";
                out.flush();
                test::killSelf();
            });
        });
        QVERIFY(child > 0);
        const auto left = entriesWith(d, ".tmp-");
        QCOMPARE(left.size(), std::size_t(1));
        const std::string host = detail::hostTag();
        QVERIFY(left[0].filename().string().find(host + "-" + std::to_string(child) + "-") !=
                std::string::npos);
        QCOMPARE(readAll(marks), std::string("x"));

        const int ended = test::endedProcessId();
        const fs::path live = d / (".a.csv.tmp-" + host + "-" + std::to_string(::getpid()) + "-7");
        const fs::path otherHost = d / (".a.csv.tmp-elsewhere-" + std::to_string(ended) + "-8");
        const fs::path oldStyle = d / (".a.csv.tmp-" + std::to_string(ended) + "-9");
        for (const auto& f : {live, otherHost, oldStyle}) touch(f);

        std::vector<std::string> notes;
        setFileNoteSink([&](const std::string& note) { notes.push_back(note); });
        writeFileAtomically(marks, [](std::ostream& out) { out << "complete"; });
        QCOMPARE(readAll(marks), std::string("complete"));
        QVERIFY(!fs::exists(left[0]));
        QVERIFY(fs::exists(live) && fs::exists(otherHost) && fs::exists(oldStyle));
        QCOMPARE(notes.size(), std::size_t(1));
        QCOMPARE(notes[0], "removed 1 stale temporary file left by an interrupted write: " +
                               left[0].string());
    }

    // A cache build killed while decoding leaves its temporary cache file; the next build removes
    // it, tells it on its progress channel and builds the cache.
    void killedCacheBuildIsCleanedByTheNextBuild() {
        test::DemoSplit demo;
        demo.create(dir() / "cache");
        const fs::path ws = dir() / "cache" / "ws";
        const int child = test::runUntilKilled([&] {
            DecodedCache::buildOrLoad(*demo.catalog, demo.ids(), ws, {}, 2, {},
                                      [](std::size_t done, std::size_t, std::string_view m) {
                                          if (m == "decoding images" && done >= 3) test::killSelf();
                                      });
        });
        QVERIFY(child > 0);
        const fs::path cacheDir = ws / "cache";
        const auto left = entriesWith(cacheDir, ".tmp-");
        QCOMPARE(left.size(), std::size_t(1));
        const fs::path live = cacheDir / (".x.gzcache.tmp-" + detail::hostTag() + "-" +
                                          std::to_string(::getpid()) + "-1");
        touch(live);

        std::vector<std::string> notes;
        const DecodedCache cache =
            DecodedCache::buildOrLoad(*demo.catalog, demo.ids(), ws, {}, 2, {},
                                      [&](std::size_t, std::size_t, std::string_view m) {
                                          if (m.rfind("removed", 0) == 0) notes.emplace_back(m);
                                      });
        QCOMPARE(cache.size(), demo.ids().size());
        QVERIFY(!fs::exists(left[0]));
        QVERIFY(fs::exists(live));
        QCOMPARE(notes.size(), std::size_t(1));
        QVERIFY2(notes[0].find(left[0].string()) != std::string::npos, notes[0].c_str());
        QCOMPARE(entriesWith(cacheDir, ".tmp-"), std::vector<fs::path>{live});
    }
};

QTEST_GUILESS_MAIN(TestStaleTemporaries)
#include "test_stale_temporaries.moc"
