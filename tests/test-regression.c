/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The regression task: the documented data set, the 95% coverage and error of MC
 * dropout, Bayes by backprop and the deep ensemble on held-out points, bands that widen
 * away from the data, the training job (snapshots, cancel) and exact repetition. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sphaera/regression.h"

static SphRegressionData train, test;

static void test_dataset(void)
{
  g_assert_cmpuint(train.n, ==, SPH_REGRESSION_POINTS - SPH_REGRESSION_HELD_OUT);
  g_assert_cmpuint(test.n, ==, SPH_REGRESSION_HELD_OUT);
  double s = 0.0, s2 = 0.0;
  const SphRegressionData *sets[2] = {&train, &test};
  for (int k = 0; k < 2; k++)
    for (size_t i = 0; i < sets[k]->n; i++) {
      double x = sets[k]->x[i];
      g_assert_cmpfloat(x, >=, SPH_REGRESSION_X_MIN);
      g_assert_cmpfloat(x, <=, SPH_REGRESSION_X_MAX);
      g_assert_false(x > SPH_REGRESSION_GAP_MIN && x < SPH_REGRESSION_GAP_MAX);
      double r = sets[k]->y[i] - x * sin(x);
      s += r;
      s2 += r * r;
    }
  /* the noise: mean 0 and standard deviation 0.25, within 4 standard errors of 800 */
  double n = SPH_REGRESSION_POINTS, mean = s / n, sd = sqrt(s2 / n - mean * mean);
  g_test_message("noise: mean %.4f sd %.4f", mean, sd);
  g_assert_cmpfloat(fabs(mean), <, 4 * SPH_REGRESSION_NOISE / sqrt(n));
  g_assert_cmpfloat(fabs(sd - SPH_REGRESSION_NOISE), <, 4 * SPH_REGRESSION_NOISE / sqrt(2 * n));
  /* fixed: the same call gives the same numbers */
  SphRegressionData a, b;
  g_assert_cmpint(sph_regression_dataset(&a, &b, NULL), ==, SPH_OK);
  g_assert_cmpmem(a.x, a.n * sizeof(double), train.x, train.n * sizeof(double));
  g_assert_cmpmem(b.y, b.n * sizeof(double), test.y, test.n * sizeof(double));
  sph_regression_data_clear(&a);
  sph_regression_data_clear(&b);
  g_assert_cmpint(sph_reg_model_from_name("bbb"), ==, SPH_REG_BBB);
  g_assert_cmpint(sph_reg_model_from_name("gp"), ==, SPH_REG_MODEL_COUNT);
}

static double mean_sd(const SphRegressor *reg, double lo, double hi)
{
  double x[41], mu[41], sd[41], s = 0.0;
  for (int i = 0; i < 41; i++)
    x[i] = lo + (hi - lo) * i / 40.0;
  g_assert_cmpint(sph_regressor_predict(reg, x, 41, 3, mu, sd, NULL), ==, SPH_OK);
  for (int i = 0; i < 41; i++)
    s += sd[i];
  return s / 41.0;
}

/* One model trained with its defaults (seed 1): the target, 90% to 98% of the
 * held-out points inside the data range within the 95% interval; a mean close to the
 * truth (the noise alone gives an rmse of 0.25); bands wider beyond the data and in
 * the gap than near the data. */
static void check_model(gconstpointer data)
{
  SphRegModel model = GPOINTER_TO_INT(data);
  SphRegressionConfig cfg = sph_regression_defaults(model);
  SphError err = SPH_ERROR_INIT;
  SphRegressor *reg = sph_regressor_new(&cfg, &err);
  g_assert_nonnull(reg);
  g_assert_cmpint(sph_regression_train(reg, &train, &test, NULL, NULL, NULL, &err), ==, SPH_OK);
  double rmse, cov;
  g_assert_cmpint(sph_regression_score(reg, &test, SPH_REGRESSION_X_MIN, SPH_REGRESSION_X_MAX, 99,
                                       &rmse, &cov, &err), ==, SPH_OK);
  double in_data = 0.5 * (mean_sd(reg, -4.5, -1.5) + mean_sd(reg, 3.0, 4.5));
  double gap = mean_sd(reg, -0.5, 2.0);
  double beyond = 0.5 * (mean_sd(reg, -8.0, -6.0) + mean_sd(reg, 6.0, 8.0));
  g_test_message("%s: test_rmse %.4f coverage95 %.4f aleatoric scale %.3f; mean sd in data %.3f, "
                 "gap %.3f, beyond %.3f",
                 sph_reg_model_name(model), rmse, cov, sph_regressor_aleatoric_scale(reg), in_data,
                 gap, beyond);
  g_assert_cmpfloat(cov, >=, 0.90);
  g_assert_cmpfloat(cov, <=, 0.98);
  g_assert_cmpfloat(rmse, <, 0.5);
  g_assert_cmpfloat(beyond, >, 1.5 * in_data);
  g_assert_cmpfloat(gap, >, in_data);
  if (model == SPH_REG_ENSEMBLE)
    g_assert_cmpfloat(gap, >, 1.2 * in_data);
  sph_regressor_free(reg);
}

