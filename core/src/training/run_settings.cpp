#include "gz/run_settings.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace gz {
namespace {

using nlohmann::ordered_json;

// A value as one line: strings unquoted, a vote condition as "Class1.1 >= 0.469", lists and
// objects joined by commas.
std::string render(const ordered_json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_null()) return "none";
    if (j.is_object() && j.size() == 2 && j.contains("column") && j.contains("at_least"))
        return render(j.at("column")) + " >= " + render(j.at("at_least"));
    if (j.is_array() || j.is_object()) {
        std::string out;
        for (const auto& [key, value] : j.items()) {
            if (!out.empty()) out += ", ";
            out += j.is_object() ? key + " " + render(value) : render(value);
        }
        return out;
    }
    return j.dump();
}

bool isLabelledList(const ordered_json& j) {
    if (!j.is_array() || j.empty()) return false;
    for (const auto& e : j)
        if (!e.is_object() || !e.contains("label") || !e.at("label").is_string()) return false;
    return true;
}

std::string join(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
}

void flatten(const ordered_json& j, const std::string& prefix, std::vector<RunSetting>& out) {
    if (j.is_object() && !j.empty()) {
        // A nested file format ({"format", "version", payload}): its payload under the prefix.
        const bool envelope = j.contains("format") && j.contains("version");
        for (const auto& [key, value] : j.items()) {
            if (envelope && (key == "format" || key == "version")) continue;
            flatten(value, envelope ? prefix : join(prefix, key), out);
        }
        return;
    }
    if (isLabelledList(j)) {  // e.g. the label rules: one setting per rule, named by its label
        for (const auto& e : j) {
            ordered_json rest = e;
            rest.erase("label");
            out.push_back({join(prefix, e.at("label").get<std::string>()), render(rest)});
        }
        return;
    }
    out.push_back({prefix, render(j)});
}

}  // namespace

std::vector<RunSetting> runSettings(const TrainConfig& config) {
    // config.json is the one place that names every setting: read the names back from it.
    const ordered_json all = ordered_json::parse(config.toJson());
    std::vector<RunSetting> out;
    flatten(all.at("config"), {}, out);
    // The run's own choices first, then the groups (augmentation, label rules).
    std::stable_partition(out.begin(), out.end(),
                          [](const RunSetting& s) { return s.key.find('.') == std::string::npos; });
    return out;
}

}  // namespace gz
