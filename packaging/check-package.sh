#!/usr/bin/env bash
# The Debian package as a user gets it: builds it from a Release build folder, installs it with
# apt-get (which pulls in what dpkg-shlibdeps listed), runs the INSTALLED programs on the demo
# data (galaxy-cli --version, demo, label, train; galaxy-studio offscreen on the demo data),
# checks the man pages and the bash completion, and removes the package again, also when a check
# fails. Refuses to run when the package is already installed: that copy is the user's.
# Needs root or sudo. Usage: bash packaging/check-package.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

fail() {
    echo "check-package.sh: FAILED: $*" >&2
    exit 1
}
step() { echo "check-package.sh: $*"; }

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || fail "run as root or install sudo"
    sudo_cmd=(sudo)
fi

[[ -f $build/CMakeCache.txt ]] || fail "$build is not a CMake build folder"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
[[ $build_type == Release ]] ||
    fail "$build is a '$build_type' build; the package is made from Release"

# --- build the package; CPack names the file it wrote -----------------------------------------
step "building the package in $build"
log=$(cmake --build "$build" --target package 2>&1) || fail "cmake --build --target package:
$log"
deb=$(sed -n 's/^CPack: - package: \(.*\.deb\) generated\.$/\1/p' <<<"$log" | tail -n 1)
[[ -f $deb ]] || fail "CPack reported no .deb:
$log"
package=$(dpkg-deb --field "$deb" Package)
step "built $deb"
dpkg-deb --field "$deb" Package Version Section Maintainer Depends
if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    fail "$package is already installed; remove it first (this check installs and removes it)"
fi

