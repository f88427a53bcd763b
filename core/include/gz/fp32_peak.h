#pragma once
// The fp32 arithmetic peak of the cores a benchmark runs on, for `galaxy-cli bench train`'s
// "how far from the machine's peak": worked out from the CPU's vector width, FMA issue rate and
// clock, and measured with a loop of fused multiply-adds held in registers.

#include <string>

namespace gz {

struct Fp32Peak {
    std::string cpu;      ///< the model name in /proc/cpuinfo ("" when there is none)
    int threads = 0;      ///< cores counted (one thread each)
    int lanes = 0;        ///< fp32 lanes of the widest FMA instruction: 16 AVX-512, 8 AVX2, 0 none
    int fmaPerCycle = 0;  ///< those instructions a core completes per cycle
    double ghz = 0;       ///< the clock: cpufreq's maximum, else /proc/cpuinfo's "cpu MHz"
    /// threads x lanes x 2 (a multiply and an add) x fmaPerCycle x ghz; 0 when unknown.
    double nominalGflops = 0;
    /// What `threads` threads sustain in an FMA loop on independent registers; 0 when the CPU
    /// has no FMA instruction this build knows.
    double measuredGflops = 0;
    /// The same loop's bfloat16 dot products (VDPBF16PS, 32 bfloat16 multiply-adds an
    /// instruction) where the CPU has AVX512_BF16; 0 elsewhere.
    double bf16MeasuredGflops = 0;
    std::string how;  ///< where each figure came from, in a sentence
};

/// The peak of `threads` cores. The measurement runs for about `seconds`.
Fp32Peak fp32Peak(int threads, double seconds = 0.5);

}  // namespace gz
