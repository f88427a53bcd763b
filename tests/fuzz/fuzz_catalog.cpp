// The vote-fraction catalog (training_solutions_rev1.csv or any CSV the user opens), then the
// label rules applied to what parsed.
#include <optional>

#include "fuzz_support.h"
#include "gz/catalog.h"
#include "gz/labeling.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::optional<gz::Catalog> catalog;
    gz::fuzz::parsesOrRejects("votes.csv", [&] {
        catalog = gz::Catalog::parse(gz::fuzz::asText(data, size), "votes.csv");
    });
    if (!catalog) return 0;
    for (std::size_t row = 0; row < catalog->size(); ++row)
        if (catalog->rowOf(catalog->id(row)) != row) gz::fuzz::fail("rowOf does not find a row");
    gz::fuzz::parsesOrRejects("votes.csv", [&] {
        const gz::Labeling labeling = gz::labelCatalog(*catalog, gz::LabelRules::defaults());
        if (labeling.labels.size() != catalog->size()) gz::fuzz::fail("a row lost its label");
    });
    return 0;
}
