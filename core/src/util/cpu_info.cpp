#include "util/cpu_info.h"

#include <fstream>

namespace gz::detail {

std::map<std::string, std::string> cpuInfo() {
    std::map<std::string, std::string> info;
    std::ifstream in("/proc/cpuinfo");
    const auto trim = [](const std::string& s) {
        const auto a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
        return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
    };
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        info.emplace(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
    return info;
}

}  // namespace gz::detail
