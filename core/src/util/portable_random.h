#pragma once
// Private to core: random draws that give the same numbers on every platform and standard
// library (std::uniform_*_distribution and std::shuffle are implementation-defined).

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace gz::detail {

/// Uniform integer in [0, n) without modulo bias. n > 0.
inline std::uint64_t uniformBelow(std::mt19937_64& gen, std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (true) {
        const std::uint64_t r = gen();
        if (r >= threshold) return r % n;
    }
}

/// Uniform integer in [lo, hi], inclusive.
inline std::int64_t uniformInt(std::mt19937_64& gen, std::int64_t lo, std::int64_t hi) {
    return lo +
           static_cast<std::int64_t>(uniformBelow(gen, static_cast<std::uint64_t>(hi - lo) + 1));
}

/// Uniform real in [lo, hi) from the top 53 bits.
inline double uniformReal(std::mt19937_64& gen, double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(gen() >> 11) * 0x1.0p-53;
}

/// Fisher-Yates shuffle.
template <typename T>
void shuffle(std::vector<T>& v, std::mt19937_64& gen) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[uniformBelow(gen, i)]);
}

/// A seed for stream `stream` of a run seeded with `seed` (SplitMix64 mixing).
inline std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace gz::detail
