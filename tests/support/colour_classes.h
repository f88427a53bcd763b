#pragma once
// The synthetic training set of the training engine's tests (test_training, test_training_resume):
// five clearly different classes, with the split, configuration and comparison they share.

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/evaluation.h"
#include "gz/labeling.h"
#include "gz/partition.h"
#include "gz/training.h"
#include "imaging_fixtures.h"

namespace gz::test {

// Clearly different classes: a blob of one colour a class (rotations and flips leave colour
// alone, and per-image standardisation keeps the ratios between channels), off centre at
// random, on a noisy dark sky.
inline void writeColourClasses(const std::filesystem::path& dir, int perClass,
                               std::uint64_t seed = 1) {
    std::mt19937_64 gen(seed);
    std::string csv = kaggleHeader() + "\n";
    std::int64_t id = 2000;
    for (int i = 0; i < perClass; ++i)
        for (int label = 0; label < 5; ++label, ++id) {
            const int dx = static_cast<int>(gen() % 40) - 20,
                      dy = static_cast<int>(gen() % 40) - 20;
            const int radius = 25 + static_cast<int>(gen() % 20);
            writeBlobJpeg(dir / "images_training_rev1" / (std::to_string(id) + ".jpg"), label,
                          {212 + dx, 212 + dy}, radius, 3);
            csv += kaggleRow(id, label) + "\n";
        }
    writeText(dir / "training_solutions_rev1.csv", csv);
}

/// The largest difference between two prediction lists' probabilities; infinity when they are
/// not of the same galaxies in the same order.
inline double largestDifference(const std::vector<Prediction>& a,
                                const std::vector<Prediction>& b) {
    if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].id != b[i].id) return std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < kMorphologyCount; ++k)
            worst = std::max(worst, static_cast<double>(
                                        std::abs(a[i].probabilities[k] - b[i].probabilities[k])));
    }
    return worst;
}

inline std::vector<SplitEntry> defaultSplit(const Catalog& catalog) {
    return defaultRulesSplit(catalog, {0.7, 0.15, 0.15}, 42);
}

inline TrainConfig smallConfig() {
    TrainConfig c;
    c.model = "compact";
    c.batch = 16;
    c.lr = 0.05;
    c.epochs = 6;
    c.threads = 2;
    c.seed = 7;
    return c;
}

}  // namespace gz::test
