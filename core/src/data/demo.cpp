// Synthetic demo data set: rendered galaxies of the five morphologies with vote fractions that
// follow the Galaxy Zoo 2 decision tree, written in the Kaggle layout.
//
// A seed gives the same ids, labels and vote fractions with every standard library
// (demo_rng.h; pixel values go through float maths such as exp and atan2, whose last bits are the
// math library's). Each galaxy has its own seed, so the output does not depend on how many
// threads render it.

#include "gz/demo.h"

#include <array>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <ostream>
#include <string>

#include "data/demo_plan.h"
#include "data/demo_render.h"
#include "data/demo_rng.h"
#include "data/demo_votes.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/morphology.h"
#include "util/parallel_for.h"
#include "util/portable_random.h"

namespace gz {
namespace {
namespace fs = std::filesystem;
using demo::Rng;
using demo::Votes;

// ---- class mix and identifiers -------------------------------------------------------------

constexpr std::array<int, 6> kMixLabels = {0, 1, 2, 3, 4, kUnlabeled};
constexpr std::array<double, 6> kMixShares = {0.22, 0.22, 0.12, 0.14, 0.20, 0.10};

// Smooth weighted round robin: the first six galaxies get six different classes, and every
// prefix follows kMixShares as closely as whole galaxies allow. Then a deterministic shuffle.
std::vector<int> assignLabels(std::size_t count, Rng& rng) {
    std::vector<int> labels;
    labels.reserve(count);
    std::array<double, kMixLabels.size()> given{};
    for (std::size_t i = 0; i < count; ++i) {
        std::size_t best = 0;
        double bestDeficit = -1e300;
        for (std::size_t k = 0; k < kMixLabels.size(); ++k) {
            const double deficit = kMixShares[k] * static_cast<double>(i + 1) - given[k];
            if (deficit > bestDeficit) {
                bestDeficit = deficit;
                best = k;
            }
        }
        given[best] += 1;
        labels.push_back(kMixLabels[best]);
    }
    detail::shuffle(labels, rng.engine());
    return labels;
}

// ---- one galaxy ------------------------------------------------------------------------------

struct GalaxyResult {
    Votes votes{};
    double axisRatio = 1;
};

// Draws one galaxy and writes its JPEG; returns its votes and axis ratio.
GalaxyResult makeGalaxy(int label, std::uint64_t seed, int size, const fs::path& file) {
    Rng rng(seed);
    demo::Plan plan;
    plan.label = label;
    plan.look = demo::chooseLook(label, rng);
    const demo::RenderedGalaxy image = demo::renderGalaxy(plan, size, rng);
    GalaxyResult result;
    result.axisRatio = image.axisRatio;
    result.votes = demo::makeVotes(plan, rng);

    bool written = false;
    std::string why = "cannot write image";
    try {
        written = cv::imwrite(file.string(), image.bgr, {cv::IMWRITE_JPEG_QUALITY, 90});
    } catch (const cv::Exception& e) {
        why += std::string(": ") + e.what();
    }
    if (!written) throw DataError(file, why + " (folder not writable or disk full?)");
    return result;
}

std::string csvText(const std::vector<std::int64_t>& ids, const std::vector<GalaxyResult>& rows) {
    std::string text = "GalaxyID";
    for (auto column : kVoteColumns) {
        text += ',';
        text += column;
    }
    text += '\n';
    text.reserve(text.size() + rows.size() * 300);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        text += std::to_string(ids[i]);
        for (std::int64_t v : rows[i].votes) {
            text += ',';
            demo::appendFraction(text, v);
        }
        text += '\n';
    }
    return text;
}

}  // namespace

std::vector<DemoGalaxyTruth> writeDemoDataset(const fs::path& out, const DemoOptions& options,
                                              const std::stop_token& stop,
                                              const ProgressFn& progress) {
    if (options.count == 0) throw DataError(out, "the demo data set needs at least one galaxy");
    if (options.imageSize < 64 || options.imageSize > 4096)
        throw DataError(out, "demo image size must be between 64 and 4096 pixels, not " +
                                 std::to_string(options.imageSize));
    const std::size_t total = options.count;
    checkpoint(stop, progress, 0, total, "rendering");

    const fs::path imageDir = out / kKaggleImageDirName;
    const fs::path csvPath = out / kKaggleCsvName;
    std::error_code ec;
    // Never write over a user's data: only an empty (or new) folder or an earlier demo qualifies.
    const fs::path marker = out / kDemoMarkerName;
    if (fs::is_directory(out, ec) && !fs::is_empty(out, ec) && !fs::exists(marker, ec))
        throw DataError(out,
                        "folder is not empty and holds no earlier demo data set; choose an "
                        "empty or new folder");
    fs::create_directories(out, ec);
    if (ec || !fs::is_directory(out, ec))
        throw DataError(out, "cannot create the demo data folder" +
                                 (ec ? ": " + ec.message() : std::string(" (not a folder)")));
    fs::create_directories(imageDir, ec);
    if (ec) throw DataError(imageDir, "cannot create the image folder: " + ec.message());
    writeFileAtomically(marker, [](std::ostream& os) {
        os << "Written by galaxy-cli demo / galaxy-studio --demo: a synthetic data set that may "
              "be\n"
              "regenerated in place.\n";
    });
    // An earlier catalog must not survive a regeneration that stops half-way: it would point at
    // images being replaced. The new one is written atomically at the end.
    if (fs::remove(csvPath, ec); ec)
        throw DataError(csvPath, "cannot replace the earlier catalog: " + ec.message());

    // Labels, ids and per-galaxy seeds, in id order, from the run's seed.
    Rng master(detail::mixSeed(options.seed, 0x64656d6f));  // "demo"
    const std::vector<int> labels = assignLabels(total, master);
    std::vector<std::int64_t> ids(total);
    std::int64_t id = 100000;
    for (std::size_t i = 0; i < total; ++i) {
        ids[i] = id;
        id += 1 + static_cast<std::int64_t>(master.below(40));
    }
    std::vector<std::uint64_t> seeds(total);
    for (auto& s : seeds) s = master.bits();

    // Render in parallel; this thread reports progress and watches for a stop.
    std::vector<GalaxyResult> results(total);
    detail::parallelFor(total, 0, stop, progress, "rendering", [&](std::size_t i, std::size_t) {
        results[i] = makeGalaxy(labels[i], seeds[i], options.imageSize,
                                imageDir / (std::to_string(ids[i]) + ".jpg"));
    });

    writeFileAtomically(csvPath, [&](std::ostream& os) { os << csvText(ids, results); });

    std::vector<DemoGalaxyTruth> truth(total);
    for (std::size_t i = 0; i < total; ++i) truth[i] = {ids[i], labels[i], results[i].axisRatio};
    return truth;
}

}  // namespace gz
