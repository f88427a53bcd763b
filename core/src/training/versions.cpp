// In training/ because it reads LibTorch's version header (only training/ and distributed/
// include LibTorch).
#include "gz/versions.h"

#include <torch/version.h>

#include <opencv2/core/utility.hpp>

#ifndef GZ_VERSION
#error "GZ_VERSION must be defined by the build"
#endif

namespace gz {

std::string projectVersion() {
    return GZ_VERSION;
}

std::vector<LibraryVersion> coreLibraryVersions() {
    return {{"OpenCV", cv::getVersionString()}, {"LibTorch", TORCH_VERSION}};
}

std::string versionReport(std::string_view program, const std::vector<LibraryVersion>& frontEnd) {
    std::string text = std::string(program) + " " + projectVersion();
    std::vector<LibraryVersion> libraries = frontEnd;
    for (auto& library : coreLibraryVersions()) libraries.push_back(std::move(library));
    for (const auto& library : libraries) text += "\n" + library.name + " " + library.version;
    return text;
}

}  // namespace gz
