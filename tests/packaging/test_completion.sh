#!/usr/bin/env bash
# galaxy-cli's bash completion as a user at a prompt relies on it: Tab after galaxy-cli offers
# its commands, after a command its options (all that `galaxy-cli CMD --help` lists), after a
# group its subcommands; an option's value is left to file-name completion. Drives the
# completion function as bash does, through COMP_WORDS and COMP_CWORD.
# Environment: GZ_CLI (galaxy-cli), GZ_COMPLETION (the generated file the package installs).
set -euo pipefail

fail() {
    echo "test_completion: $*" >&2
    exit 1
}

# The installed file is exactly what the command prints.
diff <("$GZ_CLI" completion bash) "$GZ_COMPLETION" >/dev/null ||
    fail "$GZ_COMPLETION differs from 'galaxy-cli completion bash'"
# shellcheck source=/dev/null
source "$GZ_COMPLETION"
[[ $(complete -p galaxy-cli) == *"-F _galaxy_cli"* ]] || fail "no completion registered"

# complete WORD... : the candidates for the last word, sorted, one line.
complete_words() {
    COMP_WORDS=(galaxy-cli "$@")
    COMP_CWORD=$#
    COMPREPLY=()
    _galaxy_cli
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect() {
    local want=$1 got
    shift
    got=$(complete_words "$@")
    [[ $got == "$want" ]] || fail "galaxy-cli $* <Tab>: expected '$want', got '$got'"
}

# The commands galaxy-cli --help lists, in its "Subcommands:" section.
commands=$("$GZ_CLI" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF { print $1 }' |
    sort | tr '\n' ' ' | sed 's/ $//')
[[ $commands == *train* && $commands == *completion* ]] || fail "unexpected --help: $commands"
expect "$commands" ""
expect "train" tr
expect "predict preprocess" pre
expect "--help --version" --
expect "catalog map preprocess similar train" bench ""
expect "pegasus slurm" workflow ""

# Every option `galaxy-cli train --help` names is offered after `train --`.
train_options=$("$GZ_CLI" train --help | grep -oE '(^|[ ,])--[a-z][a-z0-9-]*' |
    sed 's/^[ ,]*//' | sort -u | tr '\n' ' ' | sed 's/ $//')
[[ $train_options == *--epochs* ]] || fail "train --help lists no --epochs: $train_options"
expect "$train_options" train --
expect "--epochs" train --ep
# A subcommand's option is found past earlier options and their values.
expect "--epochs" train --out run1 --model compact --ep
expect "--model" bench train --threads 2 --mo
# The value of an option is a file name (bash's default completion): no candidates of ours.
expect "" train --out ""
expect "" label --data ""
# A value that looks like a command does not change the command.
expect "--epochs" train --out bench --ep
echo "test_completion: ok"
