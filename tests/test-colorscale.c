/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Colour scales against their references through SPHAERA_PYTHON: healpy's HistEqNorm
 * (several sizes, including its small-sample rules) and LogNorm2, matplotlib's
 * SymLogNorm (healpy's norm='symlog' defaults too), numpy.percentile (with ties, UNSEEN
 * and NaN); and without Python: inverses, data ranges, the painted colours. */
#include <glib.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sphaera/colorscale.h"
#include "sphaera/healpix.h"
#include "sph-test-python.h"

/* Data sets: each "@data NAME" line is followed by the values (UNSEEN and NaN among them
 * where the case needs them); "@hist", "@log", "@symlog", "@pct" lines carry results. */
static const char reference_script[] =
    "import sys, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "try:\n"
    "    import numpy as np, healpy as hp, matplotlib\n"
    "    matplotlib.use('Agg')\n"
    "    from healpy.projaxes import HistEqNorm, LogNorm2\n"
    "    from matplotlib.colors import SymLogNorm\n"
    "except ImportError:\n"
    "    sys.exit(77)\n"
    "rng = np.random.default_rng(3)\n"
    "def show(name, a):\n"
    "    print('@data ' + name)\n"
    "    print(a.size, ' '.join('%.17g' % v for v in a))\n"
    "big = np.concatenate([rng.normal(0, 1, 150000), rng.exponential(3, 60000)])\n"
    "sets = {\n"
    "  'mixed': np.concatenate([rng.normal(0, 1, 5000), rng.exponential(3, 3000),\n"
    "                           [hp.UNSEEN] * 50, [np.nan] * 5]),\n"
    "  'small': rng.normal(2, 3, 50),\n"
    "  'tiny': np.array([1.0, 4.0]),\n"
    "  'ties': np.floor(rng.uniform(0, 10, 999)),\n"
    "  'big': big,\n"
    "  'one': np.array([3.5, hp.UNSEEN]),\n"
    "}\n"
    "pts = np.concatenate([[-50, -3, -2, -1e-3, 0, 1e-9, 0.05, 0.1, 1, 2.5, 7.99, 8, 30, 1e4],\n"
    "                      rng.uniform(-3, 10, 200)])\n"
    "print('@points')\n"
    "print(pts.size, ' '.join('%.17g' % v for v in pts))\n"
    "for name, a in sets.items():\n"
    "    show(name, a)\n"
    "    seen = a[(a != hp.UNSEEN) & ~np.isnan(a)]\n"
    "    if name != 'one':\n"
    "        n = HistEqNorm(); n.vmin = -2.0; n.vmax = 8.0\n"
    "        n.autoscale_None(np.ma.asarray(seen))\n"
    "        print('@hist ' + name)\n"
    "        print(' '.join('%.17g' % v for v in np.ma.filled(n(pts), np.nan)))\n"
    "    print('@pct ' + name)\n"
    "    for lo, hi in ((0.5, 99.5), (0, 100), (25, 75), (50, 50), (37.1, 88.8)):\n"
    "        print('%.17g %.17g %.17g %.17g' % (lo, hi, *np.percentile(seen, [lo, hi])))\n"
    "print('@log')\n"
    "n = LogNorm2(vmin=0.1, vmax=30.0)\n"
    "print(' '.join('%.17g' % v for v in np.ma.filled(n(pts), np.nan)))\n"
    "print('@symlog')\n"
    "for lt, ls, lo, hi in ((0.5, 0.1, -20.0, 50.0), (1.0, 0.1, -3.0, 10.0), (2.0, 1.0, 0.5, 9.0)):\n"
    "    n = SymLogNorm(linthresh=lt, linscale=ls, base=10, vmin=lo, vmax=hi, clip=True)\n"
    "    print('%.17g %.17g %.17g %.17g' % (lt, ls, lo, hi),\n"
    "          ' '.join('%.17g' % v for v in np.ma.filled(n(pts), np.nan)))\n";

static const char *reference(const char *section)
{
  static SphTestPythonSections cache;
  return sph_test_python_section(&cache, reference_script, section,
                                 "no reference Python with healpy and matplotlib (SPHAERA_PYTHON)");
}

