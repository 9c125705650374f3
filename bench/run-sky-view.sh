#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The sky view's speed targets beside healpy, on an NSIDE 2048 map (50 M float32 pixels)
# healpy writes into a temporary directory:
#   1. launch to first frame: bench-sky-view started with the launch time, reading the map
#      in a worker as the app does, until its first GL frame with the map is finished
#      (target < 2 s); healpy: python start, read_map, mollview, savefig of a PNG.
#   2. dragging the orthographic globe at 1280x800 for 5 s (target >= 25 frames per
#      second, presented by the frame clock); healpy: one orthview (rot changed) + savefig
#      of the same map at 1280x800 pixels, as frames per second.
# Under Xvfb with Mesa's software GL (llvmpipe); it starts xvfb-run itself without a
# DISPLAY. One run each; the load average is printed, since every other process on the
# machine takes from the same cores.
# Usage: bench/run-sky-view.sh [BUILD_DIR]   (default build; needs bench/bench-sky-view)
set -eu
build=${1:-build}
python=${SPHAERA_PYTHON:-/usr/bin/python3}
bench="$build/bench/bench-sky-view"
[ -x "$bench" ] || { echo "run-sky-view.sh: $bench is not built (ninja -C $build bench/bench-sky-view)" >&2; exit 1; }
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s '-screen 0 1500x950x24' "$0" "$@"
fi
export GDK_BACKEND=x11 GTK_A11Y=none
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$python" - "$tmp/map.fits" <<'PY'
import sys, warnings, numpy as np, healpy as hp
warnings.simplefilter('ignore')
nside = 2048
# Large-scale structure from a few harmonics plus noise, so every pixel differs.
lo = hp.synfast(np.exp(-np.arange(192) / 40.0), 64, lmax=191)
m = hp.ud_grade(lo, nside).astype(np.float32)
m += np.random.default_rng(1).normal(scale=0.05, size=m.size).astype(np.float32)
hp.write_map(sys.argv[1], m, dtype=np.float32, overwrite=True)
PY
# The file in the page cache, as it is for the reference too.
cat "$tmp/map.fits" > /dev/null

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s.%N)
"$bench" --t0 "$t0" --drag 5 --size 1280x800 "$tmp/map.fits" > "$tmp/sphaera.txt"

t0=$(date +%s.%N)
"$python" - "$tmp/map.fits" "$tmp" "$t0" > "$tmp/healpy.txt" <<'PY'
import sys, time, warnings
warnings.simplefilter('ignore')
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import healpy as hp
path, out, t0 = sys.argv[1], sys.argv[2], float(sys.argv[3])
m = hp.read_map(path)
hp.mollview(m, xsize=1280)
plt.savefig(out + '/moll.png', dpi=100)
print('launch_to_first_frame_s %.4f' % (time.time() - t0))
plt.close('all')
# One orthographic frame at 1280x800 pixels (12.8 x 8 inches at 100 dpi), turned.
t = time.perf_counter()
fig = plt.figure(figsize=(12.8, 8.0), dpi=100)
hp.orthview(m, rot=(30.0, 20.0, 0.0), half_sky=True, xsize=800, fig=fig.number)
plt.savefig(out + '/ortho.png', dpi=100)
print('ortho_frame_s %.4f' % (time.perf_counter() - t))
PY

get() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
echo "Sky view, NSIDE 2048 (50,331,648 pixels), 1280x800, Mesa llvmpipe under Xvfb, $(nproc) cores"
echo "load average (1, 5, 15 min) before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Sphaera breakdown: read $(get read_s "$tmp/sphaera.txt") s, set_map $(get set_map_s "$tmp/sphaera.txt") s," \
  "first draw $(get first_draw_s "$tmp/sphaera.txt") s (a preview), full map after" \
  "$(get full_map_after_first_frame_s "$tmp/sphaera.txt") s more; frames/s in the next second" \
  "(the full map's, then idle) $(get idle_frames_per_s "$tmp/sphaera.txt")," \
  "sharp again $(get sharpen_s "$tmp/sphaera.txt") s after the drag"
s1=$(get launch_to_first_frame_s "$tmp/sphaera.txt"); h1=$(get launch_to_first_frame_s "$tmp/healpy.txt")
s2=$(get drag_clock_fps "$tmp/sphaera.txt"); h2=$(get ortho_frame_s "$tmp/healpy.txt")
printf '%-44s %12s %12s %8s\n' "" "sphaera" "healpy" "ratio"
awk -v s="$s1" -v h="$h1" 'BEGIN { printf "%-44s %12.3f %12.3f %7.2fx\n", "launch to first frame (s, target < 2)", s, h, h / s }'
awk -v s="$s2" -v h="$h2" 'BEGIN { printf "%-44s %12.2f %12.2f %7.2fx\n", "orthographic drag (frames/s, target >= 25)", s, 1.0 / h, s * h }'
echo "ratio = healpy time / Sphaera time (above 1: Sphaera is faster)"
