/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "infer-test-helpers.h"
#include "sphaera/diagnostics.h"
#include "sphaera/ensemble.h"

static SphTarget *must_target(const char *spec)
{
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  if (sph_target_new(spec, &t, &err) != SPH_OK)
    g_error("%s: %s", spec, err.message);
  return t;
}

/* Walkers drawn from the AR(1) Gaussian itself, so the chain is stationary from step 0. */
static double *stationary_start(size_t walkers, size_t dim, uint64_t seed)
{
  double *x = g_new(double, walkers * dim);
  SphRng rng;
  sph_rng_init(&rng, seed, 99);
  for (size_t w = 0; w < walkers; w++) {
    double v = sph_rng_normal(&rng);
    for (size_t d = 0; d < dim; d++) {
      if (d > 0)
        v = 0.9 * v + sqrt(1 - 0.81) * sph_rng_normal(&rng);
      x[w * dim + d] = v;
    }
  }
  return x;
}

static SphChain *run(const SphTarget *t, SphEnsembleOptions *o)
{
  SphError err = SPH_ERROR_INIT;
  SphChain *c = NULL;
  SphStatus st = sph_ensemble_run(t, o, NULL, &c, &err);
  if (st != SPH_OK)
    g_error("ensemble: %s", err.message);
  return c;
}

/* Sample means and covariances against the AR(1) Sigma_ij = 0.9^|i-j|. */
static void check_moments(const SphChain *c, size_t burn, double mean_tol, double cov_tol)
{
  size_t dim = c->dim, n = (c->steps - burn) * c->walkers;
  double mean[16] = {0}, cov[16][16] = {{0}};
  for (size_t s = burn; s < c->steps; s++)
    for (size_t w = 0; w < c->walkers; w++) {
      const double *x = sph_chain_sample(c, s, w);
      for (size_t i = 0; i < dim; i++)
        mean[i] += x[i] / n;
    }
  for (size_t s = burn; s < c->steps; s++)
    for (size_t w = 0; w < c->walkers; w++) {
      const double *x = sph_chain_sample(c, s, w);
      for (size_t i = 0; i < dim; i++)
        for (size_t j = 0; j < dim; j++)
          cov[i][j] += (x[i] - mean[i]) * (x[j] - mean[j]) / (n - 1);
    }
  for (size_t i = 0; i < dim; i++) {
    g_assert_cmpfloat(fabs(mean[i]), <, mean_tol);
    for (size_t j = 0; j < dim; j++) {
      double truth = pow(0.9, fabs((double)i - (double)j));
      if (fabs(cov[i][j] - truth) > cov_tol)
        g_error("cov[%zu][%zu] = %g, expected %g", i, j, cov[i][j], truth);
    }
  }
}

/* emcee's own figures for this target (issue 7): acceptance 0.418 +- 0.01 and the
 * largest tau between 95 and 140 with 32 walkers and 10 000 steps. */
static void test_gauss10_stretch(void)
{
  SphTarget *t = must_target("gauss:10");
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  o.steps = 10000;
  o.seed = 2024;
  double *init = stationary_start(32, 10, 1);
  o.initial = init;
  SphChain *c = run(t, &o);
  g_assert_cmpuint(c->steps, ==, 10000);
  double acc = sph_chain_acceptance_fraction(c, NULL);
  g_test_message("acceptance %.4f", acc);
  g_assert_cmpfloat(fabs(acc - 0.418), <, 0.01);
  double tau[10];
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_integrated_time(c->samples, c->steps, c->walkers, 10, 5, 50, tau, NULL,
                                      &err), ==, SPH_OK);
  double tau_max = 0;
  for (int d = 0; d < 10; d++)
    tau_max = fmax(tau_max, tau[d]);
  g_test_message("tau_max %.2f", tau_max);
  g_assert_cmpfloat(tau_max, >=, 95);
  g_assert_cmpfloat(tau_max, <=, 140);
  check_moments(c, 0, 0.12, 0.15);
  /* Every stored log-density is the target's at the stored point. */
  for (size_t s = 0; s < c->steps; s += 997)
    for (size_t w = 0; w < c->walkers; w++)
      g_assert_cmpfloat(c->log_prob[s * c->walkers + w], ==,
                        sph_target_log_density(t, sph_chain_sample(c, s, w), NULL));
  /* The first 2000 steps of the same chain through emcee's integrated_time (the whole
   * chain takes numpy over ten seconds here; bench/run-ensemble.sh compares it all). */
  const size_t head = 2000;
  double tau_head[10];
  size_t n_short;
  g_assert_cmpint(sph_integrated_time(c->samples, head, c->walkers, 10, 5, 50, tau_head,
                                      &n_short, &err), ==, SPH_OK);
  char *file = infer_write_raw(c->samples, head * c->walkers * c->dim);
  char *out = infer_run_python(INFER_EMCEE_TAU_PY, file, "2000,32,10");
  if (out != NULL)
    infer_assert_emcee_tau(tau_head, 10, out);
  g_unlink(file);
  g_free(file);
  g_free(out);
  sph_chain_free(c);
  g_free(init);
  sph_target_free(t);
}

