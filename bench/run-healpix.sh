#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs bench-healpix (1 and 2 OpenMP threads) beside the same cases in healpy (numpy
# vectorised ang2pix/pix2ang, same N and NSIDE, best of 5) and prints a table with the
# ratio healpy time / sphaera time (above 1: sphaera is faster). On a shared machine set
# ROUNDS=3: the three programs then take turns that many times and each case keeps its
# best time, so that a burst of load from elsewhere does not land on one side only.
#
# usage: [ROUNDS=n] bench/run-healpix.sh [BUILD_DIR [N [NSIDE...]]]
#        defaults: BUILD_DIR build, N 10000000, NSIDE 1024 1048576, ROUNDS 1
set -eu

build=${1:-build}
n=${2:-10000000}
if [ $# -gt 2 ]; then
  shift 2
  nsides=$*
else
  nsides="1024 1048576"
fi
bench="$build/bench/bench-healpix"
python=${SPHAERA_PYTHON:-/usr/bin/python3}
rounds=${ROUNDS:-1}

if [ ! -x "$bench" ]; then
  echo "run-healpix.sh: $bench not found; build it first: ninja -C $build bench/bench-healpix" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/ref.py" <<'PYTHON'
import sys, time
import numpy as np
import healpy as hp

n = int(sys.argv[1])
rs = np.random.RandomState(1234)
theta = np.arccos(1 - 2 * rs.uniform(size=n))
phi = 2 * np.pi * rs.uniform(size=n)

def best(f, repeats=5):
    t = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        t = min(t, time.perf_counter() - t0)
    return t

print("# healpy %s numpy %s points %d" % (hp.__version__, np.__version__, n))
for nside in (int(s) for s in sys.argv[2:]):
    for nest in (False, True):
        name = "nest" if nest else "ring"
        t = best(lambda: hp.ang2pix(nside, theta, phi, nest=nest))
        print("ang2pix_%s_nside%d %.6f" % (name, nside, t))
        pix = hp.ang2pix(nside, theta, phi, nest=nest)
        t = best(lambda: hp.pix2ang(nside, pix, nest=nest))
        print("pix2ang_%s_nside%d %.6f" % (name, nside, t))
        sys.stdout.flush()
PYTHON

: >"$tmp/hp"
: >"$tmp/t1"
: >"$tmp/t2"
i=0
while [ "$i" -lt "$rounds" ]; do
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$python" "$tmp/ref.py" "$n" $nsides >>"$tmp/hp"
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 "$bench" "$n" $nsides >>"$tmp/t1"
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=2 "$bench" "$n" $nsides >>"$tmp/t2"
  i=$((i + 1))
done

grep -h '^# \(healpy\|points\)' "$tmp/hp" "$tmp/t1" "$tmp/t2" | sort -u
echo "# rounds $rounds; each case: best time over all rounds (each itself a best of 5)"
awk '
  function keep(a, c, t) { if (!(c in a) || t + 0 < a[c] + 0) a[c] = t }
  FNR == 1 { file++ }
  /^#/ { next }
  file == 1 { if (!($1 in hp)) order[++k] = $1; keep(hp, $1, $2) }
  file == 2 { keep(s1, $1, $2) }
  file == 3 { keep(s2, $1, $2) }
  END {
    printf "%-26s %10s %12s %8s %12s %8s\n", "case", "healpy s", "sphaera 1t", "ratio", "sphaera 2t", "ratio"
    for (i = 1; i <= k; i++) {
      c = order[i]
      printf "%-26s %10.4f %12.4f %8.2f %12.4f %8.2f\n", c, hp[c], s1[c], hp[c] / s1[c], s2[c], hp[c] / s2[c]
    }
  }' "$tmp/hp" "$tmp/t1" "$tmp/t2"
