#pragma once
// The parameters of the training and evaluation transforms and the random values drawn from
// them for each image.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace gz {

/// Every parameter of the training and evaluation transforms, each step switchable.
/// Defaults are the original workflow's (hue and saturation off, no clipping), with one step
/// added: the rotation by any angle (2b), which cross-validation found better (README).
struct AugmentationParams {
    // 1. Scale jittering: centre crop of side S, S uniform in [cropMin, cropMax] (integers).
    bool scaleJitter = true;
    int cropMin = 170;
    int cropMax = 241;
    // 2. Bilinear resize (no antialiasing) to resizeTo x resizeTo.
    int resizeTo = 80;
    // 2b. Rotation by any angle: an angle uniform in [-angleMax, angleMax] degrees
    //     counter-clockwise about the centre, bilinear, the uncovered corners filled by mirroring.
    //     Not in the original workflow; runs from before it (no "rotate_angle" in config.json)
    //     load with it off.
    bool rotateAngle = true;
    double angleMax = 45.0;
    // 3. Random crop of outputSize; offsets uniform in [0, resizeTo - outputSize] inclusive.
    bool randomCrop = true;
    int outputSize = 64;
    // 4. Rotation by k * 90 degrees counter-clockwise, k uniform in {0, 1, 2, 3}.
    bool rotate = true;
    // 5. Horizontal flip with this probability.
    bool flip = true;
    double flipProbability = 0.5;
    // 6. Brightness: add one delta uniform in [-brightnessDelta, brightnessDelta].
    bool brightness = true;
    double brightnessDelta = 63.0;
    // 7. Contrast: scale each channel's deviation from its mean by a factor in [min, max].
    bool contrast = true;
    double contrastMin = 0.2;
    double contrastMax = 1.8;
    // 8. Hue shift (fraction of the hue circle, uniform in [-hueDelta, hueDelta]) and saturation
    //    factor (uniform in [saturationMin, saturationMax]). Off in the original code.
    bool hue = false;
    double hueDelta = 0.2;
    bool saturation = false;
    double saturationMin = 0.0;
    double saturationMax = 2.0;
    // Clip to 0..255 after each photometric step (what happens to 8-bit images). Off in the
    // original, where standardisation then cancels brightness and most of contrast.
    bool clipPhotometric = false;
    // 9. Per-image standardisation over all values.
    bool standardize = true;
    // Evaluation: centre crop evalCrop -> resize resizeTo -> centre crop outputSize.
    int evalCrop = 220;

    /// The first rule the values break, or "" when they are valid. Fields are named by their
    /// JSON keys in braces ("need 1 <= {crop_min} <= {crop_max}") so that each front end can put
    /// in the names its user sees (nameFields).
    std::string problem() const;
    /// Throws DataError when a value is out of range (e.g. crop_min > crop_max, output_size >
    /// resize_to, a crop larger than the image), naming the fields by their JSON keys.
    void validate() const;
    std::string toJson() const;
    /// Missing keys keep their defaults; unknown keys and bad values throw DataError.
    static AugmentationParams fromJson(const std::string& json,
                                       const std::filesystem::path& source = {});
    void save(const std::filesystem::path& file) const;  ///< atomic
    static AugmentationParams load(const std::filesystem::path& file);
    bool operator==(const AugmentationParams&) const = default;
};

/// `text` with every "{key}" replaced by name(key).
std::string nameFields(std::string_view text,
                       const std::function<std::string(std::string_view key)>& name);

/// The random values drawn for one image in one epoch (reported with the output).
struct AugmentationDraw {
    int cropSide = 0;  ///< S (full-resolution pixels)
    int offsetX = 0, offsetY = 0;
    int rotation = 0;  ///< k: k * 90 degrees counter-clockwise
    bool flipped = false;
    double brightness = 0.0;
    double contrast = 1.0;
    double hue = 0.0;
    double saturation = 1.0;
    double angle = 0.0;  ///< degrees counter-clockwise (step 2b)
    bool operator==(const AugmentationDraw&) const = default;
};

/// The draws for image `index` in `epoch` of a run seeded with `seed`: independent of thread
/// count and of the order images are processed in. Switched-off steps draw their neutral value.
AugmentationDraw drawAugmentation(const AugmentationParams& params, std::uint64_t seed,
                                  std::uint64_t epoch, std::uint64_t index);

}  // namespace gz
