// A split file (split-*.csv, `galaxy-cli train --split`) and a labels file (labels.csv): the
// same bytes through both readers.
#include "fuzz_support.h"
#include "gz/labeling.h"
#include "gz/partition.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::filesystem::path split = gz::fuzz::scratchFolder() / "split.csv";
    gz::fuzz::writeBytes(split, data, size);
    gz::fuzz::parsesOrRejects("split.csv", [&] {
        for (const gz::SplitEntry& e : gz::readSplitCsv(split))
            if (e.label < 0 || e.label >= gz::kMorphologyCount)
                gz::fuzz::fail("label out of range");
    });
    const std::filesystem::path labels = gz::fuzz::scratchFolder() / "labels.csv";
    gz::fuzz::writeBytes(labels, data, size);
    gz::fuzz::parsesOrRejects("labels.csv", [&] { gz::readLabelsCsv(labels); });
    return 0;
}
