#include "gz/labeling.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "data/csv_reader.h"
#include "gz/error.h"
#include "gz/files.h"
#include "util/json_file.h"

namespace gz {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string ruleName(const LabelRule& rule) {
    return std::string(morphologyKey(rule.label));
}

std::string formatNumber(double v) {
    if (std::isnan(v)) return "missing";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

// A rule compiled against a catalog: vote-column indices instead of names.
struct CompiledRule {
    Morphology label;
    std::vector<std::pair<std::size_t, double>> conditions;
};

std::vector<CompiledRule> compile(const Catalog& catalog, const LabelRules& rules) {
    checkRulesApplicable(catalog, rules);
    std::vector<CompiledRule> out;
    for (const auto& rule : rules.rules) {
        if (!rule.enabled) continue;
        CompiledRule c{rule.label, {}};
        for (const auto& cond : rule.conditions)
            c.conditions.emplace_back(*voteColumnIndex(cond.column), cond.threshold);
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace

LabelRules LabelRules::defaults() {
    LabelRules r;
    r.rules = {
        {Morphology::Round, true, {{"Class1.1", 0.469}, {"Class7.1", 0.50}}},
        {Morphology::InBetween, true, {{"Class1.1", 0.469}, {"Class7.2", 0.50}}},
        {Morphology::Cigar, true, {{"Class1.1", 0.469}, {"Class7.3", 0.50}}},
        {Morphology::EdgeOn, true, {{"Class1.2", 0.430}, {"Class2.1", 0.602}}},
        {Morphology::Spiral, true, {{"Class1.2", 0.430}, {"Class2.2", 0.715}, {"Class4.1", 0.619}}},
    };
    return r;
}

std::string LabelRules::toJson() const {
    json rulesJson = json::array();
    for (const auto& rule : rules) {
        json conds = json::array();
        for (const auto& c : rule.conditions)
            conds.push_back({{"column", c.column}, {"at_least", c.threshold}});
        rulesJson.push_back({{"label", ruleName(rule)},
                             {"enabled", rule.enabled},
                             {"conditions", std::move(conds)}});
    }
    return json{{"format", "galaxy-studio-label-rules"}, {"version", 1}, {"rules", rulesJson}}.dump(
        2);
}

LabelRules LabelRules::fromJson(const std::string& text, const fs::path& source) {
    const fs::path where = source.empty() ? fs::path("label rules") : source;
    const json j = detail::parseJson(text, where);
    LabelRules out;
    try {
        if (!j.is_object() || !j.contains("rules") || !j["rules"].is_array())
            throw DataError(where, "expected an object with a \"rules\" array");
        std::size_t index = 0;
        for (const auto& r : j["rules"]) {
            ++index;
            const std::string at = "rule " + std::to_string(index) + ": ";
            LabelRule rule;
            const auto label = morphologyFromKey(r.at("label").get<std::string>());
            if (!label || *label < 0)
                throw DataError(where, at + "unknown label " + r.at("label").dump() +
                                           " (expected round, in_between, cigar, edge_on, spiral)");
            rule.label = static_cast<Morphology>(*label);
            rule.enabled = r.value("enabled", true);
            for (const auto& c : r.at("conditions")) {
                Condition cond{c.at("column").get<std::string>(), c.at("at_least").get<double>()};
                if (!voteColumnIndex(cond.column))
                    throw DataError(where, at + "unknown vote column '" + cond.column + "'");
                if (!std::isfinite(cond.threshold) || cond.threshold < 0 || cond.threshold > 1)
                    throw DataError(where,
                                    at + "threshold of " + cond.column + " must be within [0, 1]");
                rule.conditions.push_back(std::move(cond));
            }
            if (rule.conditions.empty()) throw DataError(where, at + "has no condition");
            out.rules.push_back(std::move(rule));
        }
    } catch (const json::exception& e) {
        throw DataError(where, std::string("malformed label rules: ") + e.what());
    }
    return out;
}

void LabelRules::save(const fs::path& file) const {
    detail::saveJsonFile(*this, file);
}

LabelRules LabelRules::load(const fs::path& file) {
    return detail::loadJsonFile<LabelRules>(file);
}

void checkRulesApplicable(const Catalog& catalog, const LabelRules& rules) {
    for (std::size_t i = 0; i < rules.rules.size(); ++i) {
        const auto& rule = rules.rules[i];
        if (!rule.enabled) continue;
        for (const auto& c : rule.conditions) {
            if (!voteColumnIndex(c.column))
                throw DataError("label rule '" + ruleName(rule) + "' uses unknown column '" +
                                c.column + "'");
            if (!catalog.hasColumn(c.column))
                throw DataError(catalog.csvPath(),
                                "has no column '" + c.column + "', which the rule '" +
                                    ruleName(rule) + "' (rule " + std::to_string(i + 1) +
                                    ") needs; switch that rule off to label without it");
        }
    }
}

Labeling labelCatalog(const Catalog& catalog, const LabelRules& rules) {
    const auto compiled = compile(catalog, rules);
    Labeling out;
    out.labels.resize(catalog.size(), static_cast<std::int8_t>(kUnlabeled));
    for (std::size_t row = 0; row < catalog.size(); ++row) {
        for (const auto& rule : compiled) {
            bool match = true;
            for (auto [col, threshold] : rule.conditions)
                if (!(catalog.value(row, col) >= threshold)) {
                    match = false;
                    break;
                }
            if (match) {
                out.labels[row] = static_cast<std::int8_t>(labelOf(rule.label));
                break;
            }
        }
        if (out.labels[row] == kUnlabeled)
            ++out.unlabeled;
        else
            ++out.counts[static_cast<std::size_t>(out.labels[row])];
    }
    return out;
}

LabelExplanation explainLabel(const Catalog& catalog, std::size_t row, const LabelRules& rules) {
    LabelExplanation e;
    for (std::size_t i = 0; i < rules.rules.size(); ++i) {
        const auto& rule = rules.rules[i];
        if (!rule.enabled) continue;
        const Condition* failed = nullptr;
        double value = 0;
        for (const auto& c : rule.conditions) {
            const auto col = voteColumnIndex(c.column);
            value = col && catalog.hasColumn(*col) ? catalog.value(row, *col)
                                                   : std::numeric_limits<double>::quiet_NaN();
            if (!(value >= c.threshold)) {
                failed = &c;
                break;
            }
        }
        if (!failed) {
            e.label = labelOf(rule.label);
            e.matchedRule = i;
            return e;
        }
        e.failures.push_back({i, rule.label, *failed, value});
    }
    return e;
}

std::string LabelExplanation::text() const {
    std::ostringstream s;
    for (const auto& f : failures)
        s << "not " << morphologyKey(f.label) << ": " << f.condition.column << " = "
          << formatNumber(f.value) << " < " << formatNumber(f.condition.threshold) << "\n";
    if (matchedRule)
        s << morphologyKey(label) << ": rule " << (*matchedRule + 1) << " matched";
    else
        s << "unlabeled: no rule matched";
    return s.str();
}

void writeLabelsCsv(const fs::path& file, const Catalog& catalog, const Labeling& labeling) {
    writeFileAtomically(file, [&](std::ostream& out) {
        out << "GalaxyID,label,morphology\n";
        for (std::size_t r = 0; r < catalog.size(); ++r)
            out << catalog.id(r) << ',' << int(labeling.labels[r]) << ','
                << morphologyKey(labeling.labels[r]) << '\n';
    });
}

std::vector<LabeledGalaxy> labeledGalaxies(const Catalog& catalog, const Labeling& labeling) {
    std::vector<LabeledGalaxy> out;
    for (std::size_t r = 0; r < catalog.size(); ++r)
        if (labeling.labels[r] != kUnlabeled) out.push_back({catalog.id(r), labeling.labels[r]});
    return out;
}

std::vector<LabeledGalaxy> everyGalaxy(const Catalog& catalog, const Labeling& labeling) {
    std::vector<LabeledGalaxy> out;
    for (std::size_t r = 0; r < catalog.size(); ++r)
        out.push_back({catalog.id(r), labeling.labels[r]});
    return out;
}

std::vector<LabeledGalaxy> readLabelsCsv(const fs::path& file) {
    const std::string text = readWholeFile(file);
    detail::CsvReader csv(text, file);
    const std::size_t idField = csv.require("GalaxyID");
    const std::size_t labelField = csv.require("label");
    const auto morphField = csv.find("morphology");
    std::vector<LabeledGalaxy> out;
    while (csv.next()) {
        const std::int64_t label = csv.integer(labelField);
        if (label < kUnlabeled || label >= kMorphologyCount)
            csv.fail(labelField, "label " + std::to_string(label) + " is not -1..4");
        if (morphField && csv.field(*morphField) != morphologyKey(static_cast<int>(label)))
            csv.fail(*morphField, "morphology " + detail::quoted(csv.field(*morphField)) +
                                      " does not match label " + std::to_string(label));
        out.push_back({csv.integer(idField), static_cast<int>(label)});
    }
    return out;
}

}  // namespace gz
