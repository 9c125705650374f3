/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/wavelet_kernels.h"

#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "sphaera/mem.h"

/* Composite Gauss-Legendre: the integrand is smooth but flat to all orders at the ends of
 * its support, so many short panels of a moderate rule converge far faster than one
 * long rule. 64 panels of 20 nodes reach rounding (checked against scipy's quad). */
enum { GL_NODES = 20, GL_PANELS = 64 };

typedef struct {
  double x[GL_NODES];
  double w[GL_NODES];
} GaussRule;

/* Nodes and weights on [-1, 1] by Newton's method on P_n. */
static void gauss_rule_init(GaussRule *rule)
{
  const int n = GL_NODES;
  for (int i = 0; i < (n + 1) / 2; i++) {
    double x = cos(M_PI * (i + 0.75) / (n + 0.5));
    double dp = 1;
    for (int it = 0; it < 100; it++) {
      double p0 = 1, p1 = x;
      for (int k = 2; k <= n; k++) {
        double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = n * (x * p1 - p0) / (x * x - 1);
      double dx = p1 / dp;
      x -= dx;
      if (fabs(dx) < 1e-16)
        break;
    }
    double p0 = 1, p1 = x;
    for (int k = 2; k <= n; k++) {
      double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
      p0 = p1;
      p1 = p2;
    }
    dp = n * (x * p1 - p0) / (x * x - 1);
    double w = 2 / ((1 - x * x) * dp * dp);
    rule->x[i] = -x;
    rule->w[i] = w;
    rule->x[n - 1 - i] = x;
    rule->w[n - 1 - i] = w;
  }
}

/* s_B(u)^2 / u: s(t)^2 = exp(-2/(1-t^2)) with t = 2B/(B-1) (u - 1/B) - 1. */
static double integrand(double B, double u)
{
  double t = 2 * B / (B - 1) * (u - 1 / B) - 1;
  double q = 1 - t * t;
  if (q <= 0)
    return 0;
  return exp(-2 / q) / u;
}

/* int_a^1 s_B(u)^2 du/u for 1/B <= a <= 1, with panels no wider than 1/GL_PANELS of the
 * support (1/B, 1). */
static double integral_to_one(const GaussRule *rule, double B, double a)
{
  int panels = (int)ceil(GL_PANELS * (1 - a) / (1 - 1 / B));
  if (panels < 1)
    panels = 1;
  double h = (1 - a) / panels;
  double sum = 0;
  for (int p = 0; p < panels; p++) {
    double mid = a + (p + 0.5) * h;
    double panel = 0;
    for (int i = 0; i < GL_NODES; i++)
      panel += rule->w[i] * integrand(B, mid + 0.5 * h * rule->x[i]);
    sum += 0.5 * h * panel;
  }
  return sum;
}

static double kernel_k(const GaussRule *rule, double B, double norm, double x)
{
  if (x <= 1 / B)
    return 1;
  if (x >= 1)
    return 0;
  /* Rounding can put the ratio a hair above 1 just past 1/B. */
  return fmin(1, integral_to_one(rule, B, x) / norm);
}

double sph_wavelet_kernel_k(double B, double x)
{
  if (!(B > 1) || !isfinite(B) || isnan(x))
    return NAN;
  GaussRule rule;
  gauss_rule_init(&rule);
  return kernel_k(&rule, B, integral_to_one(&rule, B, 1 / B), x);
}

int sph_wavelet_j_max(double B, int L)
{
  if (!(B > 1) || !isfinite(B) || L < 2)
    return -1;
  /* The logarithm's estimate bounds the count (B barely above 1 would need millions of
   * scales); the exact answer then comes from powers of B. */
  double estimate = log(L - 1.0) / log(B);
  if (estimate > SPH_WAVELET_MAX_SCALES)
    return -1;
  int j = estimate > 2 ? (int)estimate - 2 : 0;
  while (pow(B, j) < L - 1)
    j++;
  return j;
}

int sph_wavelet_band_limit(double B, int L, int j)
{
  double bl = ceil(pow(B, j + 1));
  return bl < L ? (int)bl : L;
}

void sph_wavelet_kernels_free(SphWaveletKernels *kernels)
{
  if (!kernels)
    return;
  sph_free_aligned(kernels->scaling);
  sph_free_aligned(kernels->wavelet);
  free(kernels);
}

SphWaveletKernels *sph_wavelet_kernels_new(double B, int L, int j_min, SphError *err)
{
  if (!(B > 1) || !isfinite(B)) {
    sph_error_set(err, SPH_ERR_INVALID, "wavelet dilation B = %g must be a finite number above 1",
                  B);
    return NULL;
  }
  if (L < 2) {
    sph_error_set(err, SPH_ERR_INVALID, "wavelet band limit L = %d must be at least 2", L);
    return NULL;
  }
  int j_max = sph_wavelet_j_max(B, L);
  if (j_max < 0) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "wavelet dilation B = %.17g is too close to 1: band limit L = %d would need "
                  "more than %d scales",
                  B, L, SPH_WAVELET_MAX_SCALES);
    return NULL;
  }
  if (j_min < 0 || j_min > j_max) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "wavelet J_min = %d is out of range: B = %g and L = %d allow 0..%d", j_min, B,
                  L, j_max);
    return NULL;
  }
  SphWaveletKernels *k = calloc(1, sizeof *k);
  if (!k) {
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for wavelet kernels");
    return NULL;
  }
  k->B = B;
  k->L = L;
  k->j_min = j_min;
  k->j_max = j_max;
  int nscales = j_max - j_min + 1;
  /* k_B(l / B^j) for j = j_min..j_max+1, the rows the kernels difference. */
  double *phi2 = sph_alloc_aligned((size_t)(nscales + 1) * L, sizeof *phi2, err);
  k->scaling = sph_alloc_aligned((size_t)L, sizeof *k->scaling, err);
  k->wavelet = sph_alloc_aligned((size_t)nscales * L, sizeof *k->wavelet, err);
  if (!phi2 || !k->scaling || !k->wavelet) {
    sph_free_aligned(phi2);
    sph_wavelet_kernels_free(k);
    return NULL;
  }
  GaussRule rule;
  gauss_rule_init(&rule);
  double norm = integral_to_one(&rule, B, 1 / B);
  for (int r = 0; r <= nscales; r++) {
    double scale = pow(B, j_min + r);
    for (int l = 0; l < L; l++)
      phi2[(size_t)r * L + l] = kernel_k(&rule, B, norm, l / scale);
  }
  for (int l = 0; l < L; l++)
    k->scaling[l] = sqrt(phi2[l]);
  for (int s = 0; s < nscales; s++)
    for (int l = 0; l < L; l++) {
      double diff = phi2[(size_t)(s + 1) * L + l] - phi2[(size_t)s * L + l];
      k->wavelet[(size_t)s * L + l] = diff > 0 ? sqrt(diff) : 0;
    }
  sph_free_aligned(phi2);
  return k;
}

