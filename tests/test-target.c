/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/ensemble.h"
#include "sphaera/fields.h"
#include "sphaera/fits_map.h"
#include "sphaera/spectrum.h"
#include "sphaera/target.h"
#include "sph-test-python.h"

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
  double inf_point[2] = {-6, 0.5};
  g_assert_cmpint(sph_target_eval(t, inf_point, NULL, &lp, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "+infinity"));
  g_assert_nonnull(strstr(err.message, "intercept = -6"));
  sph_target_free(t);
}

/* A prior box of zero width has no density: the plugin is refused by name. */
static void test_plugin_zero_width(void)
{
  const char *path = plugin_path("SPHAERA_PLUGIN_ZERO_WIDTH_TARGET");
  if (path == NULL)
    return;
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  g_assert_cmpint(sph_target_new_plugin(path, &t, &err), ==, SPH_ERR_FORMAT);
  g_assert_null(t);
  g_assert_nonnull(strstr(err.message, "slope"));
  g_assert_nonnull(strstr(err.message, "zero width"));
  g_assert_nonnull(strstr(err.message, path));
}

/* ---- cl-fit ---- */

#define CL_NSIDE 32
#define CL_LMODEL (3 * CL_NSIDE - 1)

static char *data_path(const char *name)
{
  const char *dir = g_getenv("SPHAERA_DATA_DIR");
  return g_build_filename(dir != NULL ? dir : "data", name, NULL);
}

static SphSpectra *read_theory(void)
{
  SphError err = SPH_ERROR_INIT;
  char *path = data_path("totcls.dat");
  SphSpectra *cls = sph_cl_read_text(path, &err);
  if (cls == NULL)
    g_error("%s", err.message);
  g_free(path);
  return cls;
}

static SphMap *read_data_map(const char *name)
{
  SphError err = SPH_ERROR_INIT;
  char *path = data_path(name);
  SphMap *m = sph_fits_read_map(path, NULL, &err);
  if (m == NULL)
    g_error("%s", err.message);
  g_free(path);
  return m;
}

/* A stand-in for the NSIDE 32 pixel window, a Gaussian of the pixel's size: the fit's
 * consistency does not depend on which window the map and the model share, and the true
 * one (sph_pixwin, checked against healpy in test-fields) costs seconds to compute. */
static const double *nside32_pixwin(void)
{
  static double pix[CL_LMODEL + 1];
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    sph_gauss_beam(sqrt(4 * M_PI / (12.0 * CL_NSIDE * CL_NSIDE)), CL_LMODEL, 0, pix);
    g_once_init_leave(&done, 1);
  }
  return pix;
}

/* A synfast sky of the theory seen through the WMAP W beam and the NSIDE 32 pixel
 * window (the theory times p_l^2 in synfast is healpy's synfast(pixwin=True)), in uK. */
static SphMap *synfast_sky(const SphSpectra *theory, uint64_t seed)
{
  SphError err = SPH_ERROR_INIT;
  SphSpectra *cls = sph_spectra_new(CL_LMODEL, 1, &err);
  const double *pix = nside32_pixwin();
  for (int l = 0; l <= CL_LMODEL; l++)
    cls->cl[0][l] = theory->cl[0][l] * pix[l] * pix[l];
  SphMap *m = sph_synfast(cls, CL_NSIDE, CL_LMODEL, 0.22 * M_PI / 180, seed, NULL, &err);
  if (m == NULL)
    g_error("%s", err.message);
  sph_map_set_field_unit(m, 0, "uK");
  sph_spectra_free(cls);
  return m;
}

static SphTarget *cl_fit_target(const SphMap *map, const SphMap *mask, const SphSpectra *theory,
                                double unit_to_uk)
{
  SphError err = SPH_ERROR_INIT;
  SphClFitOptions o;
  sph_cl_fit_options_init(&o);
  o.pixel_window = nside32_pixwin();
  o.unit_to_uk = unit_to_uk;
  SphTarget *t = NULL;
  if (sph_target_cl_fit_new(NULL, map, mask, theory, &o, &t, &err) != SPH_OK)
    g_error("%s", err.message);
  return t;
}

/* Posterior means and standard deviations of (A, n) from the ensemble sampler. */
static void cl_fit_posterior(const SphTarget *t, double mean[2], double sd[2])
{
  SphError err = SPH_ERROR_INIT;
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  o.walkers = 16;
  o.steps = 1200;
  SphChain *chain = NULL;
  g_assert_cmpint(sph_ensemble_run(t, &o, NULL, &chain, &err), ==, SPH_OK);
  double s1[2] = {0, 0}, s2[2] = {0, 0};
  size_t n = 0;
  for (size_t step = 300; step < chain->steps; step++)
    for (size_t w = 0; w < chain->walkers; w++, n++) {
      const double *x = sph_chain_sample(chain, step, w);
      for (int i = 0; i < 2; i++) {
        s1[i] += x[i];
        s2[i] += x[i] * x[i];
      }
    }
  for (int i = 0; i < 2; i++) {
    mean[i] = s1[i] / (double)n;
    sd[i] = sqrt(s2[i] / (double)n - mean[i] * mean[i]);
  }
  sph_chain_free(chain);
}

/* A synfast realisation of the theory itself, cut by the WMAP mask: the posterior must
 * hold A = 1 and n = 0 within 3 sigma. */
