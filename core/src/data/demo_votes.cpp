#include "data/demo_votes.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

#include "gz/labeling.h"

namespace gz::demo {
namespace {

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

// A condition of LabelRules::defaults() on a vote column, in millionths.
struct RuleCondition {
    std::size_t column;
    std::int64_t threshold;
};
struct DefaultRule {
    int label;
    std::vector<RuleCondition> conditions;
};

const std::vector<DefaultRule>& defaultRules() {
    static const std::vector<DefaultRule> rules = [] {
        std::vector<DefaultRule> out;
        for (const LabelRule& rule : LabelRules::defaults().rules) {
            if (!rule.enabled) continue;
            DefaultRule r{labelOf(rule.label), {}};
            for (const Condition& c : rule.conditions) {
                const auto column = voteColumnIndex(c.column);
                if (!column) throw std::logic_error("demo: a default rule has no vote column");
                r.conditions.push_back(
                    {*column, static_cast<std::int64_t>(std::llround(c.threshold * kUnit))});
            }
            out.push_back(std::move(r));
        }
        return out;
    }();
    return rules;
}

constexpr int kAmbiguous = -2;
constexpr std::int64_t kRuleMargin = 2000;  // 0.002: no value this close to a threshold

// The label the default rules give, or kAmbiguous when a value that decides it lies within the
// margin of its threshold.
int defaultRuleLabel(const Votes& v) {
    for (const auto& rule : defaultRules()) {
        bool fails = false, unsure = false;
        for (const auto& cond : rule.conditions) {
            const std::int64_t x = v[cond.column];
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

}  // namespace

Votes makeVotes(const Plan& plan, Rng& rng) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const Votes v = treeVotes(makeTree(plan, rng));
        if (defaultRuleLabel(v) == plan.label) return v;
    }
    throw std::logic_error("demo: cannot draw vote fractions for the intended label");
}

void appendFraction(std::string& text, std::int64_t millionths) {
    text += std::to_string(millionths / kUnit);
    text += '.';
    std::string digits = std::to_string(millionths % kUnit);
    digits.insert(0, 6 - digits.size(), '0');
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    text += digits;
}

}  // namespace gz::demo