void sph_wavelet_kernels_harmonic(const SphWaveletKernels *kernels, double *wav_l0,
                                  double *scal_l0)
{
  int L = kernels->L;
  int nscales = sph_wavelet_kernels_nscales(kernels);
  for (int l = 0; l < L; l++) {
    double norm = sqrt((2.0 * l + 1) / (4 * M_PI));
    if (scal_l0)
      scal_l0[l] = norm * kernels->scaling[l];
    if (wav_l0)
      for (int s = 0; s < nscales; s++)
        wav_l0[(size_t)s * L + l] = norm * kernels->wavelet[(size_t)s * L + l];
  }
}

/* C(n, k) / 2^n by the multiplicative formula: no overflow for n up to a few thousand. */
static double binomial_over_power_of_two(int n, int k)
{
  double c = 1;
  for (int i = 1; i <= k; i++)
    c = c * (n - k + i) / i;
  return ldexp(c, -n);
}

SphStatus sph_wavelet_directional_profile(int L, int N, double _Complex *s_lm, SphError *err)
{
  if (L < 1)
    return sph_error_set(err, SPH_ERR_INVALID, "directional profile: band limit L = %d < 1", L);
  if (N < 1 || N > L || N > SPH_WAVELET_MAX_DIRECTIONS)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "wavelet directions N = %d is out of range: 1..%d for L = %d", N,
                         L < SPH_WAVELET_MAX_DIRECTIONS ? L : SPH_WAVELET_MAX_DIRECTIONS, L);
  double _Complex nu = N % 2 ? 1 : I;
  s_lm[0] = 0;
  for (int l = 1; l < L; l++) {
    int gamma = (N + l) % 2 ? (N - 1 < l ? N - 1 : l) : (N - 1 < l - 1 ? N - 1 : l - 1);
    for (int m = -l; m <= l; m++) {
      double _Complex v = 0;
      if (abs(m) < N && (N + m) % 2 != 0)
        v = nu * sqrt(binomial_over_power_of_two(gamma, (gamma - m) / 2));
      s_lm[(int64_t)l * l + l + m] = v;
    }
  }
  return SPH_OK;
}
