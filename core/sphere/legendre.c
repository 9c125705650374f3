/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "legendre.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* The kernels rely on fused multiply-adds, which ISO C mode (-std=c11) would not form. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#endif

/* Portable kernel: SSE2-sized vectors, which every x86-64 has and GCC lowers anywhere. */
#define KV 2
#define KNV 4
#define KSUF generic
#include "legendre_kernel.h"
#undef KV
#undef KNV
#undef KSUF

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SPH_LEG_X86 1

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define KV 4
#define KNV 2
#define KSUF avx2
#include "legendre_kernel.h"
#undef KV
#undef KNV
#undef KSUF
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx2,fma")
#define KV 8
#define KNV 4
#define KSUF avx512
#include "legendre_kernel.h"
#undef KV
#undef KNV
#undef KSUF
#pragma GCC pop_options
#endif

static const SphLegKernel kernels[] = {
#ifdef SPH_LEG_X86
  { synthesis_avx512, adjoint_avx512, reduce_avx512, { spin_synthesis_avx512, spin_adjoint_avx512 },
    8 * 4, 8, "avx512" },
  { synthesis_avx2, adjoint_avx2, reduce_avx2, { spin_synthesis_avx2, spin_adjoint_avx2 }, 4 * 2, 4,
    "avx2" },
#endif
  { synthesis_generic, adjoint_generic, reduce_generic, { spin_synthesis_generic, spin_adjoint_generic },
    2 * 4, 2, "generic" },
};

static int kernel_supported(const SphLegKernel *k)
{
#ifdef SPH_LEG_X86
  if (strcmp(k->name, "avx512") == 0)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
  if (strcmp(k->name, "avx2") == 0)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  (void)k;
  return 1;
}

const SphLegKernel *sph_leg_kernel_select(const char *name)
{
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
    if (name != NULL && name[0] != '\0' && strcmp(name, kernels[i].name) != 0)
      continue;
    if (kernel_supported(&kernels[i]))
      return &kernels[i];
  }
  return NULL;
}

static int64_t nsteps_of(int lmax, int m)
{
  return (lmax - m) / 2 + 1;
}

int sph_leg_tables_init(SphLegTables *t, int lmax, int mmax)
{
  memset(t, 0, sizeof *t);
  t->lmax = lmax;
  t->mmax = mmax;
  t->offset = malloc(((size_t)mmax + 2) * sizeof *t->offset);
  t->lambda_mm = malloc(((size_t)mmax + 1) * sizeof *t->lambda_mm);
  if (t->offset == NULL || t->lambda_mm == NULL) {
    sph_leg_tables_free(t);
    return -1;
  }
  int64_t total = 0;
  for (int m = 0; m <= mmax; m++) {
    t->offset[m] = total;
    total += 2 * nsteps_of(lmax, m);
  }
  t->offset[mmax + 1] = total;
  t->coef = malloc((size_t)total * sizeof *t->coef);
  if (t->coef == NULL) {
    sph_leg_tables_free(t);
    return -1;
  }

  /* lambda_mm / sin^m = (-1)^m sqrt(prod_{i<=m} (2i+1)/(2i)) / sqrt(4 pi). */
  long double mu = 1.0L / sqrtl(4.0L * 3.14159265358979323846264338327950288L);
  for (int m = 0; m <= mmax; m++) {
    if (m > 0)
      mu *= sqrtl((2.0L * m + 1.0L) / (2.0L * m));
    t->lambda_mm[m] = (double)((m & 1) ? -mu : mu);
  }

  /* The alpha recursion multiplies thousands of factors: long double keeps the
   * accumulated rounding below a double's. */
#pragma omp parallel for schedule(dynamic, 4)
  for (int m = 0; m <= mmax; m++) {
    long double mm2 = (long double)m * m;
    double *c = t->coef + t->offset[m];
    int64_t K = nsteps_of(lmax, m);
#define EPS2(j) ((((long double)(j) * (j)) - mm2) / (4.0L * (long double)(j) * (j) - 1.0L))
    long double alpha = 1.0L / sqrtl(EPS2(m + 1));
    for (int64_t k = 0; k < K; k++) {
      int64_t l = m + 2 * k;
      long double s = (k & 1) ? -1.0L : 1.0L;
      long double a = s * alpha * alpha;
      long double b = -a * (EPS2(l + 1) + EPS2(l + 2));
      c[2 * k] = (double)a;
      c[2 * k + 1] = (double)b;
      alpha = s / (sqrtl(EPS2(l + 2) * EPS2(l + 3)) * alpha);
    }
#undef EPS2
  }
  return 0;
}

