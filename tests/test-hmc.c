/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/diagnostics.h"
#include "sphaera/hmc.h"

static SphTarget *must_target(const char *spec)
{
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  if (sph_target_new(spec, &t, &err) != SPH_OK)
    g_error("%s: %s", spec, err.message);
  return t;
}

static SphChain *run(const SphTarget *t, const SphHmcOptions *o, SphHmcStats *stats)
{
  SphError err = SPH_ERROR_INIT;
  SphChain *c = NULL;
  if (sph_hmc_run(t, o, NULL, &c, stats, &err) != SPH_OK)
    g_error("hmc: %s", err.message);
  return c;
}

/* Issue 7: on gauss:10, 10 leapfrog steps of 0.25 accept 0.81 +- 0.02 of proposals. The
 * chains start in the bulk (0.1 around the origin) and a short burn-in is dropped. */
static void test_gauss10_fixed_step(void)
{
  SphTarget *t = must_target("gauss:10");
  SphHmcOptions o;
  sph_hmc_options_init(&o);
  o.adapt = false;
  o.warmup = 100;
  o.steps = 2500;
  o.chains = 4;
  o.step_size = 0.25;
  o.leapfrog_steps = 10;
  SphHmcStats stats;
  SphChain *c = run(t, &o, &stats);
  g_assert_cmpuint(c->steps, ==, 2500);
  double acc = sph_chain_acceptance_fraction(c, NULL);
  g_test_message("acceptance %.4f, mean acceptance probability %.4f", acc,
                 stats.mean_accept_prob);
  g_assert_cmpfloat(fabs(acc - 0.81), <, 0.02);
  g_assert_cmpfloat(stats.step_size, ==, 0.25);
  /* Moments against Sigma_ij = 0.9^|i-j|. */
  size_t n = c->steps * c->walkers;
  double mean[10] = {0}, cov[10][10] = {{0}};
  for (size_t s = 0; s < c->steps; s++)
    for (size_t w = 0; w < c->walkers; w++)
      for (int i = 0; i < 10; i++)
        mean[i] += sph_chain_sample(c, s, w)[i] / n;
  for (size_t s = 0; s < c->steps; s++)
    for (size_t w = 0; w < c->walkers; w++) {
      const double *x = sph_chain_sample(c, s, w);
      for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++)
          cov[i][j] += (x[i] - mean[i]) * (x[j] - mean[j]) / (n - 1);
    }
  for (int i = 0; i < 10; i++) {
    g_assert_cmpfloat(fabs(mean[i]), <, 0.2);
    for (int j = 0; j < 10; j++)
      if (fabs(cov[i][j] - pow(0.9, abs(i - j))) > 0.2)
        g_error("cov[%d][%d] = %g", i, j, cov[i][j]);
  }
  double rhat[10];
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_split_rhat(c->samples, c->steps, c->walkers, 10, rhat, &err), ==, SPH_OK);
  for (int i = 0; i < 10; i++)
    g_assert_cmpfloat(rhat[i], <, 1.05);
  sph_chain_free(c);
  sph_target_free(t);
}

/* Dual averaging drives the mean acceptance probability to its target. */
static void test_adaptation(void)
{
  SphTarget *t = must_target("gauss:10");
  const double targets[2] = {0.65, 0.9};
  double eps[2];
  for (int k = 0; k < 2; k++) {
    SphHmcOptions o;
    sph_hmc_options_init(&o);
    o.warmup = 1000;
    o.steps = 1500;
    o.chains = 2;
    o.step_size = 1.0; /* far too large at first */
    o.target_accept = targets[k];
    o.seed = 10 + k;
    SphHmcStats stats;
    SphChain *c = run(t, &o, &stats);
    g_test_message("target %.2f: step %.4f, mean acceptance probability %.4f", targets[k],
                   stats.step_size, stats.mean_accept_prob);
    g_assert_cmpfloat(fabs(stats.mean_accept_prob - targets[k]), <, 0.08);
    eps[k] = stats.step_size;
    sph_chain_free(c);
  }
  g_assert_cmpfloat(eps[1], <, eps[0]);
  sph_target_free(t);
}

