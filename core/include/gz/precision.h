#pragma once
// Whether this CPU computes bfloat16 natively, for the Bf16 precision (gz/train_options.h).
// Without AVX512_BF16 or AMX-BF16, oneDNN emulates bfloat16 in fp32 and is slower than fp32, so
// the app refuses Bf16 there rather than run it slowly.

#include <optional>
#include <string>
#include <string_view>

#include "gz/train_options.h"

namespace gz {

struct Bf16Support {
    bool available = false;
    std::string reason;  ///< the instructions found, or why there are none
};

/// From the "flags" line of /proc/cpuinfo.
Bf16Support bf16SupportFromFlags(std::string_view flags);

/// This machine's (the first processor in /proc/cpuinfo).
Bf16Support bf16Support();

/// Whether `wanted` runs in bfloat16 on this machine's CPU: Auto where it has bfloat16. Throws
/// DataError for Bf16 on a CPU without it, naming the missing instructions.
bool resolveBf16(Precision wanted);

/// The precision to evaluate or predict with: `asked` when given, else the run's `trained` one
/// (Auto stays Auto, decided here), except fp32 for a bfloat16 run on a CPU without bfloat16
/// (checkpoints are fp32 either way).
Precision inferencePrecision(std::optional<Precision> asked, Precision trained);

}  // namespace gz
