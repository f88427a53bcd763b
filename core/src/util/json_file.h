#pragma once
// Private to core: the JSON documents of the settings (label rules, augmentation parameters):
// parsing with errors that name the file, and their atomic save and load.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "gz/files.h"

namespace gz::detail {

/// Parses `text`; DataError naming `where` ("not valid JSON: ...") when it is not JSON.
nlohmann::json parseJson(const std::string& text, const std::filesystem::path& where);

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
