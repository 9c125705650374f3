#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs bench-corner beside the numpy/matplotlib way corner.py builds the same figure:
# per parameter np.percentile (16/50/84) and np.histogram, per pair np.histogram2d,
# scipy.ndimage.gaussian_filter (1 bin), the 68/95% levels by sorting and a cumulative
# sum, then matplotlib contourf/contour on an Agg canvas of the same size. Same sizes,
# best of REPEATS each, one thread each. Prints both lines and the ratios.
#
# usage: bench/run-corner.sh [BUILD_DIR [SAMPLES [DIM [REPEATS]]]]
#        defaults: build 320000 10 5 (a 10 000-step, 32-walker chain of gauss:10)
set -eu

build=${1:-build}
samples=${2:-320000}
dim=${3:-10}
repeats=${4:-5}
bench="$build/bench/bench-corner"
python=${SPHAERA_PYTHON:-/usr/bin/python3}

if [ ! -x "$bench" ]; then
  echo "run-corner.sh: $bench not found; build it first: ninja -C $build bench/bench-corner" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/ref.py" <<'PYTHON'
import sys, time
import numpy as np
from scipy.ndimage import gaussian_filter
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

n, dim, repeats = (int(a) for a in sys.argv[1:4])
rng = np.random.default_rng(1)
x = np.empty((n, dim))
x[:, 0] = rng.standard_normal(n)
for k in range(1, dim):
    x[:, k] = 0.9 * x[:, k - 1] + 0.43589 * rng.standard_normal(n)
bins = 40
best_stats = best_draw = 1e300
for _ in range(repeats):
    t0 = time.perf_counter()
    lo, hi = np.percentile(x, [0.5, 99.5], axis=0)
    pad = 0.1 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    q = np.percentile(x, [16, 50, 84], axis=0)
    h1 = [gaussian_filter(np.histogram(x[:, k], bins, (lo[k], hi[k]))[0].astype(float), 1, mode="constant") for k in range(dim)]
    pairs = {}
    for i in range(1, dim):
        for j in range(i):
            H = np.histogram2d(x[:, j], x[:, i], bins, [(lo[j], hi[j]), (lo[i], hi[i])])[0].T
            H = gaussian_filter(H, 1, mode="constant")
            f = np.sort(H.ravel())[::-1]
            c = np.cumsum(f) / f.sum()
            levels = [f[np.searchsorted(c, m)] for m in (0.68, 0.95)]
            pairs[i, j] = (H, levels)
    t1 = time.perf_counter()
    fig, axes = plt.subplots(dim, dim, figsize=(9, 9), dpi=100)
    for i in range(dim):
        for j in range(dim):
            ax = axes[i, j] if dim > 1 else axes
            if j > i:
                ax.set_axis_off()
            elif i == j:
                ax.plot(h1[i])
            else:
                H, levels = pairs[i, j]
                ax.contourf(H, levels=[levels[1], levels[0], H.max() * 1.0001], colors=["#8cb5e6", "#006fed"])
                ax.contour(H, levels=[levels[1], levels[0]], colors="k")
    fig.canvas.draw()
    plt.close(fig)
    t2 = time.perf_counter()
    best_stats = min(best_stats, t1 - t0)
    best_draw = min(best_draw, t2 - t1)
print("numpy+matplotlib samples=%d dim=%d stats_ms=%.1f draw_ms=%.1f total_ms=%.1f"
      % (n, dim, 1e3 * best_stats, 1e3 * best_draw, 1e3 * (best_stats + best_draw)))
PYTHON

ours=$(OMP_NUM_THREADS=1 "$bench" "$samples" "$dim" "$repeats")
ref=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$python" "$tmp/ref.py" "$samples" "$dim" "$repeats")
echo "$ours"
echo "$ref"
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
for key in stats_ms draw_ms total_ms; do
  a=$(field "$ours" $key)
  b=$(field "$ref" $key)
  echo "$key ratio (reference / sphaera): $(echo "$b $a" | awk '{ printf "%.1f", $1 / $2 }')"
done
