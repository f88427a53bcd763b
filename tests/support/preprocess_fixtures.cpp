#include "preprocess_fixtures.h"

#include <algorithm>

#include "fixtures.h"
#include "gz/demo.h"

namespace gz::test {
namespace fs = std::filesystem;

void DemoSplit::create(const fs::path& rootFolder) {
    root = rootFolder;
    data = root / "data";
    DemoOptions demo;
    demo.count = 30;
    demo.seed = 5;
    writeDemoDataset(data, demo);
    catalog = Catalog::open(CatalogSource::kaggleFolder(data));
    split = defaultRulesSplit(*catalog, SplitRatios{0.5, 0.25, 0.25}, 42);
    splitFile = root / "split.csv";
    writeSplitCsv(splitFile, split);
}

fs::path DemoSplit::imageOf(std::int64_t id) const {
    return data / std::string(kKaggleImageDirName) / (std::to_string(id) + ".jpg");
}

std::vector<std::int64_t> DemoSplit::ids() const {
    std::vector<std::int64_t> v;
    for (const auto& e : split) v.push_back(e.id);
    return v;
}

PreprocessOptions DemoSplit::options(const std::string& out) const {
    PreprocessOptions o;
    o.outDir = root / out;
    o.workspace = root / "ws";
    o.npy = true;
    o.threads = 2;
    o.seed = kSeed;
    return o;
}

std::vector<std::pair<SplitEntry, std::size_t>> DemoSplit::subset(Subset s) const {
    std::vector<std::pair<SplitEntry, std::size_t>> v;
    for (std::size_t i = 0; i < split.size(); ++i)
        if (split[i].subset == s && split[i].label != kUnlabeled) v.push_back({split[i], i});
    std::sort(v.begin(), v.end(),
              [](const auto& a, const auto& b) { return a.first.id < b.first.id; });
    return v;
}

}  // namespace gz::test
