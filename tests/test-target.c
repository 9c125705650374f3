/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/target.h"

static SphTarget *must_target(const char *spec)
{
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  SphStatus st = sph_target_new(spec, &t, &err);
  if (st != SPH_OK)
    g_error("%s: %s", spec, err.message);
  return t;
}

/* Inverts a dense matrix by Gauss-Jordan elimination with partial pivoting: an
 * independent route to the AR(1) precision the target evaluates in O(D). */
static void invert(double *a, double *inv, int n)
{
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      inv[i * n + j] = i == j;
  for (int c = 0; c < n; c++) {
    int p = c;
    for (int r = c + 1; r < n; r++)
      if (fabs(a[r * n + c]) > fabs(a[p * n + c]))
        p = r;
    for (int j = 0; j < n; j++) {
      double t = a[c * n + j]; a[c * n + j] = a[p * n + j]; a[p * n + j] = t;
      t = inv[c * n + j]; inv[c * n + j] = inv[p * n + j]; inv[p * n + j] = t;
    }
    double d = a[c * n + c];
    for (int j = 0; j < n; j++) {
      a[c * n + j] /= d;
      inv[c * n + j] /= d;
    }
    for (int r = 0; r < n; r++) {
      if (r == c)
        continue;
      double f = a[r * n + c];
      for (int j = 0; j < n; j++) {
        a[r * n + j] -= f * a[c * n + j];
        inv[r * n + j] -= f * inv[c * n + j];
      }
    }
  }
}

static void test_gauss_matches_dense(void)
{
  for (int n = 1; n <= 7; n += 3) {
    char spec[32];
    g_snprintf(spec, sizeof spec, "gauss:%d", n);
    SphTarget *t = must_target(spec);
    g_assert_cmpuint(sph_target_dim(t), ==, (guint)n);
    double sigma[64], prec[64], x[8], grad[8];
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        sigma[i * n + j] = pow(0.9, abs(i - j));
    invert(sigma, prec, n);
    for (int i = 0; i < n; i++)
      x[i] = 0.7 * sin(1.3 * i + 0.4) - 0.2 * i;
    double quad = 0.0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        quad += x[i] * prec[i * n + j] * x[j];
    double expect = -0.5 * quad - n * log(20.0);
    double got = sph_target_log_density(t, x, grad);
    g_assert_cmpfloat_with_epsilon(got, expect, 1e-10 * (1 + fabs(expect)));
    for (int i = 0; i < n; i++) {
      double g = 0.0;
      for (int j = 0; j < n; j++)
        g -= prec[i * n + j] * x[j];
      g_assert_cmpfloat_with_epsilon(grad[i], g, 1e-10);
    }
    x[0] = 10.5;
    g_assert_true(isinf(sph_target_log_density(t, x, NULL)));
    sph_target_free(t);
  }
}

static void check_gradient(const char *spec, const double *x)
{
  SphTarget *t = must_target(spec);
  size_t d = sph_target_dim(t);
  g_assert_true(sph_target_has_gradient(t));
  double grad[16], xp[16];
  sph_target_log_density(t, x, grad);
  for (size_t i = 0; i < d; i++) {
    memcpy(xp, x, d * sizeof *x);
    double h = 1e-5;
    xp[i] = x[i] + h;
    double fp = sph_target_log_density(t, xp, NULL);
    xp[i] = x[i] - h;
    double fm = sph_target_log_density(t, xp, NULL);
    double fd = (fp - fm) / (2 * h);
    g_assert_cmpfloat_with_epsilon(grad[i], fd, 1e-5 * (1 + fabs(fd)));
  }
  sph_target_free(t);
}

static void test_gradients(void)
{
  const double x[5] = {0.3, -1.2, 0.8, 1.9, -0.4};
  check_gradient("gauss:5", x);
  check_gradient("rosenbrock", x);
  check_gradient("rosenbrock:5", x);
  check_gradient("bimodal", x);
  check_gradient("bimodal:3", x);
}

static void test_rosenbrock_and_bimodal_values(void)
{
  SphTarget *t = must_target("rosenbrock");
  double one[2] = {1, 1}, zero[2] = {0, 0};
  double lpr = -log(20.0) - log(120.0);
  g_assert_cmpfloat_with_epsilon(sph_target_log_density(t, one, NULL), lpr, 1e-14);
  g_assert_cmpfloat_with_epsilon(sph_target_log_density(t, zero, NULL), lpr - 1.0 / 20, 1e-14);
  g_assert_cmpfloat(sph_target_start(t)[0], ==, 1.0);
  g_assert_cmpfloat(sph_target_upper(t)[1], ==, 110.0);
  double lp0 = -2 * log(20.0);
  sph_target_free(t);
  /* At a mode m = (3, 3): 0.5 (2 pi)^-1 (1 + exp(-|2m|^2 / 2)). */
  t = must_target("bimodal");
  double m[2] = {3, 3};
  double expect = log(0.5 / (2 * M_PI) * (1 + exp(-0.5 * 72.0))) + lp0;
  g_assert_cmpfloat_with_epsilon(sph_target_log_density(t, m, NULL), expect, 1e-13);
  /* Midway the two components add equally. */
  double expect0 = log(1 / (2 * M_PI) * exp(-9.0)) + lp0;
  g_assert_cmpfloat_with_epsilon(sph_target_log_density(t, zero, NULL), expect0, 1e-13);
  g_assert_cmpstr(sph_target_name(t, 1), ==, "x1");
  g_assert_cmpstr(sph_target_label(t, 1), ==, "x_{1}");
  sph_target_free(t);
}

