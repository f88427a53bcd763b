#pragma once
// Private to core: the names and descriptions of the networks, without LibTorch, so that a run's
// configuration can be checked where LibTorch is not linked (models.cpp builds them by name).

#include <string>

namespace gz::detail {

/// The one-line description of a model named by availableModels(); "" for an unknown name.
std::string modelDescription(const std::string& name);

}  // namespace gz::detail