/* A count then that many numbers. */
static double *read_array(const char *text, size_t *n, char **end)
{
  char *p = (char *)text;
  *n = (size_t)g_ascii_strtoll(p, &p, 10);
  double *a = g_new(double, *n + 1);
  for (size_t i = 0; i < *n; i++)
    a[i] = g_ascii_strtod(p, &p);
  if (end != NULL)
    *end = p;
  return a;
}

static void read_values(const char *text, double *out, size_t n)
{
  char *p = (char *)text;
  for (size_t i = 0; i < n; i++)
    out[i] = g_ascii_strtod(p, &p);
}

static void assert_close(double a, double b, double tol)
{
  if (isnan(a) && isnan(b))
    return;
  if (!(fabs(a - b) <= tol))
    g_error("%.17g and %.17g differ by %.3g > %.3g", a, b, fabs(a - b), tol);
}

static const char *const set_names[] = {"mixed", "small", "tiny", "ties", "big"};

static void test_histeq_healpy(void)
{
  const char *text = reference("points");
  if (text == NULL)
    return;
  size_t npts;
  double *pts = read_array(text, &npts, NULL);
  for (size_t s = 0; s < G_N_ELEMENTS(set_names); s++) {
    char name[32];
    snprintf(name, sizeof name, "data %s", set_names[s]);
    size_t n;
    double *data = read_array(reference(name), &n, NULL);
    /* healpy's UNSEEN went through %.17g: the exact sentinel again. */
    for (size_t i = 0; i < n; i++)
      if (fabs(data[i] - SPH_UNSEEN) < 1e20)
        data[i] = SPH_UNSEEN;
    snprintf(name, sizeof name, "hist %s", set_names[s]);
    double *want = g_new(double, npts);
    read_values(reference(name), want, npts);
    SphError err = SPH_ERROR_INIT;
    SphHistEq *h = sph_histeq_new(data, n, -2.0, 8.0, &err);
    g_assert_nonnull(h);
    SphColorScale scale = {.vmin = -2, .vmax = 8, .norm = SPH_NORM_HIST, .histeq = h};
    for (size_t i = 0; i < npts; i++) {
      double t = sph_histeq_apply(h, pts[i]);
      assert_close(t, want[i], 1e-12);
      assert_close(sph_color_scale_position(&scale, pts[i]), want[i], 1e-12);
    }
    /* The inverse puts a value back where the curve rises. */
    for (double t = 0.05; t < 1; t += 0.1) {
      double v = sph_histeq_inverse(h, t);
      g_assert_cmpfloat(v, >=, -2.0);
      g_assert_cmpfloat(v, <=, 8.0);
      assert_close(sph_histeq_apply(h, v), t, 1e-9);
    }
    sph_histeq_free(h);
    g_free(want);
    g_free(data);
  }
  g_free(pts);
}

static void test_log_healpy(void)
{
  const char *text = reference("points");
  if (text == NULL)
    return;
  size_t npts;
  double *pts = read_array(text, &npts, NULL);
  double *want = g_new(double, npts);
  read_values(reference("log"), want, npts);
  SphColorScale scale = {.vmin = 0.1, .vmax = 30.0, .norm = SPH_NORM_LOG};
  int bad = 0;
  for (size_t i = 0; i < npts; i++) {
    double t = sph_color_scale_position(&scale, pts[i]);
    /* healpy masks values <= 0: they show in the bad colour. */
    g_assert_cmpint(isnan(t), ==, isnan(want[i]));
    bad += isnan(t);
    assert_close(t, want[i], 1e-14);
    if (!isnan(t) && t > 0 && t < 1)
      assert_close(sph_color_scale_value(&scale, t), pts[i], 1e-12 * pts[i]);
  }
  g_assert_cmpint(bad, >, 10);
  uint8_t rgb[3];
  sph_color_scale_rgb(&scale, -1.0, rgb);
  g_assert_cmpint(rgb[0], ==, SPH_BAD_R);
  g_free(want);
  g_free(pts);
}

