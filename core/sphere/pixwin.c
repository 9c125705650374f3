/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HEALPix pixel window functions from pair averages of Legendre polynomials. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/fields.h"
#include "sphaera/healpix.h"
#include "sphaera/mem.h"

/* Adds to acc[l] the mean over pairs of children (at nside k) of nest pixel `nest` of
 * P_l(cos angle), and to pol[l] that of d^l_22(angle), with P_{l+1} = ca[l] x P_l -
 * cb[l] P_{l-1} and d^{l+1}_22 = (cc[l] x - cd[l]) d^l_22 - ce[l] d^{l-1}_22 (the
 * three-term recurrence at m = m' = 2). vec holds 3 k^2 doubles of scratch. */
static void pair_means(int64_t nside, int64_t nest, int k, int lmax, const double *const *co,
                       double *vec, double *acc, double *pol)
{
  const double *ca = co[0], *cb = co[1], *cc = co[2], *cd = co[3], *ce = co[4];
  int64_t n = (int64_t)k * k;
  for (int64_t c = 0; c < n; c++)
    sph_hp_pix2vec_nest(nside * k, nest * n + c, vec + 3 * c);
  double inv = 1.0 / ((double)n * n);
  /* The diagonal: P_l(1) = d^l_22(0) = 1. */
  for (int l = 0; l <= lmax; l++) {
    acc[l] += n * inv;
    if (l >= 2)
      pol[l] += n * inv;
  }
  for (int64_t a = 0; a < n; a++)
    for (int64_t b = a + 1; b < n; b++) {
      double x = vec[3 * a] * vec[3 * b] + vec[3 * a + 1] * vec[3 * b + 1] +
                 vec[3 * a + 2] * vec[3 * b + 2];
      double p0 = 1.0, p1 = x;
      acc[0] += 2 * inv;
      if (lmax >= 1)
        acc[1] += 2 * inv * x;
      for (int l = 1; l < lmax; l++) {
        double p2 = ca[l] * x * p1 - cb[l] * p0;
        acc[l + 1] += 2 * inv * p2;
        p0 = p1;
        p1 = p2;
      }
      double h = 0.5 * (1.0 + x), d0 = 0.0, d1 = h * h;
      if (lmax >= 2)
        pol[2] += 2 * inv * d1;
      for (int l = 2; l < lmax; l++) {
        double d2 = (cc[l] * x - cd[l]) * d1 - ce[l] * d0;
        pol[l + 1] += 2 * inv * d2;
        d0 = d1;
        d1 = d2;
      }
    }
}

SphStatus sph_pixwin(int64_t nside, int lmax, double *wl, double *wl_pol, SphError *err)
{
  if (!sph_hp_nside_valid(nside) || nside > (1 << 20))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "pixel window: NSIDE must be a power of two up to 2^20, got %lld",
                         (long long)nside);
  if (lmax < 0 || lmax > 4 * nside)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "pixel window: lmax must be in 0..4 NSIDE = %lld, got %d",
                         (long long)(4 * nside), lmax);
  /* Representatives (ring pixel, weight) of the north rings 1..2 nside. */
  int64_t nrep = 0;
  for (int64_t r = 1; r <= 2 * nside; r++)
    nrep += r <= nside ? r : 1;
  int64_t *rep = malloc((size_t)nrep * sizeof *rep);
  double *weight = malloc((size_t)nrep * sizeof *weight);
  if (rep == NULL || weight == NULL) {
    free(rep);
    free(weight);
    return sph_error_set(err, SPH_ERR_NOMEM, "pixel window: out of memory");
  }
  int64_t i = 0;
  for (int64_t r = 1; r <= 2 * nside; r++) {
    double mirror = r == 2 * nside ? 1.0 : 2.0;
    /* Ring NSIDE reaches into the polar caps: only quarter turns map its pixels onto
     * each other. Below it every pixel of a ring is a shift of the first. */
    if (r <= nside) {
      for (int64_t j = 0; j < r; j++, i++) {
        rep[i] = 2 * r * (r - 1) + j;
        weight[i] = 4.0 * mirror;
      }
    } else {
      rep[i] = 2 * nside * (nside - 1) + (r - nside) * 4 * nside;
      weight[i++] = 4.0 * (double)nside * mirror;
    }
  }
  size_t nl = (size_t)lmax + 1;
  double *total = calloc(4 * nl, sizeof *total);
  SphStatus st = total != NULL ? SPH_OK : SPH_ERR_NOMEM;
  if (st == SPH_OK) {
#pragma omp parallel
    {
      double *acc = calloc(4 * nl, sizeof *acc);
      double *vec = malloc(3 * 16 * 16 * sizeof *vec);
      double *one = calloc(4 * nl, sizeof *one);
      double *coef = malloc(5 * nl * sizeof *coef);
      /* Every thread meets the worksharing loop, with or without its buffers. */
      bool ok = acc != NULL && vec != NULL && one != NULL && coef != NULL;
      const double *co[5] = { coef, coef + nl, coef + 2 * nl, coef + 3 * nl, coef + 4 * nl };
      for (size_t l = 0; ok && l < nl; l++) {
        double dl = (double)l;
        coef[l] = (2 * dl + 1) / (dl + 1);
        coef[nl + l] = dl / (dl + 1);
        double den = l >= 2 ? dl * (dl - 1) * (dl + 3) : 1.0;
        coef[2 * nl + l] = (2 * dl + 1) * dl * (dl + 1) / den;
        coef[3 * nl + l] = (2 * dl + 1) * 4.0 / den;
        coef[4 * nl + l] = (dl + 1) * (dl - 2) * (dl + 2) / den;
      }
#pragma omp for schedule(dynamic)
      for (int64_t q = 0; q < nrep; q++) {
        if (!ok)
          continue;
        memset(one, 0, 4 * nl * sizeof *one);
        int64_t nest = sph_hp_ring2nest(nside, rep[q]);
        pair_means(nside, nest, 8, lmax, co, vec, one, one + 2 * nl);
        pair_means(nside, nest, 16, lmax, co, vec, one + nl, one + 3 * nl);
        for (size_t l = 0; l < 4 * nl; l++)
          acc[l] += weight[q] * one[l];
      }
#pragma omp critical
      {
        if (ok)
          for (size_t l = 0; l < 4 * nl; l++)
            total[l] += acc[l];
        else
          st = SPH_ERR_NOMEM;
      }
      free(acc);
      free(vec);
      free(one);
      free(coef);
    }
  }
  if (st == SPH_OK) {
    double npix = (double)sph_hp_nside2npix(nside);
    for (size_t l = 0; l < nl; l++) {
      double w2 = (4.0 * total[nl + l] - total[l]) / (3.0 * npix);
      wl[l] = sqrt(fmax(w2, 0.0));
      if (wl_pol != NULL) {
        w2 = (4.0 * total[3 * nl + l] - total[2 * nl + l]) / (3.0 * npix);
        wl_pol[l] = sqrt(fmax(w2, 0.0));
      }
    }
  } else {
    sph_error_set(err, SPH_ERR_NOMEM, "pixel window: out of memory");
  }
  free(total);
  free(rep);
  free(weight);
  return st;
}
