#include "training/metrics_csv.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <ostream>
#include <system_error>

#include "data/csv_reader.h"
#include "gz/files.h"
#include "util/file_io.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

// train_votes_loss is the last column, so that the others are where files from before it (which
// lack it) have them.
constexpr const char* kMetricsHeader =
    "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,lr,batches,"
    "train_votes_loss";
constexpr const char* kTimingHeader = "epoch,seconds,elapsed_seconds,images_per_s";

// An empty field is a number the run did not have (NaN).
double optionalNumber(const detail::CsvReader& csv, std::size_t field) {
    return csv.field(field).empty() ? std::numeric_limits<double>::quiet_NaN() : csv.number(field);
}

// Adds timing.csv's columns to the rows of the same epoch.
void readTimingCsv(const fs::path& file, std::vector<EpochRecord>& rows) {
    const std::string text = readWholeFile(file);
    detail::CsvReader csv(text, file);
    const std::size_t epoch = csv.require("epoch"), seconds = csv.require("seconds"),
                      elapsed = csv.require("elapsed_seconds"), rate = csv.require("images_per_s");
    while (csv.next()) {
        const auto e = csv.integer(epoch);
        for (auto& r : rows)
            if (r.epoch == e) {
                r.seconds = optionalNumber(csv, seconds);
                r.elapsedSeconds = optionalNumber(csv, elapsed);
                r.imagesPerSecond = optionalNumber(csv, rate);
            }
    }
}

}  // namespace

std::string detail::formatNumber(double v) {
    if (!std::isfinite(v)) return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

void detail::writeMetricsCsv(const RunFolder& run, const std::vector<EpochRecord>& rows) {
    writeFileAtomically(run.metrics(), [&](std::ostream& out) {
        out << kMetricsHeader << '\n';
        for (const auto& r : rows)
            out << r.epoch << ',' << formatNumber(r.trainLoss) << ','
                << formatNumber(r.trainAccuracy) << ',' << formatNumber(r.valLoss) << ','
                << formatNumber(r.valAccuracy) << ',' << formatNumber(r.valMacroF1) << ','
                << formatNumber(r.lr) << ',' << r.batches << ',' << formatNumber(r.trainVotesLoss)
                << '\n';
    });
    writeFileAtomically(run.timing(), [&](std::ostream& out) {
        out << kTimingHeader << '\n';
        for (const auto& r : rows)
            out << r.epoch << ',' << formatNumber(r.seconds) << ','
                << formatNumber(r.elapsedSeconds) << ',' << formatNumber(r.imagesPerSecond) << '\n';
    });
}

std::vector<EpochRecord> readMetricsCsv(const fs::path& file) {
    const std::string text = readWholeFile(file);
    detail::CsvReader csv(text, file);
    std::vector<std::size_t> f;
    for (const char* name : {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
                             "val_macro_f1", "lr", "batches"})
        f.push_back(csv.require(name));
    const std::optional<std::size_t> votes = csv.find("train_votes_loss");
    std::vector<EpochRecord> out;
    while (csv.next()) {
        EpochRecord r;
        r.epoch = static_cast<int>(csv.integer(f[0]));
        r.trainLoss = optionalNumber(csv, f[1]);
        r.trainAccuracy = optionalNumber(csv, f[2]);
        r.valLoss = optionalNumber(csv, f[3]);
        r.valAccuracy = optionalNumber(csv, f[4]);
        r.valMacroF1 = optionalNumber(csv, f[5]);
        r.lr = optionalNumber(csv, f[6]);
        r.batches = static_cast<int>(csv.integer(f[7]));
        if (votes) r.trainVotesLoss = optionalNumber(csv, *votes);
        out.push_back(r);
    }
    const fs::path timing = RunFolder{file.parent_path()}.timing();
    std::error_code ec;
    if (fs::exists(timing, ec)) readTimingCsv(timing, out);
    return out;
}

}  // namespace gz
