// Confident learning's thresholds and ranking, and suspects.csv (gz/suspects.h).

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gz/error.h"
#include "gz/files.h"
#include "gz/suspects.h"

namespace gz {
namespace fs = std::filesystem;

ClassThresholds confidentThresholds(const std::vector<Prediction>& outOfSample) {
    std::array<double, kMorphologyCount> sum{};
    std::array<std::size_t, kMorphologyCount> count{};
    for (const auto& p : outOfSample) {
        if (p.trueLabel < 0 || p.trueLabel >= kMorphologyCount) continue;
        const auto c = static_cast<std::size_t>(p.trueLabel);
        sum[c] += p.probabilities[c];
        ++count[c];
    }
    ClassThresholds t{};
    for (std::size_t c = 0; c < kMorphologyCount; ++c)
        t[c] = count[c] ? static_cast<float>(sum[c] / static_cast<double>(count[c])) : 1.0f;
    return t;
}

std::vector<Suspect> rankSuspects(const std::vector<Prediction>& outOfSample,
                                  const ClassThresholds& t) {
    std::vector<Suspect> out;
    for (const auto& p : outOfSample) {
        if (p.trueLabel < 0 || p.trueLabel >= kMorphologyCount) continue;
        const auto given = static_cast<std::size_t>(p.trueLabel);
        // The most probable other class over its threshold, and the most probable other class.
        int overThreshold = -1, other = -1;
        for (std::size_t c = 0; c < kMorphologyCount; ++c) {
            if (c == given) continue;
            const auto more = [&](int than) {
                return than < 0 ||
                       p.probabilities[c] > p.probabilities[static_cast<std::size_t>(than)];
            };
            if (p.probabilities[c] >= t[c] && more(overThreshold))
                overThreshold = static_cast<int>(c);
            if (more(other)) other = static_cast<int>(c);
        }
        const bool flagged = p.probabilities[given] < t[given] && overThreshold >= 0;
        if (!flagged && p.predicted() == p.trueLabel) continue;
        const int suspected = flagged ? overThreshold : other;
        out.push_back({p.id, p.trueLabel, suspected, p.probabilities[given],
                       p.probabilities[static_cast<std::size_t>(suspected)], flagged});
    }
    std::sort(out.begin(), out.end(), [](const Suspect& a, const Suspect& b) {
        if (a.pGiven != b.pGiven) return a.pGiven < b.pGiven;
        if (a.margin() != b.margin()) return a.margin() > b.margin();
        return a.id < b.id;
    });
    return out;
}

void writeSuspectsCsv(const fs::path& file, const std::vector<Suspect>& suspects,
                      const Catalog& catalog, const LabelRules& rules) {
    writeFileAtomically(file, [&](std::ostream& out) {
        out << "rank,GalaxyID,given,suspected,p_given,p_suspected,margin,over_threshold,"
               "rules_label,deciding_votes,closest_to_threshold\n";
        char buf[64];
        for (std::size_t i = 0; i < suspects.size(); ++i) {
            const Suspect& s = suspects[i];
            out << i + 1 << ',' << s.id << ',' << morphologyKey(s.given) << ','
                << morphologyKey(s.suspected);
            for (const float v : {s.pGiven, s.pSuspected, s.margin()}) {
                std::snprintf(buf, sizeof buf, ",%.4f", static_cast<double>(v));
                out << buf;
            }
            out << ',' << (s.overThreshold ? "yes" : "no");
            const auto row = catalog.rowOf(s.id);
            if (!row) {
                out << ",,,\n";
                continue;
            }
            const LabelExplanation why = explainLabel(catalog, *row, rules);
            out << ',' << morphologyKey(why.label) << ',';
            // The deciding rule's conditions, "Class1.1 0.512>=0.469; ...", and the smallest slack.
            double closest = NAN;
            if (why.matchedRule) {
                const LabelRule& rule = rules.rules[*why.matchedRule];
                for (std::size_t c = 0; c < rule.conditions.size(); ++c) {
                    const Condition& cond = rule.conditions[c];
                    const auto column = voteColumnIndex(cond.column);
                    const double v = column ? catalog.value(*row, *column) : NAN;
                    std::snprintf(buf, sizeof buf, "%s%s %.3f>=%.3f", c ? "; " : "",
                                  cond.column.c_str(), v, cond.threshold);
                    out << buf;
                    if (std::isnan(closest) || v - cond.threshold < closest)
                        closest = v - cond.threshold;
                }
            }
            out << ',';
            if (!std::isnan(closest)) {
                std::snprintf(buf, sizeof buf, "%.3f", closest);
                out << buf;
            }
            out << '\n';
        }
    });
}

}  // namespace gz
