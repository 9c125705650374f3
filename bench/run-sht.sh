#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs bench-sht beside healpy (Debian's healpy calls libsharp) on the same cases:
# HEALPix alm2map and map2alm (iter=0, no ring weights) with lmax = 2 NSIDE, on 1 and 2
# OpenMP threads, median of REPS runs after a warm-up, and prints each time and the
# ratio sphaera / healpy (below 1: sphaera is faster). On a shared machine set ROUNDS=3:
# the two programs then take turns that many times and each case keeps its best median.
#
# usage: [ROUNDS=n] [REPS=n] bench/run-sht.sh [BUILD_DIR [NSIDE...]]
#        defaults: BUILD_DIR build, NSIDE 256 512 1024, ROUNDS 1, REPS 5
set -eu

build=${1:-build}
if [ $# -gt 1 ]; then
  shift 1
  nsides=$*
else
  nsides="256 512 1024"
fi
bench="$build/bench/bench-sht"
python=${SPHAERA_PYTHON:-/usr/bin/python3}
rounds=${ROUNDS:-1}
reps=${REPS:-5}

if [ ! -x "$bench" ]; then
  echo "run-sht.sh: $bench not found; build it first: ninja -C $build bench/bench-sht" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/ref.py" <<'PYTHON'
import sys, time
import numpy as np
import healpy as hp

nside, reps = int(sys.argv[1]), int(sys.argv[2])
lmax = 2 * nside
rs = np.random.RandomState(2024)
n = hp.Alm.getsize(lmax)
alm = rs.standard_normal(n) + 1j * rs.standard_normal(n)
alm[: lmax + 1] = alm[: lmax + 1].real

def median_time(f):
    f()  # warm-up
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))

m = hp.alm2map(alm, nside, lmax=lmax)
ta = median_time(lambda: hp.alm2map(alm, nside, lmax=lmax))
tm = median_time(lambda: hp.map2alm(m, lmax=lmax, iter=0, use_weights=False))
print("%.4f %.4f" % (ta, tm))
PYTHON

min2() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }'; }

echo "# healpy $("$python" -c 'import healpy; print(healpy.__version__)'), lmax = 2 NSIDE, median of $reps, best of $rounds round(s)"
printf '%-6s %-7s %-8s %12s %12s %8s %12s %12s %8s\n' nside threads kernel \
  "alm2map_s" "healpy_s" "ratio" "map2alm_s" "healpy_s" "ratio"
for nside in $nsides; do
  for threads in 1 2; do
    sa="" sm="" ha="" hm="" kernel=""
    r=0
    while [ "$r" -lt "$rounds" ]; do
      line=$(OMP_NUM_THREADS=$threads "$bench" --nside "$nside" --threads "$threads" --reps "$reps")
      a=$(echo "$line" | sed -n 's/.*alm2map_s=\([0-9.]*\).*/\1/p')
      m=$(echo "$line" | sed -n 's/.*map2alm_s=\([0-9.]*\).*/\1/p')
      kernel=$(echo "$line" | sed -n 's/.*kernel=\([a-z0-9]*\).*/\1/p')
      sa=$(min2 "$a" "$sa")
      sm=$(min2 "$m" "$sm")
      set -- $(OMP_NUM_THREADS=$threads "$python" "$tmp/ref.py" "$nside" "$reps")
      ha=$(min2 "$1" "$ha")
      hm=$(min2 "$2" "$hm")
      r=$((r + 1))
    done
    awk -v n="$nside" -v t="$threads" -v k="$kernel" -v sa="$sa" -v ha="$ha" -v sm="$sm" -v hm="$hm" \
      'BEGIN { printf "%-6s %-7s %-8s %12.4f %12.4f %8.2f %12.4f %12.4f %8.2f\n", n, t, k, sa, ha, sa / ha, sm, hm, sm / hm }'
  done
done
