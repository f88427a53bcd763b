#pragma once
// Private to the demo generator: its random numbers. Everything comes from std::mt19937_64 mapped
// by hand (portable_random.h), so a seed gives the same numbers with every standard library.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>

#include "util/portable_random.h"

namespace gz::demo {

class Rng {
public:
    explicit Rng(std::uint64_t seed) : gen_(seed) {}

    std::uint64_t bits() { return gen_(); }
    double uniform() { return detail::uniformReal(gen_, 0.0, 1.0); }
    double uniform(double lo, double hi) { return detail::uniformReal(gen_, lo, hi); }
    std::size_t below(std::size_t n) {
        return static_cast<std::size_t>(detail::uniformBelow(gen_, n));
    }
    bool chance(double p) { return uniform() < p; }
    /// Log-uniform in [lo, hi).
    double logUniform(double lo, double hi) { return lo * std::exp(uniform() * std::log(hi / lo)); }
    /// Four standard normal numbers from one draw: each 16-bit quarter through `table`
    /// (demo_sky.cpp), the inverse normal distribution function. Plenty for sky noise.
    void fourNormals(const float* table, float* out) {
        const std::uint64_t x = gen_();
        out[0] = table[x & 0xffffU];
        out[1] = table[(x >> 16) & 0xffffU];
        out[2] = table[(x >> 32) & 0xffffU];
        out[3] = table[x >> 48];
    }
    std::mt19937_64& engine() { return gen_; }

private:
    std::mt19937_64 gen_;
};

}  // namespace gz::demo