# --- install; from here on, the package is removed again however the script ends ------------
tmp=$(mktemp -d /tmp/gz-check-package.XXXXXX)
installed=0
studio_pid=
cleanup() {
    local status=$?
    if [[ -n $studio_pid ]] && kill -0 "$studio_pid" 2>/dev/null; then
        kill -KILL "$studio_pid" 2>/dev/null || true
    fi
    if ((installed)); then
        step "removing $package"
        DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get remove -y -qq "$package" ||
            { echo "check-package.sh: could not remove $package" >&2; status=1; }
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT

step "installing $deb"
installed=1
# apt-get needs a path with a slash to take a file; it installs the Depends from the archive.
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$(realpath "$deb")" ||
    fail "apt-get install $deb"
dpkg-query -W -f='${Status}' "$package" | grep -q 'install ok installed' ||
    fail "$package is not installed after apt-get install"

cli=/usr/bin/galaxy-cli
studio=/usr/bin/galaxy-studio
for program in "$cli" "$studio"; do
    [[ -x $program ]] || fail "$program was not installed"
    ldd "$program" | grep -q 'not found' && fail "$program lacks libraries: $(ldd "$program")"
done

# --- the installed galaxy-cli on the demo data ------------------------------------------------
# The programs run with a home folder of their own: the default workspace (caches), settings and
# recent data sets of the user running this check stay untouched.
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_DATA_HOME=$tmp/home/.local/share
export XDG_CACHE_HOME=$tmp/home/.cache
unset GZ_WORKSPACE
mkdir -p "$HOME"
step "galaxy-cli --version"
version=$("$cli" --version) || fail "galaxy-cli --version"
echo "$version"
for library in OpenCV LibTorch; do
    grep -q "^$library [0-9]" <<<"$version" || fail "galaxy-cli --version does not name $library"
done
[[ $(head -n 1 <<<"$version") == "galaxy-cli $(dpkg-deb --field "$deb" Version)" ]] ||
    fail "galaxy-cli --version is not the package's version"

step "galaxy-cli demo, label, train --epochs 1 in $tmp"
"$cli" demo --out "$tmp/demo" --count 200 || fail "galaxy-cli demo"
"$cli" label --data "$tmp/demo" --out "$tmp/labels.csv" || fail "galaxy-cli label"
[[ $(wc -l <"$tmp/labels.csv") -gt 100 ]] || fail "label wrote $(wc -l <"$tmp/labels.csv") lines"
"$cli" train --data "$tmp/demo" --out "$tmp/run" --epochs 1 --threads 2 \
    --workspace "$tmp/workspace" ||
    fail "galaxy-cli train --epochs 1"
[[ $(wc -l <"$tmp/run/metrics.csv") -eq 2 ]] ||
    fail "train --epochs 1 did not write one epoch to $tmp/run/metrics.csv"
[[ -d $tmp/workspace/cache && ! -e $HOME/.local ]] || fail "train did not use --workspace"

# --- the installed galaxy-studio, offscreen, on the demo data ---------------------------------
# Once the data set has opened, the app adds it to its recent data sets (QSettings, written at
# once): the settings file in its home here shows when that happened. It must then keep
# running; SIGTERM ends it (exit 143: killed by that signal, nothing else went wrong).
step "galaxy-studio offscreen on the demo data"
QT_QPA_PLATFORM=offscreen "$studio" "$tmp/demo" --workspace "$tmp/workspace" \
    >"$tmp/studio.log" 2>&1 &
studio_pid=$!
settings=$XDG_CONFIG_HOME/galaxy-studio/galaxy-studio.conf
for ((i = 0; ; i++)); do
    kill -0 "$studio_pid" 2>/dev/null || {
        wait "$studio_pid" && status=0 || status=$?
        fail "galaxy-studio exited ($status) before opening the demo data: $(cat "$tmp/studio.log")"
    }
    grep -qF "$tmp/demo" "$settings" 2>/dev/null && break
    ((i < 600)) || fail "galaxy-studio did not open the demo data in 60 s: $(cat "$tmp/studio.log")"
    sleep 0.1
done
sleep 3
kill -0 "$studio_pid" 2>/dev/null || fail "galaxy-studio exited after opening the demo data:
$(cat "$tmp/studio.log")"
kill -TERM "$studio_pid"
wait "$studio_pid" && status=0 || status=$?
studio_pid=
((status == 143)) || fail "galaxy-studio ended with $status on SIGTERM: $(cat "$tmp/studio.log")"
step "galaxy-studio opened the demo data and ran until terminated"

# --- man pages, completion, desktop integration -----------------------------------------------
for program in galaxy-cli galaxy-studio; do
    page=$(man -w "$program") || fail "no man page for $program"
    [[ $page == /usr/share/man/man1/$program.1.gz ]] || fail "$program's man page is $page"
    man -P cat "$program" 2>/dev/null | grep -q -- '--help' || fail "$program's man page is empty"
done
completion=/usr/share/bash-completion/completions/galaxy-cli
[[ -s $completion ]] || fail "$completion was not installed"
words=$(bash -c 'source "$1"; COMP_WORDS=(galaxy-cli tr); COMP_CWORD=1; _galaxy_cli
    echo "${COMPREPLY[*]}"' bash "$completion") || fail "sourcing $completion"
[[ $words == train ]] || fail "the installed completion completes 'tr' to '$words'"
for file in /usr/share/applications/galaxy-studio.desktop \
    /usr/share/icons/hicolor/scalable/apps/galaxy-studio.svg \
    /usr/share/icons/hicolor/48x48/apps/galaxy-studio.png; do
    [[ -s $file ]] || fail "$file was not installed"
done
metainfo=$(dpkg -L "$package" | grep '^/usr/share/metainfo/.*\.metainfo\.xml$') ||
    fail "no AppStream file installed"
appstreamcli validate --no-net "$metainfo" >/dev/null || fail "$metainfo is not valid"

step "files of $package:"
dpkg -L "$package" | grep -v '/$' | while read -r f; do [[ -d $f ]] || echo "  $f"; done

# --- remove, and check that nothing is left ----------------------------------------------------
step "removing $package"
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get remove -y -qq "$package" ||
    fail "apt-get remove $package"
installed=0
left=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
[[ -z $left || $left == *not-installed ]] || fail "$package is left as '$left' after apt-get remove"
for program in "$cli" "$studio"; do
    [[ ! -e $program ]] || fail "$program is left after removing $package"
done
step "ok: $package installs, runs and removes cleanly"
