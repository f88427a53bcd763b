#!/usr/bin/env bash
# Installs the dependencies, builds Galaxy Morphology Studio with warnings as errors, and runs
# every test with ctest; then builds, installs, runs and removes the Debian package; then runs
# the suite again on a sanitizer build (BUILD_DIR-sanitize) and fuzzes every parser of a user's
# file (BUILD_DIR-fuzz). Tests on the real Galaxy Zoo 2 sample run when GZ2_SAMPLE_DIR names it
# (they skip with a message otherwise). Usage: bash packaging/run-tests.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

bash "$root/packaging/install-deps.sh"
bash "$root/packaging/build-release.sh" "$build" -DGZ_WARNINGS_AS_ERRORS=ON
export QT_QPA_PLATFORM=offscreen
# ctest -j runs several trainings at once, each with its own OpenMP threads; by default libgomp's
# idle threads spin, taking the cores from the other tests (three training tests, two at a time:
# 79 s with spinning, 44 s with OMP_WAIT_POLICY=PASSIVE). Inherited by sanitize-tests.sh.
export OMP_WAIT_POLICY=PASSIVE
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
bash "$root/packaging/check-package.sh" "$build"  # the .deb: build, install, run, remove
bash "$root/packaging/sanitize-tests.sh" "$build"  # ASan+LSan+UBSan suite, then the fuzzers
