// Synthetic demo data set: rendered galaxies of the five morphologies with vote fractions that
// follow the Galaxy Zoo 2 decision tree, written in the Kaggle layout.
//
// Everything random comes from std::mt19937_64 mapped by hand (portable_random.h), so a seed
// gives the same ids, labels and vote fractions with every standard library (pixel values go
// through float maths such as exp and atan2, whose last bits are the math library's). Each
// galaxy has its own seed, so the output does not depend on how many threads render it.

#include "gz/demo.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/morphology.h"
#include "util/parallel_for.h"
#include "util/portable_random.h"

namespace gz {
namespace {
namespace fs = std::filesystem;

constexpr double kPi = std::numbers::pi;

// ---- random numbers ------------------------------------------------------------------------

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
    /// (normalTable()), the inverse normal distribution function. Plenty for sky noise.
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

// Inverse of the standard normal distribution function (Acklam's rational approximation,
// relative error below 1.2e-9).
double inverseNormal(double p) {
    constexpr std::array<double, 6> a = {-3.969683028665376e+01, 2.209460984245205e+02,
                                         -2.759285104469687e+02, 1.383577518672690e+02,
                                         -3.066479806614716e+01, 2.506628277459239e+00};
    constexpr std::array<double, 5> b = {-5.447609879822406e+01, 1.615858368580409e+02,
                                         -1.556989798598866e+02, 6.680131188771972e+01,
                                         -1.328068155288572e+01};
    constexpr std::array<double, 6> c = {-7.784894002430293e-03, -3.223964580411365e-01,
                                         -2.400758277161838e+00, -2.549732539343734e+00,
                                         4.374664141464968e+00,  2.938163982698783e+00};
    constexpr std::array<double, 4> d = {7.784695709041462e-03, 3.224671290700398e-01,
                                         2.445134137142996e+00, 3.754408661907416e+00};
    constexpr double kLow = 0.02425;
    auto tail = [&](double t) {
        const double q = std::sqrt(-2 * std::log(t));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    };
    if (p < kLow) return tail(p);
    if (p > 1 - kLow) return -tail(1 - p);
    const double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

const std::vector<float>& normalTable() {
    static const std::vector<float> table = [] {
        std::vector<float> t(65536);
        for (std::size_t k = 0; k < t.size(); ++k)
            t[k] = static_cast<float>(inverseNormal((static_cast<double>(k) + 0.5) / 65536.0));
        return t;
    }();
    return table;
}

// ---- class mix and identifiers -------------------------------------------------------------

constexpr std::array<int, 6> kMixLabels = {0, 1, 2, 3, 4, kUnlabeled};
constexpr std::array<double, 6> kMixShares = {0.22, 0.22, 0.12, 0.14, 0.20, 0.10};

// Smooth weighted round robin: the first six galaxies get six different classes, and every
// prefix follows kMixShares as closely as whole galaxies allow. Then a deterministic shuffle.
std::vector<int> assignLabels(std::size_t count, Rng& rng) {
    std::vector<int> labels;
    labels.reserve(count);
    std::array<double, kMixLabels.size()> given{};
    for (std::size_t i = 0; i < count; ++i) {
        std::size_t best = 0;
        double bestDeficit = -1e300;
        for (std::size_t k = 0; k < kMixLabels.size(); ++k) {
            const double deficit = kMixShares[k] * static_cast<double>(i + 1) - given[k];
            if (deficit > bestDeficit) {
                bestDeficit = deficit;
                best = k;
            }
        }
        given[best] += 1;
        labels.push_back(kMixLabels[best]);
    }
    detail::shuffle(labels, rng.engine());
    return labels;
}

// ---- vote fractions --------------------------------------------------------------------------

// Fractions are kept as whole millionths, so that the answers of a question sum exactly to the
// fraction that reached it, and are written exactly (at most 6 decimals).
constexpr std::int64_t kUnit = 1'000'000;
using Votes = std::array<std::int64_t, kVoteColumnCount>;

template <std::size_t N>
using Shares = std::array<double, N>;

// kVoteColumns index of answer `a` (1-based) of question `q` (1-based).
class AnswerColumns {
public:
    AnswerColumns() {
        for (std::size_t q = 1; q <= 11; ++q)
            for (std::size_t a = 1; a <= 7; ++a) {
                const std::string name = "Class" + std::to_string(q) + "." + std::to_string(a);
                const auto index = voteColumnIndex(name);
                table_[q][a] = index ? *index : kVoteColumnCount;
            }
    }
    std::size_t operator()(std::size_t q, std::size_t a) const {
        const std::size_t index = table_[q][a];
        if (index >= kVoteColumnCount) throw std::logic_error("demo: no vote column for answer");
        return index;
    }

private:
    std::array<std::array<std::size_t, 8>, 12> table_{};
};

const AnswerColumns& answerColumns() {
    static const AnswerColumns columns;
    return columns;
}

// Shares in proportion to the weights, each jittered.
template <std::size_t N>
Shares<N> randomShares(Rng& rng, const Shares<N>& weights) {
    Shares<N> s{};
    double sum = 0;
    for (std::size_t i = 0; i < N; ++i) {
        s[i] = weights[i] * (0.2 + rng.uniform());
        sum += s[i];
    }
    if (sum <= 0) {
        s.fill(1.0 / static_cast<double>(N));
        return s;
    }
    for (auto& x : s) x /= sum;
    return s;
}

// Answer `winner` gets a share in [lo, hi]; the others split the rest (jittered weights).
template <std::size_t N>
Shares<N> leadingShares(Rng& rng, std::size_t winner, double lo, double hi, Shares<N> weights) {
    weights[winner] = 0;
    Shares<N> s = randomShares(rng, weights);
    const double w = rng.uniform(lo, std::max(lo, hi));
    for (auto& x : s) x *= 1 - w;
    s[winner] = w;
    return s;
}

// Splits `parent` millionths between the answers of question `q` by the shares, exactly
// (largest remainders).
template <std::size_t N>
void splitVotes(Votes& v, std::size_t q, std::int64_t parent, const Shares<N>& shares) {
    std::array<std::int64_t, N> part{};
    std::array<double, N> remainder{};
    std::int64_t used = 0;
    for (std::size_t i = 0; i < N; ++i) {
        const double exact = static_cast<double>(parent) * std::clamp(shares[i], 0.0, 1.0);
        part[i] = static_cast<std::int64_t>(std::floor(exact));
        remainder[i] = exact - static_cast<double>(part[i]);
        used += part[i];
    }
    std::array<std::size_t, N> order{};
    for (std::size_t i = 0; i < N; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t k = 0; used < parent; ++k, ++used) ++part[order[k % N]];
    for (std::size_t k = 0; used > parent; ++k) {  // never expected; keeps the sum exact
        std::size_t& i = order[N - 1 - (k % N)];
        if (part[i] > 0) --part[i], --used;
    }
    for (std::size_t i = 0; i < N; ++i) v[answerColumns()(q, i + 1)] = part[i];
}

// The shares of every question, each relative to the fraction that reached the question.
struct Tree {
    Shares<3> q1{};   // of everyone
    Shares<2> q2{};   // of 1.2
    Shares<2> q3{};   // of 2.2
    Shares<2> q4{};   // of 2.2
    Shares<4> q5{};   // of 2.2
    Shares<2> q6{};   // of everyone
    Shares<3> q7{};   // of 1.1
    Shares<7> q8{};   // of 6.1
    Shares<3> q9{};   // of 2.1
    Shares<3> q10{};  // of 4.1
    Shares<6> q11{};  // of 4.1
};

Votes treeVotes(const Tree& t) {
    const auto& col = answerColumns();
    Votes v{};
    splitVotes(v, 1, kUnit, t.q1);
    splitVotes(v, 2, v[col(1, 2)], t.q2);
    splitVotes(v, 3, v[col(2, 2)], t.q3);
    splitVotes(v, 4, v[col(2, 2)], t.q4);
    splitVotes(v, 5, v[col(2, 2)], t.q5);
    splitVotes(v, 6, kUnit, t.q6);
    splitVotes(v, 7, v[col(1, 1)], t.q7);
    splitVotes(v, 8, v[col(6, 1)], t.q8);
    splitVotes(v, 9, v[col(2, 1)], t.q9);
    splitVotes(v, 10, v[col(4, 1)], t.q10);
    splitVotes(v, 11, v[col(4, 1)], t.q11);
    return v;
}

// The default rules of REFERENCE.md, in millionths.
struct RuleCondition {
    std::size_t q, a;
    std::int64_t threshold;
};
struct DefaultRule {
    int label;
    std::array<RuleCondition, 3> conditions;
    std::size_t count;
};
constexpr std::array<DefaultRule, 5> kDefaultRules = {{
    {0, {{{1, 1, 469000}, {7, 1, 500000}, {}}}, 2},
    {1, {{{1, 1, 469000}, {7, 2, 500000}, {}}}, 2},
    {2, {{{1, 1, 469000}, {7, 3, 500000}, {}}}, 2},
    {3, {{{1, 2, 430000}, {2, 1, 602000}, {}}}, 2},
    {4, {{{1, 2, 430000}, {2, 2, 715000}, {4, 1, 619000}}}, 3},
}};
constexpr int kAmbiguous = -2;
constexpr std::int64_t kRuleMargin = 2000;  // 0.002: no value this close to a threshold

// The label the default rules give, or kAmbiguous when a value that decides it lies within the
// margin of its threshold.
int defaultRuleLabel(const Votes& v) {
    const auto& col = answerColumns();
    for (const auto& rule : kDefaultRules) {
        bool fails = false, unsure = false;
        for (std::size_t c = 0; c < rule.count; ++c) {
            const auto& cond = rule.conditions[c];
            const std::int64_t x = v[col(cond.q, cond.a)];
            if (x < cond.threshold - kRuleMargin)
                fails = true;
            else if (x < cond.threshold + kRuleMargin)
                unsure = true;
        }
        if (fails) continue;
        if (unsure) return kAmbiguous;
        return rule.label;
    }
    return kUnlabeled;
}

// How a galaxy is drawn.
enum class Look { Smooth, EdgeOn, Spiral, Irregular, AmbiguousSmooth, Lenticular, Pair };

struct Plan {
    int label = kUnlabeled;
    Look look = Look::Smooth;
    bool barred = false;
    bool ring = false;
    double pitchDeg = 20;
    double bulgeShare = 0.2;  // bulge's share of the light, for Q5 and Q9
};

// Q1 shares with answer `main` (0 smooth, 1 features) in [lo, hi], the rest split between the
// other answer and "star or artifact".
Shares<3> firstQuestion(Rng& rng, std::size_t main, double lo, double hi) {
    const double lead = rng.uniform(lo, hi);
    const double rest = 1 - lead;
    const double other = rest * rng.uniform(0.5, 0.95);
    Shares<3> s{};
    s[main] = lead;
    s[1 - main] = other;
    s[2] = rest - other;
    return s;
}

Tree makeTree(const Plan& plan, Rng& rng) {
    Tree t;
    // Defaults: loose, plausible answers to the questions that do not decide the class.
    t.q2 = randomShares<2>(rng, {0.3, 0.7});
    t.q3 = randomShares<2>(rng, {0.2, 0.8});
    t.q4 = randomShares<2>(rng, {0.35, 0.65});
    t.q5 = randomShares<4>(rng, {0.2, 0.4, 0.3, 0.1});
    const double odd = rng.uniform(0.02, 0.35);
    t.q6 = {odd, 1 - odd};
    t.q7 = randomShares<3>(rng, {0.4, 0.45, 0.15});
    t.q8 = randomShares<7>(rng, {0.15, 0.1, 0.15, 0.1, 0.3, 0.1, 0.1});
    t.q9 = randomShares<3>(rng, {0.5, 0.15, 0.35});
    t.q10 = randomShares<3>(rng, {0.35, 0.4, 0.25});
    t.q11 = randomShares<6>(rng, {0.1, 0.4, 0.1, 0.05, 0.05, 0.3});

    switch (plan.look) {
        case Look::Smooth: {
            t.q1 = firstQuestion(rng, 0, 0.62, 0.97);
            const double lo = std::max(0.6, 0.53 / t.q1[0]);
            const auto winner = static_cast<std::size_t>(plan.label);
            const Shares<3> others = plan.label == 0   ? Shares<3>{0, 1, 0.05}
                                     : plan.label == 1 ? Shares<3>{0.6, 0, 0.4}
                                                       : Shares<3>{0.05, 1, 0};
            t.q7 = leadingShares<3>(rng, winner, lo, 0.99, others);
            if (plan.label == 2) t.q2 = randomShares<2>(rng, {0.6, 0.4});
            break;
        }
        case Look::EdgeOn: {
            t.q1 = firstQuestion(rng, 1, 0.72, 0.97);
            t.q2 = leadingShares<2>(rng, 0, std::max(0.8, 0.625 / t.q1[1]), 0.995, {0, 1});
            t.q9 = plan.bulgeShare > 0.12 ? leadingShares<3>(rng, 0, 0.5, 0.9, {0, 0.3, 0.7})
                                          : leadingShares<3>(rng, 2, 0.5, 0.9, {0.8, 0.2, 0});
            t.q8 = leadingShares<7>(rng, 6, 0.4, 0.9, {0.1, 0.1, 0.2, 0.1, 0.3, 0.1, 0});
            break;
        }
        case Look::Spiral: {
            t.q1 = firstQuestion(rng, 1, 0.8, 0.98);
            t.q2 = leadingShares<2>(rng, 1, std::max(0.92, 0.74 / t.q1[1]), 1.0, {1, 0});
            const double reached = t.q1[1] * t.q2[1];  // Class2.2
            t.q4 = leadingShares<2>(rng, 0, std::max(0.8, 0.645 / reached), 1.0, {0, 1});
            t.q3 = plan.barred ? leadingShares<2>(rng, 0, 0.5, 0.9, {0, 1})
                               : leadingShares<2>(rng, 1, 0.6, 1.0, {1, 0});
            t.q5 = plan.bulgeShare > 0.3 ? randomShares<4>(rng, {0.02, 0.25, 0.6, 0.13})
                                         : randomShares<4>(rng, {0.1, 0.6, 0.28, 0.02});
            const std::size_t tightness = plan.pitchDeg < 16 ? 0 : plan.pitchDeg < 23 ? 1 : 2;
            t.q10 = leadingShares<3>(rng, tightness, 0.45, 0.85, {0.5, 0.5, 0.5});
            t.q11 = leadingShares<6>(rng, 1, 0.5, 0.9, {0.1, 0, 0.2, 0.1, 0.05, 0.55});
            break;
        }
        case Look::Irregular: {
            const double smooth = rng.uniform(0.2, 0.42);
            const double features = rng.uniform(0.2, 0.4);
            t.q1 = {smooth, features, 1 - smooth - features};
            const double odd2 = rng.uniform(0.4, 0.85);
            t.q6 = {odd2, 1 - odd2};
            t.q8 = leadingShares<7>(rng, 3, 0.4, 0.8, {0.05, 0.05, 0.4, 0, 0.3, 0.2, 0});
            break;
        }
        case Look::AmbiguousSmooth: {
            t.q1 = firstQuestion(rng, 0, 0.6, 0.9);
            const double round = rng.uniform(0.35, 0.5);
            const double between = rng.uniform(0.35, 0.5);
            t.q7 = {round, between, std::max(0.0, 1 - round - between)};
            break;
        }
        case Look::Lenticular: {
            const double smooth = rng.uniform(0.3, 0.45);
            const double features = std::min(rng.uniform(0.4, 0.55), 0.98 - smooth);
            t.q1 = {smooth, features, 1 - smooth - features};
            t.q2 = leadingShares<2>(rng, 1, 0.7, 0.95, {1, 0});
            t.q4 = leadingShares<2>(rng, 1, 0.5, 0.9, {1, 0});
            if (plan.ring) {
                const double odd2 = rng.uniform(0.3, 0.7);
                t.q6 = {odd2, 1 - odd2};
                t.q8 = leadingShares<7>(rng, 0, 0.5, 0.9, {0, 0.3, 0.1, 0.1, 0.3, 0.1, 0.1});
            }
            break;
        }
        case Look::Pair: {
            const double smooth = rng.uniform(0.25, 0.45);
            const double features = std::min(rng.uniform(0.3, 0.5), 0.98 - smooth);
            t.q1 = {smooth, features, 1 - smooth - features};
            const double odd2 = rng.uniform(0.5, 0.9);
            t.q6 = {odd2, 1 - odd2};
            t.q8 = leadingShares<7>(rng, 5, 0.5, 0.9, {0.05, 0.05, 0.5, 0.2, 0.15, 0, 0.05});
            break;
        }
    }
    return t;
}

Votes makeVotes(const Plan& plan, Rng& rng) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const Votes v = treeVotes(makeTree(plan, rng));
        if (defaultRuleLabel(v) == plan.label) return v;
    }
    throw std::logic_error("demo: cannot draw vote fractions for the intended label");
}

// "0.48919", "1.0", "0.0": exact decimal of a number of millionths.
void appendFraction(std::string& text, std::int64_t millionths) {
    text += std::to_string(millionths / kUnit);
    text += '.';
    std::string digits = std::to_string(millionths % kUnit);
    digits.insert(0, 6 - digits.size(), '0');
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    text += digits;
}

// ---- rendering -------------------------------------------------------------------------------
// Linear flux in units of the sky noise (per channel), BGR order. After the PSF and the noise,
// an asinh stretch on the luminance (Lupton et al. 2004) maps it to 8 bits, keeping colours.

using Colour = std::array<float, 3>;  // B, G, R

constexpr float kFullScale = 3000;  // the luminance shown as 255

Colour colour(double r, double g, double b) {
    return {static_cast<float>(b), static_cast<float>(g), static_cast<float>(r)};
}
Colour yellowish(Rng& rng) {
    return colour(rng.uniform(1.15, 1.3), 1.0, rng.uniform(0.65, 0.8));
}
Colour bluish(Rng& rng) {
    return colour(rng.uniform(0.6, 0.8), 0.95, rng.uniform(1.25, 1.5));
}

struct Placement {
    double cx = 0, cy = 0;        // centre, pixels
    double cosPa = 1, sinPa = 0;  // direction of the major axis
};

Placement place(double cx, double cy, double angle) {
    return {cx, cy, std::cos(angle), std::sin(angle)};
}

// Adds colour * profile(u, v) within `radius` of the centre; u runs along the major axis, v
// along the minor one.
template <class Profile>
void paint(cv::Mat& img, const Placement& p, double radius, const Colour& c, Profile&& profile) {
    const int x0 = std::max(0, static_cast<int>(std::floor(p.cx - radius)));
    const int x1 = std::min(img.cols - 1, static_cast<int>(std::ceil(p.cx + radius)));
    const int y0 = std::max(0, static_cast<int>(std::floor(p.cy - radius)));
    const int y1 = std::min(img.rows - 1, static_cast<int>(std::ceil(p.cy + radius)));
    const auto cs = static_cast<float>(p.cosPa), sn = static_cast<float>(p.sinPa);
    for (int y = y0; y <= y1; ++y) {
        auto* row = img.ptr<cv::Vec3f>(y);
        const auto dy = static_cast<float>(y - p.cy);
        for (int x = x0; x <= x1; ++x) {
            const auto dx = static_cast<float>(x - p.cx);
            const float value = profile(dx * cs + dy * sn, dy * cs - dx * sn);
            row[x][0] += value * c[0];
            row[x][1] += value * c[1];
            row[x][2] += value * c[2];
        }
    }
}

double sersicB(double n) {
    return 2 * n - 1.0 / 3 + 4 / (405 * n) + 46 / (25515 * n * n);
}

// Radius along the major axis where a Sersic profile falls to `level`.
double sersicReach(double re, double n, double mu, double level) {
    return re * std::pow(1 + std::log(std::max(mu, level) / level) / sersicB(n), n);
}

// Sersic profile: surface brightness `mu` at the effective radius `re` (major axis), index n,
// axis ratio q.
void addSersic(cv::Mat& img, const Placement& p, double re, double n, double q, double mu,
               const Colour& c) {
    const double b = sersicB(n);
    const double reach = sersicReach(re, n, mu, 0.02);
    const auto invRe2 = static_cast<float>(1 / (re * re)), invQ = static_cast<float>(1 / q);
    const auto halfInvN = static_cast<float>(0.5 / n), bf = static_cast<float>(b);
    const auto amp = static_cast<float>(mu * std::exp(b));
    paint(img, p, std::min(reach, 0.8 * img.cols), c, [=](float u, float v) {
        const float w = v * invQ;
        const float r2 = (u * u + w * w) * invRe2 + 1e-4f;
        return amp * std::exp(-bf * std::exp(std::log(r2) * halfInvN));
    });
}

void addGaussian(cv::Mat& img, const Placement& p, double sigmaMajor, double sigmaMinor,
                 double peak, const Colour& c) {
    const auto au = static_cast<float>(-0.5 / (sigmaMajor * sigmaMajor));
    const auto av = static_cast<float>(-0.5 / (sigmaMinor * sigmaMinor));
    const auto amp = static_cast<float>(peak);
    paint(img, p, 4.5 * sigmaMajor, c,
          [=](float u, float v) { return amp * std::exp(au * u * u + av * v * v); });
}

// The galaxy drawn so far, and what the stars must keep clear of.
struct Rendered {
    double extent = 0;  // radius around the centre that stars avoid
};

struct Frame {
    int size;
    double scale;  // size / 424
    double cx, cy;
    double angle;
};

void drawSmooth(cv::Mat& img, const Frame& f, const Plan& plan, Rng& rng, double& q,
                Rendered& out) {
    double re = 0, n = 0, mu = 0;
    switch (plan.label) {
        case 0:
            q = rng.uniform(0.9, 1.0);
            re = rng.uniform(9, 20);
            n = rng.uniform(2.5, 4.0);
            mu = rng.uniform(20, 50);
            break;
        case 1:
            q = rng.uniform(0.58, 0.78);
            re = rng.uniform(10, 22);
            n = rng.uniform(2.0, 4.0);
            mu = rng.uniform(20, 50);
            break;
        case 2:
            q = rng.uniform(0.22, 0.38);
            re = rng.uniform(14, 26);
            n = rng.uniform(1.0, 2.0);
            mu = rng.uniform(20, 45);
            break;
        default:  // ambiguous: between round and in-between
            q = rng.uniform(0.8, 0.9);
            re = rng.uniform(8, 18);
            n = rng.uniform(2.0, 4.0);
            mu = rng.uniform(12, 40);
            break;
    }
    re *= f.scale;
    addSersic(img, place(f.cx, f.cy, f.angle), re, n, q, mu, yellowish(rng));
    out.extent = sersicReach(re, n, mu, 0.3);
}

void drawEdgeOn(cv::Mat& img, const Frame& f, Plan& plan, Rng& rng, Rendered& out) {
    const double h = rng.uniform(15, 25) * f.scale;
    const double z0 = h * rng.uniform(0.14, 0.2);
    const double amp = rng.uniform(50, 110);
    const double core = 0.35 * h;
    // A dust lane: narrow, slightly off the mid-plane (the disk is not exactly edge-on).
    const double laneDepth = rng.uniform(0.6, 0.85);
    const double laneWidth = std::max(z0 * rng.uniform(0.3, 0.4), 1.1 * f.scale);
    const double laneOffset = z0 * rng.uniform(-0.25, 0.25);
    const double laneLength = h * rng.uniform(2.0, 3.5);
    const Placement p = place(f.cx, f.cy, f.angle);
    const Colour disk = colour(rng.uniform(1.1, 1.3), 1.0, rng.uniform(0.7, 0.9));
    const auto fh = static_cast<float>(1 / h), fz = static_cast<float>(2 / z0);
    const auto fcore2 = static_cast<float>(core * core), famp = static_cast<float>(amp);
    const auto fDepth = static_cast<float>(laneDepth), fOff = static_cast<float>(laneOffset);
    const auto fW = static_cast<float>(-0.5 / (laneWidth * laneWidth));
    const auto fL = static_cast<float>(-0.5 / (laneLength * laneLength));
    paint(img, p, 9 * h, disk, [=](float u, float v) {
        const float e = std::exp(-std::abs(v) * fz);
        const float sech2 = 4 * e / ((1 + e) * (1 + e));
        const float radial = std::exp(-std::sqrt(u * u + fcore2) * fh);
        const float dv = v - fOff;
        const float lane = 1 - fDepth * std::exp(fW * dv * dv + fL * u * u);
        return famp * radial * sech2 * lane;
    });
    // A small bulge (sometimes hardly any).
    plan.bulgeShare = rng.uniform(0.05, 0.25);
    const double reBulge = h * rng.uniform(0.2, 0.3);
    const double muBulge = amp * plan.bulgeShare * rng.uniform(0.5, 0.8);
    addSersic(img, p, reBulge, rng.uniform(1.5, 2.5), rng.uniform(0.65, 0.85), muBulge,
              yellowish(rng));
    out.extent = h * std::log(amp);
}

void drawSpiral(cv::Mat& img, const Frame& f, Plan& plan, Rng& rng, double& q, Rendered& out) {
    q = rng.uniform(0.55, 1.0);  // cos(inclination)
    const double h = rng.uniform(12, 19) * f.scale;
    const Placement p = place(f.cx, f.cy, f.angle);
    const auto invQ = static_cast<float>(1 / q), invH = static_cast<float>(1 / h);

    // Smooth underlying disk.
    const auto diskAmp = static_cast<float>(rng.uniform(12, 25));
    paint(img, p, 9 * h, colour(1.0, 1.0, 0.95), [=](float u, float v) {
        const float w = v * invQ;
        return diskAmp * std::exp(-std::sqrt(u * u + w * w) * invH);
    });

    // Two logarithmic arms, blue, starting outside the bulge.
    plan.pitchDeg = rng.uniform(12, 32);
    const double pitch = plan.pitchDeg * kPi / 180;
    const double rIn = h * rng.uniform(0.6, 1.0);
    const double phase = rng.uniform(0, 2 * kPi);
    const auto winding = static_cast<float>(1 / std::tan(pitch));
    const auto sharp = static_cast<float>(rng.uniform(2.5, 5.0));
    const auto armAmp = static_cast<float>(rng.uniform(40, 80));
    const auto invHArm = static_cast<float>(1 / (h * rng.uniform(1.1, 1.5)));
    const auto invRIn = static_cast<float>(1 / rIn), fPhase = static_cast<float>(phase);
    paint(img, p, 9 * h, bluish(rng), [=](float u, float v) {
        const float w = v * invQ;
        const float r = std::sqrt(u * u + w * w) + 1e-3f;
        const float phi = std::atan2(w, u);
        const float along = phi - winding * std::log(r * invRIn) - fPhase;
        const float c2 = 0.5f * (1 + std::cos(2 * along));  // cos^2: two arms
        const float x = r * invRIn;
        const float start = 1 - std::exp(-x * x * x);
        return armAmp * std::pow(c2, sharp) * start * std::exp(-r * invHArm);
    });

    // Star-forming knots along the arms.
    const Colour knot = colour(0.65, 0.9, 1.5);
    const std::size_t knots = 8 + rng.below(18);
    for (std::size_t k = 0; k < knots; ++k) {
        const double r = rIn * rng.uniform(1.0, 3.5);
        const double phi = std::log(r / rIn) / std::tan(pitch) + phase +
                           (rng.chance(0.5) ? kPi : 0.0) + rng.uniform(-0.15, 0.15);
        const double u = r * std::cos(phi), v = r * std::sin(phi) * q;
        const double x = f.cx + u * p.cosPa - v * p.sinPa;
        const double y = f.cy + u * p.sinPa + v * p.cosPa;
        const double sigma = rng.uniform(0.8, 1.6) * f.scale;
        addGaussian(img, place(x, y, 0), sigma, sigma, rng.uniform(15, 50) * std::exp(-r / h / 2),
                    knot);
    }

    // A bar along the start of the arms, in some.
    plan.barred = rng.chance(0.3);
    if (plan.barred) {
        const double angle = phase;  // disk-plane direction where the arms start
        const double bu = std::cos(angle), bv = std::sin(angle) * q;
        const double barAngle = f.angle + std::atan2(bv, bu);
        const double barLength = rIn * std::hypot(bu, bv);
        addGaussian(img, place(f.cx, f.cy, barAngle), 0.55 * barLength, 0.15 * rIn,
                    rng.uniform(30, 60), colour(1.2, 1.0, 0.75));
    }

    // Bulge.
    plan.bulgeShare = rng.uniform(0.1, 0.45);
    addSersic(img, p, h * rng.uniform(0.18, 0.3), rng.uniform(1.5, 3.0),
              std::min(1.0, q + rng.uniform(0.1, 0.3)), 60 + 300 * plan.bulgeShare, yellowish(rng));
    out.extent = 5.0 * h;
}

void drawIrregular(cv::Mat& img, const Frame& f, Rng& rng, Rendered& out) {
    // A faint diffuse body with a few clumps.
    const double re = rng.uniform(12, 22) * f.scale;
    addSersic(img, place(f.cx, f.cy, f.angle), re, rng.uniform(0.7, 1.2), rng.uniform(0.5, 1.0),
              rng.uniform(3, 8), colour(0.9, 0.95, 1.15));
    const std::size_t clumps = 3 + rng.below(5);
    for (std::size_t k = 0; k < clumps; ++k) {
        const double dx = rng.uniform(-1, 1) * re, dy = rng.uniform(-1, 1) * re;
        const double sigma = rng.uniform(2.5, 7) * f.scale;
        addGaussian(img, place(f.cx + dx, f.cy + dy, rng.uniform(0, kPi)), sigma,
                    sigma * rng.uniform(0.4, 1.0), rng.uniform(5, 15), bluish(rng));
    }
    out.extent = 3.5 * re;
}

void drawLenticular(cv::Mat& img, const Frame& f, Plan& plan, Rng& rng, double& q, Rendered& out) {
    q = rng.uniform(0.5, 1.0);
    const double h = rng.uniform(11, 17) * f.scale;
    const Placement p = place(f.cx, f.cy, f.angle);
    const auto invQ = static_cast<float>(1 / q), invH = static_cast<float>(1 / h);
    const auto amp = static_cast<float>(rng.uniform(12, 25));
    paint(img, p, 9 * h, colour(1.2, 1.0, 0.8), [=](float u, float v) {
        const float w = v * invQ;
        return amp * std::exp(-std::sqrt(u * u + w * w) * invH);
    });
    plan.ring = rng.chance(0.6);
    if (plan.ring) {
        const auto radius = static_cast<float>(h * rng.uniform(1.6, 2.4));
        const auto width = static_cast<float>(-0.5 / std::pow(h * 0.25, 2));
        const auto ringAmp = static_cast<float>(rng.uniform(8, 18));
        paint(img, p, 2 * radius + 3 * h, bluish(rng), [=](float u, float v) {
            const float w = v * invQ;
            const float d = std::sqrt(u * u + w * w) - radius;
            return ringAmp * std::exp(width * d * d);
        });
    }
    addSersic(img, p, h * rng.uniform(0.25, 0.4), rng.uniform(2, 4), std::min(1.0, q + 0.15),
              rng.uniform(60, 120), yellowish(rng));
    out.extent = 4.5 * h;
}

void drawPair(cv::Mat& img, const Frame& f, Rng& rng, Rendered& out) {
    const double separation = rng.uniform(18, 32) * f.scale;
    const double angle = rng.uniform(0, 2 * kPi);
    const double ux = std::cos(angle) * separation / 2, uy = std::sin(angle) * separation / 2;
    const double re1 = rng.uniform(7, 13) * f.scale, re2 = re1 * rng.uniform(0.5, 0.9);
    addSersic(img, place(f.cx + ux, f.cy + uy, f.angle), re1, rng.uniform(2, 4),
              rng.uniform(0.6, 1.0), rng.uniform(15, 40), yellowish(rng));
    addSersic(img, place(f.cx - ux, f.cy - uy, rng.uniform(0, kPi)), re2, rng.uniform(1.5, 4),
              rng.uniform(0.5, 1.0), rng.uniform(12, 35), yellowish(rng));
    // A faint tidal plume.
    addGaussian(img, place(f.cx - 1.5 * ux, f.cy - 1.5 * uy, angle + rng.uniform(-0.6, 0.6)),
                separation * 0.8, separation * 0.25, rng.uniform(3, 7), colour(1.0, 1.0, 0.95));
    out.extent = separation / 2 + 4.5 * re1;
}

// b/a from intensity-weighted second moments of the galaxy's (noise-free) light above
// `threshold`.
double momentAxisRatio(const cv::Mat& img, double threshold) {
    double sw = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (int y = 0; y < img.rows; ++y) {
        const auto* row = img.ptr<cv::Vec3f>(y);
        for (int x = 0; x < img.cols; ++x) {
            const double l = (static_cast<double>(row[x][0]) + row[x][1] + row[x][2]) / 3;
            if (l <= threshold) continue;
            sw += l;
            sx += l * x;
            sy += l * y;
            sxx += l * x * x;
            syy += l * y * y;
            sxy += l * x * y;
        }
    }
    if (sw <= 0) return 1;
    const double mx = sx / sw, my = sy / sw;
    const double cxx = sxx / sw - mx * mx, cyy = syy / sw - my * my, cxy = sxy / sw - mx * my;
    const double mean = (cxx + cyy) / 2;
    const double diff = std::sqrt(std::max(0.0, (cxx - cyy) * (cxx - cyy) / 4 + cxy * cxy));
    const double major = mean + diff, minor = std::max(0.0, mean - diff);
    return major > 0 ? std::sqrt(minor / major) : 1;
}

void addStars(cv::Mat& img, const Frame& f, double psf, double keepClear, Rng& rng) {
    const std::size_t count = 1 + rng.below(5);
    const double size = f.size;
    for (std::size_t k = 0; k < count; ++k) {
        for (int attempt = 0; attempt < 50; ++attempt) {
            const double x = rng.uniform(4, size - 4), y = rng.uniform(4, size - 4);
            if (std::hypot(x - f.cx, y - f.cy) < keepClear) continue;
            const double t = rng.uniform();  // colour: blue-white to red
            const Colour c = colour(0.8 + 0.6 * t, 0.95, 1.3 - 0.7 * t);
            const double peak = rng.logUniform(8, 1500);
            addGaussian(img, place(x, y, 0), psf, psf, peak, c);
            if (peak > 300)  // a faint halo around bright stars
                addGaussian(img, place(x, y, 0), 3 * psf, 3 * psf, peak * 0.02, c);
            break;
        }
    }
}

// Sky, noise and the asinh stretch to 8-bit BGR.
cv::Mat finish(cv::Mat& img, Rng& rng) {
    const Colour sky = colour(2.0 * rng.uniform(0.8, 1.2), 1.8 * rng.uniform(0.8, 1.2),
                              1.2 * rng.uniform(0.8, 1.2));
    const auto noise = static_cast<float>(rng.uniform(0.85, 1.15));
    CV_Assert(img.isContinuous());
    {
        // Four pixels (twelve values) at a time.
        auto* v = img.ptr<float>();
        const float* table = normalTable().data();
        const std::size_t n = img.total() * 3;
        std::array<float, 12> z{};
        for (std::size_t i = 0; i < n; i += 12) {
            rng.fourNormals(table, z.data());
            rng.fourNormals(table, z.data() + 4);
            rng.fourNormals(table, z.data() + 8);
            const std::size_t m = std::min<std::size_t>(12, n - i);
            for (std::size_t k = 0; k < m; ++k) v[i + k] += sky[k % 3] + noise * z[k];
        }
    }
    // Luminance x in units of the softening; the factor asinh(|x|)/|x| is the same for -x.
    constexpr float kSoft = 10;
    const float gain = 255.0f / std::asinh(kFullScale / kSoft);
    cv::Mat x;
    cv::transform(img, x, cv::Matx13f(1 / (3 * kSoft), 1 / (3 * kSoft), 1 / (3 * kSoft)));
    cv::Mat ax = cv::abs(x), root, lg;
    cv::magnitude(ax, cv::Mat::ones(ax.size(), CV_32F), root);  // sqrt(x^2 + 1)
    cv::log(ax + root, lg);                                     // asinh(|x|)
    cv::Mat out(img.rows, img.cols, CV_8UC3);
    for (int y = 0; y < img.rows; ++y) {
        const auto* in = img.ptr<cv::Vec3f>(y);
        const auto* a = ax.ptr<float>(y);
        const auto* l = lg.ptr<float>(y);
        auto* o = out.ptr<cv::Vec3b>(y);
        for (int xx = 0; xx < img.cols; ++xx) {
            const float factor = (a[xx] < 1e-3f ? 1.0f : l[xx] / a[xx]) * gain / kSoft;
            const float b = std::max(0.0f, in[xx][0] * factor);
            const float g = std::max(0.0f, in[xx][1] * factor);
            const float r = std::max(0.0f, in[xx][2] * factor);
            const float peak = std::max({b, g, r});
            const float fit = peak > 255 ? 255 / peak : 1.0f;
            o[xx] = cv::Vec3b(cv::saturate_cast<uchar>(b * fit), cv::saturate_cast<uchar>(g * fit),
                              cv::saturate_cast<uchar>(r * fit));
        }
    }
    return out;
}

struct GalaxyResult {
    Votes votes{};
    double axisRatio = 1;
};

Look lookFor(int label, Rng& rng) {
    switch (label) {
        case 0:
        case 1:
        case 2:
            return Look::Smooth;
        case 3:
            return Look::EdgeOn;
        case 4:
            return Look::Spiral;
        default: {
            constexpr std::array<Look, 4> kinds = {Look::Irregular, Look::AmbiguousSmooth,
                                                   Look::Lenticular, Look::Pair};
            return kinds[rng.below(kinds.size())];
        }
    }
}

// Draws one galaxy and writes its JPEG; returns its votes and axis ratio.
GalaxyResult renderGalaxy(int label, std::uint64_t seed, int size, const fs::path& file) {
    Rng rng(seed);
    Plan plan;
    plan.label = label;
    plan.look = lookFor(label, rng);

    Frame f{};
    f.size = size;
    f.scale = size / 424.0;
    double dx = 0, dy = 0;
    do {
        dx = rng.uniform(-15, 15);
        dy = rng.uniform(-15, 15);
    } while (std::hypot(dx, dy) > 15);
    f.cx = (size - 1) / 2.0 + dx * f.scale;
    f.cy = (size - 1) / 2.0 + dy * f.scale;
    f.angle = rng.uniform(0, kPi);

    cv::Mat img(size, size, CV_32FC3, cv::Scalar::all(0));
    Rendered drawn;
    double q = 1;
    switch (plan.look) {
        case Look::Smooth:
        case Look::AmbiguousSmooth:
            drawSmooth(img, f, plan, rng, q, drawn);
            break;
        case Look::EdgeOn:
            drawEdgeOn(img, f, plan, rng, drawn);
            break;
        case Look::Spiral:
            drawSpiral(img, f, plan, rng, q, drawn);
            break;
        case Look::Irregular:
            drawIrregular(img, f, rng, drawn);
            break;
        case Look::Lenticular:
            drawLenticular(img, f, plan, rng, q, drawn);
            break;
        case Look::Pair:
            drawPair(img, f, rng, drawn);
            break;
    }
    const double psf = rng.uniform(1.2, 1.7) * f.scale;
    cv::GaussianBlur(img, img, cv::Size(0, 0), psf, psf, cv::BORDER_REPLICATE);

    GalaxyResult result;
    // Smooth galaxies have elliptical isophotes of ratio q; for the others measure the light.
    result.axisRatio = plan.look == Look::Smooth ? q : momentAxisRatio(img, 2.0);

    addStars(img, f, psf, drawn.extent + 25 * f.scale, rng);
    const cv::Mat jpeg = finish(img, rng);
    result.votes = makeVotes(plan, rng);

    bool written = false;
    std::string why = "cannot write image";
    try {
        written = cv::imwrite(file.string(), jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
    } catch (const cv::Exception& e) {
        why += std::string(": ") + e.what();
    }
    if (!written) throw DataError(file, why + " (folder not writable or disk full?)");
    return result;
}

std::string csvText(const std::vector<std::int64_t>& ids, const std::vector<GalaxyResult>& rows) {
    std::string text = "GalaxyID";
    for (auto column : kVoteColumns) {
        text += ',';
        text += column;
    }
    text += '\n';
    text.reserve(text.size() + rows.size() * 300);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        text += std::to_string(ids[i]);
        for (std::int64_t v : rows[i].votes) {
            text += ',';
            appendFraction(text, v);
        }
        text += '\n';
    }
    return text;
}

}  // namespace

