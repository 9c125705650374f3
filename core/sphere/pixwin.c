/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HEALPix pixel window functions from pair averages of Legendre polynomials.
 *
 * w_l^2 is the mean over pixels of the mean of P_l(cos angle) over pairs of points of
 * the pixel (the children at 8 and 16 NSIDE, Richardson-extrapolated). That mean
 * depends on the pairs only through their angles, so the pairs of every pixel are first
 * gathered into one distribution of t = 1 - cos(angle) = |n - n'|^2 / 2: bins of width
 * dt holding, per bin, the weight and its first and second moments about the bin's
 * centre. Then sum_pairs P_l(x) = sum_bins W P_l(x_b) + M1 P_l'(x_b) + M2 P_l''(x_b)/2
 * up to third order in dt, with P, P', P'' from the three-term recurrence. The pairs
 * cost NSIDE^2/8 x 2^15 without any factor of lmax (the old way paid lmax per pair);
 * the bins cost nbins x lmax. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/fields.h"
#include "sphaera/healpix.h"
#include "sphaera/mem.h"

/* Bins of the pair distribution: with t_max ~ 8/NSIDE^2 and l <= 4 NSIDE the neglected
 * third-order term is ~(l^2 t_max)^3 / (384 nbins^3) ~ 1e-9 of w_l^2. */
#define PIXWIN_BINS 16384

typedef struct {
  double tmax, inv_dt;
  double *w, *m1, *m2; /* PIXWIN_BINS each */
  int64_t overflow;    /* pairs beyond tmax (the caller widens tmax and starts again) */
} PairHistogram;

/* Adds weight times every unordered pair of distinct children (at nside k) of nest pixel
 * `nest` to h. vec holds 3 k^2 doubles of scratch. */
