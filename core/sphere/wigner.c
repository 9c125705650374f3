/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Wigner d matrices by Risbo's recursion. With n = 2j and indices i = j - m, k = j - m'
 * (0..n), D_n(i, k) = d^j_mm'(beta), and coupling j with spin 1/2 gives
 *   (n+1) D_{n+1}(i, k) = sqrt((n+1-i)(n+1-k)) q D_n(i, k) - sqrt((n+1-i) k) p D_n(i, k-1)
 *                       + sqrt(i (n+1-k)) p D_n(i-1, k)  + sqrt(i k) q D_n(i-1, k-1),
 * p = sin(beta/2), q = cos(beta/2): the Clebsch-Gordan factors sqrt((J +- M)/2J) times
 * d^{1/2}, out-of-range terms being zero. */
#include <math.h>
#include <stdlib.h>

#include "sphaera/mem.h"
#include "sphaera/rotate.h"

struct SphWignerRisbo {
  int lmax;
  int next_l;
  double p, q;
  double *sqrt_int; /* sqrt(0..2 lmax + 2) */
  double *cur, *tmp; /* (2 lmax + 1)^2 each */
};

SphWignerRisbo *sph_wigner_risbo_new(int lmax, double beta, SphError *err)
{
  if (lmax < 0 || lmax > 1 << 15 || !isfinite(beta)) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "Wigner d: need 0 <= lmax <= 32768 and a finite angle, got lmax=%d, beta=%g",
                  lmax, beta);
    return NULL;
  }
  SphWignerRisbo *w = calloc(1, sizeof *w);
  if (w == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "Wigner d: out of memory");
    return NULL;
  }
  size_t dim = 2 * (size_t)lmax + 1;
  w->lmax = lmax;
  w->p = sin(0.5 * beta);
  w->q = cos(0.5 * beta);
  w->sqrt_int = sph_alloc_aligned(dim + 2, sizeof(double), err);
  w->cur = sph_alloc_aligned(dim * dim, sizeof(double), err);
  w->tmp = sph_alloc_aligned(dim * dim, sizeof(double), err);
  if (w->sqrt_int == NULL || w->cur == NULL || w->tmp == NULL) {
    sph_error_prefix(err, "Wigner d up to lmax=%d", lmax);
    sph_wigner_risbo_free(w);
    return NULL;
  }
  for (size_t i = 0; i < dim + 2; i++)
    w->sqrt_int[i] = sqrt((double)i);
  return w;
}

void sph_wigner_risbo_free(SphWignerRisbo *w)
{
  if (w == NULL)
    return;
  sph_free_aligned(w->sqrt_int);
  sph_free_aligned(w->cur);
  sph_free_aligned(w->tmp);
  free(w);
}

/* D_{n+1} (stride n+2) from D_n (stride n+1). */
static void half_step(const SphWignerRisbo *w, int n, const double *d, double *out)
{
  const double *s = w->sqrt_int;
  const double p = w->p, q = w->q, inv = 1.0 / (n + 1);
  const int in = n + 1, on = n + 2;
  for (int i = 0; i <= n + 1; i++) {
    const double si = s[i], sni = s[n + 1 - i];
    const double *row = i <= n ? d + (size_t)i * in : NULL;
    const double *up = i >= 1 ? d + (size_t)(i - 1) * in : NULL;
    double *o = out + (size_t)i * on;
    for (int k = 0; k <= n + 1; k++) {
      const double sk = s[k], snk = s[n + 1 - k];
      double t = 0.0;
      if (row != NULL) {
        if (k <= n)
          t += sni * snk * q * row[k];
        if (k >= 1)
          t -= sni * sk * p * row[k - 1];
      }
      if (up != NULL) {
        if (k <= n)
          t += si * snk * p * up[k];
        if (k >= 1)
          t += si * sk * q * up[k - 1];
      }
      o[k] = t * inv;
    }
  }
}

const double *sph_wigner_risbo_next(SphWignerRisbo *w, int *l)
{
  if (w->next_l > w->lmax)
    return NULL;
  int lnow = w->next_l++;
  if (l != NULL)
    *l = lnow;
  if (lnow == 0) {
    w->cur[0] = 1.0;
    return w->cur;
  }
  int n = 2 * (lnow - 1);
  half_step(w, n, w->cur, w->tmp);
  half_step(w, n + 1, w->tmp, w->cur);
  return w->cur;
}
