/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

#include "sphaera/alm.h"
#include "sphaera/error.h"
#include "sphaera/job.h"
#include "sphaera/map.h"
#include "sphaera/spectrum.h"

/* Angular power spectra of alm and of HEALPix maps, as healpy's alm2cl and anafast. */

/* healpy's alm2cl(a, b): C_l = (Re a_l0 conj b_l0 + 2 sum_{m>0} Re a_lm conj b_lm) / (2l+1)
 * for l = 0..lmax_out (lmax_out < 0: a->lmax), over the m both hold; b NULL for the
 * auto-spectrum. a and b must share lmax and mmax. C_l beyond a->lmax are 0. */
SphStatus sph_alm2cl(const SphAlm *a, const SphAlm *b, int lmax_out, double *cl, SphError *err);

/* healpy's alm2cl of a list: 1 alm gives TT; 3 alm (T, E, B) give TT, EE, BB, TE, EB, TB
 * (healpy's order, the cross spectra T x E, E x B, T x B). With b (same count) the cross
 * spectra of a with b: component XY is a_X x b_Y. */
SphSpectra *sph_alm2cl_fields(const SphAlm *const *a, const SphAlm *const *b, int nalm,
                              int lmax_out, SphError *err);

/* healpy's fit_monopole/remove_monopole (degree 0) and fit_dipole/remove_dipole (degree 1,
 * which removes the monopole too): the least-squares fit of 1 (and x, y, z of the pixel
 * centres) over the seen pixels (not UNSEEN, not NaN) whose weight is nonzero and seen
 * (weight NULL: all), subtracted from every seen pixel. coeffs (may be NULL) receives the
 * monopole and, for degree 1, the dipole vector. Refuses a map with no seen pixel (or,
 * for the dipole, a singular fit). */
SphStatus sph_remove_multipoles(int64_t nside, SphOrdering ordering, double *values,
                                const double *weight, int degree, double coeffs[4],
                                SphError *err);

typedef enum {
  SPH_REMOVE_NONE = -1,
  SPH_REMOVE_MONOPOLE = 0,
  SPH_REMOVE_DIPOLE = 1, /* monopole and dipole */
} SphRemoveMultipoles;

typedef struct {
  int lmax;           /* < 0: 3 NSIDE - 1 */
  int iterations;     /* healpy's iter (3) */
  const SphMap *mask; /* NULL, or a map of the same NSIDE whose first field weights pixels */
  SphRemoveMultipoles remove; /* fitted over the pixels the mask keeps, temperature only */
  bool pol;           /* I, Q, U (the map's first three fields): TT, EE, BB, TE, EB, TB */
} SphAnafastOptions;

#define SPH_ANAFAST_DEFAULT { -1, 3, NULL, SPH_REMOVE_NONE, false }

/* healpy's anafast(map * mask, [map2 * mask], lmax, iter, pol) after the requested
 * monopole/dipole removal. With a mask, UNSEEN pixels weigh 0 (as healpy's masked maps);
 * without one they are refused. map2 (NULL for auto spectra) gives cross spectra and
 * must match map's NSIDE. options may be NULL (the defaults). */
SphSpectra *sph_anafast(const SphMap *map, const SphMap *map2, const SphAnafastOptions *options,
                        SphJob *job, SphError *err);