static void test_symlog_matplotlib(void)
{
  const char *text = reference("points");
  if (text == NULL)
    return;
  size_t npts;
  double *pts = read_array(text, &npts, NULL);
  char *p = (char *)reference("symlog");
  for (int c = 0; c < 3; c++) {
    double lt = g_ascii_strtod(p, &p), ls = g_ascii_strtod(p, &p);
    double lo = g_ascii_strtod(p, &p), hi = g_ascii_strtod(p, &p);
    SphColorScale scale = {.vmin = lo, .vmax = hi, .norm = SPH_NORM_SYMLOG, .linthresh = lt,
                           .linscale = ls};
    /* healpy's defaults (linthresh 1, linscale 0.1) are what zeros ask for. */
    SphColorScale defaults = {.vmin = lo, .vmax = hi, .norm = SPH_NORM_SYMLOG};
    for (size_t i = 0; i < npts; i++) {
      double want = g_ascii_strtod(p, &p);
      double t = sph_color_scale_position(&scale, pts[i]);
      assert_close(t, want, 1e-13);
      if (lt == 1.0 && ls == 0.1)
        assert_close(sph_color_scale_position(&defaults, pts[i]), want, 1e-13);
      if (t > 1e-6 && t < 1 - 1e-6)
        assert_close(sph_color_scale_value(&scale, t), pts[i], 1e-9 * fmax(1, fabs(pts[i])));
    }
  }
  g_free(pts);
}

static void test_percentile_numpy(void)
{
  static const char *const sets[] = {"mixed", "small", "tiny", "ties", "big", "one"};
  for (size_t s = 0; s < G_N_ELEMENTS(sets); s++) {
    char name[32];
    snprintf(name, sizeof name, "data %s", sets[s]);
    const char *text = reference(name);
    if (text == NULL)
      return;
    size_t n;
    double *data = read_array(text, &n, NULL);
    for (size_t i = 0; i < n; i++)
      if (fabs(data[i] - SPH_UNSEEN) < 1e20)
        data[i] = SPH_UNSEEN;
    snprintf(name, sizeof name, "pct %s", sets[s]);
    char *p = (char *)reference(name);
    for (int k = 0; k < 5; k++) {
      double plo = g_ascii_strtod(p, &p), phi = g_ascii_strtod(p, &p);
      double wlo = g_ascii_strtod(p, &p), whi = g_ascii_strtod(p, &p);
      double lo, hi;
      SphError err = SPH_ERROR_INIT;
      g_assert_cmpint(sph_percentile_range(data, n, plo, phi, &lo, &hi, &err), ==, SPH_OK);
      assert_close(lo, wlo, 1e-13 * fmax(1, fabs(wlo)));
      assert_close(hi, whi, 1e-13 * fmax(1, fabs(whi)));
      /* The other order gives the same pair, swapped. */
      g_assert_cmpint(sph_percentile_range(data, n, phi, plo, &hi, &lo, &err), ==, SPH_OK);
      assert_close(lo, wlo, 1e-13 * fmax(1, fabs(wlo)));
      assert_close(hi, whi, 1e-13 * fmax(1, fabs(whi)));
    }
    g_free(data);
  }
}

/* Selection on adversarial orders (sorted, reversed, all equal, organ pipe): at whole
 * ranks a percentile is an order statistic, so exactly the right number of values lie
 * below it (up to ties) and above it. */
static void test_percentile_orders(void)
{
  const size_t n = 10001;
  double *a = g_new(double, n);
  for (int pattern = 0; pattern < 4; pattern++) {
    for (size_t i = 0; i < n; i++) {
      switch (pattern) {
      case 0: a[i] = (double)i; break;
      case 1: a[i] = (double)(n - i); break;
      case 2: a[i] = 7.0; break;
      default: a[i] = (double)(i < n / 2 ? i : n - i); break;
      }
    }
    /* Percentiles at whole ranks are order statistics: count what lies below. */
    for (int pct = 0; pct <= 100; pct += 10) {
      double lo, hi;
      g_assert_cmpint(sph_percentile_range(a, n, pct, 100 - pct, &lo, &hi, NULL), ==, SPH_OK);
      double c_lo = 0, c_hi = 0;
      for (size_t i = 0; i < n; i++) {
        c_lo += a[i] < lo;
        c_hi += a[i] < hi;
      }
      /* rank pct/100 * (n - 1) is an integer here: exactly that many values lie below,
       * up to ties. */
      size_t want_lo = (size_t)(pct / 100.0 * (n - 1) + 0.5);
      size_t want_hi = (size_t)((100 - pct) / 100.0 * (n - 1) + 0.5);
      g_assert_cmpfloat(c_lo, <=, want_lo);
      g_assert_cmpfloat(c_hi, <=, want_hi);
      size_t le_lo = 0, le_hi = 0;
      for (size_t i = 0; i < n; i++) {
        le_lo += a[i] <= lo;
        le_hi += a[i] <= hi;
      }
      g_assert_cmpfloat(le_lo, >, want_lo);
      g_assert_cmpfloat(le_hi, >, want_hi);
    }
  }
  g_free(a);
}

