#pragma once
// Small synthetic fixtures made at test time (tests never depend on ../shared).

#include <QString>
#include <QStringList>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace gz::test {

/// Writes `text` to `file` byte for byte (creating folders).
void writeText(const std::filesystem::path& file, const std::string& text);

/// The Kaggle header: GalaxyID plus the 37 Class columns.
std::string kaggleHeader();

/// A Kaggle CSV row whose fractions obey the decision tree and give `label` (0-4) under the
/// default rules, or no label for -1.
std::string kaggleRow(std::int64_t id, int label);

/// A tiny valid JPEG (solid grey) at `file`.
void writeJpeg(const std::filesystem::path& file, int size = 32);

/// A Kaggle-layout folder with the given labels (-1 = unlabeled), ids 1000, 1001, ...
void writeKaggleFolder(const std::filesystem::path& dir, const std::vector<int>& labels,
                       bool withImages = true);

/// The real sample folder from GZ2_SAMPLE_DIR, or nullopt (the caller QSKIPs with a message).
std::optional<std::filesystem::path> sampleDir();

/// Points QSettings (and QStandardPaths' test mode) at `folder`, so that a GUI test neither reads
/// nor writes the user's settings, recent data sets or window layout.
void isolateSettings(const QString& folder);

/// The galaxy-cli executable (from the GZ_CLI environment set by ctest).
QString cliPath();

struct CliResult {
    int exitCode = -1;
    QString out;
    QString err;
};
/// Runs galaxy-cli with the arguments and waits (up to timeoutMs).
CliResult runCli(const QStringList& args, int timeoutMs = 120000);

}  // namespace gz::test
