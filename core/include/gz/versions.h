#pragma once
// The project's version and the versions of the libraries a program runs with, for --version and
// the About box. Only the names and numbers live here; each front end adds its own (galaxy-studio
// adds Qt's) and prints them with versionReport().

#include <string>
#include <string_view>
#include <vector>

namespace gz {

/// A library and its version, e.g. {"OpenCV", "4.6.0"}.
struct LibraryVersion {
    std::string name;
    std::string version;
};

/// The project's version, as CMake's project() sets it ("0.1.0").
std::string projectVersion();

/// The libraries core runs with: OpenCV as loaded at run time (cv::getVersionString()), then
/// LibTorch as its version header says (Debian's libtorch1.13 keeps the ABI of one minor
/// version, and the package depends on exactly that library).
std::vector<LibraryVersion> coreLibraryVersions();

/// "PROGRAM VERSION" on the first line, then one "NAME VERSION" line for each of `frontEnd`
/// (the front end's own libraries, such as Qt) and then of coreLibraryVersions(). No trailing
/// newline.
std::string versionReport(std::string_view program,
                          const std::vector<LibraryVersion>& frontEnd = {});

}  // namespace gz
