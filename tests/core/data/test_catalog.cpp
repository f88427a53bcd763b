// Catalog: what it accepts, what it refuses (naming file, line and column), missing images.

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/files.h"

namespace fs = std::filesystem;
using namespace gz;

class TestCatalog : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

    // A catalog CSV holding only these columns: header + rows.
    static std::string csv(const std::string& header, const std::vector<std::string>& rows,
                           const std::string& eol = "\n") {
        std::string s = header + eol;
        for (const auto& r : rows) s += r + eol;
        return s;
    }

private slots:
    void opensKaggleFolder() {
        const fs::path d = dir() / "kaggle";
        test::writeKaggleFolder(d, {0, 1, 2, 3, 4, -1});
        const Catalog c = Catalog::open(CatalogSource::kaggleFolder(d));
        QCOMPARE(c.size(), std::size_t(6));
        QCOMPARE(c.id(0), std::int64_t(1000));
        QCOMPARE(c.presentColumns().size(), kVoteColumnCount);
        QCOMPARE(c.missingImages().count, std::size_t(0));
        QVERIFY(c.imagePath(2).has_value());
        QCOMPARE(c.imagePath(2)->filename().string(), std::string("1002.jpg"));
        QCOMPARE(c.value(0, *voteColumnIndex("Class1.1")), 0.8);
        QCOMPARE(c.rowOf(1004), std::optional<std::size_t>(4));
        QVERIFY(!c.rowOf(999).has_value());
    }

    void findsColumnsByNameInAnyOrderAndIgnoresUnknownOnes() {
        // A pandas index column first, columns shuffled, an unknown column in the middle.
        const std::string text =
            csv(",Class7.1,notes,GalaxyID,Class1.1", {"0,0.25,hello,42,0.75", "1,0.5,x,7,1"});
        const Catalog c = Catalog::parse(text, "shuffled.csv");
        QCOMPARE(c.size(), std::size_t(2));
        QCOMPARE(c.id(0), std::int64_t(42));
        QCOMPARE(c.value(0, *voteColumnIndex("Class1.1")), 0.75);
        QCOMPARE(c.value(1, *voteColumnIndex("Class7.1")), 0.5);
        QVERIFY(c.hasColumn("Class7.1"));
        QVERIFY(!c.hasColumn("Class7.2"));
        QVERIFY(std::isnan(c.value(0, *voteColumnIndex("Class7.2"))));
        QCOMPARE(c.presentColumns().size(), std::size_t(2));
    }

    void acceptsCrlfBomBlankEndAndHeaderOnly() {
        const auto rows = std::vector<std::string>{"1,0.5", "2,0.25"};
        const Catalog crlf = Catalog::parse(csv("GalaxyID,Class1.1", rows, "\r\n"), "crlf.csv");
        QCOMPARE(crlf.size(), std::size_t(2));
        QCOMPARE(crlf.value(1, 0), 0.25);

        const Catalog bom =
            Catalog::parse("\xEF\xBB\xBF" + csv("GalaxyID,Class1.1", rows), "b.csv");
        QCOMPARE(bom.size(), std::size_t(2));
        QCOMPARE(bom.id(0), std::int64_t(1));

        const Catalog blankEnd = Catalog::parse(csv("GalaxyID,Class1.1", rows) + "\n\n", "e.csv");
        QCOMPARE(blankEnd.size(), std::size_t(2));

        const Catalog noFinalNewline = Catalog::parse("GalaxyID,Class1.1\n1,0.5", "n.csv");
        QCOMPARE(noFinalNewline.size(), std::size_t(1));

        const Catalog headerOnly = Catalog::parse("GalaxyID,Class1.1\r\n", "h.csv");
        QVERIFY(headerOnly.empty());
    }

    void refusesBadFiles_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QString>("fragment");
        const QByteArray h = "GalaxyID,Class1.1,Class1.2\n";
        QTest::newRow("no GalaxyID") << QByteArray("ID,Class1.1\n1,0.5\n") << 1 << ""
                                     << "no 'GalaxyID' column";
        QTest::newRow("NaN") << h + "1,0.5,0.5\n2,nan,0.5\n"
                             << 3 << "Class1.1"
                             << "not a finite number";
        QTest::newRow("NaN capitals") << h + "1,NaN,0.5\n"
                                      << 2 << "Class1.1"
                                      << "not a finite number";
        QTest::newRow("infinite") << h + "1,0.5,inf\n"
                                  << 2 << "Class1.2"
                                  << "not a finite number";
        QTest::newRow("text value") << h + "1,0.5,abc\n"
                                    << 2 << "Class1.2"
                                    << "not a number";
        QTest::newRow("trailing junk") << h + "1,0.5x,0.1\n"
                                       << 2 << "Class1.1"
                                       << "not a number";
        QTest::newRow("empty value") << h + "1,,0.1\n"
                                     << 2 << "Class1.1"
                                     << "empty value";
        QTest::newRow("above 1") << h + "1,1.5,0.1\n"
                                 << 2 << "Class1.1"
                                 << "outside [0, 1]";
        QTest::newRow("below 0") << h + "1,0.5,-0.2\n"
                                 << 2 << "Class1.2"
                                 << "outside [0, 1]";
        QTest::newRow("duplicate id") << h + "7,0.5,0.1\n8,0.5,0.1\n7,0.2,0.1\n"
                                      << 4 << "GalaxyID"
                                      << "duplicate GalaxyID 7 (first on line 2)";
        QTest::newRow("fractional id") << h + "7.5,0.5,0.1\n"
                                       << 2 << "GalaxyID"
                                       << "not a whole number";
        QTest::newRow("negative id") << h + "-3,0.5,0.1\n"
                                     << 2 << "GalaxyID"
                                     << "negative";
        QTest::newRow("too few fields") << h + "1,0.5\n"
                                        << 2 << ""
                                        << "row has 2 fields, the header has 3";
        QTest::newRow("too many fields") << h + "1,0.5,0.1,0.2\n"
                                         << 2 << ""
                                         << "row has 4 fields, the header has 3";
        QTest::newRow("binary") << QByteArray("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11) << 0 << ""
                                << "not a CSV text file";
        QTest::newRow("empty file") << QByteArray() << 0 << ""
                                    << "no header line";
        QTest::newRow("column twice")
            << QByteArray("GalaxyID,Class1.1,Class1.1\n") << 1 << "Class1.1"
            << "appears twice";
    }

    void refusesBadFiles() {
        QFETCH(QByteArray, text);
        QFETCH(int, line);
        QFETCH(QString, column);
        QFETCH(QString, fragment);
        const fs::path file = dir() / "bad.csv";
        test::writeText(file, text.toStdString());
        try {
            Catalog::open(CatalogSource{file, std::nullopt});
            QFAIL("accepted a bad file");
        } catch (const DataError& e) {
            const QString msg = QString::fromStdString(e.what());
            QVERIFY2(msg.startsWith(QString::fromStdString(file.string())), qPrintable(msg));
            QVERIFY2(msg.contains(fragment), qPrintable(msg));
            QCOMPARE(e.line(), std::size_t(line));
            if (line > 0)
                QVERIFY2(msg.contains(":" + QString::number(line) + ":"), qPrintable(msg));
            QCOMPARE(QString::fromStdString(e.column()), column);
            if (!column.isEmpty()) QVERIFY2(msg.contains("'" + column + "'"), qPrintable(msg));
        }
    }

    void refusesMissingFileAndFolder() {
        const fs::path missing = dir() / "nope.csv";
        QVERIFY_THROWS_EXCEPTION(DataError, Catalog::open(CatalogSource{missing, std::nullopt}));
        try {
            Catalog::open(CatalogSource{missing, std::nullopt});
        } catch (const DataError& e) {
            QVERIFY(QString(e.what()).contains("nope.csv: file not found"));
        }
        QVERIFY_THROWS_EXCEPTION(DataError, CatalogSource::kaggleFolder(dir() / "no-such-folder"));
        fs::create_directories(dir() / "empty-folder");
        try {
            CatalogSource::kaggleFolder(dir() / "empty-folder");
            QFAIL("accepted a folder without a CSV");
        } catch (const DataError& e) {
            QVERIFY(QString(e.what()).contains("training_solutions_rev1.csv not found"));
        }
        const fs::path csvFile = dir() / "ok.csv";
        test::writeText(csvFile, "GalaxyID,Class1.1\n1,0.5\n");
        QVERIFY_THROWS_EXCEPTION(DataError,
                                 Catalog::open(CatalogSource{csvFile, dir() / "no-images"}));
    }

    void leavesOutAndReportsRowsWithoutImages() {
        const fs::path d = dir() / "missing";
        test::writeKaggleFolder(d, std::vector<int>(15, 0));
        for (int id : {1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1001, 1002})
            fs::remove(d / "images_training_rev1" / (std::to_string(id) + ".jpg"));
        const Catalog c = Catalog::open(CatalogSource::kaggleFolder(d));
        QCOMPARE(c.size(), std::size_t(4));
        QCOMPARE(c.ids(), (std::vector<std::int64_t>{1000, 1004, 1005, 1006}));
        QCOMPARE(c.missingImages().count, std::size_t(11));
        QCOMPARE(c.missingImages().firstIds.size(), std::size_t(10));
        QCOMPARE(c.missingImages().firstIds.front(), std::int64_t(1001));  // file order
        const QString summary = QString::fromStdString(c.missingImages().summary());
        QVERIFY2(summary.startsWith("11 galaxies have no image"), qPrintable(summary));
        QVERIFY(summary.contains("1001, 1002, 1003"));
        QCOMPARE(c.rowOf(1004), std::optional<std::size_t>(1));
        QVERIFY(!c.rowOf(1003).has_value());
        // Values moved with their rows.
        QCOMPARE(c.value(1, *voteColumnIndex("Class1.1")), 0.8);
    }

    void csvAloneAndSeparateImageFolder() {
        const fs::path d = dir() / "separate";
        test::writeKaggleFolder(d, {0, 4, 3});
        const fs::path csvPath = d / "training_solutions_rev1.csv";
        const Catalog alone = Catalog::open(CatalogSource{csvPath, std::nullopt});
        QCOMPARE(alone.size(), std::size_t(3));
        QVERIFY(!alone.imagePath(0).has_value());
        const Catalog both = Catalog::open(CatalogSource{csvPath, d / "images_training_rev1"});
        QVERIFY(both.imagePath(0).has_value());
        QVERIFY(fs::exists(*both.imagePath(0)));
    }

    void neverModifiesInput() {
        const fs::path d = dir() / "readonly";
        test::writeKaggleFolder(d, {0, 1});
        const std::string before = readWholeFile(d / "training_solutions_rev1.csv");
        const auto time = fs::last_write_time(d / "training_solutions_rev1.csv");
        std::size_t entries = 0;
        for ([[maybe_unused]] auto& e : fs::recursive_directory_iterator(d)) ++entries;
        Catalog::open(CatalogSource::kaggleFolder(d));
        QCOMPARE(readWholeFile(d / "training_solutions_rev1.csv"), before);
        QVERIFY(fs::last_write_time(d / "training_solutions_rev1.csv") == time);
        std::size_t after = 0;
        for ([[maybe_unused]] auto& e : fs::recursive_directory_iterator(d)) ++after;
        QCOMPARE(after, entries);
    }

    void containsPathIsTheDataSetNotTheCsvsFolder() {
        const fs::path d = dir() / "contains";
        test::writeKaggleFolder(d, {0, 1});
        const Catalog kaggle = Catalog::open(CatalogSource::kaggleFolder(d));
        QVERIFY(kaggle.containsPath(d / "training_solutions_rev1.csv"));
        QVERIFY(kaggle.containsPath(d / "images_training_rev1" / "1000.jpg"));
        QVERIFY(kaggle.containsPath(d / "labels.csv"));  // the Kaggle folder itself
        QVERIFY(kaggle.containsPath(d / "runs" / "a"));
        QVERIFY(!kaggle.containsPath(dir() / "elsewhere"));
        QVERIFY(!kaggle.containsPath(""));
        // A bare CSV: only the file is protected, not the folder it sits in (e.g. the home folder).
        const Catalog bare =
            Catalog::open(CatalogSource{d / "training_solutions_rev1.csv", std::nullopt});
        QVERIFY(bare.containsPath(d / "training_solutions_rev1.csv"));
        QVERIFY(!bare.containsPath(d / "labels.csv"));
        // A separate image folder is protected, the CSV's folder is not.
        const Catalog separate = Catalog::open(CatalogSource{
            d / "training_solutions_rev1.csv", dir() / "contains" / "images_training_rev1"});
        QVERIFY(separate.containsPath(d / "images_training_rev1" / "x.csv"));
    }

    void requireOutsideRefusesTheDataSetNamingThePath() {
        const fs::path d = dir() / "guard";
        test::writeKaggleFolder(d, {0, 1});
        const Catalog catalog = Catalog::open(CatalogSource::kaggleFolder(d));
        const fs::path inside = d / "runs" / "a";
        try {
            catalog.requireOutside(inside, "run folder");
            QFAIL("a folder inside the data set was accepted");
        } catch (const DataError& e) {
            const std::string what = e.what();
            QVERIFY2(what.starts_with(inside.string() + ": is inside the data set"), e.what());
            QVERIFY2(what.ends_with("choose another run folder"), e.what());
            QCOMPARE(e.file(), inside);
        }
        catalog.requireOutside(dir() / "elsewhere", "run folder");
        QVERIFY(!fs::exists(inside));
    }

    void stopRequestCancels() {
        std::string text = "GalaxyID,Class1.1\n";
        for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",0.5\n";
        std::stop_source stop;
        stop.request_stop();
        QVERIFY_THROWS_EXCEPTION(Cancelled, Catalog::parse(text, "big.csv", stop.get_token()));
    }
};

QTEST_APPLESS_MAIN(TestCatalog)
#include "test_catalog.moc"
