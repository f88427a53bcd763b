#pragma once
// The Galaxy Zoo 2 decision tree over the catalog's 37 vote columns (kVoteColumns): which
// columns answer each question, and which answer leads a volunteer to it. In the Kaggle file
// the fractions are cumulative: a question's answers sum to the fraction that reached it.

#include <array>
#include <cstddef>

#include "gz/catalog.h"

namespace gz {

struct VoteQuestion {
    std::size_t first = 0;  ///< its first answer's index in kVoteColumns
    std::size_t count = 0;  ///< its answers, consecutive from `first`
    int reachedBy = -1;     ///< the kVoteColumns index of the answer leading to it; -1: everyone
};

/// Questions 1 to 11. Each question's `reachedBy` answers an earlier question, so a pass in this
/// order meets every parent before its children.
inline constexpr std::array<VoteQuestion, 11> kVoteQuestions = {{
    {0, 3, -1},   // Q1 smooth | features or disk | star or artifact
    {3, 2, 1},    // Q2 edge-on?            after 1.2 features or disk
    {5, 2, 4},    // Q3 bar?                after 2.2 not edge-on
    {7, 2, 4},    // Q4 spiral?             after 2.2
    {9, 4, 4},    // Q5 bulge prominence    after 2.2
    {13, 2, -1},  // Q6 anything odd?       everyone
    {15, 3, 0},   // Q7 how rounded?        after 1.1 smooth
    {18, 7, 13},  // Q8 the odd feature     after 6.1 odd
    {25, 3, 3},   // Q9 bulge shape         after 2.1 edge-on
    {28, 3, 7},   // Q10 arm winding        after 4.1 spiral
    {31, 6, 7},   // Q11 arm count          after 4.1 spiral
}};

namespace detail {
constexpr bool voteTreeCoversEveryColumnOnce() {
    std::size_t next = 0;
    for (const auto& q : kVoteQuestions) {
        if (q.first != next) return false;
        if (q.reachedBy >= static_cast<int>(q.first)) return false;  // parents come first
        next += q.count;
    }
    return next == kVoteColumnCount;
}
static_assert(voteTreeCoversEveryColumnOnce());
}  // namespace detail

}  // namespace gz
