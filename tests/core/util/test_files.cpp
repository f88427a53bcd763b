// gz/files.h: the JPEGs of a folder with their GalaxyIDs, and the guard of a data folder.

#include <QTemporaryDir>
#include <QtTest>

#include <string>

#include "fixtures.h"
#include "gz/error.h"
#include "gz/files.h"

namespace fs = std::filesystem;
using namespace gz;

class TestFiles : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    void listJpegsSortsAndNumbersTheImages() {
        const fs::path d = dir() / "images";
        for (const char* name : {"200.jpg", "100.JPG", "b.jpeg", "a.jpg", "-3.jpg"})
            test::writeText(d / name, "x");
        test::writeText(d / "notes.txt", "x");
        test::writeText(d / "300.png", "x");
        fs::create_directories(d / "folder.jpg");
        const auto files = listJpegs(d);
        QCOMPARE(files.size(), std::size_t(5));
        // Sorted by path; the file name's number, else the index in this listing.
        const std::vector<std::pair<std::string, std::int64_t>> expected = {
            {"-3.jpg", 0}, {"100.JPG", 100}, {"200.jpg", 200}, {"a.jpg", 3}, {"b.jpeg", 4}};
        for (std::size_t i = 0; i < files.size(); ++i) {
            QCOMPARE(files[i].path, d / expected[i].first);
            QCOMPARE(files[i].id, expected[i].second);
        }
        QVERIFY(listJpegs(dir() / "images" / "folder.jpg").empty());
        try {
            listJpegs(dir() / "missing");
            QFAIL("a missing folder was listed");
        } catch (const DataError& e) {
            QCOMPARE(e.file(), dir() / "missing");
        }
    }

    void requireOutsideDataFolderNamesThePath() {
        const fs::path images = dir() / "predict-images";
        fs::create_directories(images);
        const fs::path inside = images / "predictions.csv";
        try {
            requireOutsideDataFolder(inside, images, "output");
            QFAIL("a file inside the image folder was accepted");
        } catch (const DataError& e) {
            const std::string what = e.what();
            QVERIFY2(what.starts_with(inside.string() + ": is inside the data set"), e.what());
            QVERIFY2(what.ends_with("choose another output"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(DataError, requireOutsideDataFolder(images, images, "output"));
        requireOutsideDataFolder(dir() / "predictions.csv", images, "output");
        requireOutsideDataFolder(dir() / "predict-images-2" / "p.csv", images, "output");
    }

    void aRelativeNewFileInsideTheDataIsRefused() {
        // A relative path none of which exists yet, from inside the data folder.
        const fs::path images = dir() / "cwd-images";
        fs::create_directories(images);
        const fs::path before = fs::current_path();
        fs::current_path(images);
        bool refused = false;
        try {
            requireOutsideDataFolder("new.csv", images, "output");
        } catch (const DataError&) {
            refused = true;
        }
        QVERIFY(isInsideFolder("new/deeper.csv", images));
        QVERIFY(!isInsideFolder("../new.csv", images));
        fs::current_path(before);
        QVERIFY2(refused, "new.csv in the current folder, the data folder, was accepted");
    }
};

QTEST_APPLESS_MAIN(TestFiles)
#include "test_files.moc"
