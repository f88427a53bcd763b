#pragma once
// Private to the demo generator: vote fractions that follow the Galaxy Zoo 2 decision tree and
// give each galaxy the label its plan intends.

#include <array>
#include <cstdint>
#include <string>

#include "data/demo_plan.h"
#include "data/demo_rng.h"
#include "gz/catalog.h"

namespace gz::demo {

/// Fractions are kept as whole millionths, so that the answers of a question sum exactly to the
/// fraction that reached it, and are written exactly (at most 6 decimals).
inline constexpr std::int64_t kUnit = 1'000'000;
/// One galaxy's fractions, in kVoteColumns order, in millionths.
using Votes = std::array<std::int64_t, kVoteColumnCount>;

/// Fractions that LabelRules::defaults() label plan.label, with no value that decides it within
/// 0.002 of its threshold. Throws std::logic_error when 1000 draws give none.
Votes makeVotes(const Plan& plan, Rng& rng);

/// Appends "0.48919", "1.0", "0.0": the exact decimal of a number of millionths.
void appendFraction(std::string& text, std::int64_t millionths);

}  // namespace gz::demo
