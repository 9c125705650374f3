/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/alm.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/mem.h"

#ifndef CMPLX
#define CMPLX(x, y) ((double _Complex)((double)(x) + I * (double)(y)))
#endif

int64_t sph_alm_size(int lmax, int mmax)
{
  if (lmax < 0 || mmax < 0 || mmax > lmax)
    return -1;
  return ((int64_t)mmax + 1) * ((int64_t)lmax + 1) - (int64_t)mmax * (mmax + 1) / 2;
}

void sph_alm_index_to_lm(int lmax, int64_t idx, int *l, int *m)
{
  /* index(m, m) = m (2 lmax + 3 - m) / 2 is increasing in m: start from the real root
   * of index(m, m) = idx and correct it with exact integer arithmetic. */
  double b = 2.0 * lmax + 3.0;
  double disc = b * b - 8.0 * (double)idx;
  int64_t mm = (int64_t)floor((b - sqrt(disc > 0 ? disc : 0)) / 2.0);
  if (mm < 0)
    mm = 0;
  if (mm > lmax)
    mm = lmax;
  while (mm > 0 && sph_alm_index(lmax, (int)mm, (int)mm) > idx)
    mm--;
  while (mm < lmax && sph_alm_index(lmax, (int)mm + 1, (int)mm + 1) <= idx)
    mm++;
  *m = (int)mm;
  *l = (int)(idx - sph_alm_index(lmax, 0, (int)mm));
}

SphAlm *sph_alm_new(int lmax, int mmax, SphError *err)
{
  if (mmax < 0)
    mmax = lmax;
  if (lmax < 0 || mmax > lmax) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "alm: need 0 <= mmax <= lmax, got lmax=%d mmax=%d", lmax, mmax);
    return NULL;
  }
  SphAlm *alm = calloc(1, sizeof *alm);
  if (alm == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "alm: out of memory");
    return NULL;
  }
  alm->lmax = lmax;
  alm->mmax = mmax;
  alm->size = sph_alm_size(lmax, mmax);
  alm->values = sph_calloc_aligned((size_t)alm->size, sizeof(double _Complex), err);
  if (alm->values == NULL) {
    sph_error_prefix(err, "alm with lmax=%d mmax=%d", lmax, mmax);
    free(alm);
    return NULL;
  }
  return alm;
}

void sph_alm_free(SphAlm *alm)
{
  if (alm == NULL)
    return;
  sph_free_aligned(alm->values);
  free(alm);
}

SphAlm *sph_alm_copy(const SphAlm *alm, SphError *err)
{
  SphAlm *copy = sph_alm_new(alm->lmax, alm->mmax, err);
  if (copy != NULL)
    memcpy(copy->values, alm->values, (size_t)alm->size * sizeof(double _Complex));
  return copy;
}

void sph_alm_zero(SphAlm *alm)
{
  memset(alm->values, 0, (size_t)alm->size * sizeof(double _Complex));
}

double _Complex sph_alm_get(const SphAlm *alm, int l, int m)
{
  if (m < 0 || m > alm->mmax || l < m || l > alm->lmax)
    return 0;
  return alm->values[sph_alm_index(alm->lmax, l, m)];
}

void sph_almxfl(SphAlm *alm, const double *fl, int nfl)
{
  for (int m = 0; m <= alm->mmax; m++) {
    double _Complex *row = alm->values + sph_alm_index(alm->lmax, 0, m);
    for (int l = m; l <= alm->lmax; l++)
      row[l] *= (l < nfl) ? fl[l] : 0.0;
  }
}

double sph_alm_dot(const SphAlm *a, const SphAlm *b)
{
  int lmax = a->lmax < b->lmax ? a->lmax : b->lmax;
  int mmax = a->mmax < b->mmax ? a->mmax : b->mmax;
  double sum = 0;
  for (int m = 0; m <= mmax; m++) {
    const double _Complex *ra = a->values + sph_alm_index(a->lmax, 0, m);
    const double _Complex *rb = b->values + sph_alm_index(b->lmax, 0, m);
    double s = 0;
    for (int l = m; l <= lmax; l++)
      s += creal(ra[l]) * creal(rb[l]) + cimag(ra[l]) * cimag(rb[l]);
    sum += (m == 0) ? s : 2 * s;
  }
  return sum;
}

double sph_alm_max_abs_diff(const SphAlm *a, const SphAlm *b)
{
  int lmax = a->lmax > b->lmax ? a->lmax : b->lmax;
  int mmax = a->mmax > b->mmax ? a->mmax : b->mmax;
  double worst = 0;
  for (int m = 0; m <= mmax; m++)
    for (int l = m; l <= lmax; l++) {
      double d = cabs(sph_alm_get(a, l, m) - sph_alm_get(b, l, m));
      if (d > worst || isnan(d))
        worst = d;
    }
  return worst;
}

double sph_alm_max_abs(const SphAlm *a)
{
  double worst = 0;
  for (int64_t i = 0; i < a->size; i++) {
    double v = cabs(a->values[i]);
    if (v > worst || isnan(v))
      worst = v;
  }
  return worst;
}

void sph_alm_fill_gaussian(SphAlm *alm, SphRng *rng)
{
  const double h = sqrt(0.5);
  /* Indices 0..lmax are the m = 0 coefficients, which are real for a real field. */
  for (int64_t i = 0; i < alm->size; i++) {
    if (i <= alm->lmax) {
      alm->values[i] = sph_rng_normal(rng);
    } else {
      double re = h * sph_rng_normal(rng);
      double im = h * sph_rng_normal(rng);
      alm->values[i] = CMPLX(re, im);
    }
  }
}

void sph_alm_axpy(SphAlm *y, double s, const SphAlm *x)
{
  int lmax = y->lmax < x->lmax ? y->lmax : x->lmax;
  int mmax = y->mmax < x->mmax ? y->mmax : x->mmax;
  for (int m = 0; m <= mmax; m++) {
    double _Complex *ry = y->values + sph_alm_index(y->lmax, 0, m);
    const double _Complex *rx = x->values + sph_alm_index(x->lmax, 0, m);
    for (int l = m; l <= lmax; l++)
      ry[l] += s * rx[l];
  }
}