static void expect_spec_error(const char *spec, const char *fragment)
{
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = (SphTarget *)&err;
  g_assert_cmpint(sph_target_new(spec, &t, &err), ==, SPH_ERR_INVALID);
  g_assert_null(t);
  g_assert_nonnull(strstr(err.message, fragment));
}

static void test_bad_specs(void)
{
  expect_spec_error("gauss", "give the dimension");
  expect_spec_error("gauss:0", "gauss:0");
  expect_spec_error("gauss:3x", "integer");
  expect_spec_error("rosenbrock:1", "from 2");
  expect_spec_error("banana", "unknown target");
  expect_spec_error("", "empty target");
}

static const char *plugin_path(const char *var)
{
  const char *p = g_getenv(var);
  if (p == NULL)
    g_test_skip("plugin path not set (run through meson test)");
  return p;
}

static void test_plugin_example(void)
{
  const char *path = plugin_path("SPHAERA_PLUGIN_EXAMPLE_TARGET");
  if (path == NULL)
    return;
  char *spec = g_strdup_printf("plugin:%s", path);
  SphTarget *t = must_target(spec);
  g_free(spec);
  g_assert_cmpuint(sph_target_dim(t), ==, 2);
  g_assert_cmpstr(sph_target_name(t, 0), ==, "intercept");
  g_assert_cmpstr(sph_target_label(t, 1), ==, "b");
  g_assert_cmpfloat(sph_target_lower(t)[0], ==, -10.0);
  double zero[2] = {0, 0};
  /* ln L(0, 0) = -sum y^2 / 2, plus the prior density 1/400 of the box. */
  double ys = 2.9 * 2.9 + 1.1 * 1.1 + 1.2 * 1.2 + 2.8 * 2.8 + 5.1 * 5.1;
  g_assert_cmpfloat_with_epsilon(sph_target_log_density(t, zero, NULL),
                                 -0.5 * ys - log(400.0), 1e-12);
  sph_target_free(t);
  const double x[2] = {0.4, 1.7};
  spec = g_strdup_printf("plugin:%s", path);
  check_gradient(spec, x);
  g_free(spec);
}

static void expect_plugin_error(const char *var, SphStatus code, const char *fragment)
{
  const char *path = plugin_path(var);
  if (path == NULL)
    return;
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  g_assert_cmpint(sph_target_new_plugin(path, &t, &err), ==, code);
  g_assert_null(t);
  g_assert_nonnull(strstr(err.message, path));
  if (strstr(err.message, fragment) == NULL)
    g_error("message \"%s\" lacks \"%s\"", err.message, fragment);
}

static void test_plugin_bad_abi(void)
{
  expect_plugin_error("SPHAERA_PLUGIN_BAD_ABI_TARGET", SPH_ERR_FORMAT, "ABI version 42");
}

static void test_plugin_no_symbol(void)
{
  expect_plugin_error("SPHAERA_PLUGIN_NOSYMBOL_TARGET", SPH_ERR_FORMAT,
                      "does not export sph_target_plugin()");
}

static void test_plugin_missing_file(void)
{
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  g_assert_cmpint(sph_target_new("plugin:/nonexistent/dir/x.so", &t, &err), ==, SPH_ERR_IO);
  g_assert_nonnull(strstr(err.message, "/nonexistent/dir/x.so"));
}

static void test_plugin_nan(void)
{
  const char *path = plugin_path("SPHAERA_PLUGIN_NAN_TARGET");
  if (path == NULL)
    return;
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  g_assert_cmpint(sph_target_new_plugin(path, &t, &err), ==, SPH_OK);
  double ok[2] = {-1, 0.5}, bad[2] = {1, 0.5}, lp;
  g_assert_cmpint(sph_target_eval(t, ok, NULL, &lp, &err), ==, SPH_OK);
  g_assert_true(isfinite(lp));
  g_assert_cmpint(sph_target_eval(t, bad, NULL, &lp, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "NaN"));
  g_assert_nonnull(strstr(err.message, "intercept = 1"));
  sph_target_free(t);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/target/gauss-dense", test_gauss_matches_dense);
  g_test_add_func("/target/gradients", test_gradients);
  g_test_add_func("/target/rosenbrock-bimodal", test_rosenbrock_and_bimodal_values);
  g_test_add_func("/target/bad-specs", test_bad_specs);
  g_test_add_func("/target/plugin-example", test_plugin_example);
  g_test_add_func("/target/plugin-bad-abi", test_plugin_bad_abi);
  g_test_add_func("/target/plugin-no-symbol", test_plugin_no_symbol);
  g_test_add_func("/target/plugin-missing-file", test_plugin_missing_file);
  g_test_add_func("/target/plugin-nan", test_plugin_nan);
  return g_test_run();
}
