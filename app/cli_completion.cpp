// galaxy-cli completion bash: a bash completion script made from this command line's own CLI11
// definitions (every command, subcommand and option), so it cannot fall behind them. The package
// installs its output as share/bash-completion/completions/galaxy-cli.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli_commands.h"
#include "cli_common.h"

namespace gz::cli {
namespace {

// What the script knows of one command: its path of subcommand names ("" for galaxy-cli
// itself, "bench train"), the words that may follow it, and its options that take a value.
struct CommandWords {
    std::string path;
    std::vector<std::string> words;
    std::vector<std::string> valued;
};

std::vector<const CLI::App*> namedSubcommands(const CLI::App& app) {
    // Unnamed ones are CLI11's option groups, not commands.
    return app.get_subcommands([](const CLI::App* sub) { return !sub->get_name().empty(); });
}

void collect(const CLI::App& app, const std::string& path, std::vector<CommandWords>& out) {
    CommandWords c{path, {}, {}};
    const auto subcommands = namedSubcommands(app);
    for (const CLI::App* sub : subcommands) c.words.push_back(sub->get_name());
    for (const CLI::Option* opt : app.get_options()) {
        if (opt->get_group().empty()) continue;                     // hidden
        const bool takesValue = opt->get_items_expected_max() > 0;  // flags expect none
        for (const auto& name : opt->get_lnames()) {
            c.words.push_back("--" + name);
            if (takesValue) c.valued.push_back("--" + name);
        }
        for (const auto& name : opt->get_snames())
            if (takesValue) c.valued.push_back("-" + name);
    }
    out.push_back(std::move(c));
    for (const CLI::App* sub : subcommands)
        collect(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
}

std::string joined(const std::vector<std::string>& words) {
    std::string text;
    for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
    return text;
}

// One `case` over the command paths, echoing a list for each.
std::string caseOverPaths(const std::vector<CommandWords>& commands,
                          std::vector<std::string> CommandWords::*list) {
    std::string text = "    case $1 in\n";
    for (const auto& c : commands)
        text += "    \"" + c.path + "\") echo \"" + joined(c.*list) + "\" ;;\n";
    return text + "    esac\n";
}

std::string bashScript(const CLI::App& root) {
    std::vector<CommandWords> commands;
    collect(root, "", commands);
    std::string s =
        "# bash completion for galaxy-cli, written by `galaxy-cli completion bash` from its own\n"
        "# command-line definitions.\n\n"
        "# The subcommands and options that may follow the command path $1.\n"
        "_galaxy_cli_words() {\n";
    s += caseOverPaths(commands, &CommandWords::words);
    s += "}\n\n# The options of the command path $1 that take a value.\n"
         "_galaxy_cli_valued() {\n";
    s += caseOverPaths(commands, &CommandWords::valued);
    s += R"(}

_galaxy_cli() {
    local cur=${COMP_WORDS[COMP_CWORD]} path="" i word
    # The command path: the words before the cursor that name a subcommand of the path so far;
    # an option that takes a value takes the next word with it.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ " $(_galaxy_cli_valued "$path") " == *" $word "* ]]; then
            ((i++))
        elif [[ $word != -* && " $(_galaxy_cli_words "$path") " == *" $word "* ]]; then
            path=${path:+$path }$word
        fi
    done
    COMPREPLY=()
    # After an option that takes a value, bash's own completion (file names) applies.
    local prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    [[ -n $prev && " $(_galaxy_cli_valued "$path") " == *" $prev "* ]] && return 0
    local words
    words=$(_galaxy_cli_words "$path")
    if [[ $cur != -* ]]; then
        # Subcommands only, unless there are none: then nothing but files.
        local w subcommands=()
        for w in $words; do [[ $w == -* ]] || subcommands+=("$w"); done
        words=${subcommands[*]}
    fi
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}
complete -o bashdefault -o default -F _galaxy_cli galaxy-cli
)";
    return s;
}

Command addCompletion(CLI::App& app) {
    auto shell = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand(
        "completion",
        "Print a shell completion script for galaxy-cli (bash: source it, or install "
        "it as share/bash-completion/completions/galaxy-cli)");
    cmd->add_option("shell", *shell, "The shell")->required()->check(CLI::IsMember({"bash"}));
    // The root App, complete with every command, once main has parsed the command line.
    const CLI::App* root = &app;
    return {cmd, [shell, root](const std::stop_token&) {
                std::fputs(bashScript(*root).c_str(), stdout);
                return kExitOk;
            }};
}

}  // namespace

void registerCompletionCommands(CLI::App& app, Context& ctx) {
    ctx.add(addCompletion(app));
}

}  // namespace gz::cli
