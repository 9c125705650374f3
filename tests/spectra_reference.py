# SPDX-License-Identifier: GPL-3.0-or-later
"""healpy reference values for test-spectra and test-fields.

    spectra_reference.py MODE DIR NSIDE LMAX [FWHM_RAD]

reads raw little-endian float64 inputs from DIR and writes DIR/out.bin.
  anafast: tqu.bin, tqu2.bin (3 x npix each), mask.bin (npix) ->
           anafast(I) | anafast(IQU, pol) | anafast(IQU, IQU2, pol) |
           anafast(remove_dipole(I over mask) * mask) | same with remove_monopole
  fields:  alm.bin (3 x nalm complex T, E, B), tqu.bin ->
           alm2map(alm, nside, fwhm, pol) (3 x npix) | smoothing(I, fwhm, iter=3) (npix) |
           smoothing(IQU, fwhm, iter=3, pol) (3 x npix) | gauss_beam(fwhm, lmax, pol) (4 x (lmax+1))
  pixwin:  pixwin(nside, lmax=lmax, pol=True): T | pol (healpy-data's table)
  rotate:  (extra args PSI THETA PHI) alm.bin (nalm complex), tqu.bin ->
           rotate_alm(alm, psi, theta, phi) | Rotator(coord=GC).rotate_alm(alm) (complex as
           pairs) | Rotator(coord=CE).rotate_map_alms(IQU) | Rotator(coord=GE) of I alone
"""
import os
import sys

import healpy as hp
import numpy as np

mode, d, nside, lmax = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
npix = 12 * nside * nside
out = []
if mode == "anafast":
    tqu = np.fromfile(os.path.join(d, "tqu.bin")).reshape(3, npix)
    tqu2 = np.fromfile(os.path.join(d, "tqu2.bin")).reshape(3, npix)
    mask = np.fromfile(os.path.join(d, "mask.bin"))
    out.append(hp.anafast(tqu[0], lmax=lmax, iter=3))
    out.append(np.asarray(hp.anafast(tqu, lmax=lmax, iter=3, pol=True)).ravel())
    out.append(np.asarray(hp.anafast(tqu, tqu2, lmax=lmax, iter=3, pol=True)).ravel())
    for remove in (hp.remove_dipole, hp.remove_monopole):
        m = tqu[0].copy()
        m[mask == 0] = hp.UNSEEN
        m = remove(m, verbose=False)
        m[mask == 0] = 0.0
        out.append(hp.anafast(m * mask, lmax=lmax, iter=3))
elif mode == "fields":
    fwhm = float(sys.argv[5])
    alm = np.fromfile(os.path.join(d, "alm.bin"), dtype=np.complex128).reshape(3, -1)
    tqu = np.fromfile(os.path.join(d, "tqu.bin")).reshape(3, npix)
    out.append(np.asarray(hp.alm2map(alm, nside, lmax=lmax, fwhm=fwhm, pol=True)).ravel())
    out.append(hp.smoothing(tqu[0], fwhm=fwhm, lmax=lmax, iter=3, use_pixel_weights=False))
    out.append(np.asarray(hp.smoothing(tqu, fwhm=fwhm, lmax=lmax, iter=3, pol=True)).ravel())
    out.append(np.asarray(hp.gauss_beam(fwhm, lmax=lmax, pol=True)).T.ravel())
elif mode == "rotate":
    psi, theta, phi = (float(x) for x in sys.argv[5:8])
    alm = np.fromfile(os.path.join(d, "alm.bin"), dtype=np.complex128)
    tqu = np.fromfile(os.path.join(d, "tqu.bin")).reshape(3, npix)
    a = alm.copy()
    hp.rotate_alm(a, psi, theta, phi)
    out.append(a.view(np.float64))
    out.append(hp.Rotator(coord=["G", "C"]).rotate_alm(alm).view(np.float64))
    out.append(np.asarray(hp.Rotator(coord=["C", "E"]).rotate_map_alms(
        tqu, use_pixel_weights=False, lmax=lmax)).ravel())
    out.append(hp.Rotator(coord=["G", "E"]).rotate_map_alms(
        tqu[0], use_pixel_weights=False, lmax=lmax))
elif mode == "pixwin":
    out.extend(hp.pixwin(nside, lmax=lmax, pol=True))
else:
    sys.exit("unknown mode " + mode)
np.concatenate(out).astype("<f8").tofile(os.path.join(d, "out.bin"))