static void test_ranges_and_errors(void)
{
  double v[] = {SPH_UNSEEN, -4.0, NAN, 2.0, 0.0, 7.5, 1e-3};
  double lo, hi;
  g_assert_true(sph_data_range(v, G_N_ELEMENTS(v), false, &lo, &hi));
  g_assert_cmpfloat(lo, ==, -4.0);
  g_assert_cmpfloat(hi, ==, 7.5);
  g_assert_true(sph_data_range(v, G_N_ELEMENTS(v), true, &lo, &hi));
  g_assert_cmpfloat(lo, ==, 1e-3);
  g_assert_cmpfloat(hi, ==, 7.5);
  double none[] = {SPH_UNSEEN, NAN};
  lo = hi = 42;
  g_assert_false(sph_data_range(none, 2, false, &lo, &hi));
  g_assert_cmpfloat(lo, ==, 42);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_percentile_range(none, 2, 1, 99, &lo, &hi, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "seen"));
  sph_error_clear(&err);
  g_assert_cmpint(sph_percentile_range(v, 7, -1, 99, &lo, &hi, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "-1"));
  g_assert_cmpint(sph_percentile_range(v, 7, 1, 100.5, &lo, &hi, NULL), ==, SPH_ERR_INVALID);
  g_assert_null(sph_histeq_new(v, 7, 3, 3, &err));
  g_assert_null(sph_histeq_new(v, 7, NAN, 3, NULL));

  SphNorm norm;
  static const char *names[] = {"linear", "log", "hist", "symlog"};
  for (int k = 0; k < SPH_NORM_COUNT; k++) {
    g_assert_cmpstr(sph_norm_name((SphNorm)k), ==, names[k]);
    g_assert_true(sph_norm_from_name(names[k], &norm));
    g_assert_cmpint(norm, ==, k);
  }
  g_assert_true(sph_norm_from_name("HISTOGRAM", &norm) && norm == SPH_NORM_HIST);
  g_assert_false(sph_norm_from_name("sqrt", &norm));
  g_assert_false(sph_norm_from_name(NULL, &norm));

  /* Linear: the old behaviour exactly; UNSEEN and NaN bad whatever the scale. */
  for (int k = 0; k < SPH_NORM_COUNT; k++) {
    SphColorScale s = {.vmin = 0.5, .vmax = 2.0, .norm = (SphNorm)k};
    g_assert_true(isnan(sph_color_scale_position(&s, SPH_UNSEEN)));
    g_assert_true(isnan(sph_color_scale_position(&s, NAN)));
    g_assert_cmpfloat(sph_color_scale_position(&s, 0.5), ==, 0.0);
    g_assert_cmpfloat(sph_color_scale_position(&s, 2.0), ==, 1.0);
    g_assert_cmpfloat(sph_color_scale_position(&s, 1e300), ==, 1.0);
  }
  SphColorScale lin = {.vmin = -1, .vmax = 3};
  assert_close(sph_color_scale_position(&lin, 0.0), 0.25, 1e-16);
  assert_close(sph_color_scale_value(&lin, 0.25), 0.0, 1e-16);
  SphColorScale empty = {.vmin = 1, .vmax = 1, .norm = SPH_NORM_SYMLOG};
  g_assert_cmpfloat(sph_color_scale_position(&empty, 5.0), ==, 0.0);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/colorscale/histeq-healpy", test_histeq_healpy);
  g_test_add_func("/colorscale/log-healpy", test_log_healpy);
  g_test_add_func("/colorscale/symlog-matplotlib", test_symlog_matplotlib);
  g_test_add_func("/colorscale/percentile-numpy", test_percentile_numpy);
  g_test_add_func("/colorscale/percentile-orders", test_percentile_orders);
  g_test_add_func("/colorscale/ranges-errors", test_ranges_and_errors);
  return g_test_run();
}
