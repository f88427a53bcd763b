#!/usr/bin/env bash
# The memory-safety part of the README's test command (called by run-tests.sh):
#  1. every target built with AddressSanitizer + LeakSanitizer + UndefinedBehaviorSanitizer (gcc,
#     CMakePresets.json "sanitize") and the whole test suite run on it, except the three tests
#     labelled perf (wall-clock limits, meaningless at the sanitizers' speed);
#  2. the fuzz targets (tests/fuzz) built with clang 14's libFuzzer + ASan + UBSan ("fuzz") and
#     each parser fuzzed for FUZZ_SECONDS (default 20) by packaging/fuzz.sh, from the fixed
#     FUZZ_SEED (default 1) so that a commit's round is reproducible.
# Usage: bash packaging/sanitize-tests.sh [BUILD_DIR_PREFIX]  (builds PREFIX-sanitize, PREFIX-fuzz)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-$root/build}
jobs=$(nproc)

cd "$root"
cmake --preset sanitize -B "$prefix-sanitize"
cmake --build "$prefix-sanitize" -j"$jobs"
source "$root/packaging/sanitizers/options.sh"
export QT_QPA_PLATFORM=offscreen
export OMP_WAIT_POLICY=PASSIVE  # idle OpenMP threads sleep: several tests share the cores
# Qt Test stops a test function after 5 minutes; under the sanitizers, beside another test, the
# real-sample tour's training takes longer (ctest's own per-test timeouts still apply).
export QTEST_FUNCTION_TIMEOUT=900000
ctest --test-dir "$prefix-sanitize" --output-on-failure -j"$jobs" -LE perf

cmake --preset fuzz -B "$prefix-fuzz"
cmake --build "$prefix-fuzz" -j"$jobs"
ctest --test-dir "$prefix-fuzz" --output-on-failure -j"$jobs"
FUZZ_SEED=${FUZZ_SEED:-1} bash "$root/packaging/fuzz.sh" "$prefix-fuzz" "${FUZZ_SECONDS:-20}"
