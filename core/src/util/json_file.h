#pragma once
// Private to core: the JSON documents of the settings (label rules, augmentation parameters):
// parsing with errors that name the file, and their atomic save and load.

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "gz/error.h"
#include "gz/files.h"

namespace gz::detail {

/// Parses `text`; DataError naming `where` ("not valid JSON: ...") when it is not JSON.
nlohmann::json parseJson(const std::string& text, const std::filesystem::path& where);

/// `object[key]` as T; DataError naming `where` and the key (after `context`, e.g. "cannot read
/// checkpoint: ") when it is missing or of another type. A whole-number T needs a whole number that
/// fits it (2.0 is accepted): nlohmann's own get<int>() casts any number, which is undefined
/// behaviour for a float out of range (fuzzing found 8.9e70 for an int) and a silent wrap for a
/// large integer.
template <typename T>
T jsonField(const nlohmann::json& object, const std::string& key,
            const std::filesystem::path& where, const std::string& context = {}) {
    const auto it = object.find(key);
    if (it == object.end()) throw DataError(where, context + "has no \"" + key + "\"");
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        if (!it->is_number())
            throw DataError(where, context + "\"" + key + "\" has the wrong type: " + it->dump());
        bool fits = false;
        if (it->is_number_unsigned())
            fits = std::in_range<T>(it->template get<std::uint64_t>());
        else if (it->is_number_integer())
            fits = std::in_range<T>(it->template get<std::int64_t>());
        else if (it->is_number_float()) {
            // T's range as doubles, both ends exact: [min, 2^digits) (2^digits is max + 1).
            const double d = it->template get<double>();
            if (std::trunc(d) == d && d >= static_cast<double>(std::numeric_limits<T>::min()) &&
                d < std::ldexp(1.0, std::numeric_limits<T>::digits))
                return static_cast<T>(d);
        }
        if (!fits)
            throw DataError(where, context + "\"" + key + "\" must be a whole number from " +
                                       std::to_string(std::numeric_limits<T>::min()) + " to " +
                                       std::to_string(std::numeric_limits<T>::max()) + ", not " +
                                       it->dump());
        return it->is_number_unsigned() ? static_cast<T>(it->template get<std::uint64_t>())
                                        : static_cast<T>(it->template get<std::int64_t>());
    } else {
        try {
            return it->template get<T>();
        } catch (const nlohmann::json::exception&) {
            throw DataError(where, context + "\"" + key + "\" has the wrong type: " + it->dump());
        }
    }
}

/// Writes `value.toJson()` and a newline to `file` atomically.
template <typename T>
void saveJsonFile(const T& value, const std::filesystem::path& file) {
    const std::string text = value.toJson() + "\n";
    writeFileAtomically(file, [&](std::ostream& out) { out << text; });
}

/// `T::fromJson` of the whole of `file`, which its errors name.
template <typename T>
T loadJsonFile(const std::filesystem::path& file) {
    return T::fromJson(readWholeFile(file), file);
}

}  // namespace gz::detail