typedef struct {
  SphJob *job;
  size_t cancel_at, epochs_seen;
} CancelCtx;

static void on_epoch(const SphRegressionEpoch *e, void *user)
{
  CancelCtx *c = user;
  c->epochs_seen = e->epoch;
  g_assert_true(isfinite(e->loss));
  if (e->epoch == c->cancel_at)
    sph_job_cancel(c->job);
}

/* Snapshots carry a band on the grid and the scores; Cancel stops between steps. */
static void test_job(void)
{
  SphRegressionConfig cfg = sph_regression_defaults(SPH_REG_MCDROPOUT);
  cfg.epochs = 20;
  cfg.snapshots = 5;
  cfg.samples = 16;
  SphRegressor *reg = sph_regressor_new(&cfg, NULL);
  SphJob *job = sph_job_new();
  CancelCtx ctx = {.job = job, .cancel_at = 12};
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_regression_train(reg, &train, &test, job, on_epoch, &ctx, &err), ==,
                  SPH_ERR_CANCELLED);
  g_assert_nonnull(strstr(err.message, "cancelled in epoch 13"));
  g_assert_cmpuint(ctx.epochs_seen, ==, 12);
  uint64_t gen;
  SphSnapshot *snap = sph_job_acquire_snapshot(job, &gen);
  g_assert_nonnull(snap);
  g_assert_cmpuint(gen, ==, 3); /* epochs 4, 8, 12 */
  const SphRegressionSnapshot *s = sph_snapshot_data(snap);
  g_assert_cmpint(s->model, ==, SPH_REG_MCDROPOUT);
  g_assert_cmpuint(s->epoch, ==, 12);
  g_assert_cmpuint(s->epochs_planned, ==, 20);
  g_assert_cmpuint(s->ngrid, ==, cfg.grid_points);
  g_assert_cmpfloat(s->x[0], ==, cfg.grid_min);
  g_assert_cmpfloat_with_epsilon(s->x[s->ngrid - 1], cfg.grid_max, 1e-12);
  for (size_t i = 0; i < s->ngrid; i++)
    g_assert_true(isfinite(s->mean[i]) && s->sd[i] > 0.0);
  g_assert_true(s->coverage95 >= 0.0 && s->coverage95 <= 1.0 && s->test_rmse > 0.0);
  g_assert_cmpfloat(sph_job_get_progress(job, NULL, 0), >, 0.55);
  sph_snapshot_release(snap);
  sph_job_unref(job);
  sph_regressor_free(reg);
  /* run to the end, the last snapshot's band is the trained model's prediction */
  cfg.epochs = 6;
  reg = sph_regressor_new(&cfg, NULL);
  job = sph_job_new();
  g_assert_cmpint(sph_regression_train(reg, &train, &test, job, NULL, NULL, &err), ==, SPH_OK);
  snap = sph_job_acquire_snapshot(job, &gen);
  s = sph_snapshot_data(snap);
  g_assert_cmpuint(s->epoch, ==, 6);
  double *mu = g_new(double, s->ngrid), *sd = g_new(double, s->ngrid);
  g_assert_cmpint(sph_regressor_predict(reg, s->x, s->ngrid, cfg.seed + 7, mu, sd, NULL), ==, SPH_OK);
  g_assert_cmpmem(mu, s->ngrid * sizeof *mu, s->mean, s->ngrid * sizeof *mu);
  g_assert_cmpmem(sd, s->ngrid * sizeof *sd, s->sd, s->ngrid * sizeof *sd);
  g_assert_cmpfloat(sph_job_get_progress(job, NULL, 0), ==, 1.0);
  g_free(mu);
  g_free(sd);
  sph_snapshot_release(snap);
  sph_job_unref(job);
  sph_regressor_free(reg);
}

