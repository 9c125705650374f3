/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Wigner d matrices by Risbo's recursion. With n = 2j and indices i = j - m, k = j - m'
 * (0..n), D_n(i, k) = d^j_mm'(beta), and coupling j with spin 1/2 gives
 *   (n+1) D_{n+1}(i, k) = sqrt((n+1-i)(n+1-k)) q D_n(i, k) - sqrt((n+1-i) k) p D_n(i, k-1)
 *                       + sqrt(i (n+1-k)) p D_n(i-1, k)  + sqrt(i k) q D_n(i-1, k-1),
 * p = sin(beta/2), q = cos(beta/2): the Clebsch-Gordan factors sqrt((J +- M)/2J) times
 * d^{1/2}, out-of-range terms being zero. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "sphaera/mem.h"
#include "sphaera/rotate.h"

struct SphWignerRisbo {
  int lmax;
  int next_l;
  double p, q;
  double *sqrt_int; /* sqrt(0..2 lmax + 2) */
  double *cur, *tmp; /* (2 lmax + 1)^2 each */
  double *factors;   /* 4 (2 lmax + 2): a half step's per-column factors */
  double *zero;      /* 2 lmax + 2 zeros: the rows beyond the matrix */
  bool upper_only;   /* next() fills rows 0..l only */
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
  w->factors = sph_alloc_aligned(4 * (dim + 1), sizeof(double), err);
  w->zero = sph_alloc_aligned(dim + 1, sizeof(double), err);
  if (w->sqrt_int == NULL || w->cur == NULL || w->tmp == NULL || w->factors == NULL ||
      w->zero == NULL) {
    sph_error_prefix(err, "Wigner d up to lmax=%d", lmax);
    sph_wigner_risbo_free(w);
    return NULL;
  }
  for (size_t i = 0; i < dim + 2; i++)
    w->sqrt_int[i] = sqrt((double)i);
  for (size_t i = 0; i < dim + 1; i++)
    w->zero[i] = 0.0;
  return w;
}

void sph_wigner_risbo_free(SphWignerRisbo *w)
{
  if (w == NULL)
    return;
  sph_free_aligned(w->sqrt_int);
  sph_free_aligned(w->cur);
  sph_free_aligned(w->tmp);
  sph_free_aligned(w->factors);
  sph_free_aligned(w->zero);
  free(w);
}

/* The interior columns 1..n of one row of a half step, four at a time, compiled for
 * AVX-512 and AVX2 besides the baseline and chosen when the library loads. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SPH_WIGNER_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SPH_WIGNER_CLONES
#endif

typedef double SphWvec __attribute__((vector_size(4 * sizeof(double))));
/* The same, at any address (8-byte aligned). */
typedef double SphWvecU __attribute__((vector_size(4 * sizeof(double)), aligned(8), may_alias));
#define wload(p) (*(const SphWvecU *)(p))

SPH_WIGNER_CLONES
static void half_step_row(int n, double a, double b, const double *restrict row,
                          const double *restrict up, const double *restrict factors,
                          double *restrict o)
{
  const int on = n + 2;
  const double *qs_nk = factors, *ps_k = factors + on, *ps_nk = factors + 2 * on,
               *qs_k = factors + 3 * on;
  int k = 1;
  for (; k + 4 <= n + 1; k += 4) {
    SphWvec v = a * (wload(qs_nk + k) * wload(row + k) - wload(ps_k + k) * wload(row + k - 1)) +
                b * (wload(ps_nk + k) * wload(up + k) + wload(qs_k + k) * wload(up + k - 1));
    __builtin_memcpy(o + k, &v, sizeof v);
  }
  for (; k <= n; k++)
    o[k] = a * (qs_nk[k] * row[k] - ps_k[k] * row[k - 1]) +
           b * (ps_nk[k] * up[k] + qs_k[k] * up[k - 1]);
}

/* Rows [from, to] of D_n (stride n+1) from its rows n-to..n-from by the symmetry
 * d^j_{-m,-m'} = (-1)^(m-m') d^j_{mm'}, that is D(n-i, n-k) = (-1)^(k-i) D(i, k). */
static void mirror_rows(double *d, int n, int from, int to)
{
  const int stride = n + 1;
  for (int i = from; i <= to; i++) {
    const double *src = d + (size_t)(n - i) * stride;
    double *o = d + (size_t)i * stride;
    for (int k = 0; k <= n; k++)
      o[k] = ((i - k) & 1) ? -src[n - k] : src[n - k];
  }
}

/* Rows 0..(n+2)/2 of D_{n+1} (stride n+2) from rows 0..(n+1)/2 of D_n (stride n+1): only
 * the upper half goes through the recursion (the rest follows by symmetry), and only
 * the upper half is read by the next step, which halves both work and memory traffic. */
static void half_step(SphWignerRisbo *w, int n, const double *d, double *out)
{
  const double *s = w->sqrt_int;
  const double p = w->p, q = w->q, inv = 1.0 / (n + 1);
  const int in = n + 1, on = n + 2, half = (n + 1) / 2;
  double *qs_nk = w->factors, *ps_k = qs_nk + on, *ps_nk = ps_k + on, *qs_k = ps_nk + on;
  for (int k = 0; k <= n + 1; k++) {
    qs_nk[k] = q * s[n + 1 - k];
    ps_nk[k] = p * s[n + 1 - k];
    ps_k[k] = p * s[k];
    qs_k[k] = q * s[k];
  }
  for (int i = 0; i <= half; i++) {
    /* Row i mixes rows i (weight sqrt(n+1-i)) and i-1 (weight sqrt(i)) of D_n; a missing
     * row has weight 0 and reads zeros. */
    const double a = s[n + 1 - i] * inv, b = s[i] * inv;
    const double *row = i <= n ? d + (size_t)i * in : w->zero;
    const double *up = i >= 1 ? d + (size_t)(i - 1) * in : w->zero;
    double *o = out + (size_t)i * on;
    o[0] = a * qs_nk[0] * row[0] + b * ps_nk[0] * up[0];
    half_step_row(n, a, b, row, up, w->factors, o);
    o[n + 1] = -a * ps_k[n + 1] * row[n] + b * qs_k[n + 1] * up[n];
  }
  /* The next step reads one row more when n + 1 is odd. */
  if ((n + 2) / 2 > half)
    mirror_rows(out, n + 1, half + 1, (n + 2) / 2);
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
  if (!w->upper_only)
    mirror_rows(w->cur, 2 * lnow, lnow + 1, 2 * lnow);
  return w->cur;
}

const double *sph_wigner_risbo_next_upper(SphWignerRisbo *w, int *l)
{
  w->upper_only = true;
  const double *d = sph_wigner_risbo_next(w, l);
  w->upper_only = false;
  return d;
}
