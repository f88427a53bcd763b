// The label-rules JSON (File > Load Rules, `galaxy-cli label --rules`): what parses must survive
// a save and a load unchanged.
#include <optional>
#include <string>

#include "fuzz_support.h"
#include "gz/labeling.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::optional<gz::LabelRules> rules;
    gz::fuzz::parsesOrRejects("rules.json", [&] {
        rules = gz::LabelRules::fromJson(std::string(gz::fuzz::asText(data, size)), "rules.json");
    });
    if (rules && gz::LabelRules::fromJson(rules->toJson(), "saved.json") != *rules)
        gz::fuzz::fail("label rules changed on a save and a load");
    return 0;
}
