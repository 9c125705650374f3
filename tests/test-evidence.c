/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "infer-test-helpers.h"
#include "sphaera/ensemble.h"
#include "sphaera/evidence.h"

static SphTarget *must_target(const char *spec)
{
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  if (sph_target_new(spec, &t, &err) != SPH_OK)
    g_error("%s: %s", spec, err.message);
  return t;
}

/* ln z of gauss:D: (D/2) ln 2 pi + 1/2 ln |S| - D ln 20, |S| = (1 - rho^2)^(D - 1). */
static double gauss_ln_z(size_t dim)
{
  return 0.5 * (double)dim * log(2 * M_PI) + 0.5 * (double)(dim - 1) * log(1 - 0.81) -
         (double)dim * log(20.0);
}

static SphChain *sample(const SphTarget *t, size_t walkers, size_t steps, uint64_t seed)
{
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  o.walkers = walkers;
  o.steps = steps;
  o.seed = seed;
  o.init_scale = 1.0;
  SphError err = SPH_ERROR_INIT;
  SphChain *c = NULL;
  if (sph_ensemble_run(t, &o, NULL, &c, &err) != SPH_OK)
    g_error("ensemble: %s", err.message);
  return c;
}

/* The target: |d ln z| < tol in at least 9 of 10 seeds. */
static void check_gauss(size_t dim, double tol)
{
  char spec[32];
  g_snprintf(spec, sizeof spec, "gauss:%zu", dim);
  SphTarget *t = must_target(spec);
  double truth = gauss_ln_z(dim);
  int good = 0;
  for (uint64_t seed = 1; seed <= 10; seed++) {
    SphChain *c = sample(t, 32, 4000, seed);
    SphHarmonicOptions o;
    sph_harmonic_options_init(&o);
    o.burn = 1000;
    o.target = t;
    SphEvidence ev;
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_evidence_harmonic(c, &o, &ev, &err), ==, SPH_OK);
    double d = ev.ln_evidence - truth;
    g_test_message("%s seed %" G_GUINT64_FORMAT ": ln z = %.4f +- %.4f (truth %.4f, d = %+.4f) "
                   "share %.2g", spec, seed, ev.ln_evidence, ev.ln_evidence_err, truth, d,
                   ev.max_weight_share);
    g_assert_true(ev.target_inside);
    g_assert_cmpfloat(ev.draw_excess, <, 1);
    g_assert_cmpfloat(ev.ln_evidence_err, >, 0);
    g_assert_cmpfloat(ev.ln_evidence_err, <, tol);
    good += fabs(d) < tol;
    sph_chain_free(c);
  }
  g_assert_cmpint(good, >=, 9);
  sph_target_free(t);
}

static void test_gauss5(void)
{
  check_gauss(5, 0.05);
}

static void test_gauss10(void)
{
  check_gauss(10, 0.1);
}

/* Exact independent draws of a 3-D Gaussian with known normalisation put into a chain:
 * the estimate must match and its error must describe the scatter over seeds. */
static void test_error_calibrated(void)
{
  size_t dim = 3, walkers = 40, steps = 80;
  double sigma[3] = {0.5, 2.0, 1.0}, lnz = 1.7;
  double sum_sq = 0;
  int n = 40;
  for (int seed = 0; seed < n; seed++) {
    SphError err = SPH_ERROR_INIT;
    SphChain *c = NULL;
    g_assert_cmpint(sph_chain_new(steps, walkers, dim, NULL, NULL, &c, &err), ==, SPH_OK);
    SphRng rng;
    sph_rng_init(&rng, (uint64_t)seed + 100, 0);
    for (size_t s = 0; s < steps; s++)
      for (size_t w = 0; w < walkers; w++) {
        double *x = sph_chain_sample(c, s, w), q = 0, lnorm = 0;
        for (size_t i = 0; i < dim; i++) {
          x[i] = sigma[i] * sph_rng_normal(&rng);
          q += x[i] * x[i] / (sigma[i] * sigma[i]);
          lnorm += log(sqrt(2 * M_PI) * sigma[i]);
        }
        c->log_prob[s * walkers + w] = lnz - 0.5 * q - lnorm;
      }
    c->steps = steps;
    SphEvidence ev;
    g_assert_cmpint(sph_evidence_harmonic(c, NULL, &ev, &err), ==, SPH_OK);
    double pull = (ev.ln_evidence - lnz) / ev.ln_evidence_err;
    sum_sq += pull * pull;
    g_assert_cmpfloat(fabs(ev.ln_evidence - lnz), <, 0.05);
    /* Per-sample relative variance of the ratio phi / p for Gaussians p = N(0, S) and
     * phi = N(0, T S): the integral of phi^2 / p less 1, (T (2 - T))^(-D/2) - 1. */
    double expect = pow(0.8 * (2 - 0.8), -1.5) - 1;
    g_assert_cmpfloat(fabs(ev.relative_variance - expect), <, 0.1);
    sph_chain_free(c);
  }
  /* With 20 inference chains the pull is Student-t with 19 dof (variance 1.12); the mean
   * of 40 squared pulls then lies in 0.5..1.9 but for a miscalibrated error. */
  g_test_message("mean squared pull %.3f", sum_sq / n);
  g_assert_cmpfloat(sum_sq / n, >, 0.5);
  g_assert_cmpfloat(sum_sq / n, <, 1.9);
}

