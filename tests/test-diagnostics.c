/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "infer-test-helpers.h"
#include "sphaera/diagnostics.h"

/* The FFT route equals the direct sum over lags (zero padding to twice the length
 * leaves no circular wrap-around). */
static void test_acf_direct(void)
{
  const double phi = 0.7;
  size_t n = 777;
  double *x = infer_ar1_chain(n, 1, 1, &phi, 3);
  double *acf = g_new(double, n);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_autocorr_function(x, n, 1, acf, &err), ==, SPH_OK);
  double mean = 0;
  for (size_t i = 0; i < n; i++)
    mean += x[i];
  mean /= n;
  double c0 = 0;
  for (size_t i = 0; i < n; i++)
    c0 += (x[i] - mean) * (x[i] - mean);
  for (size_t k = 0; k < n; k += 37) {
    double ck = 0;
    for (size_t i = 0; i + k < n; i++)
      ck += (x[i] - mean) * (x[i + k] - mean);
    g_assert_cmpfloat_with_epsilon(acf[k], ck / c0, 1e-12);
  }
  g_assert_cmpfloat(acf[0], ==, 1.0);
  double constant[5] = {2, 2, 2, 2, 2};
  g_assert_cmpint(sph_autocorr_function(constant, 5, 1, acf, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "constant"));
  g_free(acf);
  g_free(x);
}

/* An AR(1) series has tau = (1 + phi) / (1 - phi). */
static void test_tau_ar1(void)
{
  const double phi[3] = {0.0, 0.5, 0.9};
  size_t steps = 20000, walkers = 8;
  double *x = infer_ar1_chain(steps, walkers, 3, phi, 11);
  double tau[3], ess[3];
  size_t n_short = 99;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_integrated_time(x, steps, walkers, 3, 5.0, 50.0, tau, &n_short, &err), ==,
                  SPH_OK);
  g_assert_cmpuint(n_short, ==, 0);
  for (int d = 0; d < 3; d++) {
    double truth = (1 + phi[d]) / (1 - phi[d]);
    g_assert_cmpfloat(fabs(tau[d] / truth - 1), <, 0.08);
  }
  sph_effective_sample_size(tau, steps, walkers, 3, ess);
  g_assert_cmpfloat_with_epsilon(ess[2], steps * walkers / tau[2], 1e-9);
  g_free(x);
}

static void test_tau_short_chain(void)
{
  const double phi = 0.95;
  size_t steps = 300, walkers = 4;
  double *x = infer_ar1_chain(steps, walkers, 1, &phi, 5);
  double tau_strict = 0, tau_quiet = 0;
  size_t n_short = 0;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_integrated_time(x, steps, walkers, 1, 5, 50, &tau_strict, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "shorter than 50 tau"));
  g_assert_cmpint(sph_integrated_time(x, steps, walkers, 1, 5, 50, &tau_quiet, &n_short, &err),
                  ==, SPH_OK);
  g_assert_cmpuint(n_short, ==, 1);
  g_assert_cmpfloat(tau_strict, ==, tau_quiet);
  g_assert_cmpfloat(tau_quiet, >, 300.0 / 50);
  g_free(x);
}

static void compare_with_emcee(size_t steps, size_t walkers, size_t dim, const double *phi,
                               uint64_t seed)
{
  double *x = infer_ar1_chain(steps, walkers, dim, phi, seed);
  char *file = infer_write_raw(x, steps * walkers * dim);
  char *shape = g_strdup_printf("%zu,%zu,%zu", steps, walkers, dim);
  char *out = infer_run_python(INFER_EMCEE_TAU_PY, file, shape);
  if (out != NULL) {
    double tau[8];
    size_t n_short;
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_integrated_time(x, steps, walkers, dim, 5, 50, tau, &n_short, &err), ==,
                    SPH_OK);
    infer_assert_emcee_tau(tau, dim, out);
  }
  g_unlink(file);
  g_free(out);
  g_free(shape);
  g_free(file);
  g_free(x);
}

static void test_tau_equals_emcee(void)
{
  const double phi[4] = {0.3, 0.8, 0.95, 0.99};
  compare_with_emcee(3000, 3, 4, phi, 22); /* short for the slowest: quiet in both */
  compare_with_emcee(1023, 1, 2, phi, 23); /* not a power of two, one walker */
}

/* Half-chains alternating mean_j +- 1 have exactly mean_j and variance n / (n - 1). */
static void test_split_rhat_exact(void)
{
  const size_t n = 10, walkers = 2, steps = 2 * n;
  const double mu[4] = {0.0, 0.5, -0.3, 1.0}; /* walker 0 halves, walker 1 halves */
  double x[2 * 10 * 2];
  for (size_t w = 0; w < walkers; w++)
    for (size_t t = 0; t < steps; t++)
      x[t * walkers + w] = mu[2 * w + t / n] + (t % 2 ? 1.0 : -1.0);
  double rhat;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_split_rhat(x, steps, walkers, 1, &rhat, &err), ==, SPH_OK);
  double mbar = (mu[0] + mu[1] + mu[2] + mu[3]) / 4, spread = 0;
  for (int j = 0; j < 4; j++)
    spread += (mu[j] - mbar) * (mu[j] - mbar);
  double W = n / (n - 1.0), B = n / 3.0 * spread;
  double expect = sqrt(((n - 1.0) / n * W + B / n) / W);
  g_assert_cmpfloat_with_epsilon(rhat, expect, 1e-12);
  g_assert_cmpfloat(rhat, >, 1.05);
}

static void test_split_rhat_stationary(void)
{
  const double phi[2] = {0.0, 0.9};
  double *x = infer_ar1_chain(20001, 8, 2, phi, 9);
  double rhat[2];
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_split_rhat(x, 20001, 8, 2, rhat, &err), ==, SPH_OK);
  g_assert_cmpfloat(fabs(rhat[0] - 1), <, 0.005);
  g_assert_cmpfloat(fabs(rhat[1] - 1), <, 0.02);
  g_assert_cmpint(sph_split_rhat(x, 3, 8, 2, rhat, &err), ==, SPH_ERR_INVALID);
  g_free(x);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/diagnostics/acf-direct", test_acf_direct);
  g_test_add_func("/diagnostics/tau-ar1", test_tau_ar1);
  g_test_add_func("/diagnostics/tau-short-chain", test_tau_short_chain);
  g_test_add_func("/diagnostics/tau-equals-emcee", test_tau_equals_emcee);
  g_test_add_func("/diagnostics/split-rhat-exact", test_split_rhat_exact);
  g_test_add_func("/diagnostics/split-rhat-stationary", test_split_rhat_stationary);
  return g_test_run();
}