std::vector<DemoGalaxyTruth> writeDemoDataset(const fs::path& out, const DemoOptions& options,
                                              const std::stop_token& stop,
                                              const ProgressFn& progress) {
    if (options.count == 0) throw DataError(out, "the demo data set needs at least one galaxy");
    if (options.imageSize < 64 || options.imageSize > 4096)
        throw DataError(out, "demo image size must be between 64 and 4096 pixels, not " +
                                 std::to_string(options.imageSize));
    const std::size_t total = options.count;
    checkpoint(stop, progress, 0, total, "rendering");

    const fs::path imageDir = out / kKaggleImageDirName;
    const fs::path csvPath = out / kKaggleCsvName;
    std::error_code ec;
    // Never write over a user's data: only an empty (or new) folder or an earlier demo qualifies.
    const fs::path marker = out / kDemoMarkerName;
    if (fs::is_directory(out, ec) && !fs::is_empty(out, ec) && !fs::exists(marker, ec))
        throw DataError(out,
                        "folder is not empty and holds no earlier demo data set; choose an "
                        "empty or new folder");
    fs::create_directories(out, ec);
    if (ec || !fs::is_directory(out, ec))
        throw DataError(out, "cannot create the demo data folder" +
                                 (ec ? ": " + ec.message() : std::string(" (not a folder)")));
    fs::create_directories(imageDir, ec);
    if (ec) throw DataError(imageDir, "cannot create the image folder: " + ec.message());
    writeFileAtomically(marker, [](std::ostream& os) {
        os << "Written by galaxy-cli demo / galaxy-studio --demo: a synthetic data set that may "
              "be\n"
              "regenerated in place.\n";
    });
    // An earlier catalog must not survive a regeneration that stops half-way: it would point at
    // images being replaced. The new one is written atomically at the end.
    if (fs::remove(csvPath, ec); ec)
        throw DataError(csvPath, "cannot replace the earlier catalog: " + ec.message());

    // Labels, ids and per-galaxy seeds, in id order, from the run's seed.
    Rng master(detail::mixSeed(options.seed, 0x64656d6f));  // "demo"
    const std::vector<int> labels = assignLabels(total, master);
    std::vector<std::int64_t> ids(total);
    std::int64_t id = 100000;
    for (std::size_t i = 0; i < total; ++i) {
        ids[i] = id;
        id += 1 + static_cast<std::int64_t>(master.below(40));
    }
    std::vector<std::uint64_t> seeds(total);
    for (auto& s : seeds) s = master.bits();

    // Render in parallel; this thread reports progress and watches for a stop.
    std::vector<GalaxyResult> results(total);
    detail::parallelFor(total, 0, stop, progress, "rendering", [&](std::size_t i, std::size_t) {
        results[i] = renderGalaxy(labels[i], seeds[i], options.imageSize,
                                  imageDir / (std::to_string(ids[i]) + ".jpg"));
    });

    writeFileAtomically(csvPath, [&](std::ostream& os) { os << csvText(ids, results); });

    std::vector<DemoGalaxyTruth> truth(total);
    for (std::size_t i = 0; i < total; ++i) truth[i] = {ids[i], labels[i], results[i].axisRatio};
    return truth;
}

}  // namespace gz
