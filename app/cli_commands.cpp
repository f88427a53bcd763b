#include "cli_commands.h"

#include <utility>

namespace gz::cli {

void Context::add(Command command) {
    commands_.push_back(std::move(command));
}

const Run* Context::parsed() const {
    for (const auto& c : commands_)
        if (c.cmd->parsed() && c.cmd->get_subcommands().empty()) return &c.run;
    return nullptr;
}

}  // namespace gz::cli
