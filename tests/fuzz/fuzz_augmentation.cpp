// The augmentation-parameters JSON (Augmentation panel's Load, `galaxy-cli train --augmentation`):
// what parses must survive a save and a load unchanged.
#include <optional>
#include <string>

#include "fuzz_support.h"
#include "gz/augmentation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::optional<gz::AugmentationParams> params;
    gz::fuzz::parsesOrRejects("augmentation.json", [&] {
        params = gz::AugmentationParams::fromJson(std::string(gz::fuzz::asText(data, size)),
                                                  "augmentation.json");
    });
    if (params && gz::AugmentationParams::fromJson(params->toJson(), "saved.json") != *params)
        gz::fuzz::fail("augmentation parameters changed on a save and a load");
    return 0;
}
