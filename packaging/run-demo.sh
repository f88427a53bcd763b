#!/usr/bin/env bash
# Installs the dependencies, builds Galaxy Morphology Studio and opens it on the built-in demo
# data set (generated into the workspace on first use). Usage: bash packaging/run-demo.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build

bash "$root/packaging/install-deps.sh"
# Ninja for a new build folder (it keeps both cores busier than make); an existing one keeps
# the generator it was made with.
generator=()
[[ -f $build/CMakeCache.txt ]] || generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j"$(nproc)"
exec "$build/app/galaxy-studio" --demo "$@"
