// fp32Peak (gz/fp32_peak.h). The issue rate of FMA instructions is not in /proc/cpuinfo; it
// comes from the vendors' optimisation manuals for the families this app meets (see
// fmaIssueRate), and the measured loop checks it: on a correct entry the loop reaches 90-100%
// of the nominal figure (less when the clock read is below the turbo clock, more when above).

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "gz/fp32_peak.h"
#include "gz/precision.h"
#include "util/cpu_info.h"

namespace gz {
namespace {

int toInt(const std::string& s) {
    try {
        return std::stoi(s);
    } catch (...) {
        return -1;
    }
}

// FMA instructions of `lanes` fp32 lanes a core completes per cycle, with the reason.
std::pair<int, std::string> fmaIssueRate(const std::string& vendor, int family, int model,
                                         int lanes) {
    if (vendor == "AuthenticAMD") {
        // Zen 4 (family 0x19 with AVX-512) runs a 512-bit FMA as two halves on its two 256-bit
        // FMA pipes; Zen 1 (0x17, models below 0x30) has two 128-bit pipes; Zen 2, 3 and 5 issue
        // two full-width FMAs a cycle.
        if (family == 0x19 && lanes == 16)
            return {1, "AMD Zen 4: 512-bit FMAs as two halves on two 256-bit pipes"};
        if (family == 0x17 && model < 0x30)
            return {1, "AMD Zen 1: 256-bit FMAs as two halves on two 128-bit pipes"};
        return {2, "AMD Zen 2 and later: two FMA pipes of the vector's width"};
    }
    if (vendor == "GenuineIntel")
        return {2,
                "Intel since Haswell: two FMA ports (some AVX-512 parts have one; the "
                "measured figure tells)"};
    return {2, "two FMA pipes assumed"};
}

double clockGhz(const std::map<std::string, std::string>& info, std::string& source) {
    std::ifstream maxFreq("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    double khz = 0;
    if (maxFreq >> khz && khz > 0) {
        source = "cpufreq's maximum clock";
        return khz / 1e6;
    }
    const auto mhz = info.find("cpu MHz");
    if (mhz != info.end()) {
        try {
            source = "/proc/cpuinfo's cpu MHz (no cpufreq here, as in most VMs)";
            return std::stod(mhz->second) / 1000;
        } catch (...) {
        }
    }
    source = "no clock found";
    return 0;
}

// The FMA loops: `kChains` independent accumulators (more than latency x pipes), each updated
// `iterations` times. The result is returned so the work is not optimised away.
constexpr int kChains = 12;

#if defined(__x86_64__)
// The sum of every lane of the accumulators.
__attribute__((target("avx512f"))) float sumLanes(const __m512 (&acc)[kChains]) {
    __m512 sum = acc[0];
    for (int k = 1; k < kChains; ++k) sum = _mm512_add_ps(sum, acc[k]);
    alignas(64) float out[16];
    _mm512_store_ps(out, sum);
    float total = 0;
    for (const float v : out) total += v;
    return total;
}

__attribute__((target("avx512f"))) float fmaLoop16(long iterations) {
    __m512 acc[kChains];
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_ps(static_cast<float>(k));
    const __m512 m = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
    for (long i = 0; i < iterations; ++i)
        for (int k = 0; k < kChains; ++k) acc[k] = _mm512_fmadd_ps(acc[k], m, c);
    return sumLanes(acc);
}

// VDPBF16PS: each of 16 fp32 lanes adds the products of two bfloat16 pairs (4 FLOPs a lane).
__attribute__((target("avx512f,avx512bf16"))) float bf16DotLoop(long iterations) {
    __m512 acc[kChains];
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_ps(static_cast<float>(k));
    const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(0.001f), _mm512_set1_ps(0.002f));
    const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(0.003f), _mm512_set1_ps(0.004f));
    for (long i = 0; i < iterations; ++i)
        for (int k = 0; k < kChains; ++k) acc[k] = _mm512_dpbf16_ps(acc[k], a, b);
    return sumLanes(acc);
}

__attribute__((target("avx2,fma"))) float fmaLoop8(long iterations) {
    __m256 acc[kChains];
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_set1_ps(static_cast<float>(k));
    const __m256 m = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
    for (long i = 0; i < iterations; ++i)
        for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_ps(acc[k], m, c);
    __m256 sum = acc[0];
    for (int k = 1; k < kChains; ++k) sum = _mm256_add_ps(sum, acc[k]);
    alignas(32) float out[8];
    _mm256_store_ps(out, sum);
    float total = 0;
    for (const float v : out) total += v;
    return total;
}
#endif

// Widest FMA this build can run on this CPU: its lanes and loop (0 and null: none).
std::pair<int, float (*)(long)> fmaLoop() {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return {16, fmaLoop16};
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {8, fmaLoop8};
#endif
    return {0, nullptr};
}

// GFLOP/s of `threads` threads each running `loop` for `iterations`.
double runLoops(float (*loop)(long), int lanes, int threads, long iterations) {
    std::vector<float> results(static_cast<std::size_t>(threads));
    const auto t0 = std::chrono::steady_clock::now();
    {
        std::vector<std::jthread> workers;
        for (int t = 0; t < threads; ++t)
            workers.emplace_back(
                [&, t] { results[static_cast<std::size_t>(t)] = loop(iterations); });
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    volatile float keep = 0;
    for (const float r : results) keep = keep + r;
    const double flops =
        2.0 * lanes * kChains * static_cast<double>(iterations) * static_cast<double>(threads);
    return s > 0 ? flops / s / 1e9 : 0;
}

// The best GFLOP/s of three runs of `loop` (a measurement is only ever slowed by other work).
double bestOfThree(float (*loop)(long), int lanes, int threads, long iterations) {
    double best = 0;
    for (int i = 0; i < 3; ++i) best = std::max(best, runLoops(loop, lanes, threads, iterations));
    return best;
}

}  // namespace

Fp32Peak fp32Peak(int threads, double seconds) {
    Fp32Peak p;
    p.threads = std::max(1, threads);
    const auto info = detail::cpuInfo();
    const auto field = [&](const char* key) {
        const auto it = info.find(key);
        return it == info.end() ? std::string() : it->second;
    };
    p.cpu = field("model name");
    const auto [lanes, loop] = fmaLoop();
    p.lanes = lanes;
    std::string clockSource;
    p.ghz = clockGhz(info, clockSource);
    std::string rateSource = "no FMA instruction known to this build";
    if (lanes > 0) {
        auto [rate, why] = fmaIssueRate(field("vendor_id"), toInt(field("cpu family")),
                                        toInt(field("model")), lanes);
        p.fmaPerCycle = rate;
        rateSource = std::move(why);
        p.nominalGflops = p.threads * lanes * 2.0 * rate * p.ghz;
        // Calibrate on a short run, then measure for about `seconds`; the best of three.
        constexpr long kProbe = 200000;
        const double probe = runLoops(loop, lanes, 1, kProbe);
        const double perThreadFlops = std::max(probe, 1.0) * 1e9 * seconds / 3;
        const auto iterations =
            static_cast<long>(std::max(1.0, perThreadFlops / (2.0 * lanes * kChains)));
        p.measuredGflops = bestOfThree(loop, lanes, p.threads, iterations);
#if defined(__x86_64__)
        // The same number of instructions in bfloat16 dot products, at 32 bfloat16 lanes.
        if (lanes == 16 && bf16Support().available)
            p.bf16MeasuredGflops = bestOfThree(bf16DotLoop, 32, p.threads, iterations);
#endif
    }
    std::ostringstream how;
    how << p.threads << " cores x " << p.lanes << " fp32 lanes ("
        << (lanes == 16  ? "AVX-512"
            : lanes == 8 ? "AVX2 + FMA"
                         : "no FMA")
        << ") x 2 x " << p.fmaPerCycle << " FMA/cycle (" << rateSource << ") x " << p.ghz
        << " GHz (" << clockSource << "); measured: " << kChains
        << " independent FMA chains in registers on each core, best of 3";
    p.how = how.str();
    return p;
}

}  // namespace gz
