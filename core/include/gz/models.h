#pragma once
// The networks the app can train, described without LibTorch.

#include <cstdint>
#include <string>
#include <vector>

namespace gz {

/// Names accepted by --model: "compact", "resnet26" (the paper's), "bench-resnet" (the 4.4M
/// basic-block ResNet of the PyTorch reference benchmark).
std::vector<std::string> availableModels();

struct FeatureMap {
    std::string stage;                ///< "stem", "pool", "block1", ...
    std::vector<std::int64_t> shape;  ///< N, C, H, W for one image
};

struct ModelSummary {
    std::string name;
    std::string description;
    std::int64_t parameters = 0;  ///< trainable
    std::vector<FeatureMap> featureMaps;
};

/// Builds the network once (on the CPU) and runs one 64x64 image through it. Throws DataError
/// for an unknown name.
ModelSummary describeModel(const std::string& name, int inputSize = 64);

}  // namespace gz
