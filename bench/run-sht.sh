#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# HEALPix alm2map and map2alm (iter=0, no ring weights) of sphaera beside direct libsharp
# calls (bench-libsharp, one process, the two taking turns run by run) and beside healpy
# (Debian's, which calls libsharp through Python) right after, on the same cases: NSIDE
# from the command line, lmax = 2 NSIDE and 3 NSIDE - 1, 1 and 2 OpenMP threads, medians
# of REPS runs after a warm-up. Prints each time, the ratios sphaera / libsharp and
# sphaera / healpy (below 1: sphaera is faster) and the fraction of the FMA peak that
# bench-libsharp measures (work: 6 flops per (l, m, ring pair), see bench-libsharp.c).
# Without libsharp-dev, bench-sht times sphaera alone and the libsharp columns read '-'.
# On a shared machine set ROUNDS=3: each case then keeps its best medians of 3 rounds.
#
# usage: [ROUNDS=n] [REPS=n] bench/run-sht.sh [BUILD_DIR [NSIDE...]]
#        defaults: BUILD_DIR build, NSIDE 128 256 512 1024 (2048 takes minutes), ROUNDS 1, REPS 5
set -eu

build=${1:-build}
if [ $# -gt 1 ]; then
  shift 1
  nsides=$*
else
  nsides="128 256 512 1024"
fi
python=${SPHAERA_PYTHON:-/usr/bin/python3}
rounds=${ROUNDS:-1}
reps=${REPS:-5}
sharp="$build/bench/bench-libsharp"
alone="$build/bench/bench-sht"
if [ ! -x "$sharp" ] && [ ! -x "$alone" ]; then
  echo "run-sht.sh: neither $sharp nor $alone found; build them: ninja -C $build bench/bench-libsharp bench/bench-sht" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/ref.py" <<'PYTHON'
import sys, time
import numpy as np
import healpy as hp

nside, lmax, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
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

min2() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || b == "-" || (a != "-" && a + 0 < b + 0)) ? a : b }'; }
field() { echo "$1" | sed -n "s/.*[ ^]$2=\([-0-9.e+a-z]*\).*/\1/p"; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
echo "# healpy $("$python" -c 'import healpy; print(healpy.__version__)'), median of $reps, best of $rounds round(s)"
[ -x "$sharp" ] && "$sharp" --nside 16 --reps 1 --threads 1 --lmax-rule 2n | head -1
printf '%-5s %-5s %-3s %-7s | %9s %9s %9s %6s %6s %6s %6s | %9s %9s %9s %6s %6s %6s %6s\n' \
  nside lmax thr kernel a2m_s sharp_s healpy_s r_shp r_hpy pk_sph pk_shp \
  m2a_s sharp_s healpy_s r_shp r_hpy pk_sph pk_shp
for nside in $nsides; do
  for rule in 2n 3n-1; do
    if [ "$rule" = 2n ]; then lmax=$((2 * nside)); else lmax=$((3 * nside - 1)); fi
    for threads in 1 2; do
      sa="" ha="" sm="" hm="" pa="" pm="" qa="" qm="" ya="" ym="" kernel=""
      r=0
      while [ "$r" -lt "$rounds" ]; do
        if [ -x "$sharp" ]; then
          line=$(OMP_NUM_THREADS=$threads "$sharp" --nside "$nside" --lmax-rule "$rule" \
            --threads "$threads" --reps "$reps" | grep '^nside=')
          line=" $line"
          sa=$(min2 "$(field "$line" sph_alm2map_s)" "$sa")
          ha=$(min2 "$(field "$line" sharp_alm2map_s)" "$ha")
          sm=$(min2 "$(field "$line" sph_map2alm_s)" "$sm")
          hm=$(min2 "$(field "$line" sharp_map2alm_s)" "$hm")
          peak=$(field "$line" peak_gflops)
          kernel=$(field "$line" kernel)
        else
          line=" $(OMP_NUM_THREADS=$threads "$alone" --nside "$nside" --lmax "$lmax" \
            --threads "$threads" --reps "$reps")"
          sa=$(min2 "$(field "$line" alm2map_s)" "$sa")
          sm=$(min2 "$(field "$line" map2alm_s)" "$sm")
          ha="-" hm="-" peak="-"
          kernel=$(field "$line" kernel)
        fi
        set -- $(OMP_NUM_THREADS=$threads "$python" "$tmp/ref.py" "$nside" "$lmax" "$reps")
        ya=$(min2 "$1" "$ya")
        ym=$(min2 "$2" "$ym")
        r=$((r + 1))
      done
      awk -v n="$nside" -v l="$lmax" -v t="$threads" -v k="$kernel" -v sa="$sa" -v ha="$ha" \
        -v ya="$ya" -v sm="$sm" -v hm="$hm" -v ym="$ym" -v pk="$peak" '
        function ratio(a, b) { return b == "-" ? "-" : sprintf("%.2f", a / b) }
        function frac(l, t, s) {
          if (pk == "-" || s == "-") return "-"
          w = 0; for (m = 0; m <= l; m++) w += l - m + 1
          return sprintf("%.3f", 6 * w * 2 * n / s / (pk * 1e9 * t))
        }
        BEGIN {
          printf "%-5s %-5s %-3s %-7s | %9.4f %9s %9.4f %6s %6s %6s %6s | %9.4f %9s %9.4f %6s %6s %6s %6s\n",
            n, l, t, k, sa, ha, ya, ratio(sa, ha), ratio(sa, ya), frac(l, t, sa), frac(l, t, ha),
            sm, hm, ym, ratio(sm, hm), ratio(sm, ym), frac(l, t, sm), frac(l, t, hm)
        }'
    done
  done
done
