/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

#include "sphaera/alm.h"
#include "sphaera/error.h"
#include "sphaera/job.h"
#include "sphaera/map.h"

/* Rotation of fields on the sphere through Wigner-D matrices, as healpy's rotate_alm and
 * Rotator.rotate_map_alms.
 *
 * The Euler angles (psi, theta, phi) are healpy's: the active rotation
 * R = R_z(phi) R_y(theta) R_z(psi), and the rotated coefficients are
 *     a'_lm = sum_m' exp(-i m phi) d^l_mm'(theta) exp(-i m' psi) a_lm'.
 * Its inverse is (-phi, -theta, -psi). */

/* ---- Wigner d by Risbo's recursion ----
 * d^l(beta) for l = 0, 1, 2, ... in turn, each from the last by two half-integer steps
 * that couple with spin 1/2 (Risbo 1996, J. Geodesy 70, 383): every step is a weighted
 * sum of positive Clebsch-Gordan factors, stable at any l. O(l^2) per l. */
typedef struct SphWignerRisbo SphWignerRisbo;

SphWignerRisbo *sph_wigner_risbo_new(int lmax, double beta, SphError *err);
void sph_wigner_risbo_free(SphWignerRisbo *w);
/* The next l's matrix (first call l = 0; NULL after lmax): (2l+1)^2 values, with
 * d^l_mm'(beta) at [(l - m)(2l + 1) + (l - m')]. Valid until the next call. */
const double *sph_wigner_risbo_next(SphWignerRisbo *w, int *l);
/* The same with only rows m = l..0 filled (d^l_mm' for m >= 0 at [(l - m)(2l + 1) +
 * (l - m')]): the rest follows from d^l_{-m,-m'} = (-1)^(m-m') d^l_mm', and skipping it
 * halves the time. Calls of the two kinds may be mixed. */
const double *sph_wigner_risbo_next_upper(SphWignerRisbo *w, int *l);

/* healpy's rotate_alm(alm, psi, theta, phi), in place. Needs mmax == lmax (as healpy). */
SphStatus sph_rotate_alm(SphAlm *alm, double psi, double theta, double phi, SphError *err);
/* The same rotation of nalm sets at once (T, E, B: one Wigner recursion for all), each
 * with mmax == lmax and one lmax. */
SphStatus sph_rotate_alms(SphAlm *const *alm, int nalm, double psi, double theta, double phi,
                          SphError *err);

/* The (psi, theta, phi) of a rotation matrix m = R_z(phi) R_y(theta) R_z(psi) (any
 * proper rotation; at theta = 0 or pi all the z turn is put in phi). */
void sph_rotation_to_euler_zyz(const double m[3][3], double *psi, double *theta, double *phi);

/* healpy's rotate_map_alms with use_pixel_weights=False: map2alm (iter iterations; lmax < 0
 * means 3 NSIDE - 1), rotate_alm, alm2map. With pol and >= 3 fields the first three are
 * I, Q, U (T, E, B rotated alike); otherwise every field is a temperature map. The
 * result is RING ordered, with the input's frame, names and units. */
SphMap *sph_rotate_map_alms(const SphMap *map, double psi, double theta, double phi, int lmax,
                            int iterations, bool pol, SphJob *job, SphError *err);

/* healpy's Rotator(coord=[map's frame, to]).rotate_map_alms: the map's frame must be known;
 * the result is in frame `to`. */
SphMap *sph_rotate_map_frame(const SphMap *map, SphCoordSys to, int lmax, int iterations,
                             bool pol, SphJob *job, SphError *err);
