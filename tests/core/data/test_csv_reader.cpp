// core's strict CSV reader (data/csv_reader.h), tested directly: line endings, BOM, blank
// lines, quotes, field counts with line numbers, typed values and binary input.

#include <QtTest>

#include <string>
#include <string_view>
#include <vector>

#include "data/csv_reader.h"
#include "gz/error.h"

using gz::DataError;
using gz::detail::CsvReader;

namespace {

// Every row's fields, read to the end.
std::vector<std::vector<std::string>> rows(CsvReader& r) {
    std::vector<std::vector<std::string>> out;
    while (r.next()) {
        std::vector<std::string> fields;
        for (std::size_t i = 0; i < r.header().size(); ++i) fields.emplace_back(r.field(i));
        out.push_back(fields);
    }
    return out;
}

std::vector<std::string> header(const CsvReader& r) {
    return {r.header().begin(), r.header().end()};
}

using Rows = std::vector<std::vector<std::string>>;

}  // namespace

class TestCsvReader : public QObject {
    Q_OBJECT

private slots:
    void readsHeaderAndRowsWithLineNumbers() {
        CsvReader r("GalaxyID,label\n7,1\n8,0\n", "t.csv");
        QCOMPARE(r.file(), std::filesystem::path("t.csv"));
        QCOMPARE(r.headerLine(), std::size_t(1));
        QCOMPARE(header(r), (std::vector<std::string>{"GalaxyID", "label"}));
        QCOMPARE(r.find("label"), std::optional<std::size_t>(1));
        QVERIFY(!r.find("Label"));  // names are exact
        QVERIFY(r.next());
        QCOMPARE(r.line(), std::size_t(2));
        QCOMPARE(r.integer(0), std::int64_t(7));
        QVERIFY(r.next());
        QCOMPARE(r.line(), std::size_t(3));
        QCOMPARE(r.field(0), std::string_view("8"));
        QVERIFY(!r.next());
        QVERIFY(!r.next());  // stays at the end
        QCOMPARE(r.bytesRead(), std::string_view("GalaxyID,label\n7,1\n8,0\n").size());
    }

    void crlfBomAndNoFinalNewline() {
        const Rows want = {{"1", "0.5"}, {"2", "0.25"}};
        CsvReader crlf("a,b\r\n1,0.5\r\n2,0.25\r\n", "crlf.csv");
        QCOMPARE(header(crlf), (std::vector<std::string>{"a", "b"}));  // no '\r' in the last name
        QCOMPARE(rows(crlf), want);
        CsvReader bom(
            "\xEF\xBB\xBF"
            "a,b\n1,0.5\n2,0.25\n",
            "bom.csv");
        QCOMPARE(header(bom), (std::vector<std::string>{"a", "b"}));
        QCOMPARE(rows(bom), want);
        CsvReader open("a,b\n1,0.5\n2,0.25", "open.csv");
        QCOMPARE(rows(open), want);
        // A lone '\r' is not a line end: it stays in the field.
        CsvReader mac("a,b\n1,x\ry\n", "mac.csv");
        QCOMPARE(rows(mac), (Rows{{"1", "x\ry"}}));
    }

    void blankLinesAreSkippedButCounted() {
        CsvReader r("\n  \n\tid,v\n\n1,2\n \t \n3,4\n\n\n", "blank.csv");
        QCOMPARE(r.headerLine(), std::size_t(3));
        QVERIFY(r.next());
        QCOMPARE(r.line(), std::size_t(5));
        QVERIFY(r.next());
        QCOMPARE(r.line(), std::size_t(7));
        QCOMPARE(r.field(1), std::string_view("4"));
        QVERIFY(!r.next());
    }

    void headerOnlyHasNoRows() {
        for (const char* text : {"a,b", "a,b\n", "a,b\r\n\r\n"}) {
            CsvReader r(text, "h.csv");
            QCOMPARE(r.header().size(), std::size_t(2));
            QVERIFY(!r.next());
        }
    }

    void spacesAndEnclosingQuotesAreTrimmed() {
        CsvReader r(" \"id\" ,\tname\n 5 ,\"spiral\"\n6,\"\"\n", "q.csv");
        QCOMPARE(header(r), (std::vector<std::string>{"id", "name"}));
        QCOMPARE(rows(r), (Rows{{"5", "spiral"}, {"6", ""}}));
    }

    void aQuotedCommaIsNotSupportedAndRefused() {
        // The reader is for the project's own files: a comma inside quotes still splits, and the
        // row's field count says so instead of shifting the values.
        CsvReader r("id,name\n1,\"a, b\"\n", "quoted.csv");
        try {
            r.next();
            QFAIL("read a quoted comma as two fields of a two-field row");
        } catch (const DataError& e) {
            QCOMPARE(std::string(e.what()),
                     std::string("quoted.csv:2: row has 3 fields, the header has 2"));
        }
    }