static void add_pairs(int64_t nside, int64_t nest, int k, double weight, double *vec,
                      PairHistogram *h)
{
  int64_t n = (int64_t)k * k;
  for (int64_t c = 0; c < n; c++)
    sph_hp_pix2vec_nest(nside * k, nest * n + c, vec + 3 * c);
  const double dt = 1.0 / h->inv_dt;
  for (int64_t a = 0; a < n; a++)
    for (int64_t b = a + 1; b < n; b++) {
      double dx = vec[3 * a] - vec[3 * b], dy = vec[3 * a + 1] - vec[3 * b + 1],
             dz = vec[3 * a + 2] - vec[3 * b + 2];
      double t = 0.5 * (dx * dx + dy * dy + dz * dz);
      if (!(t < h->tmax)) {
        h->overflow++;
        continue;
      }
      int bin = (int)(t * h->inv_dt);
      if (bin >= PIXWIN_BINS)
        bin = PIXWIN_BINS - 1;
      /* The offset in x = 1 - t from the bin's centre. */
      double d = (bin + 0.5) * dt - t;
      h->w[bin] += weight;
      h->m1[bin] += weight * d;
      h->m2[bin] += weight * d * d;
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
  double *hist = calloc(3 * (size_t)PIXWIN_BINS, sizeof *hist);
  if (rep == NULL || weight == NULL || hist == NULL) {
    free(rep);
    free(weight);
    free(hist);
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
  /* Pair means at k = 8 and 16 combine as (4 S_16 - S_8)/3 (Richardson, error ~ 1/k^2):
   * one distribution with signed weights. A pixel's n^2 pairs count 1/n^2 each, the
   * unordered ones twice; the n diagonal pairs (angle 0) add 1/n in all. */
  const double w8 = -1.0 / 3.0 * 2.0 / (64.0 * 64.0), w16 = 4.0 / 3.0 * 2.0 / (256.0 * 256.0);
  const double diag = -1.0 / 3.0 / 64.0 + 4.0 / 3.0 / 256.0;
  double tmax = 1.0 - cos(fmin(M_PI, 4.0 / (double)nside)) + 1e-300;
  SphStatus st = SPH_OK;
  for (;;) {
    memset(hist, 0, 3 * (size_t)PIXWIN_BINS * sizeof *hist);
    int64_t overflow = 0;
    int failed = 0;
#pragma omp parallel reduction(+ : overflow, failed)
    {
      PairHistogram h = { tmax, PIXWIN_BINS / tmax, NULL, NULL, NULL, 0 };
      double *own = calloc(3 * (size_t)PIXWIN_BINS, sizeof *own);
      double *vec = malloc(3 * 16 * 16 * sizeof *vec);
      /* Every thread meets the worksharing loop, with or without its buffers. */
      bool ok = own != NULL && vec != NULL;
      if (ok) {
        h.w = own;
        h.m1 = own + PIXWIN_BINS;
        h.m2 = own + 2 * PIXWIN_BINS;
      }
#pragma omp for schedule(dynamic)
      for (int64_t q = 0; q < nrep; q++) {
        if (!ok)
          continue;
        int64_t nest = sph_hp_ring2nest(nside, rep[q]);
        add_pairs(nside, nest, 8, weight[q] * w8, vec, &h);
        add_pairs(nside, nest, 16, weight[q] * w16, vec, &h);
      }
#pragma omp critical
      {
        if (ok)
          for (size_t b = 0; b < 3 * (size_t)PIXWIN_BINS; b++)
            hist[b] += own[b];
      }
      overflow += h.overflow;
      failed += !ok;
      free(own);
      free(vec);
    }
    if (failed) {
      st = sph_error_set(err, SPH_ERR_NOMEM, "pixel window: out of memory");
      break;
    }
    if (overflow == 0)
      break;
    tmax *= 2.0;
  }
  if (st == SPH_OK) {
    double npix = (double)sph_hp_nside2npix(nside);
    double diag_total = diag * npix; /* sum over pixels of the weights is npix */
    size_t nl = (size_t)lmax + 1;
    double *sum = calloc(2 * nl, sizeof *sum);
    double *coef = malloc(5 * nl * sizeof *coef);
    if (sum == NULL || coef == NULL) {
      st = sph_error_set(err, SPH_ERR_NOMEM, "pixel window: out of memory");
    } else {
      /* P_{l+1} = ca x P_l - cb P_{l-1};
       * d^{l+1}_22 = (cc x - cd) d^l_22 - ce d^{l-1}_22 (m = m' = 2). */
      double *ca = coef, *cb = coef + nl, *cc = coef + 2 * nl, *cd = coef + 3 * nl,
             *ce = coef + 4 * nl;
      for (size_t l = 0; l < nl; l++) {
        double dl = (double)l;
        ca[l] = (2 * dl + 1) / (dl + 1);
        cb[l] = dl / (dl + 1);
        double den = l >= 2 ? dl * (dl - 1) * (dl + 3) : 1.0;
        cc[l] = (2 * dl + 1) * dl * (dl + 1) / den;
        cd[l] = (2 * dl + 1) * 4.0 / den;
        ce[l] = (dl + 1) * (dl - 2) * (dl + 2) / den;
      }
      const double dt = tmax / PIXWIN_BINS;
      int failed = 0;
#pragma omp parallel reduction(+ : failed)
      {
        double *own = calloc(2 * nl, sizeof *own);
        failed += own == NULL;
#pragma omp for schedule(static)
        for (int b = 0; b < PIXWIN_BINS; b++) {
          double W = hist[b], M1 = hist[PIXWIN_BINS + b], M2 = hist[2 * PIXWIN_BINS + b];
          if (own == NULL || (W == 0.0 && M1 == 0.0 && M2 == 0.0))
            continue;
          double x = 1.0 - (b + 0.5) * dt;
          /* P_l, P_l', P_l'' */
          double p0 = 1, p1 = x, q0 = 0, q1 = 1, r0 = 0, r1 = 0;
          own[0] += W;
          if (lmax >= 1)
            own[1] += W * p1 + M1 * q1;
          for (int l = 1; l < lmax; l++) {
            double p2 = ca[l] * x * p1 - cb[l] * p0;
            double q2 = ca[l] * (p1 + x * q1) - cb[l] * q0;
            double r2 = ca[l] * (2.0 * q1 + x * r1) - cb[l] * r0;
            own[l + 1] += W * p2 + M1 * q2 + 0.5 * M2 * r2;
            p0 = p1, p1 = p2, q0 = q1, q1 = q2, r0 = r1, r1 = r2;
          }
          /* d^l_22 from d^2_22 = h^2, h = (1 + x)/2; its derivatives likewise. */
          double h = 0.5 * (1.0 + x);
          double d0 = 0, d1 = h * h, e0 = 0, e1 = h, f0 = 0, f1 = 0.5;
          if (lmax >= 2)
            own[nl + 2] += W * d1 + M1 * e1 + 0.5 * M2 * f1;
          for (int l = 2; l < lmax; l++) {
            double a = cc[l] * x - cd[l];
            double d2 = a * d1 - ce[l] * d0;
            double e2 = cc[l] * d1 + a * e1 - ce[l] * e0;
            double f2 = 2.0 * cc[l] * e1 + a * f1 - ce[l] * f0;
            own[nl + l + 1] += W * d2 + M1 * e2 + 0.5 * M2 * f2;
            d0 = d1, d1 = d2, e0 = e1, e1 = e2, f0 = f1, f1 = f2;
          }
        }
#pragma omp critical
        {
          if (own != NULL)
            for (size_t l = 0; l < 2 * nl; l++)
              sum[l] += own[l];
        }
        free(own);
      }
      if (failed)
        st = sph_error_set(err, SPH_ERR_NOMEM, "pixel window: out of memory");
      for (size_t l = 0; st == SPH_OK && l < nl; l++) {
        wl[l] = sqrt(fmax((sum[l] + diag_total) / npix, 0.0));
        if (wl_pol != NULL)
          wl_pol[l] = l < 2 ? 0.0 : sqrt(fmax((sum[nl + l] + diag_total) / npix, 0.0));
      }
    }
    free(sum);
    free(coef);
  }
  free(hist);
  free(rep);
  free(weight);
  return st;
}
