// The folds, the files and the figures of a cross-validation (gz/cross_validation.h); the
// training of the folds is cross_validation.cpp's.

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "gz/cross_validation.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/run_folder.h"
#include "util/portable_random.h"

namespace gz {
namespace fs = std::filesystem;

std::vector<int> stratifiedFolds(const std::vector<LabeledGalaxy>& galaxies, int folds,
                                 std::uint64_t seed) {
    if (folds < 2) throw DataError("cross-validation needs at least 2 folds");
    if (galaxies.size() < static_cast<std::size_t>(folds))
        throw DataError(std::to_string(folds) + " folds need at least as many galaxies, not " +
                        std::to_string(galaxies.size()));
    // Class by class in GalaxyID order, so that the input order does not matter.
    std::map<int, std::vector<std::pair<std::int64_t, std::size_t>>> byClass;
    for (std::size_t i = 0; i < galaxies.size(); ++i)
        byClass[galaxies[i].label].emplace_back(galaxies[i].id, i);
    std::vector<int> fold(galaxies.size(), 0);
    int next = 0;  // each class continues the deal where the last one stopped
    for (auto& [label, members] : byClass) {
        std::sort(members.begin(), members.end());
        std::mt19937_64 gen(detail::mixSeed(seed, static_cast<std::uint64_t>(label + 100)));
        detail::shuffle(members, gen);
        for (const auto& m : members) {
            fold[m.second] = next;
            next = (next + 1) % folds;
        }
    }
    return fold;
}

fs::path outOfSampleFileIn(const fs::path& folder) {
    return folder / "out-of-sample.csv";
}

fs::path outOfSampleFractionsFileIn(const fs::path& folder) {
    return folder / "out-of-sample-fractions.csv";
}

fs::path crossValidationSummaryFileIn(const fs::path& folder) {
    return folder / "cross-validation.json";
}

fs::path newCrossValidationFolder(const fs::path& workspace, std::string_view kind) {
    // The run folders' time stamp (newRunFolder), under <workspace>/<kind>.
    const std::string stamp = newRunFolder(workspace, std::string(kind)).filename().string();
    const fs::path parent = workspace / kind;
    fs::path folder = parent / stamp;
    std::error_code ec;
    for (int n = 2; fs::exists(folder, ec); ++n)
        folder = parent / (stamp + "-" + std::to_string(n));
    return folder;
}

namespace {

// The predictions of fold f.
std::vector<Prediction> predictionsOf(const CrossValidation& cv, int f) {
    std::vector<Prediction> out;
    for (std::size_t i = 0; i < cv.outOfSample.size(); ++i)
        if (cv.fold[i] == f) out.push_back(cv.outOfSample[i]);
    return out;
}

nlohmann::json number(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

}  // namespace

EvaluationResult CrossValidation::metrics() const {
    return evaluate(outOfSample);
}

EvaluationResult CrossValidation::metricsOfFold(int f) const {
    return evaluate(predictionsOf(*this, f));
}

VoteFit CrossValidation::voteFit(const Catalog& truth) const {
    return votesMean.empty() ? VoteFit() : evaluateVotes(outOfSample, truth, votesMean);
}

VoteFit CrossValidation::voteFitOfFold(const Catalog& truth, int f) const {
    return votesMean.empty() ? VoteFit() : evaluateVotes(predictionsOf(*this, f), truth, votesMean);
}

std::string CrossValidation::toJson(const Catalog& truth) const {
    using nlohmann::json;
    json perFold = json::array();
    for (int f = 0; f < folds; ++f) {
        const EvaluationResult r = metricsOfFold(f);
        perFold.push_back({{"fold", f + 1},
                           {"n", r.n},
                           {"accuracy", number(r.accuracy)},
                           {"macro_f1", number(r.macroF1)},
                           {"rmse", number(voteFitOfFold(truth, f).rmse)}});
    }
    return json{{"folds", folds},
                {"metrics", json::parse(metrics().toJson())},
                {"votes", votesMean.empty() ? json(nullptr) : json::parse(voteFit(truth).toJson())},
                {"per_fold", perFold}}
        .dump();
}

}  // namespace gz
