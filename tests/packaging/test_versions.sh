#!/usr/bin/env bash
# --version of both programs, as a user reporting a bug copies it: the project's version, then
# the libraries each runs with. The expected versions are the ones CMake found at build time
# (Debian's packages: the libraries run are the ones built against).
# Arguments: GALAXY_CLI GALAXY_STUDIO PROJECT_VERSION QT_VERSION OPENCV_VERSION TORCH_VERSION
set -euo pipefail
cli=$1 studio=$2 project=$3 qt=$4 opencv=$5 torch=$6

fail() {
    echo "test_versions: $*" >&2
    exit 1
}

got=$("$cli" --version) || fail "galaxy-cli --version failed"
want=$(printf 'galaxy-cli %s\nOpenCV %s\nLibTorch %s' "$project" "$opencv" "$torch")
[[ $got == "$want" ]] || fail "galaxy-cli --version: expected '$want', got '$got'"

# Without a display: --version must not need one.
got=$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$studio" --version) ||
    fail "galaxy-studio --version failed"
want=$(printf 'galaxy-studio %s\nQt %s\nOpenCV %s\nLibTorch %s' "$project" "$qt" "$opencv" "$torch")
[[ $got == "$want" ]] || fail "galaxy-studio --version: expected '$want', got '$got'"
got=$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$studio" -v)
[[ $got == "$want" ]] || fail "galaxy-studio -v: expected '$want', got '$got'"
echo "test_versions: ok"
