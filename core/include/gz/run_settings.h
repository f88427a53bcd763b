#pragma once
// A run's settings as a flat list of named values, for showing runs side by side (the GUI's run
// comparison and anything else that lists what a run chose). The names are config.json's keys,
// nested ones joined by dots ("augmentation.rotate"), so there is one spelling of every setting.

#include <string>
#include <vector>

#include "gz/training.h"

namespace gz {

struct RunSetting {
    std::string key;    ///< config.json's key path, e.g. "lr" or "augmentation.crop_min"
    std::string value;  ///< as config.json writes it (strings unquoted; null as "none")
};

/// Every setting of `config`, in config.json's order, the top-level ones before the groups
/// ("augmentation.*", "rules.*": one per label rule, named by its label).
std::vector<RunSetting> runSettings(const TrainConfig& config);

}  // namespace gz
