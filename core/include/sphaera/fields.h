/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sphaera/alm.h"
#include "sphaera/error.h"
#include "sphaera/job.h"
#include "sphaera/map.h"
#include "sphaera/sht.h"
#include "sphaera/spectrum.h"

/* Fields on the sphere as healpy makes and filters them: a temperature map alone
 * (nfields = 1: alm T) or I, Q, U (nfields = 3: alm T, E, B through the spin-2
 * transforms, healpy's pol=True). Maps are in the plan's geometry (HEALPix RING for
 * healpy's results). */

/* healpy's map2alm(maps, iter=options->iterations, pol=nfields == 3): every alm[k] must
 * have the plan's lmax and mmax. options may be NULL (iter = 3); on return its
 * transforms counts those of all fields. */
SphStatus sph_fields_map2alm(const SphShtPlan *plan, int nfields, const double *const *maps,
                             SphAlm *const *alm, SphShtIterOptions *options, SphJob *job,
                             SphError *err);
/* healpy's alm2map(alms, pol=nfields == 3). */
SphStatus sph_fields_alm2map(const SphShtPlan *plan, int nfields, const SphAlm *const *alm,
                             double *const *maps, SphJob *job, SphError *err);

/* healpy's gauss_beam(fwhm, lmax, pol=True)[:, component] for l = 0..lmax into bl:
 * b_l = exp(-l(l+1) sigma^2 / 2), sigma = fwhm / sqrt(8 ln 2), times exp(2 sigma^2) for
 * E and B (components 1 and 2) and exp(sigma^2) for TE (3), the spin-2 factors. fwhm is
 * in radians, >= 0. */
void sph_gauss_beam(double fwhm, int lmax, int component, double *bl);

/* healpy's smoothalm(alms, fwhm, pol=nalm == 3): T (and E, B) times their Gaussian beam. */
SphStatus sph_smoothalm(SphAlm *const *alm, int nalm, double fwhm, SphError *err);

/* healpy's synalm(cls, lmax, mmax, new=False): cls holds TT alone (1 component: nalm 1)
 * or TT, EE, BB, TE (4; EB = TB = 0) or TT, EE, BB, TE, EB, TB (6) for nalm = 3 alm
 * T, E, B with those covariances. For every (l, m) in alm index order the generator
 * draws nalm complex unit Gaussians (real for m = 0) z and sets a = L z with L the
 * Cholesky factor of the nalm x nalm covariance at l (positive semidefinite allowed:
 * a zero pivot gives a zero column). Seeded from the Philox generator (seed, stream
 * 0): the same seed gives the same alm. C_l beyond cls->lmax are 0. Every alm[k] must
 * share lmax and mmax. */
SphStatus sph_synalm(const SphSpectra *cls, uint64_t seed, SphAlm *const *alm, int nalm,
                     SphError *err);

/* healpy's synfast(cls, nside, lmax, fwhm=fwhm, pol=(cls has >= 4 components), new=False):
 * synalm, smoothalm, alm2map. lmax < 0 means 3 NSIDE - 1. A RING map of 1 field (T) or
 * 3 (I, Q, U). */
SphMap *sph_synfast(const SphSpectra *cls, int64_t nside, int lmax, double fwhm, uint64_t seed,
                    SphJob *job, SphError *err);

/* healpy's smoothing(map, fwhm, lmax, iter, pol): map2alm with iter, smoothalm, alm2map.
 * With pol and a map of >= 3 fields the first three are I, Q, U (spin 2 for Q, U);
 * otherwise every field is smoothed as a temperature map. lmax < 0 means 3 NSIDE - 1;
 * iterations as healpy's iter. The result has the input's ordering, frame, names and
 * units. Maps holding NaN or UNSEEN pixels are refused. */
SphMap *sph_smoothing(const SphMap *map, double fwhm, int lmax, int iterations, bool pol,
                      SphJob *job, SphError *err);

/* HEALPix's pixel window w_l (healpy's pixwin(nside)), computed: w_l^2 is
 * the mean over pixels of the mean of P_l(n . n') over pairs of points n, n' of the
 * pixel, the pixel's own window averaged over the sky (Gorski et al. 2005). The pairs
 * are the centres of the pixel's children at 8 and 16 NSIDE (equal areas: the midpoint
 * rule, error ~ 1/k^2), Richardson-extrapolated; pixels related by the grid's symmetries
 * (quarter turns, the equator mirror, shifts along a ring within |z| < 2/3) are done once.
 * The pairs enter only through their angles: they are gathered into one binned
 * distribution of 1 - cos(angle) (weights and first and second moments per bin), and
 * the Legendre sums run over the bins (second-order Taylor), so the cost is NSIDE^2/8
 * pixels x 2^15 pairs plus 16384 bins x lmax (0.2 s at NSIDE 32 where a recurrence per
 * pair took 14 s; ~2 s of CPU at NSIDE 128, growing as NSIDE^2).
 * Agrees with healpy-data's tables to ~1e-5 (see test-fields). wl gets lmax + 1 values;
 * nside a power of two up to 2^20, lmax <= 4 NSIDE. wl_pol (may be NULL) gets healpy's
 * pixwin(nside, pol=True)[1], the same pixel profile through the spin-2 kernel: the pair
 * mean of d^l_22 (0 for l < 2). */
SphStatus sph_pixwin(int64_t nside, int lmax, double *wl, double *wl_pol, SphError *err);