static void test_cl_fit_synfast(void)
{
  SphSpectra *theory = read_theory();
  SphMap *mask = read_data_map("wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits");
  for (uint64_t seed = 1; seed <= 2; seed++) {
    SphMap *sky = synfast_sky(theory, seed);
    SphTarget *t = cl_fit_target(sky, mask, theory, 0);
    double mean[2], sd[2];
    cl_fit_posterior(t, mean, sd);
    g_test_message("synfast seed %" G_GUINT64_FORMAT ": A = %.4f +- %.4f, n = %.4f +- %.4f",
                   seed, mean[0], sd[0], mean[1], sd[1]);
    g_assert_cmpfloat(fabs(mean[0] - 1), <, 3 * sd[0]);
    g_assert_cmpfloat(fabs(mean[1]), <, 3 * sd[1]);
    g_assert_cmpfloat(sd[0], >, 0.005);
    g_assert_cmpfloat(sd[0], <, 0.2);
    sph_target_free(t);
    sph_map_free(sky);
  }
  sph_map_free(mask);
  sph_spectra_free(theory);
}

/* The data spectrum against healpy: anafast of the masked map after remove_dipole,
 * over f_sky, in uK^2; and the likelihood's gradient against finite differences. */
static void test_cl_fit_wmap_data(void)
{
  SphSpectra *theory = read_theory();
  SphMap *map = read_data_map("wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits");
  SphMap *mask = read_data_map("wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits");
  SphTarget *t = cl_fit_target(map, mask, theory, 1e3);
  int lmax;
  double fsky;
  const double *data = sph_target_cl_fit_data(t, &lmax, &fsky);
  g_assert_nonnull(data);
  g_assert_cmpint(lmax, ==, 64);
  g_assert_cmpfloat(fabs(fsky - 0.61865234375), <, 1e-12);
  const double x[2] = {0.9, 0.2};
  double grad[2], xp[2];
  sph_target_log_density(t, x, grad);
  for (int i = 0; i < 2; i++) {
    double h = 1e-6;
    memcpy(xp, x, sizeof xp);
    xp[i] += h;
    double fp = sph_target_log_density(t, xp, NULL);
    xp[i] -= 2 * h;
    double fm = sph_target_log_density(t, xp, NULL);
    g_assert_cmpfloat(fabs(grad[i] - (fp - fm) / (2 * h)), <, 1e-5 * (1 + fabs(grad[i])));
  }
  static const char script[] =
      "import sys, os\n"
      "try:\n"
      "    import numpy as np, healpy as hp\n"
      "except ImportError:\n"
      "    sys.exit(77)\n"
      "d = os.environ['SPHAERA_DATA_DIR']\n"
      "m = hp.read_map(d + '/wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits', field=0)\n"
      "w = hp.read_map(d + '/wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits', "
      "field=0)\n"
      "r = hp.remove_dipole(np.where(w > 0, m, hp.UNSEEN))\n"
      "cl = hp.anafast(np.where(w > 0, r, 0) * w, lmax=64) * 1e6 / np.mean(w * w)\n"
      "print(' '.join('%.17g' % c for c in cl))\n";
  char *out = sph_test_run_python_or_77(script);
  if (out == NULL) {
    g_test_skip("no python3 with healpy");
  } else {
    char **vals = g_strsplit_set(g_strstrip(out), " ", -1);
    g_assert_cmpuint(g_strv_length(vals), ==, 65);
    double worst = 0;
    for (int l = 2; l <= 64; l++) {
      double ref = g_ascii_strtod(vals[l], NULL);
      worst = fmax(worst, fabs(data[l] - ref) / ref);
    }
    g_test_message("WMAP W data C_l vs healpy: largest relative difference %.2e", worst);
    g_assert_cmpfloat(worst, <, 1e-6);
    g_strfreev(vals);
    g_free(out);
  }
  sph_target_free(t);
  sph_map_free(map);
  sph_map_free(mask);
  sph_spectra_free(theory);
}

static void test_cl_fit_bad_input(void)
{
  SphSpectra *theory = read_theory();
  SphMap *map = read_data_map("wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits");
  SphError err = SPH_ERROR_INIT;
  SphTarget *t = NULL;
  SphClFitOptions o;
  sph_cl_fit_options_init(&o);
  o.pixel_window = nside32_pixwin();
  /* The file gives no unit. */
  g_assert_cmpint(sph_target_cl_fit_new("cl-fit:w.fits", map, NULL, theory, &o, &t, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "unit"));
  g_assert_nonnull(strstr(err.message, "cl-fit:w.fits"));
  o.unit_to_uk = 1e3;
  SphMap *small = sph_map_new(16, SPH_ORDER_RING, 1, &err);
  g_assert_cmpint(sph_target_cl_fit_new(NULL, map, small, theory, &o, &t, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "NSIDE"));
  SphMap *empty = sph_map_new(32, SPH_ORDER_RING, 1, &err);
  g_assert_cmpint(sph_target_cl_fit_new(NULL, map, empty, theory, &o, &t, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "sky"));
  SphSpectra *short_theory = sph_spectra_new(40, 1, &err);
  g_assert_cmpint(sph_target_cl_fit_new(NULL, map, NULL, short_theory, &o, &t, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "theory"));
  g_assert_null(t);
  g_assert_cmpint(sph_target_new("cl-fit", &t, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "sph_target_cl_fit_new"));
  sph_spectra_free(short_theory);
  sph_map_free(small);
  sph_map_free(empty);
  sph_map_free(map);
  sph_spectra_free(theory);
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
  g_test_add_func("/target/plugin-zero-width", test_plugin_zero_width);
  g_test_add_func("/target/cl-fit-synfast", test_cl_fit_synfast);
  g_test_add_func("/target/cl-fit-wmap-data", test_cl_fit_wmap_data);
  g_test_add_func("/target/cl-fit-bad-input", test_cl_fit_bad_input);
  return g_test_run();
}
