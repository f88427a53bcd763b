#include "gz/preprocess.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <unordered_map>

#include "gz/error.h"
#include "gz/files.h"
#include "gz/morphology.h"
#include "imaging/npy_set.h"
#include "util/file_io.h"
#include "util/parallel_for.h"

namespace gz {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

AugmentationDraw preprocessCopyDraw(const AugmentationParams& params, std::uint64_t seed,
                                    std::uint64_t index, int copy, int copies) {
    const AugmentationDraw first = drawAugmentation(params, seed, 0, index);
    AugmentationDraw d =
        drawAugmentation(params, seed, 1 + static_cast<std::uint64_t>(copy), index);
    d.cropSide = first.cropSide;  // every copy starts from the image's Preprocess1 output
    if (copies == kStructuredCopies) {
        const int crop = copy / 8, k = (copy / 2) % 4, f = copy % 2;
        const AugmentationDraw c =
            drawAugmentation(params, seed, 1 + 8 * static_cast<std::uint64_t>(crop), index);
        d.offsetX = c.offsetX;
        d.offsetY = c.offsetY;
        d.angle = c.angle;  // a crop's 8 copies: rotations and mirror images of one image
        d.rotation = params.rotate ? k : 0;
        d.flipped = params.flip && f == 1;
    }
    return d;
}

namespace {

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Refuses an output folder inside the data folder or one that cannot be written, before any
// long work starts.
void prepareOutDir(const fs::path& out, const Catalog& catalog) {
    if (out.empty()) throw DataError("preprocess: no output folder given");
    catalog.requireOutside(out, "output folder");
    std::error_code ec;
    if (fs::exists(out, ec) && !fs::is_directory(out, ec))
        throw DataError(out, "is not a folder: choose another output folder");
    fs::create_directories(out, ec);
    if (ec) throw DataError(out, "cannot create the output folder: " + ec.message());
    const fs::path probe = detail::temporaryPathFor(out / "write-test");  // removable if killed
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw DataError(out, std::string("output folder not writable: ") + std::strerror(errno));
    ::close(fd);
    fs::remove(probe, ec);
}

// One usable galaxy of the split: where it is in the cache and in the split file.
struct Item {
    std::int64_t id = 0;
    int label = 0;
    std::size_t cacheIndex = 0;
    std::size_t splitIndex = 0;  // position in the split file: the random stream of the image
};

// Writes one row from a continuous float (or int) matrix.
void writeMat(NpyWriter& w, std::size_t row, const cv::Mat& m) {
    const cv::Mat c = m.isContinuous() ? m : m.clone();
    if (c.total() * c.elemSize() != w.rowBytes())
        throw std::logic_error("preprocess: a transform returned an image of the wrong size");
    w.writeRows(row, c.data, 1);
}

std::array<std::int32_t, kMorphologyCount> oneHot(int label) {
    std::array<std::int32_t, kMorphologyCount> v{};
    if (label >= 0 && label < kMorphologyCount) v[static_cast<std::size_t>(label)] = 1;
    return v;
}

std::vector<std::int64_t> idsOfSplit(const std::vector<SplitEntry>& split) {
    std::vector<std::int64_t> ids;
    ids.reserve(split.size());
    for (const auto& e : split) ids.push_back(e.id);
    return ids;
}

json geometryJson(const CacheGeometry& g) {
    return {{"full_width", g.fullWidth}, {"full_height", g.fullHeight}, {"scale", g.scale},
            {"origin_x", g.originX},     {"origin_y", g.originY},       {"width", g.width},
            {"height", g.height}};
}

}  // namespace

CachePart runPreprocessShard(const Catalog& catalog, const std::vector<SplitEntry>& split,
                             const PreprocessOptions& o, CacheShard shard,
                             const std::stop_token& stop, const ProgressFn& progress) {
    o.params.validate();
    return buildCachePart(catalog, idsOfSplit(split), o.workspace, o.params, shard, o.threads, stop,
                          progress);
}

PreprocessReport runPreprocess(const Catalog& catalog, const std::vector<SplitEntry>& split,
                               const PreprocessOptions& o, const std::stop_token& stop,
                               const ProgressFn& progress) {
    const auto t0 = Clock::now();
    o.params.validate();
    if (o.copies < 1 || o.copies > 1024)
        throw DataError("preprocess: copies must be 1..1024, not " + std::to_string(o.copies));
    prepareOutDir(o.outDir, catalog);
    {
        std::vector<fs::path> stale = detail::removeStaleTemporaries(o.outDir);
        for (auto& set : detail::NpySetWriter::removeOrphanSets(o.outDir))
            stale.push_back(std::move(set));
        detail::tellRemoved(stale, progress);
    }

    PreprocessReport report;
    const DecodedCache cache = DecodedCache::buildOrLoad(catalog, idsOfSplit(split), o.workspace,
                                                         o.params, o.threads, stop, progress);
    report.cacheSeconds = secondsSince(t0);
    report.cacheFile = cache.file();
    report.cacheReused = cache.reused();
    report.cacheOrigin = cache.origin();
    report.cacheParts = cache.partsNote();
    report.cacheBytes = cache.fileBytes();
    report.summary = cache.summary();

    // Usable labeled galaxies per subset, by GalaxyID. The unlabeled ones are in the cache (a
    // votes head trains on them) but not in the .npy files, which hold the five classes.
    std::array<std::vector<Item>, 3> items;
    for (std::size_t i = 0; i < split.size(); ++i) {
        const SplitEntry& e = split[i];
        if (e.label == kUnlabeled) continue;
        const auto s = static_cast<std::size_t>(e.subset);
        ++report.subsets[s].requested;
        if (const auto at = cache.indexOf(e.id)) {
            ++report.subsets[s].usable;
            items[s].push_back({e.id, e.label, *at, i});
        } else {
            ++report.subsets[s].skipped;
        }
    }
    for (auto& v : items)
        std::stable_sort(v.begin(), v.end(),
                         [](const Item& a, const Item& b) { return a.id < b.id; });

    if (o.npy) {
        const AugmentationParams& p = o.params;
        const auto r = static_cast<std::size_t>(p.resizeTo),
                   s = static_cast<std::size_t>(p.outputSize);
        const std::size_t nTrain = items[0].size(), nVal = items[1].size(), nTest = items[2].size();
        const auto copies = static_cast<std::size_t>(o.copies);
        const std::vector<std::size_t> big{r, r, 3}, small{s, s, 3}, label{kMorphologyCount};
        detail::NpySetWriter set(o.outDir);
        std::vector<std::string> names;
        auto make = [&](std::string_view name, NpyType t, const std::vector<std::size_t>& row,
                        std::size_t rows) {
            names.emplace_back(name);
            return std::make_unique<NpyWriter>(set.pathFor(names.back()), t, row, rows,
                                               o.outDir / names.back());
        };
        using namespace npyfiles;
        std::vector<std::unique_ptr<NpyWriter>> w;
        w.push_back(make(kTrainImages1, NpyType::Float32, big, nTrain));
        w.push_back(make(kTrainLabels1, NpyType::Int32, label, nTrain));
        w.push_back(make(kTrainImages2, NpyType::Float32, small, nTrain * copies));
        w.push_back(make(kTrainLabels2, NpyType::Int32, label, nTrain * copies));
        w.push_back(make(kValImages, NpyType::Float32, small, nVal));
        w.push_back(make(kValLabels, NpyType::Int32, label, nVal));
        w.push_back(make(kTestImages, NpyType::Float32, small, nTest));
        w.push_back(make(kTestLabels, NpyType::Int32, label, nTest));

        // One work item per usable galaxy: train, then val, then test. Each writes its rows at
        // their final places, so memory stays flat and the order of completion does not matter.
        const std::size_t total = nTrain + nVal + nTest;
        std::vector<std::vector<std::int32_t>> labelRows(
            detail::workerCount(o.threads, std::max<std::size_t>(total, 1)),
            std::vector<std::int32_t>(copies * kMorphologyCount));
        detail::parallelFor(
            total, o.threads, stop, progress, "writing .npy files",
            [&](std::size_t t, std::size_t worker) {
                if (t < nTrain) {
                    const Item& it = items[0][t];
                    const SourceImage src = cache.image(it.cacheIndex);
                    const AugmentationDraw first = drawAugmentation(p, o.seed, 0, it.splitIndex);
                    writeMat(*w[0], t, centreCropResize(src, first.cropSide, p.resizeTo));
                    const auto hot = oneHot(it.label);
                    w[1]->writeRows(t, hot.data(), 1);
                    auto& labels = labelRows[worker];
                    for (std::size_t c = 0; c < copies; ++c) {
                        const AugmentationDraw d = preprocessCopyDraw(
                            p, o.seed, it.splitIndex, static_cast<int>(c), o.copies);
                        writeMat(*w[2], t * copies + c, trainingTransform(src, p, d));
                        std::copy(
                            hot.begin(), hot.end(),
                            labels.begin() + static_cast<std::ptrdiff_t>(c * kMorphologyCount));
                    }
                    w[3]->writeRows(t * copies, labels.data(), copies);
                    return;
                }
                const bool val = t < nTrain + nVal;
                const std::size_t row = val ? t - nTrain : t - nTrain - nVal;
                const Item& it = items[val ? 1 : 2][row];
                writeMat(*w[val ? 4 : 6], row, evaluationTransform(cache.image(it.cacheIndex), p));
                const auto hot = oneHot(it.label);
                w[val ? 5 : 7]->writeRows(row, hot.data(), 1);
            });
        for (auto& writer : w) {
            writer->finish();
            writer->commit();  // inside the set's temporary folder
        }
        set.publish(names, stop, progress);
        for (std::size_t i = 0; i < w.size(); ++i)
            report.npyFiles.push_back({o.outDir / names[i], w[i]->type(), w[i]->shape()});
    }

    report.seconds = secondsSince(t0);
    report.jsonFile = o.outDir / std::string(kPreprocessJsonName);

    json counts = json::object();
    for (std::size_t s = 0; s < 3; ++s)
        counts[std::string(kSubsetKeys[s])] = {{"requested", report.subsets[s].requested},
                                               {"usable", report.subsets[s].usable},
                                               {"skipped", report.subsets[s].skipped}};
    std::unordered_map<std::int64_t, Subset> subsetOf;
    for (const auto& e : split) subsetOf.emplace(e.id, e.subset);
    json skipped = json::array();
    for (const SkippedImage& s : cache.skipped()) {
        const auto it = subsetOf.find(s.id);
        const std::string subset =
            it == subsetOf.end() ? ""
                                 : std::string(kSubsetKeys[static_cast<std::size_t>(it->second)]);
        skipped.push_back(
            {{"id", s.id}, {"split", subset}, {"file", s.file.string()}, {"reason", s.message}});
    }
    json files = json::array();
    for (const auto& f : report.npyFiles)
        files.push_back({{"file", f.file.filename().string()},
                         {"dtype", npyDescr(f.type)},
                         {"shape", f.shape}});
    const json j = {
        {"format", "galaxy-studio-preprocess"},
        {"version", 1},
        {"data", catalog.imageDir() ? catalog.imageDir()->string() : std::string()},
        {"csv", catalog.csvPath().string()},
        {"split", o.splitFile.string()},
        {"seed", o.seed},
        {"copies", o.copies},
        {"threads", detail::workerCount(o.threads, std::max<std::size_t>(split.size(), 1))},
        {"params", json::parse(o.params.toJson())["params"]},
        {"counts", counts},
        {"skipped_count", report.summary.skipped},
        {"skipped", skipped},
        {"cache",
         {{"file", report.cacheFile.string()},
          {"reused", report.cacheReused},
          {"origin", std::string(cacheOriginKey(report.cacheOrigin))},
          {"parts", report.cacheParts},
          {"images", cache.size()},
          {"bytes", report.cacheBytes},
          {"seconds", report.cacheSeconds},
          {"geometry", geometryJson(cache.geometry())}}},
        {"npy", o.npy},
        {"files", files},
        {"seconds", report.seconds},
    };
    const std::string text = j.dump(2) + "\n";
    writeFileAtomically(report.jsonFile, [&](std::ostream& out) { out << text; });
    return report;
}

// ---- benchmark ---------------------------------------------------------------------------------

PreprocessBenchmark benchmarkPreprocess(const fs::path& imageDir, int threads, double seconds,
                                        const AugmentationParams& params,
                                        const std::stop_token& stop) {
    params.validate();
    std::vector<fs::path> files;
    for (const JpegFile& f : listJpegs(imageDir)) files.push_back(f.path);

    // Every file's bytes in memory, once; the ones that do not decode are left out.
    std::vector<std::vector<std::uint8_t>> bytes(files.size());
    std::vector<char> ok(files.size(), 0);
    detail::parallelFor(files.size(), threads, stop, {}, "reading",
                        [&](std::size_t i, std::size_t) {
                            try {
                                detail::readImageBytes(files[i], bytes[i]);
                                decodeImage(bytes[i], files[i], DecodeScale::Half);
                                ok[i] = 1;
                            } catch (const DataError&) {
                            } catch (const cv::Exception&) {
                            }
                        });
    std::vector<std::size_t> usable;
    for (std::size_t i = 0; i < files.size(); ++i)
        if (ok[i]) usable.push_back(i);
    if (usable.empty()) throw DataError(imageDir, "no decodable JPEG image in the folder");

    PreprocessBenchmark result;
    result.images = usable.size();
    result.unreadable = files.size() - usable.size();
    result.threads = static_cast<int>(detail::workerCount(threads, usable.size()));

    auto run = [&](bool train, std::size_t& passes) {
        std::vector<double> rates;
        const auto start = Clock::now();
        do {
            const std::uint64_t pass = rates.size();
            const auto t0 = Clock::now();
            detail::parallelFor(
                usable.size(), result.threads, stop, {}, "benchmark",
                [&](std::size_t k, std::size_t) {
                    const std::size_t i = usable[k];
                    const SourceImage s = decodeImage(bytes[i], files[i], DecodeScale::Half);
                    const cv::Mat out =
                        train ? trainingTransform(s, params, drawAugmentation(params, 1, pass, k))
                              : evaluationTransform(s, params);
                    if (out.empty()) throw std::logic_error("empty output");
                });
            rates.push_back(static_cast<double>(usable.size()) / secondsSince(t0));
        } while (secondsSince(start) < seconds);
        passes = rates.size();
        std::sort(rates.begin(), rates.end());
        return rates[rates.size() / 2];
    };
    result.evalImagesPerSecond = run(false, result.evalPasses);
    result.trainImagesPerSecond = run(true, result.trainPasses);
    return result;
}

}  // namespace gz