    void wrongFieldCountsNameTheLine_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("too few") << QByteArray("a,b,c\n1,2,3\n1,2\n") << 3
                                 << "f.csv:3: row has 2 fields, the header has 3";
        QTest::newRow("too many") << QByteArray("a,b,c\n1,2,3,4\n") << 2
                                  << "f.csv:2: row has 4 fields, the header has 3";
        QTest::newRow("after blank lines") << QByteArray("a,b\r\n\r\n1,2\r\n\r\n3\r\n") << 5
                                           << "f.csv:5: row has 1 fields, the header has 2";
        QTest::newRow("trailing comma")
            << QByteArray("a,b\n1,2,\n") << 2 << "f.csv:2: row has 3 fields, the header has 2";
    }

    void wrongFieldCountsNameTheLine() {
        QFETCH(QByteArray, text);
        QFETCH(int, line);
        QFETCH(QString, message);
        const std::string s = text.toStdString();
        CsvReader r(s, "f.csv");
        try {
            while (r.next()) {
            }
            QFAIL("accepted a row with the wrong number of fields");
        } catch (const DataError& e) {
            QCOMPARE(QString::fromStdString(e.what()), message);
            QCOMPARE(e.line(), std::size_t(line));
            QCOMPARE(e.file(), std::filesystem::path("f.csv"));
        }
    }

    void typedValuesNameLineAndColumn() {
        CsvReader r("id,x\n12,0.5\n-3,1e-3\n1.5,abc\n7,nan\n8,1e999\n9,\n", "v.csv");
        QVERIFY(r.next());
        QCOMPARE(r.integer(0), std::int64_t(12));
        QCOMPARE(r.number(1), 0.5);
        QVERIFY(r.next());
        QCOMPARE(r.integer(0), std::int64_t(-3));
        QCOMPARE(r.number(1), 1e-3);
        QVERIFY(r.next());
        auto message = [](auto&& read) {
            try {
                read();
            } catch (const DataError& e) {
                return std::string(e.what());
            }
            return std::string("no error");
        };
        QCOMPARE(message([&] { r.integer(0); }),
                 std::string("v.csv:4: column 'id': value '1.5' is not a whole number"));
        QCOMPARE(message([&] { r.number(1); }),
                 std::string("v.csv:4: column 'x': value 'abc' is not a number"));
        QVERIFY(r.next());
        QCOMPARE(message([&] { r.number(1); }),
                 std::string("v.csv:5: column 'x': value 'nan' is not a finite number"));
        QVERIFY(r.next());
        QCOMPARE(message([&] { r.number(1); }),
                 std::string("v.csv:6: column 'x': value '1e999' is not a finite number"));
        QVERIFY(r.next());
        QCOMPARE(message([&] { r.number(1); }), std::string("v.csv:7: column 'x': empty value"));
        QCOMPARE(message([&] { r.fail(0, "made up"); }),
                 std::string("v.csv:7: column 'id': made up"));
    }

    void requireNamesTheMissingColumn() {
        CsvReader r("\nGalaxyID,label\n", "labels.csv");
        QCOMPARE(r.require("label"), std::size_t(1));
        try {
            r.require("split");
            QFAIL("found a column that is not there");
        } catch (const DataError& e) {
            QCOMPARE(std::string(e.what()),
                     std::string("labels.csv:2: no 'split' column in the header (it has 2 "
                                 "columns, the first 'GalaxyID')"));
        }
    }

    void emptyAndBinaryInputIsRefused() {
        for (const char* text : {"", "\n\n", " \r\n\t\n"}) {
            try {
                CsvReader r(text, "e.csv");
                QFAIL("read a header from nothing");
            } catch (const DataError& e) {
                QCOMPARE(std::string(e.what()), std::string("e.csv: empty file: no header line"));
            }
        }
        const std::string binary("GalaxyID\n\xFF\xD8\xFF\xE0\x00\x10", 15);
        try {
            CsvReader r(binary, "img.csv");
            QFAIL("read binary data as CSV");
        } catch (const DataError& e) {
            QCOMPARE(std::string(e.what()),
                     std::string("img.csv: not a CSV text file (binary byte 0x00 at offset 13)"));
        }
    }

    void quotedShortensLongValues() {
        QCOMPARE(gz::detail::quoted("abc"), std::string("'abc'"));
        const std::string longValue(50, 'x');
        QCOMPARE(gz::detail::quoted(longValue), "'" + std::string(40, 'x') + "...'");
    }
};

QTEST_APPLESS_MAIN(TestCsvReader)
#include "test_csv_reader.moc"
