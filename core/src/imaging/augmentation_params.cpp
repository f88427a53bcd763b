#include "gz/augmentation.h"

#include <algorithm>
#include <random>
#include <type_traits>
#include <utility>

#include "gz/error.h"
#include "util/json_file.h"
#include "util/portable_random.h"

namespace gz {
namespace fs = std::filesystem;

std::string AugmentationParams::problem() const {
    const std::pair<bool, const char*> rules[] = {
        {cropMin >= 1 && cropMin <= cropMax, "need 1 <= {crop_min} <= {crop_max}"},
        {cropMax <= 4096, "{crop_max} must be at most 4096"},
        {evalCrop >= 1 && evalCrop <= 4096, "{eval_crop} must be 1..4096"},
        {resizeTo >= 1 && resizeTo <= 1024, "{resize_to} must be 1..1024"},
        {outputSize >= 1 && outputSize <= resizeTo, "need 1 <= {output_size} <= {resize_to}"},
        {flipProbability >= 0 && flipProbability <= 1, "{flip_probability} must be in [0, 1]"},
        {brightnessDelta >= 0 && brightnessDelta <= 255, "{brightness_delta} must be in [0, 255]"},
        {contrastMin >= 0 && contrastMin <= contrastMax && contrastMax <= 10,
         "need 0 <= {contrast_min} <= {contrast_max} <= 10"},
        {angleMax >= 0 && angleMax <= 180, "{angle_max} must be in [0, 180]"},
        {hueDelta >= 0 && hueDelta <= 0.5, "{hue_delta} must be in [0, 0.5]"},
        {saturationMin >= 0 && saturationMin <= saturationMax && saturationMax <= 10,
         "need 0 <= {saturation_min} <= {saturation_max} <= 10"},
    };
    for (const auto& [ok, text] : rules)
        if (!ok) return text;
    return {};
}

void AugmentationParams::validate() const {
    const std::string text = problem();
    if (!text.empty())
        throw DataError("augmentation parameters: " +
                        nameFields(text, [](std::string_view key) { return std::string(key); }));
}

std::string nameFields(std::string_view text,
                       const std::function<std::string(std::string_view key)>& name) {
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t open = text.find('{', at);
        const std::size_t close = open == text.npos ? text.npos : text.find('}', open);
        if (close == text.npos) break;
        out += text.substr(at, open - at);
        out += name(text.substr(open + 1, close - open - 1));
        at = close + 1;
    }
    out += text.substr(std::min(at, text.size()));
    return out;
}

namespace {

// One table of every field, so that JSON reading and writing cannot drift apart.
template <typename F>
void forEachField(AugmentationParams& p, F&& f) {
    f("scale_jitter", p.scaleJitter);
    f("crop_min", p.cropMin);
    f("crop_max", p.cropMax);
    f("resize_to", p.resizeTo);
    f("rotate_angle", p.rotateAngle);
    f("angle_max", p.angleMax);
    f("random_crop", p.randomCrop);
    f("output_size", p.outputSize);
    f("rotate", p.rotate);
    f("flip", p.flip);
    f("flip_probability", p.flipProbability);
    f("brightness", p.brightness);
    f("brightness_delta", p.brightnessDelta);
    f("contrast", p.contrast);
    f("contrast_min", p.contrastMin);
    f("contrast_max", p.contrastMax);
    f("hue", p.hue);
    f("hue_delta", p.hueDelta);
    f("saturation", p.saturation);
    f("saturation_min", p.saturationMin);
    f("saturation_max", p.saturationMax);
    f("clip_photometric", p.clipPhotometric);
    f("standardize", p.standardize);
    f("eval_crop", p.evalCrop);
}

}  // namespace

std::string AugmentationParams::toJson() const {
    nlohmann::json j = nlohmann::json::object();
    AugmentationParams copy = *this;
    forEachField(copy, [&](const char* key, auto& value) { j[key] = value; });
    return nlohmann::json{{"format", "galaxy-studio-augmentation"}, {"version", 1}, {"params", j}}
        .dump(2);
}

AugmentationParams AugmentationParams::fromJson(const std::string& text, const fs::path& source) {
    const fs::path where = source.empty() ? fs::path("augmentation parameters") : source;
    const nlohmann::json j = detail::parseJson(text, where);
    if (!j.is_object() || !j.contains("params") || !j.at("params").is_object())
        throw DataError(where, "expected an object with a \"params\" object");
    const nlohmann::json& params = j.at("params");
    AugmentationParams p;
    std::size_t known = 0;
    forEachField(p, [&](const char* key, auto& value) {
        if (!params.contains(key)) return;
        ++known;
        value = detail::jsonField<std::remove_reference_t<decltype(value)>>(params, key, where);
    });
    if (known != params.size()) {
        for (const auto& item : params.items()) {
            const std::string& key = item.key();
            bool found = false;
            forEachField(p, [&](const char* k, auto&) { found |= key == k; });
            if (!found) throw DataError(where, "unknown parameter \"" + key + "\"");
        }
    }
    try {
        p.validate();
    } catch (const DataError& e) {
        throw DataError(where, e.what());
    }
    return p;
}

void AugmentationParams::save(const fs::path& file) const {
    detail::saveJsonFile(*this, file);
}

AugmentationParams AugmentationParams::load(const fs::path& file) {
    return detail::loadJsonFile<AugmentationParams>(file);
}

// ---- random draws --------------------------------------------------------------------------

AugmentationDraw drawAugmentation(const AugmentationParams& p, std::uint64_t seed,
                                  std::uint64_t epoch, std::uint64_t index) {
    std::mt19937_64 gen(detail::mixSeed(detail::mixSeed(seed, epoch), index));
    // Every value is drawn, in a fixed order, whether its step is on or not: switching one step
    // off in the preview does not change what the others draw.
    AugmentationDraw d;
    const int maxOffset = p.resizeTo - p.outputSize;
    const auto side = static_cast<int>(detail::uniformInt(gen, p.cropMin, p.cropMax));
    const auto x = static_cast<int>(detail::uniformInt(gen, 0, maxOffset));
    const auto y = static_cast<int>(detail::uniformInt(gen, 0, maxOffset));
    const auto k = static_cast<int>(detail::uniformInt(gen, 0, 3));
    const bool flip = detail::uniformReal(gen, 0.0, 1.0) < p.flipProbability;
    const double brightness = detail::uniformReal(gen, -p.brightnessDelta, p.brightnessDelta);
    const double contrast = detail::uniformReal(gen, p.contrastMin, p.contrastMax);
    const double hue = detail::uniformReal(gen, -p.hueDelta, p.hueDelta);
    const double saturation = detail::uniformReal(gen, p.saturationMin, p.saturationMax);
    // Drawn last: the values before it are those of runs from before the step existed.
    const double angle = detail::uniformReal(gen, -p.angleMax, p.angleMax);

    d.cropSide = p.scaleJitter ? side : p.evalCrop;
    d.offsetX = p.randomCrop ? x : maxOffset / 2;
    d.offsetY = p.randomCrop ? y : maxOffset / 2;
    d.rotation = p.rotate ? k : 0;
    d.flipped = p.flip && flip;
    d.brightness = p.brightness ? brightness : 0.0;
    d.contrast = p.contrast ? contrast : 1.0;
    d.hue = p.hue ? hue : 0.0;
    d.saturation = p.saturation ? saturation : 1.0;
    d.angle = p.rotateAngle ? angle : 0.0;
    return d;
}

}  // namespace gz