static void test_deterministic_and_threads(void)
{
  SphTarget *t = must_target("gauss:4");
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  o.walkers = 12;
  o.steps = 30;
  o.seed = 5;
  o.parallel = 0;
  SphChain *a = run(t, &o);
  o.parallel = 1;
  SphChain *b = run(t, &o);
  o.seed = 6;
  SphChain *c = run(t, &o);
  size_t n = a->steps * a->walkers * a->dim;
  g_assert_cmpmem(a->samples, n * sizeof(double), b->samples, n * sizeof(double));
  g_assert_true(memcmp(a->samples, c->samples, n * sizeof(double)) != 0);
  g_assert_cmpstr(a->names[3], ==, "x3");
  g_assert_cmpstr(a->labels[3], ==, "x_{3}");
  sph_chain_free(a);
  sph_chain_free(b);
  sph_chain_free(c);
  sph_target_free(t);
}

static void test_gauss10_de(void)
{
  SphTarget *t = must_target("gauss:10");
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  o.move = SPH_ENSEMBLE_DE;
  o.steps = 6000;
  o.seed = 77;
  double *init = stationary_start(32, 10, 2);
  o.initial = init;
  SphChain *c = run(t, &o);
  double acc = sph_chain_acceptance_fraction(c, NULL);
  /* emcee 3.1.4's DEMove on this target from the same kind of start, 6000 steps, two
   * seeds: acceptance 0.2610 and 0.2596, largest tau 33.5 and 35.3. */
  double tau[10];
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_integrated_time(c->samples, c->steps, c->walkers, 10, 5, 50, tau, NULL,
                                      &err), ==, SPH_OK);
  double tau_max = 0;
  for (int d = 0; d < 10; d++)
    tau_max = fmax(tau_max, tau[d]);
  g_test_message("DE acceptance %.4f, tau_max %.2f", acc, tau_max);
  g_assert_cmpfloat(fabs(acc - 0.260), <, 0.01);
  g_assert_cmpfloat(tau_max, >, 25);
  g_assert_cmpfloat(tau_max, <, 45);
  check_moments(c, 0, 0.12, 0.15);
  sph_chain_free(c);
  g_free(init);
  sph_target_free(t);
}

/* The example plugin's straight-line posterior: a = mean(y) = 1.02, b = sum(x y) /
 * sum(x^2) = 1.99, variances 1/5 and 1/10, uncorrelated (sum x = 0). */
static void test_plugin_line_fit(void)
{
  const char *path = g_getenv("SPHAERA_PLUGIN_EXAMPLE_TARGET");
  if (path == NULL) {
    g_test_skip("plugin path not set");
    return;
  }
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  g_assert_cmpint(sph_target_new_plugin(path, &t, &err), ==, SPH_OK);
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  o.walkers = 16;
  o.steps = 4000;
  SphChain *c = run(t, &o);
  g_assert_cmpstr(c->names[1], ==, "slope");
  double m[2] = {0}, v[2] = {0};
  size_t burn = 500, n = (c->steps - burn) * c->walkers;
  for (size_t s = burn; s < c->steps; s++)
    for (size_t w = 0; w < c->walkers; w++)
      for (int i = 0; i < 2; i++) {
        double x = sph_chain_sample(c, s, w)[i];
        m[i] += x / n;
        v[i] += x * x / n;
      }
  v[0] -= m[0] * m[0];
  v[1] -= m[1] * m[1];
  g_assert_cmpfloat(fabs(m[0] - 1.02), <, 0.04);
  g_assert_cmpfloat(fabs(m[1] - 1.99), <, 0.03);
  g_assert_cmpfloat(fabs(v[0] / 0.2 - 1), <, 0.12);
  g_assert_cmpfloat(fabs(v[1] / 0.1 - 1), <, 0.12);
  sph_chain_free(c);
  sph_target_free(t);
}

/* Rosenbrock: x ~ N(1, 10) cut to the box [-10, 10], and y - x^2 ~ N(0, 0.1) (the y box
 * [-10, 110] never binds); the ensemble is slow on the banana, so the checks are loose
 * but far below what a wrong density or move would give. */
static void test_rosenbrock_marginals(void)
{
  SphTarget *t = must_target("rosenbrock");
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  o.steps = 20000;
  o.seed = 3;
  SphChain *c = run(t, &o);
  size_t burn = 2000, n = (c->steps - burn) * c->walkers;
  double mx = 0, vx = 0, mr = 0, vr = 0;
  for (size_t s = burn; s < c->steps; s++)
    for (size_t w = 0; w < c->walkers; w++) {
      const double *p = sph_chain_sample(c, s, w);
      double r = p[1] - p[0] * p[0];
      mx += p[0] / n;
      vx += p[0] * p[0] / n;
      mr += r / n;
      vr += r * r / n;
    }
  vx -= mx * mx;
  vr -= mr * mr;
  double sd = sqrt(10.0), a = -11 / sd, b = 9 / sd;
  double z = 0.5 * (erf(b / M_SQRT2) - erf(a / M_SQRT2));
  double pa = exp(-0.5 * a * a) / sqrt(2 * M_PI), pb = exp(-0.5 * b * b) / sqrt(2 * M_PI);
  double mean = 1 + sd * (pa - pb) / z;
  double var = 10 * (1 + (a * pa - b * pb) / z - (pa - pb) * (pa - pb) / (z * z));
  g_test_message("x mean %.4f (%.4f), var %.4f (%.4f); y - x^2 mean %.4f var %.4f", mx, mean,
                 vx, var, mr, vr);
  g_assert_cmpfloat(fabs(mx - mean), <, 0.4);
  g_assert_cmpfloat(fabs(vx / var - 1), <, 0.2);
  g_assert_cmpfloat(fabs(mr), <, 0.03);
  g_assert_cmpfloat(fabs(vr / 0.1 - 1), <, 0.15);
  sph_chain_free(c);
  sph_target_free(t);
}

