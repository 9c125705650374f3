#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sets up Sphaera on Debian 12: installs the Debian packages that are missing (as root,
# or through sudo), then optionally builds and runs the app or the tests.
#
#   bash setup.sh           install what is missing
#   bash setup.sh --run     ... then build and open the app on its built-in demo sky
#   bash setup.sh --test    ... then build and run every test (UI tests under Xvfb)
#
# It is idempotent: packages already installed are skipped, an existing build is reused.
set -euo pipefail
cd "$(dirname "$0")"

# Build: compiler, meson, the libraries. App: GTK 4, epoxy, Mesa's software GL.
# Tests: Xvfb for the UI tests; Debian's healpy/numpy/astropy/matplotlib/emcee as references;
# pdftoppm and rsvg-convert to check exported PDF and SVG figures.
PACKAGES=(
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libepoxy-dev libcairo2-dev
  libfftw3-dev libopenblas-dev liblapacke-dev libcfitsio-dev zlib1g-dev
  libgl1-mesa-dri xvfb xauth
  python3-healpy python3-numpy python3-astropy python3-matplotlib python3-emcee
  poppler-utils librsvg2-bin
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    echo "setup.sh: these packages are missing and I am neither root nor have sudo: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  "${as_root[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

configure() {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@"
  fi
}

case "${1:-}" in
  "")
    ;;
  --run)
    configure build
    meson compile -C build
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      echo "setup.sh: no display (DISPLAY and WAYLAND_DISPLAY are unset); starting the app under Xvfb." >&2
      exec xvfb-run -a env GDK_BACKEND=x11 ./build/app/sphaera
    fi
    exec ./build/app/sphaera
    ;;
  --test)
    # CI turns warnings into errors; a developer's newer compiler should not break the build.
    werror=false
    [ "${CI:-}" = "true" ] && werror=true
    configure build -Dwerror="$werror"
    meson compile -C build
    xvfb-run -a -s '-screen 0 1600x1000x24' meson test -C build --print-errorlogs --num-processes 2
    ;;
  *)
    echo "usage: bash setup.sh [--run | --test]" >&2
    exit 1
    ;;
esac
