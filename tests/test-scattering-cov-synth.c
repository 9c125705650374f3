/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Field synthesis from scattering covariances: the loss's gradient against central
 * differences, and L-BFGS from white noise lowering the loss by orders of magnitude, the
 * result matching the target's wavelet power spectrum while the noise did not. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/rng.h"
#include "sphaera/scattering_cov_synth.h"

static void random_disks(double *x, int64_t h, int64_t w, int count, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 1);
  memset(x, 0, (size_t)(h * w) * sizeof *x);
  for (int d = 0; d < count; d++) {
    double r0 = (double)sph_rng_below(&rng, (uint64_t)h), c0 = (double)sph_rng_below(&rng, (uint64_t)w);
    double radius = 1.5 + 3.5 * sph_rng_uniform(&rng);
    for (int64_t r = 0; r < h; r++)
      for (int64_t c = 0; c < w; c++) {
        double dr = fabs((double)r - r0), dc = fabs((double)c - c0);
        dr = fmin(dr, (double)h - dr);
        dc = fmin(dc, (double)w - dc);
        if (dr * dr + dc * dc <= radius * radius)
          x[r * w + c] += 1.0;
      }
  }
}

static void white_noise(double *x, int64_t n, double sd, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 0);
  for (int64_t i = 0; i < n; i++)
    x[i] = sd * sph_rng_normal(&rng);
}

static double s2_log_mismatch(SphScatteringCov *plan, const double *a, const double *b, int nw)
{
  double sa[64], sb[64], worst = 0;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_scattering_cov_wavelet_power(plan, a, sa, &err), ==, SPH_OK);
  g_assert_cmpint(sph_scattering_cov_wavelet_power(plan, b, sb, &err), ==, SPH_OK);
  for (int i = 0; i < nw; i++)
    worst = fmax(worst, fabs(log(sa[i] / sb[i])));
  return worst;
}

static void test_loss_gradient(void)
{
  const int64_t h = 16, w = 16, n = h * w;
  SphError err = SPH_ERROR_INIT;
  SphScatteringCov *plan = sph_scattering_cov_new(h, w, 2, 2, SPH_SCATCOV_NORM_REFERENCE, &err);
  g_assert_nonnull(plan);
  double target_image[256], x[256], grad[256], s2[4];
  random_disks(target_image, h, w, 4, 5);
  white_noise(x, n, 0.5, 6);
  g_assert_cmpint(sph_scattering_cov_wavelet_power(plan, target_image, s2, &err), ==, SPH_OK);
  g_assert_cmpint(sph_scattering_cov_set_reference(plan, s2, &err), ==, SPH_OK);
  int64_t ns = sph_scattering_cov_nstats(plan);
  double *target = g_new(double, ns);
  g_assert_cmpint(sph_scattering_cov_forward(plan, target_image, target, &err), ==, SPH_OK);
  double f;
  g_assert_cmpint(sph_scattering_cov_synthesis_loss(plan, target, x, &f, grad, &err), ==, SPH_OK);
  double gmax = 0, worst = 0;
  for (int64_t i = 0; i < n; i++)
    gmax = fmax(gmax, fabs(grad[i]));
  for (int64_t i = 0; i < n; i += 5) {
    double keep = x[i], fp, fm, step = 1e-5;
    x[i] = keep + step;
    g_assert_cmpint(sph_scattering_cov_synthesis_loss(plan, target, x, &fp, NULL, &err), ==, SPH_OK);
    x[i] = keep - step;
    g_assert_cmpint(sph_scattering_cov_synthesis_loss(plan, target, x, &fm, NULL, &err), ==, SPH_OK);
    x[i] = keep;
    worst = fmax(worst, fabs((fp - fm) / (2 * step) - grad[i]) / gmax);
  }
  g_test_message("loss %.4g: gradient against central differences, worst %.2e of %.3g", f,
                 worst, gmax);
  g_assert_cmpfloat(worst, <=, 1e-6);
  g_free(target);
  sph_scattering_cov_free(plan);
}

static void test_synthesis(void)
{
  const int64_t h = 32, w = 32, n = h * w;
  const int J = 3, L = 4;
  SphError err = SPH_ERROR_INIT;
  SphScatteringCov *plan = sph_scattering_cov_new(h, w, J, L, SPH_SCATCOV_NORM_REFERENCE, &err);
  g_assert_nonnull(plan);
  double *target = g_new(double, n), *x = g_new(double, n);
  random_disks(target, h, w, 10, 7);
  white_noise(x, n, 0.5, 8);
  double before = s2_log_mismatch(plan, target, x, J * L);
  SphLbfgsConfig config = sph_lbfgs_defaults();
  config.max_iterations = 150;
  SphScatCovSynthesis result;
  SphStatus st = sph_scattering_cov_synthesise(plan, target, x, &config, NULL, &result, &err);
  g_assert_cmpint(st, ==, SPH_OK);
  double after = s2_log_mismatch(plan, target, x, J * L);
  g_test_message("synthesis from white noise: loss %.4g -> %.4g in %zu iterations (%zu "
                 "evaluations, stop %d); worst |log S2 ratio| %.3f -> %.2e",
                 result.initial_loss, result.lbfgs.loss, result.lbfgs.iterations,
                 result.lbfgs.evaluations, (int)result.lbfgs.stop, before, after);
  g_assert_cmpfloat(result.lbfgs.loss, <, 1e-3 * result.initial_loss);
  g_assert_cmpfloat(after, <, 0.05);
  g_assert_cmpfloat(before, >, 0.5);
  g_free(target);
  g_free(x);
  sph_scattering_cov_free(plan);
}

static void test_failures(void)
{
  SphError err = SPH_ERROR_INIT;
  SphScatteringCov *plan = sph_scattering_cov_new(16, 16, 2, 2, SPH_SCATCOV_NORM_SELF, &err);
  double target[256] = {0}, x[256] = {0};
  target[3] = 1;
  g_assert_cmpint(sph_scattering_cov_synthesise(plan, target, x, NULL, NULL, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "reference"));
  sph_scattering_cov_free(plan);
  plan = sph_scattering_cov_new(16, 16, 2, 2, SPH_SCATCOV_NORM_REFERENCE, &err);
  memset(target, 0, sizeof target);
  g_assert_cmpint(sph_scattering_cov_synthesise(plan, target, x, NULL, NULL, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_test_message("%s", err.message);
  g_assert_nonnull(strstr(err.message, "target image"));
  sph_scattering_cov_free(plan);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/scattering-cov-synth/loss-gradient", test_loss_gradient);
  g_test_add_func("/scattering-cov-synth/synthesis", test_synthesis);
  g_test_add_func("/scattering-cov-synth/failures", test_failures);
  return g_test_run();
}