static void test_errors_and_determinism(void)
{
  SphTarget *t = must_target("gauss:3");
  SphHmcOptions o;
  sph_hmc_options_init(&o);
  o.steps = 50;
  o.warmup = 20;
  o.parallel = 0;
  SphChain *a = run(t, &o, NULL);
  o.parallel = 1;
  SphChain *b = run(t, &o, NULL);
  g_assert_cmpmem(a->samples, 50 * 4 * 3 * sizeof(double), b->samples,
                  50 * 4 * 3 * sizeof(double));
  sph_chain_free(a);
  sph_chain_free(b);
  SphError err = SPH_ERROR_INIT;
  SphChain *c = NULL;
  o.step_size = 0;
  g_assert_cmpint(sph_hmc_run(t, &o, NULL, &c, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_null(c);
  g_assert_nonnull(strstr(err.message, "step size"));
  sph_target_free(t);
}

static void test_cancel(void)
{
  SphTarget *t = must_target("gauss:5");
  SphJob *job = sph_job_new();
  sph_job_cancel(job);
  SphHmcOptions o;
  sph_hmc_options_init(&o);
  SphError err = SPH_ERROR_INIT;
  SphChain *c = NULL;
  g_assert_cmpint(sph_hmc_run(t, &o, job, &c, NULL, &err), ==, SPH_ERR_CANCELLED);
  g_assert_nonnull(c);
  g_assert_cmpuint(c->steps, ==, 0);
  g_assert_cmpuint(c->walkers, ==, 4);
  sph_chain_free(c);
  sph_job_unref(job);
  sph_target_free(t);
}

typedef struct {
  SphTarget *target;
  SphJob *job;
  SphChain *chain;
  SphStatus status;
  SphError err;
  SphHmcAlgorithm algorithm;
} RunArgs;

static gpointer run_thread(gpointer data)
{
  RunArgs *a = data;
  SphHmcOptions o;
  sph_hmc_options_init(&o);
  o.warmup = 10;
  o.steps = 100000000; /* far more than it gets to run */
  o.snapshot_interval = 0.01;
  o.algorithm = a->algorithm;
  a->status = sph_hmc_run(a->target, &o, a->job, &a->chain, NULL, &a->err);
  return NULL;
}

static void cancel_mid_run(SphHmcAlgorithm algorithm)
{
  RunArgs a = {0};
  a.algorithm = algorithm;
  a.target = must_target("gauss:10");
  a.job = sph_job_new();
  GThread *th = g_thread_new("hmc", run_thread, &a);
  SphSnapshot *snap = NULL;
  const SphChain *live = NULL;
  for (int i = 0; live == NULL || live->steps == 0; i++) {
    g_assert_cmpint(i, <, 1000);
    g_usleep(20000);
    if (snap != NULL)
      sph_snapshot_release(snap);
    snap = sph_job_acquire_snapshot(a.job, NULL);
    live = snap != NULL ? sph_snapshot_data(snap) : NULL;
  }
  sph_job_cancel(a.job);
  g_thread_join(th);
  g_assert_cmpint(a.status, ==, SPH_ERR_CANCELLED);
  SphChain *c = a.chain;
  g_assert_nonnull(c);
  g_assert_cmpuint(c->steps, >=, live->steps);
  size_t n = live->steps * c->walkers * c->dim;
  g_assert_cmpmem(live->samples, n * sizeof(double), c->samples, n * sizeof(double));
  size_t last = c->steps - 1;
  for (size_t w = 0; w < c->walkers; w++)
    g_assert_cmpfloat(c->log_prob[last * c->walkers + w], ==,
                      sph_target_log_density(a.target, sph_chain_sample(c, last, w), NULL));
  sph_snapshot_release(snap);
  sph_chain_free(c);
  sph_job_unref(a.job);
  sph_target_free(a.target);
}

static void test_cancel_mid_run(void)
{
  cancel_mid_run(SPH_HMC_STATIC);
}

/* A cancelled NUTS run also leaves a valid chain of the steps it completed. */
static void test_nuts_cancel_mid_run(void)
{
  cancel_mid_run(SPH_HMC_NUTS);
}

/* NUTS on gauss:10 (Sigma_ij = 0.9^|i-j|): every mean within 4 Monte Carlo errors of 0
 * and every variance within 4 of 1, the error from the chain's own autocorrelation time
 * (var(x_i) / ESS for a mean, 2 sigma^4 / ESS for a variance: Gaussian moments); the
 * mean acceptance statistic near the dual-averaging target 0.8. */
static void test_nuts_gauss10(void)
{
  SphTarget *t = must_target("gauss:10");
  SphHmcOptions o;
  sph_hmc_options_init(&o);
  o.algorithm = SPH_HMC_NUTS;
  o.chains = 4;
  o.warmup = 500;
  o.steps = 1500;
  o.seed = 3;
  SphHmcStats stats;
  SphChain *c = run(t, &o, &stats);
  g_assert_cmpuint(c->steps, ==, 1500);
  size_t n = c->steps * c->walkers;
  double tau[10], ess[10];
  size_t n_short = 0;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_integrated_time(c->samples, c->steps, c->walkers, 10, 5, 50, tau, &n_short,
                                      &err), ==, SPH_OK);
  sph_effective_sample_size(tau, c->steps, c->walkers, 10, ess);
  double worst_mean = 0, worst_var = 0, ess_min = INFINITY;
  for (int i = 0; i < 10; i++) {
    double m = 0, v = 0;
    for (size_t s = 0; s < c->steps; s++)
      for (size_t w = 0; w < c->walkers; w++)
        m += sph_chain_sample(c, s, w)[i] / (double)n;
    for (size_t s = 0; s < c->steps; s++)
      for (size_t w = 0; w < c->walkers; w++) {
        double d = sph_chain_sample(c, s, w)[i] - m;
        v += d * d / (double)(n - 1);
      }
    /* The second moment's autocorrelation differs from the first's; tau of x is a fair
     * stand-in for a Gaussian target, and the bound is 4 errors. */
    worst_mean = fmax(worst_mean, fabs(m) / sqrt(1.0 / ess[i]));
    worst_var = fmax(worst_var, fabs(v - 1) / sqrt(2.0 / ess[i]));
    ess_min = fmin(ess_min, ess[i]);
  }
  g_test_message("NUTS gauss:10: step %.3f, accept_stat %.3f, %.1f leapfrog/transition, %zu "
                 "divergences, ESS min %.0f of %zu, worst |mean| %.2f sigma, worst |var - 1| "
                 "%.2f sigma", stats.step_size, stats.mean_accept_prob, stats.mean_leapfrog,
                 stats.divergences, ess_min, n, worst_mean, worst_var);
  g_assert_cmpfloat(worst_mean, <, 4);
  g_assert_cmpfloat(worst_var, <, 4);
  g_assert_cmpfloat(fabs(stats.mean_accept_prob - 0.8), <, 0.08);
  g_assert_cmpuint(stats.divergences, ==, 0);
  /* NUTS explores the AR(1) Gaussian far better per transition than a random walk. */
  g_assert_cmpfloat(ess_min, >, 0.2 * (double)n);
  g_assert_cmpfloat(stats.mean_leapfrog, >, 3);
  g_assert_cmpfloat(stats.mean_leapfrog, <, 1024);
  sph_chain_free(c);
  sph_target_free(t);
}

/* NUTS keeps to the prior box (a trajectory that leaves it has zero density and ends as a
 * divergence), and refuses a tree depth of 0. */
static void test_nuts_bounded(void)
{
  SphTarget *t = must_target("bimodal");
  SphHmcOptions o;
  sph_hmc_options_init(&o);
  o.algorithm = SPH_HMC_NUTS;
  o.warmup = 200;
  o.steps = 300;
  SphHmcStats stats;
  SphChain *c = run(t, &o, &stats);
  const double *lo = sph_target_lower(t), *hi = sph_target_upper(t);
  for (size_t s = 0; s < c->steps; s++)
    for (size_t w = 0; w < c->walkers; w++) {
      const double *x = sph_chain_sample(c, s, w);
      g_assert_true(x[0] >= lo[0] && x[0] <= hi[0] && x[1] >= lo[1] && x[1] <= hi[1]);
      g_assert_true(isfinite(c->log_prob[s * c->walkers + w]));
    }
  sph_chain_free(c);
  sph_target_free(t);
  SphError err = SPH_ERROR_INIT;
  o.max_tree_depth = 0;
  t = must_target("gauss:2");
  g_assert_cmpint(sph_hmc_run(t, &o, NULL, &c, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "tree depth"));
  sph_target_free(t);
}

/* A target that returns NaN (the broken example plugin, NaN for intercept > 0): both
 * HMC and NUTS stop with a message naming the value and the point. */
static void test_nan_target(void)
{
  const char *path = g_getenv("SPHAERA_PLUGIN_NAN_TARGET");
  if (path == NULL) {
    g_test_skip("plugin path not set (run through meson test)");
    return;
  }
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  g_assert_cmpint(sph_target_new_plugin(path, &t, &err), ==, SPH_OK);
  for (int algo = 0; algo < 2; algo++) {
    SphHmcOptions o;
    sph_hmc_options_init(&o);
    o.algorithm = algo ? SPH_HMC_NUTS : SPH_HMC_STATIC;
    o.init_scale = 2;
    SphChain *c = NULL;
    g_assert_cmpint(sph_hmc_run(t, &o, NULL, &c, NULL, &err), ==, SPH_ERR_INVALID);
    g_assert_null(c);
    g_assert_nonnull(strstr(err.message, "NaN"));
    g_assert_nonnull(strstr(err.message, "intercept = "));
  }
  sph_target_free(t);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/hmc/gauss10-fixed-step", test_gauss10_fixed_step);
  g_test_add_func("/hmc/adaptation", test_adaptation);
  g_test_add_func("/hmc/errors-determinism", test_errors_and_determinism);
  g_test_add_func("/hmc/cancel", test_cancel);
  g_test_add_func("/hmc/nuts-gauss10", test_nuts_gauss10);
  g_test_add_func("/hmc/nuts-bounded", test_nuts_bounded);
  g_test_add_func("/hmc/nan-target", test_nan_target);
  g_test_add_func("/hmc/nuts-cancel-mid-run", test_nuts_cancel_mid_run);
  g_test_add_func("/hmc/cancel-mid-run", test_cancel_mid_run);
  return g_test_run();
}
