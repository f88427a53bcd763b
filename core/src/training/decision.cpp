#include "training/decision.h"

#include "gz/catalog.h"
#include "gz/morphology.h"

namespace gz::detail {

ClassDecision::ClassDecision(Decision how, const LabelRules& rules) : how_(how) {
    for (const LabelRule& rule : rules.rules) {
        if (!rule.enabled || rule.conditions.empty()) continue;
        std::vector<std::int64_t> columns;
        for (const Condition& c : rule.conditions)
            if (const auto i = voteColumnIndex(c.column))
                columns.push_back(static_cast<std::int64_t>(*i));
        if (columns.size() == rule.conditions.size())
            rules_.push_back({static_cast<std::int64_t>(rule.label), torch::tensor(columns)});
    }
}

torch::Tensor ClassDecision::voteScores(const torch::Tensor& fractions) const {
    const torch::Tensor f = fractions.clamp_min(0);
    torch::Tensor scores = torch::zeros({f.size(0), kMorphologyCount}, f.options());
    for (const RuleColumns& r : rules_) {
        const torch::Tensor s = f.index_select(1, r.columns.to(f.device())).amin(1);
        scores.select(1, r.label).copy_(torch::maximum(scores.select(1, r.label), s));
    }
    return scores;
}

torch::Tensor ClassDecision::apply(const torch::Tensor& probabilities,
                                   const torch::Tensor& fractions) const {
    if (how_ == Decision::Head || !fractions.defined()) return probabilities;
    const torch::Tensor scores = voteScores(fractions);
    const torch::Tensor q =
        how_ == Decision::Fractions ? scores : torch::sqrt(probabilities * scores);
    const torch::Tensor total = q.sum(1, true);
    const torch::Tensor scored = total > 0;
    return torch::where(scored, q / torch::where(scored, total, torch::ones_like(total)),
                        probabilities)
        .contiguous();
}

}  // namespace gz::detail
