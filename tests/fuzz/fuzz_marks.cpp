// A run's marks.csv (the user's marks on predictions, read when a run is opened).
#include "fuzz_support.h"
#include "gz/run_marks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::filesystem::path run = gz::fuzz::scratchFolder();
    gz::fuzz::writeBytes(gz::RunMarks::fileIn(run), data, size);
    gz::fuzz::parsesOrRejects("marks.csv", [&] {
        const gz::RunMarks marks(run);
        std::size_t counted = 0;
        for (const gz::GalaxyMark m : {gz::GalaxyMark::LabelWrong, gz::GalaxyMark::ModelWrong})
            counted += marks.count(m);
        if (counted != marks.all().size()) gz::fuzz::fail("a mark of no kind was kept");
    });
    return 0;
}