/* A Gaussian fitted to the bimodal target covers the gap between the modes: the
 * evidence (ln z = -2 ln 20) comes out wrong and the check must say so. */
static void test_bimodal_warns(void)
{
  SphTarget *t = must_target("bimodal");
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  o.walkers = 32;
  o.steps = 3000;
  o.seed = 3;
  /* Half the walkers start in each mode, so both are sampled. */
  double init[64];
  for (size_t w = 0; w < 32; w++)
    for (size_t i = 0; i < 2; i++)
      init[w * 2 + i] = (w % 2 ? 3.0 : -3.0) + 0.1 * (double)((w * 7 + i * 3) % 5);
  o.initial = init;
  SphError err = SPH_ERROR_INIT;
  SphChain *c = NULL;
  g_assert_cmpint(sph_ensemble_run(t, &o, NULL, &c, &err), ==, SPH_OK);
  SphHarmonicOptions h;
  sph_harmonic_options_init(&h);
  h.burn = 500;
  h.target = t;
  SphEvidence ev;
  g_assert_cmpint(sph_evidence_harmonic(c, &h, &ev, &err), ==, SPH_OK);
  g_test_message("bimodal: ln z %.3f (truth %.3f), draw excess %.2f: %s", ev.ln_evidence,
                 -2 * log(20.0), ev.draw_excess, ev.warning);
  g_assert_false(ev.target_inside);
  g_assert_nonnull(strstr(ev.warning, "leaves the posterior"));
  /* phi's draws in the gap between the modes see a posterior e^-9 thinner. */
  g_assert_cmpfloat(ev.draw_excess, >, SPH_HARMONIC_MAX_DRAW_EXCESS);
  /* A two-Gaussian mixture fits both modes: inside the posterior, and right. */
  h.components = 2;
  g_assert_cmpint(sph_evidence_harmonic(c, &h, &ev, &err), ==, SPH_OK);
  g_test_message("bimodal, 2 components: ln z %.4f +- %.4f, draw excess %.2f, share %.2g",
                 ev.ln_evidence, ev.ln_evidence_err, ev.draw_excess, ev.max_weight_share);
  g_assert_true(ev.target_inside);
  g_assert_cmpfloat(fabs(ev.ln_evidence + 2 * log(20.0)), <, 0.05);
  h.components = 0;
  g_assert_cmpint(sph_evidence_harmonic(c, &h, &ev, &err), ==, SPH_ERR_INVALID);
  sph_chain_free(c);
  sph_target_free(t);
}

static void test_wide_temperature_warns(void)
{
  /* T = 1 on a chain whose samples are from a Gaussian of half the fitted width: phi has
   * heavier tails than the posterior and single samples dominate the sum. */
  size_t walkers = 8, steps = 500;
  SphError err = SPH_ERROR_INIT;
  SphChain *c = NULL;
  g_assert_cmpint(sph_chain_new(steps, walkers, 1, NULL, NULL, &c, &err), ==, SPH_OK);
  SphRng rng;
  sph_rng_init(&rng, 5, 0);
  for (size_t s = 0; s < steps; s++)
    for (size_t w = 0; w < walkers; w++) {
      double x = sph_rng_normal(&rng);
      *sph_chain_sample(c, s, w) = x;
      /* The recorded density is 8x narrower than the samples' spread. */
      c->log_prob[s * walkers + w] = -0.5 * 64 * x * x;
    }
  c->steps = steps;
  SphHarmonicOptions h;
  sph_harmonic_options_init(&h);
  h.temperature = 1;
  SphEvidence ev;
  g_assert_cmpint(sph_evidence_harmonic(c, &h, &ev, &err), ==, SPH_OK);
  g_assert_false(ev.target_inside);
  g_assert_cmpfloat(ev.max_weight_share, >, SPH_HARMONIC_MAX_WEIGHT_SHARE);
  sph_chain_free(c);
}

