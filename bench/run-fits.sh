#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Reading HEALPix FITS maps: Sphaera's sph_fits_read_map against healpy.read_map(field=None),
# best of 5 each, on NSIDE 1024 maps healpy writes into a temporary directory:
# three float32 fields (IQU) and one float64 field.
# Usage: bench/run-fits.sh [BUILD_DIR]   (default build; needs bench/bench-fits built there)
set -eu
build=${1:-build}
python=${SPHAERA_PYTHON:-/usr/bin/python3}
bench="$build/bench/bench-fits"
[ -x "$bench" ] || { echo "run-fits.sh: $bench is not built (ninja -C $build bench/bench-fits)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$python" - "$tmp" <<'PY'
import sys, numpy as np, healpy as hp
out = sys.argv[1]
rng = np.random.default_rng(1)
npix = hp.nside2npix(1024)
iqu = rng.normal(size=(3, npix)).astype(np.float32)
iqu[:, ::100] = hp.UNSEEN
hp.write_map(out + '/iqu_float32.fits', list(iqu), dtype=np.float32, overwrite=True)
t = rng.normal(size=npix)
hp.write_map(out + '/t_float64.fits', t, dtype=np.float64, overwrite=True)
PY

"$bench" --repeat 5 "$tmp/iqu_float32.fits" "$tmp/t_float64.fits" > "$tmp/sphaera.txt"

"$python" - "$tmp/iqu_float32.fits" "$tmp/t_float64.fits" > "$tmp/healpy.txt" <<'PY'
import sys, time, warnings, healpy as hp
warnings.simplefilter('ignore')
for path in sys.argv[1:]:
    best = float('inf')
    for _ in range(5):
        t0 = time.perf_counter()
        m = hp.read_map(path, field=None)
        best = min(best, time.perf_counter() - t0)
    print(path, '%.6f' % best)
PY

echo "HEALPix FITS read, NSIDE 1024, best of 5 (OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset})"
printf '%-32s %12s %12s %8s\n' "file" "sphaera (s)" "healpy (s)" "ratio"
while read -r path nside nfields type sph; do
  hp=$(awk -v p="$path" '$1 == p { print $2 }' "$tmp/healpy.txt")
  label="$(basename "$path") ($nfields x $type)"
  awk -v l="$label" -v s="$sph" -v h="$hp" \
    'BEGIN { printf "%-32s %12.4f %12.4f %7.2fx\n", l, s, h, h / s }'
done < "$tmp/sphaera.txt"
echo "ratio = healpy time / Sphaera time (above 1: Sphaera is faster)"
