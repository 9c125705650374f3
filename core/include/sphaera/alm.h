/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/error.h"
#include "sphaera/rng.h"

/* Spherical harmonic coefficients a_lm of a real field, in healpy's triangular layout:
 * m = 0..mmax, l = m..lmax, m-major, so a_lm lives at
 *     index(l, m) = m (2 lmax + 1 - m) / 2 + l,
 * and there are (mmax + 1)(lmax + 1) - mmax (mmax + 1) / 2 of them. Only m >= 0 is stored:
 * a_l,-m = (-1)^m conj(a_lm) for a real field. The values are C99 complex doubles
 * (double _Complex, the same bytes as healpy's complex128 and as interleaved re, im
 * doubles); include <complex.h> to use creal/cimag on them.
 *
 * The inner product of two coefficient sets of real fields is the sum over every m in
 * -l..l, which with only m >= 0 stored reads
 *     <a, b> = sum_l Re(a_l0 conj b_l0) + 2 sum_l sum_{m>0} Re(a_lm conj b_lm);
 * sph_alm_dot() computes it, and the transforms' adjoints are adjoint under it. */

typedef struct {
  int lmax;
  int mmax;
  int64_t size;            /* number of coefficients */
  double _Complex *values; /* size values, SPH_ALIGNMENT-aligned */
} SphAlm;

/* Number of coefficients for (lmax, mmax), 0 <= mmax <= lmax; -1 when out of range. */
int64_t sph_alm_size(int lmax, int mmax);

static inline int64_t sph_alm_index(int lmax, int l, int m)
{
  return (int64_t)m * (2 * (int64_t)lmax + 1 - m) / 2 + l;
}

/* The (l, m) of index idx (0 <= idx < sph_alm_size(lmax, mmax)), as healpy's Alm.getlm. */
void sph_alm_index_to_lm(int lmax, int64_t idx, int *l, int *m);

/* Zero coefficients; mmax < 0 means mmax = lmax. */
SphAlm *sph_alm_new(int lmax, int mmax, SphError *err);
void sph_alm_free(SphAlm *alm);
SphAlm *sph_alm_copy(const SphAlm *alm, SphError *err);
void sph_alm_zero(SphAlm *alm);

/* The coefficient (l, m) by value; 0 when (l, m) is outside the set. */
double _Complex sph_alm_get(const SphAlm *alm, int l, int m);

/* Multiplies a_lm by fl[l] in place, as healpy's almxfl: l >= nfl is multiplied by 0. */
void sph_almxfl(SphAlm *alm, const double *fl, int nfl);

/* <a, b> as above, over the (l, m) both hold. */
double sph_alm_dot(const SphAlm *a, const SphAlm *b);

/* Largest |a_lm - b_lm| over the (l, m) either holds (absent ones count as 0). */
double sph_alm_max_abs_diff(const SphAlm *a, const SphAlm *b);
double sph_alm_max_abs(const SphAlm *a);

/* Unit-variance complex Gaussian coefficients (real and imaginary parts each of variance
 * 1/2; a_l0 real with variance 1), from rng, in index order: a white-noise field. */
void sph_alm_fill_gaussian(SphAlm *alm, SphRng *rng);

/* y += s x, over the (l, m) both hold. */
void sph_alm_axpy(SphAlm *y, double s, const SphAlm *x);
