#pragma once
// Values that more than one stage shares.

#include <cstdint>

namespace gz {

/// The Kaggle images are 424x424; any other size is reported and skipped.
inline constexpr int kKaggleImageSide = 424;

/// The seed of the random draws (split, augmentation, preprocessing, training) when none is
/// given.
inline constexpr std::uint64_t kDefaultSeed = 42;

}  // namespace gz
