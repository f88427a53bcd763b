#include "gz/train_options.h"

#include "gz/error.h"

namespace gz {

std::string joinOptionKeys(const std::vector<std::string>& keys, std::string_view separator) {
    std::string joined;
    for (const auto& key : keys) {
        if (!joined.empty()) joined += separator;
        joined += key;
    }
    return joined;
}

void throwUnknownOption(std::string_view field, const std::vector<std::string>& keys) {
    std::string list;
    for (std::size_t i = 0; i < keys.size(); ++i)
        list += (i == 0 ? "" : i + 1 == keys.size() ? " or " : ", ") + keys[i];
    throw DataError("training configuration: " + std::string(field) + " must be " + list);
}

}  // namespace gz