/* The same seed repeats every number; a NaN in the data stops training with a reason. */
static void test_repeat_and_nan(void)
{
  SphRegressionConfig cfg = sph_regression_defaults(SPH_REG_BBB);
  cfg.epochs = 3;
  cfg.samples = 8;
  double x[4] = {-6, -2, 1, 5}, m[2][4], s[2][4];
  for (int r = 0; r < 2; r++) {
    SphRegressor *reg = sph_regressor_new(&cfg, NULL);
    g_assert_cmpint(sph_regression_train(reg, &train, NULL, NULL, NULL, NULL, NULL), ==, SPH_OK);
    g_assert_cmpint(sph_regressor_predict(reg, x, 4, 1, m[r], s[r], NULL), ==, SPH_OK);
    sph_regressor_free(reg);
  }
  g_assert_cmpmem(m[0], sizeof m[0], m[1], sizeof m[1]);
  g_assert_cmpmem(s[0], sizeof s[0], s[1], sizeof s[1]);
  SphRegressionData bad = {.n = train.n, .x = g_memdup2(train.x, train.n * sizeof(double)),
                           .y = g_memdup2(train.y, train.n * sizeof(double))};
  bad.y[7] = NAN;
  cfg.model = SPH_REG_ENSEMBLE;
  SphRegressor *reg = sph_regressor_new(&cfg, NULL);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_regression_train(reg, &bad, NULL, NULL, NULL, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "loss became nan"));
  sph_regressor_free(reg);
  g_free(bad.x);
  g_free(bad.y);
  cfg.depth = 9;
  g_assert_null(sph_regressor_new(&cfg, &err));
  g_assert_nonnull(strstr(err.message, "9 hidden layers"));
}

/* Saved and loaded, every model predicts exactly as before; damage is refused with
 * the path in the message. */
static void test_save_load(void)
{
  char *dir = g_dir_make_tmp("sph-regression-XXXXXX", NULL);
  char *path = g_build_filename(dir, "model.sphm", NULL);
  double x[5] = {-7, -3, 0.5, 3, 7};
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++) {
    SphRegressionConfig cfg = sph_regression_defaults((SphRegModel)m);
    cfg.epochs = 2;
    cfg.members = 2;
    SphRegressor *reg = sph_regressor_new(&cfg, NULL);
    g_assert_cmpint(sph_regression_train(reg, &train, NULL, NULL, NULL, NULL, NULL), ==, SPH_OK);
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_regressor_save(reg, path, &err), ==, SPH_OK);
    SphRegressor *back = sph_regressor_load(path, &err);
    g_assert_nonnull(back);
    double m0[5], s0[5], m1[5], s1[5];
    g_assert_cmpint(sph_regressor_predict(reg, x, 5, 4, m0, s0, NULL), ==, SPH_OK);
    g_assert_cmpint(sph_regressor_predict(back, x, 5, 4, m1, s1, NULL), ==, SPH_OK);
    g_assert_cmpmem(m0, sizeof m0, m1, sizeof m1);
    g_assert_cmpmem(s0, sizeof s0, s1, sizeof s1);
    g_assert_cmpint(sph_regressor_config(back)->model, ==, m);
    sph_regressor_free(back);
    sph_regressor_free(reg);
  }
  /* one flipped byte: the checksum; a cut file: the same; another file: the signature */
  char *bytes;
  gsize len;
  g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
  bytes[len / 2] ^= 0x10;
  g_assert_true(g_file_set_contents(path, bytes, (gssize)len, NULL));
  SphError err = SPH_ERROR_INIT;
  g_assert_null(sph_regressor_load(path, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_FORMAT);
  g_assert_nonnull(strstr(err.message, path));
  g_assert_nonnull(strstr(err.message, "checksum"));
  g_assert_true(g_file_set_contents(path, "SPHMLP\r\nxxxxxxxxxxxx", 20, NULL));
  g_assert_null(sph_regressor_load(path, &err));
  g_assert_nonnull(strstr(err.message, "signature"));
  g_free(bytes);
  g_remove(path);
  g_assert_null(sph_regressor_load(path, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_IO);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sph_regression_dataset(&train, &test, NULL), ==, SPH_OK);
  g_test_add_func("/regression/dataset", test_dataset);
  g_test_add_data_func("/regression/mcdropout", GINT_TO_POINTER(SPH_REG_MCDROPOUT), check_model);
  g_test_add_data_func("/regression/bbb", GINT_TO_POINTER(SPH_REG_BBB), check_model);
  g_test_add_data_func("/regression/ensemble", GINT_TO_POINTER(SPH_REG_ENSEMBLE), check_model);
  g_test_add_func("/regression/job", test_job);
  g_test_add_func("/regression/repeat-and-nan", test_repeat_and_nan);
  g_test_add_func("/regression/save-load", test_save_load);
  int rc = g_test_run();
  sph_regression_data_clear(&train);
  sph_regression_data_clear(&test);
  return rc;
}