void sph_leg_tables_free(SphLegTables *t)
{
  free(t->offset);
  free(t->coef);
  free(t->lambda_mm);
  memset(t, 0, sizeof *t);
}

void sph_leg_tables_get(const SphLegTables *t, int m, SphLegM *mm)
{
  mm->m = m;
  mm->nsteps = (int)nsteps_of(t->lmax, m);
  mm->coef = t->coef + t->offset[m];
  mm->lambda_mm = t->lambda_mm[m];
}

/* alpha_k from a_k = (-1)^k alpha_k^2; alpha_k > 0 for k = 0, 1 (mod 4), < 0 otherwise.
 * The factors of T are computed without loop-carried dependences so they vectorise. */
static void transform_factors(const SphLegM *mm, int k0, int k1, double *f1, double *f2, double *fo)
{
  const double m = mm->m;
  for (int k = k0; k < k1; k++) {
    double l = m + 2.0 * k;
    double alpha = sqrt(fabs(mm->coef[2 * k]));
    alpha = (k & 2) ? -alpha : alpha;
    double e1 = sqrt((l + 1 - m) * (l + 1 + m) / ((2 * l + 1) * (2 * l + 3)));
    double e2 = sqrt((l + 2 - m) * (l + 2 + m) / ((2 * l + 3) * (2 * l + 5)));
    f1[k - k0] = alpha * e1;
    f2[k - k0] = alpha * e2;
    fo[k - k0] = alpha;
  }
}

#define SPH_LEG_TBLOCK 256

void sph_leg_forward_coefficients(const SphLegM *mm, int lmax, const double *c, double *ct)
{
  const int m = mm->m, K = mm->nsteps;
  const int n = lmax - m + 1; /* coefficients held */
  double f1[SPH_LEG_TBLOCK], f2[SPH_LEG_TBLOCK], fo[SPH_LEG_TBLOCK];
  for (int k0 = 0; k0 < K; k0 += SPH_LEG_TBLOCK) {
    int k1 = k0 + SPH_LEG_TBLOCK < K ? k0 + SPH_LEG_TBLOCK : K;
    transform_factors(mm, k0, k1, f1, f2, fo);
    for (int k = k0; k < k1; k++) {
      int j = 2 * k; /* l - m */
      double r1 = 0, i1 = 0, r2 = 0, i2 = 0;
      if (j + 1 < n) {
        r1 = c[2 * j + 2];
        i1 = c[2 * j + 3];
      }
      if (j + 2 < n) {
        r2 = c[2 * j + 4];
        i2 = c[2 * j + 5];
      }
      ct[4 * k] = f1[k - k0] * c[2 * j] + f2[k - k0] * r2;
      ct[4 * k + 1] = f1[k - k0] * c[2 * j + 1] + f2[k - k0] * i2;
      ct[4 * k + 2] = fo[k - k0] * r1;
      ct[4 * k + 3] = fo[k - k0] * i1;
    }
  }
}

void sph_leg_adjoint_coefficients(const SphLegM *mm, int lmax, const double *ct, double *c)
{
  /* c_l = alpha_k eps_{l+1} c~_l + alpha_{k-1} eps_l c~_{l-2}, c_{l+1} = alpha_k c~_{l+1};
   * alpha_{k-1} eps_l is the previous step's f2. Every l = m..lmax is written. */
  const int m = mm->m, K = mm->nsteps;
  const int n = lmax - m + 1;
  double f1[SPH_LEG_TBLOCK], f2[SPH_LEG_TBLOCK], fo[SPH_LEG_TBLOCK];
  double prev_f2 = 0, prev_r = 0, prev_i = 0;
  for (int k0 = 0; k0 < K; k0 += SPH_LEG_TBLOCK) {
    int k1 = k0 + SPH_LEG_TBLOCK < K ? k0 + SPH_LEG_TBLOCK : K;
    transform_factors(mm, k0, k1, f1, f2, fo);
    for (int k = k0; k < k1; k++) {
      int j = 2 * k;
      c[2 * j] = f1[k - k0] * ct[4 * k] + prev_f2 * prev_r;
      c[2 * j + 1] = f1[k - k0] * ct[4 * k + 1] + prev_f2 * prev_i;
      if (j + 1 < n) {
        c[2 * j + 2] = fo[k - k0] * ct[4 * k + 2];
        c[2 * j + 3] = fo[k - k0] * ct[4 * k + 3];
      }
      prev_f2 = f2[k - k0];
      prev_r = ct[4 * k];
      prev_i = ct[4 * k + 1];
    }
  }
}

/* ---------------------------------------------------------------- spin */

