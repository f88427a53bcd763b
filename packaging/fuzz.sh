#!/usr/bin/env bash
# Fuzzes every parser of a file a user can point the app at (tests/fuzz), each target for SECONDS
# (default 60), two at a time, in a build configured with the "sanitize" preset (GZ_FUZZ: libFuzzer
# with ASan + UBSan). The corpus grows in BUILD_DIR/fuzz-corpus and is reused by the next run; an
# input that fails is kept in BUILD_DIR/fuzz-artifacts and the script fails naming it: add it to
# tests/fuzz/regressions/<target>/ once fixed, where ctest replays it on every build.
# FUZZ_SEED fixes libFuzzer's random seed (the test command uses 1, so that a commit's fuzzing
# round is the same every time it runs and a find is reproducible); unset or 0, a random one.
# Usage: bash packaging/fuzz.sh BUILD_DIR [SECONDS] [TARGET...]   (run longer by hand: SECONDS=3600)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: fuzz.sh BUILD_DIR [SECONDS] [TARGET...]}
build=$(cd "$build" && pwd)
seconds=${2:-60}
shift $(($# > 1 ? 2 : 1))
targets=("$@")
if ((${#targets[@]} == 0)); then
    # The list CMake keeps (tests/fuzz/CMakeLists.txt), so a new target is fuzzed without an edit here.
    list=$(sed -n 's/^GZ_FUZZ_TARGETS:INTERNAL=//p' "$build/CMakeCache.txt")
    IFS=';' read -r -a targets <<<"$list"
fi
grep -q '^GZ_FUZZ:BOOL=ON' "$build/CMakeCache.txt" ||
    { echo "fuzz.sh: $build is not a GZ_FUZZ build (cmake --preset sanitize)" >&2; exit 2; }

source "$root/packaging/sanitizers/options.sh"
seeds=$build/tests/fuzz/seeds
"$build/tests/fuzz/fuzz_make_seeds" "$seeds"
logs=$build/fuzz-logs
mkdir -p "$logs"

fuzz_one() {
    local target=$1 corpus=$build/fuzz-corpus/$1 artifacts=$build/fuzz-artifacts/$1/
    local inputs=("$corpus" "$seeds/$target")
    [[ -d $root/tests/fuzz/regressions/$target ]] && inputs+=("$root/tests/fuzz/regressions/$target")
    mkdir -p "$corpus" "$artifacts"
    # New inputs go to the first folder (the corpus); -timeout: one input may take 10 s at most.
    "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -seed="${FUZZ_SEED:-0}" \
        -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=4096 -artifact_prefix="$artifacts" "${inputs[@]}" \
        >"$logs/$target.log" 2>&1
}

failed=()
running=0
declare -A pids
for target in "${targets[@]}"; do
    if ((running == 2)); then
        wait -n || true
        running=$((running - 1))
    fi
    fuzz_one "$target" &
    pids[$target]=$!
    running=$((running + 1))
done

# One of libFuzzer's final statistics (-print_final_stats) from a target's log.
final_stat() { sed -n "s/^stat::$2: *//p" "$logs/$1.log" | tail -1; }
printf '%-14s %12s %10s %8s %8s  %s\n' target executions "exec/s" "new" "rss MB" result
for target in "${targets[@]}"; do
    if wait "${pids[$target]}"; then result=ok; else result=FAILED; failed+=("$target"); fi
    printf '%-14s %12s %10s %8s %8s  %s\n' "$target" \
        "$(final_stat "$target" number_of_executed_units)" \
        "$(final_stat "$target" average_exec_per_sec)" "$(final_stat "$target" new_units_added)" \
        "$(final_stat "$target" peak_rss_mb)" "$result"
done
if ((${#failed[@]})); then
    for target in "${failed[@]}"; do
        echo "fuzz.sh: fuzz_$target failed; the end of $logs/$target.log:" >&2
        tail -40 "$logs/$target.log" >&2
        echo "fuzz.sh: failing inputs: $(ls "$build/fuzz-artifacts/$target" | tr '\n' ' ')" >&2
    done
    exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets fuzzed for ${seconds} s each, nothing found"
