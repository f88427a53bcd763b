#include "util/json_file.h"

#include "gz/error.h"

namespace gz::detail {

nlohmann::json parseJson(const std::string& text, const std::filesystem::path& where) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw DataError(where, std::string("not valid JSON: ") + e.what());
    }
}

}  // namespace gz::detail
