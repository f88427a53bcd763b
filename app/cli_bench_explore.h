#pragma once
// galaxy-cli bench map and bench similar (cli_bench_explore.cpp), registered under `bench` by
// registerBenchCommands.

#include <CLI/CLI.hpp>

#include "cli_commands.h"

namespace gz::cli {

void addBenchExploreCommands(CLI::App& bench, Context& ctx);

}  // namespace gz::cli