static void test_bad_input(void)
{
  SphError err = SPH_ERROR_INIT;
  SphChain *c = NULL;
  g_assert_cmpint(sph_chain_new(10, 2, 1, NULL, NULL, &c, &err), ==, SPH_OK);
  c->steps = 10;
  SphEvidence ev;
  g_assert_cmpint(sph_evidence_harmonic(c, NULL, &ev, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "walker"));
  sph_chain_free(c);
  g_assert_cmpint(sph_chain_new(10, 4, 1, NULL, NULL, &c, &err), ==, SPH_OK);
  c->steps = 10;
  for (size_t k = 0; k < 40; k++) {
    c->samples[k] = (double)k;
    c->log_prob[k] = k == 17 ? NAN : 0;
  }
  g_assert_cmpint(sph_evidence_harmonic(c, NULL, &ev, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "finite"));
  SphHarmonicOptions h;
  sph_harmonic_options_init(&h);
  h.temperature = 1.5;
  g_assert_cmpint(sph_evidence_harmonic(c, &h, &ev, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "temperature"));
  sph_chain_free(c);
}

/* Nested sampling on gauss:D: ln z within 4 of its own error sqrt(H/N). */
static void check_nested(const char *spec, size_t dim, size_t live)
{
  SphTarget *t = must_target(spec);
  SphNestedOptions o;
  sph_nested_options_init(&o);
  o.live_points = live;
  o.seed = 7;
  SphEvidence ev;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_evidence_nested(t, &o, NULL, &ev, &err), ==, SPH_OK);
  double truth = gauss_ln_z(dim);
  g_test_message("nested %s: ln z %.3f +- %.3f (truth %.3f), %zu iterations", spec,
                 ev.ln_evidence, ev.ln_evidence_err, truth, ev.infer_samples);
  g_assert_cmpfloat(ev.ln_evidence_err, >, 0.05);
  g_assert_cmpfloat(fabs(ev.ln_evidence - truth), <, 4 * ev.ln_evidence_err);
  sph_target_free(t);
}

static void test_nested_gauss(void)
{
  check_nested("gauss:2", 2, 200);
  check_nested("gauss:5", 5, 300);
}

/* gauss:10 over 10 seeds: Skilling's error sqrt(H / N) matches the information of the
 * posterior relative to the prior box, H = D ln 20 - (D/2)(1 + ln 2 pi) - 1/2 ln |S|,
 * and the true ln z lies within 3 error bars in at least 9 of the 10 runs. */
static void test_nested_gauss10_seeds(void)
{
  const size_t dim = 10, live = 400;
  SphTarget *t = must_target("gauss:10");
  double truth = gauss_ln_z(dim);
  double info = dim * log(20.0) - 0.5 * dim * (1 + log(2 * M_PI)) - 0.5 * (dim - 1) * log(1 - 0.81);
  int inside = 0;
  for (uint64_t seed = 1; seed <= 10; seed++) {
    SphNestedOptions o;
    sph_nested_options_init(&o);
    o.live_points = live;
    o.seed = seed;
    SphEvidence ev;
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_evidence_nested(t, &o, NULL, &ev, &err), ==, SPH_OK);
    double pull = (ev.ln_evidence - truth) / ev.ln_evidence_err;
    g_test_message("nested gauss:10 seed %" G_GUINT64_FORMAT ": ln z %.3f +- %.3f (truth %.3f, "
                   "pull %.2f)", seed, ev.ln_evidence, ev.ln_evidence_err, truth, pull);
    g_assert_cmpfloat(fabs(ev.ln_evidence_err / sqrt(info / live) - 1), <, 0.05);
    inside += fabs(pull) < 3;
  }
  g_assert_cmpint(inside, >=, 9);
  sph_target_free(t);
}

/* Nested sampling on a target that returns NaN stops with the target's message. */
static void test_nested_nan_target(void)
{
  const char *path = g_getenv("SPHAERA_PLUGIN_NAN_TARGET");
  if (path == NULL) {
    g_test_skip("plugin path not set (run through meson test)");
    return;
  }
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  g_assert_cmpint(sph_target_new_plugin(path, &t, &err), ==, SPH_OK);
  SphEvidence ev;
  g_assert_cmpint(sph_evidence_nested(t, NULL, NULL, &ev, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "NaN"));
  sph_target_free(t);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/evidence/harmonic/gauss5", test_gauss5);
  g_test_add_func("/evidence/harmonic/gauss10", test_gauss10);
  g_test_add_func("/evidence/harmonic/error-calibrated", test_error_calibrated);
  g_test_add_func("/evidence/harmonic/bimodal-warns", test_bimodal_warns);
  g_test_add_func("/evidence/harmonic/wide-temperature-warns", test_wide_temperature_warns);
  g_test_add_func("/evidence/harmonic/bad-input", test_bad_input);
  g_test_add_func("/evidence/nested/gauss", test_nested_gauss);
  g_test_add_func("/evidence/nested/gauss10-seeds", test_nested_gauss10_seeds);
  g_test_add_func("/evidence/nested/nan-target", test_nested_nan_target);
  return g_test_run();
}
