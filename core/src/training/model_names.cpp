#include "training/model_names.h"

#include "gz/models.h"

namespace gz {

namespace {

struct ModelEntry {
    const char* name;
    const char* description;
};
constexpr ModelEntry kModels[] = {
    {"compact", "compact basic-block ResNet for CPUs (32-64-128-256, one block a stage)"},
    {"compact-wide", "compact at 1.5x the width (48-96-192-384): about half its speed"},
    {"compact-deep", "compact with two blocks a stage (ResNet-18's layout at half width)"},
    {"resnet26", "the paper's pre-activation bottleneck ResNet-26 (Dai & Tong 2019)"},
    {"bench-resnet", "the PyTorch reference benchmark's 4.4M basic-block ResNet"},
};

}  // namespace

std::vector<std::string> availableModels() {
    std::vector<std::string> names;
    for (const auto& m : kModels) names.emplace_back(m.name);
    return names;
}

std::string detail::modelDescription(const std::string& name) {
    for (const auto& m : kModels)
        if (name == m.name) return m.description;
    return {};
}

}  // namespace gz
