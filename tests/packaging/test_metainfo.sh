#!/usr/bin/env bash
# The AppStream file the package installs: valid for appstreamcli (offline), launching the
# desktop entry the package installs, naming both programs and this version.
# Arguments: METAINFO DESKTOP_FILE PROJECT_VERSION
set -euo pipefail
metainfo=$1 desktop=$2 version=$3

fail() {
    echo "test_metainfo: $*" >&2
    exit 1
}

appstreamcli validate --no-net --pedantic "$metainfo" || fail "$metainfo is not valid"
launchable=$(sed -n 's:.*<launchable type="desktop-id">\(.*\)</launchable>.*:\1:p' "$metainfo")
[[ $launchable == "$(basename "$desktop")" ]] ||
    fail "the desktop-id '$launchable' is not the desktop file $(basename "$desktop")"
grep -q '^Exec=galaxy-studio' "$desktop" || fail "$desktop does not start galaxy-studio"
for program in galaxy-studio galaxy-cli; do
    grep -q "<binary>$program</binary>" "$metainfo" || fail "$metainfo does not name $program"
done
grep -q "<release version=\"$version\"" "$metainfo" || fail "$metainfo lacks release $version"
grep -q '<screenshot type="default">' "$metainfo" || fail "$metainfo has no default screenshot"
echo "test_metainfo: ok"
