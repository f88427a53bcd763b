#!/usr/bin/env bash
# Configures and builds a Release build of Galaxy Morphology Studio in BUILD_DIR, for the README's
# two commands (run-demo.sh, run-tests.sh). A new build folder uses Ninja (it keeps both cores
# busier than make); an existing one keeps the generator it was made with.
# Usage: bash packaging/build-release.sh BUILD_DIR [CMAKE_OPTION...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: build-release.sh BUILD_DIR [CMAKE_OPTION...]}
shift
generator=()
[[ -f $build/CMakeCache.txt ]] || generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build" -j"$(nproc)"