int sph_leg_spin_nl(int lmax, int m, int spin)
{
  int l0 = m > spin ? m : spin;
  return l0 > lmax ? 0 : lmax - l0 + 1;
}

int sph_leg_spin_prepare(int lmax, int m, int spin, double lambda_mm, double *coef, double *w,
                         SphLegSpinM *mm)
{
  const int s = spin;
  const int l0 = m > s ? m : s;
  memset(mm, 0, sizeof *mm);
  mm->m = m;
  mm->spin = s;
  mm->l0 = l0;
  mm->coef = coef;
  if (l0 > lmax)
    return -1;
  const int nl = lmax - l0 + 1;
  mm->nl = nl;

  /* Start values (Goldberg's formula at l = l0). For m >= s, with the spin-0 factor
   * mu_m = |lambda_mm| / sin^m and sin = 2 sin(t/2) cos(t/2):
   *   lambda+ = (-1)^m mu_m sqrt(prod_{j=1}^s (m-s+j)/(m+j)) 2^s sin^(m-s) sin^(2s)(t/2),
   *   lambda- = the same with cos^(2s)(t/2);
   * for m < s, with K = sqrt((2s)! (2s+1) / (4 pi (s+m)! (s-m)!)):
   *   lambda+ = (-1)^m K sin^(s+m)(t/2) cos^(s-m)(t/2),
   *   lambda- = (-1)^s K sin^(s-m)(t/2) cos^(s+m)(t/2).
   * Only non-negative powers: the values stay finite at the poles, where lambda- of
   * m = s (and lambda+ at the south pole) is not zero. */
  if (m >= s) {
    long double p = 1;
    for (int j = 1; j <= s; j++)
      p *= (long double)(m - s + j) / (m + j);
    double f = lambda_mm * (double)(sqrtl(p) * powl(2.0L, s)); /* lambda_mm carries (-1)^m */
    mm->fa = mm->fb = f;
    mm->e_sin = m - s;
    mm->ea_s2 = 2 * s;
    mm->ea_c2 = 0;
    mm->eb_s2 = 0;
    mm->eb_c2 = 2 * s;
  } else {
    long double k2 = (2.0L * s + 1) / (4.0L * 3.14159265358979323846264338327950288L);
    for (int j = 1; j <= 2 * s; j++)
      k2 *= j;
    for (int j = 1; j <= s + m; j++)
      k2 /= j;
    for (int j = 1; j <= s - m; j++)
      k2 /= j;
    double K = (double)sqrtl(k2);
    mm->fa = (m & 1) ? -K : K;
    mm->fb = (s & 1) ? -K : K;
    mm->e_sin = 0;
    mm->ea_s2 = s + m;
    mm->ea_c2 = s - m;
    mm->eb_s2 = s - m;
    mm->eb_c2 = s + m;
  }

  /* lambda_{l+1} = A_l (x +- c_l) lambda_l - G_l lambda_{l-1}; with w_{l+1} = G_l w_{l-1}
   * (w_l0 = w_l0+1 = 1) the scaled recurrence has -1 as its last coefficient. coef
   * first holds A_l and G_l (independent per degree, so the loop vectorises). */
  const double md = m, sd = s;
  for (int i = 0; i < nl; i++) {
    double l = l0 + i;
    double lp = l + 1;
    coef[2 * i] = sqrt((2 * l + 3) / (2 * l + 1)) * lp * (2 * l + 1) /
                  sqrt((lp - md) * (lp + md) * (lp - sd) * (lp + sd));
    coef[2 * i + 1] = (i == 0) ? 0.0
                               : sqrt((2 * l + 3) / (2 * l - 1)) * lp / l *
                                     sqrt((l - md) * (l + md) * (l - sd) * (l + sd) /
                                          ((lp - md) * (lp + md) * (lp - sd) * (lp + sd)));
  }
  /* w_l for l = l0..lmax+1 (w[nl] is the one past the end, kept in a local). */
  w[0] = 1.0;
  double w_next = 1.0; /* w_{l0+1} */
  for (int i = 1; i < nl; i++) {
    w[i] = w_next;
    w_next = coef[2 * i + 1] * w[i - 1]; /* w_{l+1} = G_l w_{l-1} at l = l0 + i */
  }
  for (int i = 0; i < nl; i++) {
    double l = l0 + i;
    double wn = (i + 1 < nl) ? w[i + 1] : w_next;
    double f0 = coef[2 * i] * w[i] / wn;
    coef[2 * i] = f0;
    coef[2 * i + 1] = f0 * md * sd / (l * (l + 1));
  }
  return 0;
}
