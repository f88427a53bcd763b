#!/usr/bin/env bash
# Installs the Debian 12 packages Galaxy Morphology Studio needs to build, test and run.
# Idempotent: packages already present are left alone. Needs root or sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  # The linker (CMakeLists.txt GZ_MOLD): ten times GNU ld's speed on the test executables.
  mold
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev libgl-dev
  libqcustomplot-dev
  libopencv-dev
  # libjpeg-turbo (libjpeg62-turbo-dev), called directly by the image decoder.
  libjpeg-dev
  libtorch-dev
  # LibTorch from Debian uses the generic BLAS interface; OpenBLAS (OpenMP build, like LibTorch)
  # replaces the slow reference BLAS.
  libopenblas0-openmp libopenblas-openmp-dev
  nlohmann-json3-dev libcli11-dev
  # Distributed training: LibTorch's c10d ProcessGroupGloo headers include <gloo/...>.
  libgloo-dev
  # The cluster workflow and its one-machine test cluster (Slurm with munge authentication,
  # packaging/slurm-cluster.sh).
  slurm-wlm munge
  # libyaml: the tests read the Pegasus workflow that galaxy-cli writes with it.
  libyaml-dev
  # Offscreen and virtual-display runs of the GUI (tests, screenshots).
  xvfb xauth imagemagick fonts-dejavu-core
  # The Debian package (packaging/CMakeLists.txt, check-package.sh): man pages from --help, PNG
  # icons rendered from the SVG, AppStream validation, dpkg-shlibdeps, bash completion, man.
  help2man librsvg2-bin appstream dpkg-dev bash-completion man-db
  # The fuzz build (clang 14's libFuzzer and sanitizer runtimes) and symbolized sanitizer reports.
  clang-14 libclang-rt-14-dev llvm-14
)

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps.sh: run as root or install sudo" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps.sh: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps.sh: all dependencies already installed"
fi
