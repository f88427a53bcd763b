#pragma once
// Private to core: the keys and values of /proc/cpuinfo.

#include <map>
#include <string>

namespace gz::detail {

/// The first value of each key in /proc/cpuinfo (the first processor's); empty where there is
/// no /proc/cpuinfo.
std::map<std::string, std::string> cpuInfo();

}  // namespace gz::detail
