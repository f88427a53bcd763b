#!/usr/bin/env bash
# Installs the dependencies, builds Galaxy Morphology Studio and opens it on the built-in demo
# data set (generated into the workspace on first use). Usage: bash packaging/run-demo.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build

bash "$root/packaging/install-deps.sh"
bash "$root/packaging/build-release.sh" "$build"
exec "$build/app/galaxy-studio" --demo "$@"
