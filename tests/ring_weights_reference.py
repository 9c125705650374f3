# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference analyses from healpy for tests/test-ring-weights.c and the mmax cases of
tests/test-sht.c.

Usage: ring_weights_reference.py weights|mmax OUT

weights: per case (nside, lmax) a white-noise map (power beyond lmax) and healpy's
map2alm(use_weights=True) with iter 0 and 3:
    int64 nside, lmax, nalm, npix; float64 map[npix]; complex128 iter0[nalm], iter3[nalm]
mmax: per case (nside, lmax, mmax) random alm with m <= mmax, healpy's alm2map of them and
map2alm(iter=3, mmax=mmax) of a white-noise map:
    int64 nside, lmax, mmax, nalm, npix; complex128 alm[nalm]; float64 map[npix];
    float64 noise[npix]; complex128 noise3[nalm]
Writes an empty OUT when healpy or numpy is missing (the tests then skip).
"""

import sys

try:
    import numpy as np
    import healpy as hp
except ImportError:
    open(sys.argv[2], "wb").close()
    sys.exit(0)


def main():
    mode, out = sys.argv[1], sys.argv[2]
    with open(out, "wb") as f:
        if mode == "weights":
            for k, (nside, lmax) in enumerate([(16, 32), (32, 64), (64, 191)]):
                rng = np.random.RandomState(2000 + k)
                nalm, npix = hp.Alm.getsize(lmax), hp.nside2npix(nside)
                np.array([nside, lmax, nalm, npix], dtype=np.int64).tofile(f)
                m = rng.standard_normal(npix)
                a0 = hp.map2alm(m, lmax=lmax, iter=0, use_weights=True)
                a3 = hp.map2alm(m, lmax=lmax, iter=3, use_weights=True)
                for arr, dt in ((m, np.float64), (a0, np.complex128), (a3, np.complex128)):
                    np.ascontiguousarray(arr, dtype=dt).tofile(f)
        else:
            for k, (nside, lmax, mmax) in enumerate([(16, 40, 10), (32, 64, 0), (32, 80, 33)]):
                rng = np.random.RandomState(3000 + k)
                nalm, npix = hp.Alm.getsize(lmax, mmax), hp.nside2npix(nside)
                np.array([nside, lmax, mmax, nalm, npix], dtype=np.int64).tofile(f)
                alm = rng.standard_normal(nalm) + 1j * rng.standard_normal(nalm)
                alm[: lmax + 1] = alm[: lmax + 1].real
                m = hp.alm2map(alm, nside, lmax=lmax, mmax=mmax)
                noise = rng.standard_normal(npix)
                n3 = hp.map2alm(noise, lmax=lmax, mmax=mmax, iter=3, use_weights=False)
                for arr, dt in ((alm, np.complex128), (m, np.float64), (noise, np.float64),
                                (n3, np.complex128)):
                    np.ascontiguousarray(arr, dtype=dt).tofile(f)


if __name__ == "__main__":
    main()
