#include "gz/vote_fit.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <string>

#include "gz/error.h"
#include "gz/files.h"
#include "util/percentile.h"
#include "util/portable_random.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

bool hasEveryVoteColumn(const Catalog& catalog) {
    return !missingVoteColumn(catalog);
}

// The mean over 37 columns of the squared difference of `predicted` and a catalog row.
double meanSquaredError(std::span<const float> predicted, std::span<const double> truth) {
    double sum = 0;
    for (std::size_t c = 0; c < kVoteColumnCount; ++c) {
        const double d = static_cast<double>(predicted[c]) - truth[c];
        sum += d * d;
    }
    return sum / kVoteColumnCount;
}

// Kaggle's layout: GalaxyID then the 37 columns, one row per (id, fractions).
template <typename Rows>
void writeKaggleLayout(const fs::path& file, const Rows& rows) {
    writeFileAtomically(file, [&](std::ostream& out) {
        out << "GalaxyID";
        for (auto column : kVoteColumns) out << ',' << column;
        out << '\n';
        char buf[32];
        for (const auto& [id, fractions] : rows) {
            out << id;
            for (std::size_t c = 0; c < kVoteColumnCount; ++c) {
                std::snprintf(buf, sizeof buf, ",%.6g", static_cast<double>(fractions[c]));
                out << buf;
            }
            out << '\n';
        }
    });
}

nlohmann::json number(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

}  // namespace

std::string VoteFit::toJson() const {
    return nlohmann::json{{"n", n},
                          {"rmse", number(rmse)},
                          {"rmse_interval", {number(rmseInterval.low), number(rmseInterval.high)}},
                          {"baseline_rmse", number(baselineRmse)}}
        .dump();
}

std::optional<std::string_view> missingVoteColumn(const Catalog& catalog) {
    for (std::size_t c = 0; c < kVoteColumnCount; ++c)
        if (!catalog.hasColumn(c)) return kVoteColumns[c];
    return std::nullopt;
}

VoteFit evaluateVotes(const std::vector<Prediction>& predictions, const Catalog& truth,
                      const std::vector<float>& baseline) {
    VoteFit fit;
    if (!hasEveryVoteColumn(truth)) return fit;
    const bool withBaseline = baseline.size() == kVoteColumnCount;
    std::vector<double> errors;  // each galaxy's mean squared error
    double baselineSum = 0;
    for (const auto& p : predictions) {
        if (p.fractions.size() != kVoteColumnCount) continue;
        const auto row = truth.rowOf(p.id);
        if (!row) continue;
        errors.push_back(meanSquaredError(p.fractions, truth.row(*row)));
        if (withBaseline) baselineSum += meanSquaredError(baseline, truth.row(*row));
    }
    fit.n = errors.size();
    if (fit.n == 0) return fit;
    const double n = static_cast<double>(fit.n);
    double sum = 0;
    for (double e : errors) sum += e;
    fit.rmse = std::sqrt(sum / n);
    if (withBaseline) fit.baselineRmse = std::sqrt(baselineSum / n);
    std::mt19937_64 gen(0x5e11a);  // fixed: the same predictions give the same interval
    std::vector<double> values(VoteFit::kBootstrapResamples);
    for (double& value : values) {
        double resample = 0;
        for (std::size_t i = 0; i < fit.n; ++i)
            resample += errors[detail::uniformBelow(gen, fit.n)];
        value = std::sqrt(resample / n);
    }
    fit.rmseInterval = detail::percentileInterval95(values);
    return fit;
}

double galaxyRmse(std::span<const float> predicted, std::span<const double> truth) {
    return std::sqrt(meanSquaredError(predicted, truth));
}

CatalogFractions readCatalogFractions(const fs::path& file, const Catalog& catalog,
                                      const std::stop_token& stop) {
    const Catalog predicted = Catalog::open(CatalogSource{file, std::nullopt}, stop);
    if (const auto missing = missingVoteColumn(predicted))
        throw DataError(file, "has no " + std::string(*missing) +
                                  " column: predicted fractions need all 37 (GalaxyID,Class1.1,"
                                  "...,Class11.6, as galaxy-cli predict --fractions writes)");
    CatalogFractions out;
    out.values.assign(catalog.size() * kVoteColumnCount, std::numeric_limits<float>::quiet_NaN());
    for (std::size_t r = 0; r < predicted.size(); ++r) {
        const auto row = catalog.rowOf(predicted.id(r));
        if (!row) {
            ++out.notInCatalog;
            continue;
        }
        ++out.matched;
        const auto values = predicted.row(r);
        for (std::size_t c = 0; c < kVoteColumnCount; ++c)
            out.values[*row * kVoteColumnCount + c] = static_cast<float>(values[c]);
    }
    if (out.matched == 0)
        throw DataError(file, "has none of the catalog's " + std::to_string(catalog.size()) +
                                  " galaxies: are these another data set's predictions?");
    return out;
}

std::vector<float> meanVotes(const Catalog& catalog, const std::vector<std::int64_t>& ids) {
    std::vector<double> sum(kVoteColumnCount, 0.0);
    std::size_t n = 0;
    for (auto id : ids) {
        const auto row = catalog.rowOf(id);
        if (!row) continue;
        const auto values = catalog.row(*row);
        for (std::size_t c = 0; c < kVoteColumnCount; ++c) sum[c] += values[c];
        ++n;
    }
    std::vector<float> mean(kVoteColumnCount, 0.0F);
    if (n == 0) return mean;
    for (std::size_t c = 0; c < kVoteColumnCount; ++c)
        mean[c] = static_cast<float>(sum[c] / static_cast<double>(n));
    return mean;
}

void writeFractionsCsv(const fs::path& file, const std::vector<Prediction>& predictions) {
    std::vector<std::pair<std::int64_t, const float*>> rows;
    rows.reserve(predictions.size());
    for (const auto& p : predictions) {
        if (p.fractions.size() != kVoteColumnCount)
            throw DataError(file, "galaxy " + std::to_string(p.id) +
                                      " has no predicted vote fractions: the run's model has no "
                                      "votes head (train it with --votes-weight)");
        rows.emplace_back(p.id, p.fractions.data());
    }
    writeKaggleLayout(file, rows);
}

void writeVotesMean(const fs::path& file, const std::vector<float>& mean) {
    if (mean.size() != kVoteColumnCount)
        throw DataError(file, "a training mean needs all 37 vote fractions");
    writeKaggleLayout(file, std::vector{std::pair<std::int64_t, const float*>(0, mean.data())});
}

std::vector<float> readVotesMeanIfAny(const fs::path& file) {
    std::error_code ec;
    return fs::exists(file, ec) ? readVotesMean(file) : std::vector<float>();
}

std::vector<float> readVotesMean(const fs::path& file) {
    const Catalog c = Catalog::parse(readWholeFile(file), file);
    if (c.size() != 1 || !hasEveryVoteColumn(c))
        throw DataError(file, "is not a training mean of the 37 vote fractions");
    std::vector<float> mean;
    for (double v : c.row(0)) mean.push_back(static_cast<float>(v));
    return mean;
}

}  // namespace gz
