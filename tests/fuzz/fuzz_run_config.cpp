// A run's config.json (read by resume, evaluate, predict and the Runs panel): what parses must
// be written back in a form that parses again to the same text.
#include <optional>
#include <string>

#include "fuzz_support.h"
#include "gz/training.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::optional<gz::TrainConfig> config;
    gz::fuzz::parsesOrRejects("config.json", [&] {
        config =
            gz::TrainConfig::fromJson(std::string(gz::fuzz::asText(data, size)), "config.json");
    });
    if (!config) return 0;
    const std::string saved = config->toJson();
    if (gz::TrainConfig::fromJson(saved, "saved.json").toJson() != saved)
        gz::fuzz::fail("a run configuration changed on a save and a load");
    return 0;
}