typedef struct {
  SphTarget *target;
  SphJob *job;
  SphChain *chain;
  SphStatus status;
  SphError err;
} RunArgs;

static gpointer run_thread(gpointer data)
{
  RunArgs *a = data;
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  o.steps = 100000000; /* far more than it gets to run */
  o.snapshot_interval = 0.01;
  a->status = sph_ensemble_run(a->target, &o, a->job, &a->chain, &a->err);
  return NULL;
}

static void test_cancel_leaves_partial_chain(void)
{
  RunArgs a = {0};
  a.target = must_target("gauss:10");
  a.job = sph_job_new();
  GThread *th = g_thread_new("ensemble", run_thread, &a);
  SphSnapshot *snap = NULL;
  for (int i = 0; snap == NULL; i++) {
    g_assert_cmpint(i, <, 1000);
    g_usleep(20000);
    snap = sph_job_acquire_snapshot(a.job, NULL);
  }
  const SphChain *live = sph_snapshot_data(snap);
  g_assert_cmpuint(live->walkers, ==, 32);
  g_assert_cmpuint(live->steps, >, 0);
  sph_job_cancel(a.job);
  g_thread_join(th);
  g_assert_cmpint(a.status, ==, SPH_ERR_CANCELLED);
  g_assert_nonnull(strstr(a.err.message, "cancelled"));
  SphChain *c = a.chain;
  g_assert_nonnull(c);
  g_assert_cmpuint(c->steps, >=, live->steps);
  g_assert_cmpuint(c->steps, <, 100000000);
  size_t last = c->steps - 1;
  for (size_t w = 0; w < c->walkers; w++) {
    g_assert_true(isfinite(c->log_prob[last * c->walkers + w]));
    g_assert_cmpfloat(c->log_prob[last * c->walkers + w], ==,
                      sph_target_log_density(a.target, sph_chain_sample(c, last, w), NULL));
    g_assert_cmpuint(c->accepted[w], <=, c->steps);
  }
  /* The snapshot is a prefix of the final chain. */
  g_assert_cmpmem(live->samples, live->steps * 320 * sizeof(double), c->samples,
                  live->steps * 320 * sizeof(double));
  sph_snapshot_release(snap);
  sph_chain_free(c);
  sph_job_unref(a.job);
  sph_target_free(a.target);
}

static void test_errors(void)
{
  SphTarget *t = must_target("gauss:10");
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  SphError err = SPH_ERROR_INIT;
  SphChain *c = (SphChain *)&err;
  o.walkers = 10;
  g_assert_cmpint(sph_ensemble_run(t, &o, NULL, &c, &err), ==, SPH_ERR_INVALID);
  g_assert_null(c);
  g_assert_nonnull(strstr(err.message, "at least 20"));
  o.walkers = 32;
  double *init = stationary_start(32, 10, 3);
  init[5 * 10 + 2] = 11.0; /* outside the box [-10, 10] */
  o.initial = init;
  g_assert_cmpint(sph_ensemble_run(t, &o, NULL, &c, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "walker 5"));
  g_free(init);
  sph_target_free(t);

  const char *path = g_getenv("SPHAERA_PLUGIN_NAN_TARGET");
  if (path == NULL)
    return;
  g_assert_cmpint(sph_target_new_plugin(path, &t, &err), ==, SPH_OK);
  sph_ensemble_options_init(&o);
  o.walkers = 8;
  o.steps = 1000;
  o.init_scale = 1.0; /* starts around (0, 0): some walkers soon propose intercept > 0 */
  g_assert_cmpint(sph_ensemble_run(t, &o, NULL, &c, &err), ==, SPH_ERR_INVALID);
  g_assert_null(c);
  g_assert_nonnull(strstr(err.message, "NaN"));
  sph_target_free(t);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ensemble/gauss10-stretch", test_gauss10_stretch);
  g_test_add_func("/ensemble/deterministic-threads", test_deterministic_and_threads);
  g_test_add_func("/ensemble/gauss10-de", test_gauss10_de);
  g_test_add_func("/ensemble/plugin-line-fit", test_plugin_line_fit);
  g_test_add_func("/ensemble/rosenbrock", test_rosenbrock_marginals);
  g_test_add_func("/ensemble/cancel", test_cancel_leaves_partial_chain);
  g_test_add_func("/ensemble/errors", test_errors);
  return g_test_run();
}
