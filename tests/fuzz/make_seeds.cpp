// Writes the fuzz targets' seed corpus into <out>/<target>/ with the project's own writers, so the
// seeds follow the formats wherever they change. Usage: fuzz_make_seeds OUT_DIR
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "gz/augmentation.h"
#include "gz/catalog.h"
#include "gz/constants.h"
#include "gz/labeling.h"
#include "gz/partition.h"
#include "gz/run_marks.h"
#include "gz/training.h"

namespace fs = std::filesystem;

namespace {

void writeText(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

std::string catalogCsv(bool crlf) {
    const std::string eol = crlf ? "\r\n" : "\n";
    std::string csv = "GalaxyID";
    for (const auto name : gz::kVoteColumns) csv += "," + std::string(name);
    csv += eol;
    const std::vector<std::vector<double>> rows = {
        {0.9, 0.05, 0.05}, {0.1, 0.85, 0.05}, {0.3, 0.6, 0.1}};
    for (std::size_t r = 0; r < rows.size(); ++r) {
        csv += std::to_string(100008 + 7 * r);
        for (std::size_t c = 0; c < gz::kVoteColumnCount; ++c)
            csv += "," + std::to_string(c < 3 ? rows[r][c] : 0.125 * static_cast<double>(c % 8));
        csv += eol;
    }
    return csv;
}

// A JPEG with the choice bytes fuzz_jpeg reads from the end of its input.
void writeJpeg(const fs::path& file, const cv::Mat& image, std::vector<int> params,
               std::vector<std::uint8_t> choice) {
    std::vector<std::uint8_t> bytes;
    cv::imencode(".jpg", image, bytes, params);
    bytes.insert(bytes.end(), choice.begin(), choice.end());
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
}

cv::Mat galaxyLike(int side) {
    cv::Mat image(side, side, CV_8UC3);
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x) {
            const double r = std::hypot(x - side / 2.0, y - side / 2.0) / side;
            const auto v = static_cast<std::uint8_t>(255.0 * std::max(0.0, 1.0 - 3.0 * r));
            image.at<cv::Vec3b>(y, x) = {v, static_cast<std::uint8_t>(v * 0.8),
                                         static_cast<std::uint8_t>((x * 7 + y * 3) % 256)};
        }
    return image;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    const fs::path out = argv[1];
    writeText(out / "catalog" / "votes.csv", catalogCsv(false));
    writeText(out / "catalog" / "votes-crlf.csv", catalogCsv(true));
    writeText(out / "label_rules" / "defaults.json", gz::LabelRules::defaults().toJson());
    writeText(out / "augmentation" / "defaults.json", gz::AugmentationParams{}.toJson());
    writeText(out / "run_config" / "defaults.json", gz::TrainConfig{}.toJson());

    const fs::path split = out / "split" / "split.csv";
    fs::create_directories(split.parent_path());
    gz::writeSplitCsv(split, {{100008, 0, gz::Subset::Train},
                              {100015, 3, gz::Subset::Val},
                              {100022, 4, gz::Subset::Test}});
    const gz::Catalog catalog = gz::Catalog::parse(catalogCsv(false), "votes.csv");
    gz::writeLabelsCsv(out / "split" / "labels.csv", catalog,
                       gz::labelCatalog(catalog, gz::LabelRules::defaults()));

    const fs::path run = out / "marks";
    fs::create_directories(run);
    gz::RunMarks marks(run);
    gz::Prediction p;
    p.id = 100008;
    p.trueLabel = 1;
    p.probabilities = {0.1f, 0.6f, 0.1f, 0.1f, 0.1f};
    marks.setMark(p, gz::GalaxyMark::LabelWrong);
    p.id = 100015;
    p.trueLabel = gz::kUnlabeled;
    marks.setMark(p, gz::GalaxyMark::ModelWrong);

    const fs::path jpeg = out / "jpeg";
    const int side = gz::kKaggleImageSide;
    writeJpeg(jpeg / "kaggle-size.jpg", galaxyLike(side), {cv::IMWRITE_JPEG_QUALITY, 20},
              {1, 7, 100, 120, 200, 150});
    writeJpeg(jpeg / "small-progressive.jpg", galaxyLike(24),
              {cv::IMWRITE_JPEG_QUALITY, 60, cv::IMWRITE_JPEG_PROGRESSIVE, 1}, {0, 3, 5, 2, 9, 9});
    cv::Mat gray;
    cv::extractChannel(galaxyLike(17), gray, 0);
    writeJpeg(jpeg / "gray-odd.jpg", gray, {cv::IMWRITE_JPEG_QUALITY, 50}, {2, 1, 3, 4, 5, 6});
    writeJpeg(jpeg / "restart-markers.jpg", galaxyLike(40),
              {cv::IMWRITE_JPEG_QUALITY, 70, cv::IMWRITE_JPEG_OPTIMIZE, 1,
               cv::IMWRITE_JPEG_RST_INTERVAL, 2},
              {3, 2, 11, 13, 17, 19});
    return 0;
}
