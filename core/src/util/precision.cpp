// bf16Support and resolveBf16 (gz/precision.h).

#include <sstream>
#include <vector>

#include "gz/error.h"
#include "gz/precision.h"
#include "util/cpu_info.h"

namespace gz {

Bf16Support bf16SupportFromFlags(std::string_view flags) {
    std::vector<std::string> found;
    std::istringstream words{std::string(flags)};
    for (std::string w; words >> w;)
        if (w == "avx512_bf16" || w == "amx_bf16") found.push_back(w);
    if (found.empty())
        return {false,
                "this CPU has neither AVX512_BF16 nor AMX-BF16 (bfloat16 would be emulated "
                "in fp32, slower than fp32)"};
    std::string list;
    for (const auto& f : found) list += (list.empty() ? "" : " and ") + f;
    return {true, "this CPU has " + list};
}

Bf16Support bf16Support() {
    const auto info = detail::cpuInfo();
    const auto flags = info.find("flags");
    if (flags == info.end()) return {false, "no CPU flags in /proc/cpuinfo"};
    return bf16SupportFromFlags(flags->second);
}

bool resolveBf16(Precision wanted) {
    if (wanted == Precision::Fp32) return false;
    const Bf16Support support = bf16Support();
    if (wanted == Precision::Auto) return support.available;
    if (!support.available)
        throw DataError("precision bf16: " + support.reason + "; use --precision fp32 or auto");
    return true;
}

Precision inferencePrecision(std::optional<Precision> asked, Precision trained) {
    if (asked) return *asked;
    return trained == Precision::Bf16 && !bf16Support().available ? Precision::Fp32 : trained;
}

}  // namespace gz
