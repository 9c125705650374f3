# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference transforms from healpy for tests/test-sht.c and tests/test-sht-spin.c.

Usage: sht_reference.py spin0|spin2 OUT

Draws alm with numpy's RandomState (fixed seeds; a_l0 real) and white-noise maps, runs
healpy on them and writes one binary file of cases, each
    int64 nside, lmax, nalm, npix
then, for spin0:
    complex128 alm[nalm]                  the input
    float64    map[npix]                  alm2map(alm)
    complex128 iter3[nalm]                map2alm(map, iter=3, use_weights=False)
    float64    noise[npix]                a white-noise map (not band-limited)
    complex128 noise0[nalm], noise3[nalm] map2alm(noise, iter=0 and 3)
and for spin2 the same with three fields each (T, E, B alm; I, Q, U maps):
    complex128 alm[3][nalm], float64 map[3][npix], complex128 iter3[3][nalm],
    float64 noise[3][npix], complex128 noise0[3][nalm], noise3[3][nalm].
"""

import sys

import numpy as np

import healpy as hp

CASES = [(16, 32), (32, 64), (64, 128), (32, 95)]


def random_alm(rng, lmax):
    n = hp.Alm.getsize(lmax)
    a = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    a[: lmax + 1] = a[: lmax + 1].real  # m = 0 is real for a real field
    return a


def main():
    mode, out = sys.argv[1], sys.argv[2]
    with open(out, "wb") as f:
        for k, (nside, lmax) in enumerate(CASES):
            rng = np.random.RandomState(1000 + k)
            nalm, npix = hp.Alm.getsize(lmax), hp.nside2npix(nside)
            np.array([nside, lmax, nalm, npix], dtype=np.int64).tofile(f)
            if mode == "spin0":
                alm = random_alm(rng, lmax)
                m = hp.alm2map(alm, nside, lmax=lmax)
                it3 = hp.map2alm(m, lmax=lmax, iter=3, use_weights=False)
                noise = rng.standard_normal(npix)
                n0 = hp.map2alm(noise, lmax=lmax, iter=0, use_weights=False)
                n3 = hp.map2alm(noise, lmax=lmax, iter=3, use_weights=False)
            else:
                alm = np.array([random_alm(rng, lmax) for _ in range(3)])
                alm[1:, hp.Alm.getidx(lmax, np.arange(2), 0)] = 0  # E, B have l >= 2
                m = np.array(hp.alm2map(list(alm), nside, lmax=lmax, pol=True))
                it3 = np.array(hp.map2alm(m, lmax=lmax, iter=3, pol=True, use_weights=False))
                noise = rng.standard_normal((3, npix))
                n0 = np.array(hp.map2alm(noise, lmax=lmax, iter=0, pol=True, use_weights=False))
                n3 = np.array(hp.map2alm(noise, lmax=lmax, iter=3, pol=True, use_weights=False))
            for arr, dt in ((alm, np.complex128), (m, np.float64), (it3, np.complex128),
                            (noise, np.float64), (n0, np.complex128), (n3, np.complex128)):
                np.ascontiguousarray(arr, dtype=dt).tofile(f)


if __name__ == "__main__":
    main()
