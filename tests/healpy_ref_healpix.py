# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference values from healpy for tests/test-healpix.c and tests/test-query-disc.c.

Usage: healpy_ref_healpix.py pixel|query

Draws a fixed set of inputs (numpy RandomState, fixed seeds), evaluates healpy on them
and prints one record per line, inputs first, then healpy's outputs. Floats are printed
with repr(), which reads back to the same double. Records:

  A nside theta phi ring nest                  ang2pix
  V nside x y z ring nest                      vec2pix (x, y, z not normalised)
  P nside pix theta_r phi_r theta_n phi_n xr yr zr xn yn zn ring2nest nest2ring
                                               pix2ang/pix2vec of pix read as RING, as NEST
  N nside pix ring[8] nest[8]                  get_all_neighbours
  C nside pix ring[12] nest[12]                boundaries(step=1), corner by corner x y z
  R nside ring startpix ringpix costheta sintheta shifted    ringinfo
  Q nside nest inclusive fact x y z radius count pix...      query_disc
"""

import sys

import numpy as np

import healpy as hp

MAX_NSIDE = 2**29


def f(x):
    return repr(float(x))


def pixel_records():
    rs = np.random.RandomState(20240611)
    nsides = [1, 2, 4, 8, 16, 64, 1024, 2**13, 2**16, 2**20, 2**24, 2**28, 2**29]
    theta_special = [0.0, 1e-300, 1e-12, 1e-9, 3e-9, 1e-7, 0.0099999, 0.01, 0.0100001,
                     np.arccos(0.99), np.arccos(2.0 / 3.0), np.arccos(2.0 / 3.0) + 1e-15,
                     0.5, np.pi / 2, np.arccos(-2.0 / 3.0), np.arccos(-0.99),
                     3.14159 - 0.01, 3.14159 - 0.0100001, np.pi - 1e-7, np.pi - 1e-12,
                     np.pi]
    phi_special = [0.0, -1e-20, 1e-300, np.pi / 4, np.pi / 2, 2 * np.pi, -np.pi / 2,
                   7.5, 100.0, -100.0, 6.283185307179586, 4.71238898038469]
    out = []
    for nside in nsides:
        npix = 12 * nside * nside
        ncap = 2 * nside * (nside - 1)
        # angles: every special theta with a few special phis, then random points,
        # then random points very close to each pole
        th, ph = [], []
        for i, t in enumerate(theta_special):
            for j in range(3):
                th.append(t)
                ph.append(phi_special[(i + 5 * j) % len(phi_special)])
        n = 40
        th += list(np.arccos(rs.uniform(-1, 1, n)))
        ph += list(rs.uniform(-2 * np.pi, 4 * np.pi, n))
        scale = min(20.0 / nside, 0.5)
        th += list(rs.uniform(0, scale, 10)) + list(np.pi - rs.uniform(0, scale, 10))
        ph += list(rs.uniform(0, 2 * np.pi, 20))
        th = np.array(th)
        ph = np.array(ph)
        ring = hp.ang2pix(nside, th, ph)
        nest = hp.ang2pix(nside, th, ph, nest=True)
        for t, p, r, s in zip(th, ph, ring, nest):
            out.append("A %d %s %s %d %d" % (nside, f(t), f(p), r, s))

        vec = rs.normal(size=(30, 3)) * rs.uniform(0.1, 10, size=(30, 1))
        vec = np.vstack([vec, [[0, 0, 1], [0, 0, -2], [1e-10, 0, 1], [0, -3e-9, -1],
                               [1, 0, 0], [0, 1, 0], [-1, -1e-17, 0.5]]])
        ring = hp.vec2pix(nside, vec[:, 0], vec[:, 1], vec[:, 2])
        nest = hp.vec2pix(nside, vec[:, 0], vec[:, 1], vec[:, 2], nest=True)
        for v, r, s in zip(vec, ring, nest):
            out.append("V %d %s %s %s %d %d" % (nside, f(v[0]), f(v[1]), f(v[2]), r, s))

        pix = {0, 1, 2, 3, npix - 4, npix - 3, npix - 2, npix - 1, npix // 2,
               max(ncap - 1, 0), ncap, npix - ncap - 1, npix - ncap}
        pix |= set(int(x) for x in rs.randint(0, npix, size=30, dtype=np.int64))
        if ncap > 0:
            pix |= set(int(x) for x in rs.randint(0, ncap, size=6, dtype=np.int64))
            pix |= set(int(npix - 1 - x) for x in rs.randint(0, ncap, size=6, dtype=np.int64))
        pix = np.array(sorted(p for p in pix if 0 <= p < npix), dtype=np.int64)
        tr, pr = hp.pix2ang(nside, pix)
        tn, pn = hp.pix2ang(nside, pix, nest=True)
        vr = hp.pix2vec(nside, pix)
        vn = hp.pix2vec(nside, pix, nest=True)
        r2n = hp.ring2nest(nside, pix)
        n2r = hp.nest2ring(nside, pix)
        nbr = hp.get_all_neighbours(nside, pix)
        nbn = hp.get_all_neighbours(nside, pix, nest=True)
        for i, p in enumerate(pix):
            out.append("P %d %d %s %s %s %s %s %s %s %s %s %s %d %d" % (
                nside, p, f(tr[i]), f(pr[i]), f(tn[i]), f(pn[i]),
                f(vr[0][i]), f(vr[1][i]), f(vr[2][i]), f(vn[0][i]), f(vn[1][i]), f(vn[2][i]),
                r2n[i], n2r[i]))
            out.append("N %d %d %s %s" % (nside, p, " ".join(str(int(x)) for x in nbr[:, i]),
                                          " ".join(str(int(x)) for x in nbn[:, i])))
            br = hp.boundaries(nside, int(p))
            bn = hp.boundaries(nside, int(p), nest=True)
            out.append("C %d %d %s %s" % (
                nside, p, " ".join(f(br[c][k]) for k in range(4) for c in range(3)),
                " ".join(f(bn[c][k]) for k in range(4) for c in range(3))))

        rings = {1, 2, nside - 1, nside, nside + 1, 2 * nside - 1, 2 * nside, 2 * nside + 1,
                 3 * nside - 1, 3 * nside, 3 * nside + 1, 4 * nside - 2, 4 * nside - 1}
        rings |= set(int(x) for x in rs.randint(1, 4 * nside, size=8, dtype=np.int64))
        rings = np.array(sorted(r for r in rings if 1 <= r <= 4 * nside - 1), dtype=np.int64)
        sp, rp, ct, st, sh = hp.ringinfo(nside, rings)
        for i, r in enumerate(rings):
            out.append("R %d %d %d %d %s %s %d" % (nside, r, sp[i], rp[i], f(ct[i]), f(st[i]),
                                                   int(bool(sh[i]))))
    return out


def query_records():
    rs = np.random.RandomState(20240612)
    out = []
    for nside in [1, 2, 4, 8, 16, 32, 64, 256, 1024, 2**14, 2**20]:
        npix = 12 * nside * nside
        pixsize = np.sqrt(4 * np.pi / npix)
        centres = [np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.0, -1.0]),
                   np.array([0.3, -0.2, 40.0])]
        centres += list(rs.normal(size=(7, 3)))
        for k, c in enumerate(centres):
            if nside <= 64:
                radius = rs.uniform(0, np.pi) if k % 3 == 0 else rs.uniform(0, 0.5)
            else:
                radius = rs.uniform(0.3, 12.0) * pixsize
            for nest in (False, True):
                for inclusive in (False, True):
                    fact = min(4, MAX_NSIDE // nside)
                    pix = hp.query_disc(nside, c, radius, inclusive=inclusive, fact=fact,
                                        nest=nest)
                    out.append("Q %d %d %d %d %s %s %s %s %d" % (
                        nside, int(nest), int(inclusive), fact, f(c[0]), f(c[1]), f(c[2]),
                        f(radius), len(pix)) + "".join(" %d" % p for p in pix))
    return out


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "pixel"
    records = pixel_records() if mode == "pixel" else query_records()
    sys.stdout.write("\n".join(records) + "\n")


if __name__ == "__main__":
    main()
