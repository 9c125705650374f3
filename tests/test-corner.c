/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The statistics of posterior figures (corner.h) against analytic truths (the mass of a
 * 2-D Gaussian inside radius r is 1 - exp(-r^2 / 2)), identities, and numpy/scipy. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sph-test-python.h"
#include "sphaera/corner.h"
#include "sphaera/diagnostics.h"
#include "sphaera/rng.h"

static double *gaussian_samples(size_t n, size_t dim, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 0);
  double *x = g_new(double, n * dim);
  for (size_t i = 0; i < n * dim; i++)
    x[i] = sph_rng_normal(&rng);
  return x;
}

/* The mean and largest distance from the origin of a contour's segment end points. */
static void contour_radii(const SphContour *c, double *mean, double *worst, double target)
{
  double sum = 0.0;
  *worst = 0.0;
  for (size_t s = 0; s < c->nsegments; s++) {
    for (int e = 0; e < 2; e++) {
      double r = hypot(c->segments[4 * s + 2 * e], c->segments[4 * s + 2 * e + 1]);
      sum += r;
      *worst = fmax(*worst, fabs(r - target));
    }
  }
  *mean = sum / (2.0 * (double)c->nsegments);
}

/* The target: 1e5 samples of a 2-D unit Gaussian, the 68% and 95% contours are
 * circles of radius sqrt(-2 ln(1 - m)) = 1.510 and 2.448 to within one bin. */
static void check_gaussian_contours(double smooth)
{
  size_t n = 100000, bins = 50;
  double *x = gaussian_samples(n, 2, 7);
  double lo[2] = {-4.0, -4.0}, hi[2] = {4.0, 4.0}, bin = 8.0 / (double)bins;
  SphCornerOptions o;
  sph_corner_options_init(&o);
  o.bins = bins;
  o.smooth = smooth;
  o.lo = lo;
  o.hi = hi;
  SphCorner *c = NULL;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_corner_new(x, n, 2, NULL, &o, &c, &err), ==, SPH_OK);
  SphGrid2d grid;
  sph_corner_panel_grid(c, 1, 0, &grid);
  const double *h = c->hist2d + (1 * 2 + 0) * bins * bins;
  const double *levels = c->levels + (1 * 2 + 0) * SPH_CORNER_NLEVELS;
  for (int k = 0; k < SPH_CORNER_NLEVELS; k++) {
    double target = sqrt(-2.0 * log(1.0 - c->masses[k]));
    SphContour *contour = NULL;
    g_assert_cmpint(sph_contour_new(h, &grid, levels[k], &contour, &err), ==, SPH_OK);
    g_assert_cmpuint(contour->nsegments, >, 20);
    double mean, worst;
    contour_radii(contour, &mean, &worst, target);
    g_test_message("smooth %g bins: %.0f%% contour radius %.4f (target %.4f, |error| %.4f = "
                   "%.2f bins; worst point %.2f bins)",
                   smooth, 100 * c->masses[k], mean, target, fabs(mean - target),
                   fabs(mean - target) / bin, worst / bin);
    g_assert_cmpfloat(fabs(mean - target), <, bin);
    g_assert_cmpfloat(worst, <, 2.0 * bin);
    sph_contour_free(contour);
  }
  /* 16/50/84% quantiles of a unit Gaussian: -0.994, 0, 0.994 */
  for (int d = 0; d < 2; d++) {
    g_assert_cmpfloat(fabs(c->quantiles[3 * d] + 0.99446), <, 0.02);
    g_assert_cmpfloat(fabs(c->quantiles[3 * d + 1]), <, 0.02);
    g_assert_cmpfloat(fabs(c->quantiles[3 * d + 2] - 0.99446), <, 0.02);
  }
  sph_corner_free(c);
  g_free(x);
}

static void test_gaussian_contours_raw(void)
{
  check_gaussian_contours(0.0);
}

static void test_gaussian_contours_smoothed(void)
{
  check_gaussian_contours(1.0);
}

/* Levels of an exact 2-D unit Gaussian density on a fine grid: the region of mass m is
 * r < sqrt(-2 ln(1 - m)), where the density is (1 - m) / 2 pi. */
static void test_levels_analytic(void)
{
  size_t nb = 400;
  double lo = -6.0, d = 12.0 / (double)nb;
  double *h = g_new(double, nb * nb);
  for (size_t iy = 0; iy < nb; iy++)
    for (size_t ix = 0; ix < nb; ix++) {
      double x = lo + (ix + 0.5) * d, y = lo + (iy + 0.5) * d;
      h[iy * nb + ix] = exp(-0.5 * (x * x + y * y)) / (2 * G_PI) * d * d;
    }
  double masses[3] = {0.39346934, 0.68, 0.95}, levels[3];
  g_assert_cmpint(sph_density_levels(h, nb * nb, masses, 3, levels, NULL), ==, SPH_OK);
  for (int k = 0; k < 3; k++) {
    double want = (1.0 - masses[k]) / (2 * G_PI) * d * d;
    g_test_message("mass %.3f: level %.6g, analytic %.6g", masses[k], levels[k], want);
    g_assert_cmpfloat(fabs(levels[k] / want - 1.0), <, 0.01);
  }
  /* a discrete case: bins 4, 3, 2, 1 (any order) */
  double small[4] = {2, 4, 1, 3}, m2[3] = {0.4, 0.7, 0.71}, l2[3];
  g_assert_cmpint(sph_density_levels(small, 4, m2, 3, l2, NULL), ==, SPH_OK);
  g_assert_cmpfloat(l2[0], ==, 4.0);
  g_assert_cmpfloat(l2[1], ==, 3.0);
  g_assert_cmpfloat(l2[2], ==, 2.0);
  double zero[3] = {0, 0, 0};
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_density_levels(zero, 3, m2, 1, l2, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "empty"));
  g_free(h);
}

/* A filled contour's polygons cover the region at or above the level: their area equals
 * the area inside the segments' circle for a radial field. */
static void test_contour_area(void)
{
  size_t nb = 120;
  double lo = -3.0, d = 6.0 / (double)nb;
  double *h = g_new(double, nb * nb);
  for (size_t iy = 0; iy < nb; iy++)
    for (size_t ix = 0; ix < nb; ix++) {
      double x = lo + (ix + 0.5) * d, y = lo + (iy + 0.5) * d;
      h[iy * nb + ix] = 3.0 - hypot(x, y); /* level 1 is the circle r = 2 */
    }
  SphGrid2d g = {nb, nb, -3.0, 3.0, -3.0, 3.0};
  SphContour *c = NULL;
  g_assert_cmpint(sph_contour_new(h, &g, 1.0, &c, NULL), ==, SPH_OK);
  double area = 0.0;
  for (size_t p = 0; p < c->npolygons; p++) {
    const double *v = c->poly_xy + 2 * c->poly_start[p];
    size_t m = c->poly_sizes[p];
    g_assert_cmpuint(m, >=, 3);
    g_assert_cmpuint(m, <=, 6);
    double a = 0.0;
    for (size_t k = 0; k < m; k++) {
      size_t l = (k + 1) % m;
      a += v[2 * k] * v[2 * l + 1] - v[2 * l] * v[2 * k + 1];
    }
    g_assert_cmpfloat(a, >=, 0.0); /* counter-clockwise */
    area += 0.5 * a;
  }
  g_test_message("filled area %.5f, circle %.5f", area, G_PI * 4.0);
  g_assert_cmpfloat(fabs(area / (G_PI * 4.0) - 1.0), <, 2e-3);
  double mean, worst;
  contour_radii(c, &mean, &worst, 2.0);
  g_assert_cmpfloat(worst, <, 1e-3);
  sph_contour_free(c);
  g_assert_cmpint(sph_contour_new(h, &g, 0.0, &c, NULL), ==, SPH_ERR_INVALID);
  g_free(h);
}

static void test_hist_and_smooth(void)
{
  double x[7] = {0.0, 0.1, 0.5, 0.99, 1.0, 1.5, NAN}, counts[4];
  g_assert_cmpint(sph_hist1d(x, 7, 1, NULL, 0, 0.0, 1.0, 4, counts, NULL), ==, SPH_OK);
  /* numpy.histogram(..., bins=4, range=(0, 1)): [2, 0, 1, 2], the last bin closed */
  g_assert_cmpfloat(counts[0], ==, 2.0);
  g_assert_cmpfloat(counts[1], ==, 0.0);
  g_assert_cmpfloat(counts[2], ==, 1.0);
  g_assert_cmpfloat(counts[3], ==, 2.0);
  double w[7] = {1, 2, 3, 4, 5, 6, 7};
  g_assert_cmpint(sph_hist1d(x, 7, 1, w, 1, 0.0, 1.0, 4, counts, NULL), ==, SPH_OK);
  g_assert_cmpfloat(counts[3], ==, 9.0);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_hist1d(x, 7, 1, NULL, 0, 1.0, 1.0, 4, counts, &err), ==, SPH_ERR_INVALID);

  /* a delta smoothed by sigma bins is the normalised sampled Gaussian, in 2-D the
   * product of two */
  size_t nb = 41;
  double *h = g_new0(double, nb * nb);
  h[20 * nb + 20] = 1.0;
  g_assert_cmpint(sph_hist_smooth(h, nb, nb, 2.0, NULL), ==, SPH_OK);
  double norm = 0.0, sum = 0.0;
  for (int k = -8; k <= 8; k++)
    norm += exp(-0.5 * k * k / 4.0);
  for (size_t i = 0; i < nb * nb; i++)
    sum += h[i];
  g_assert_cmpfloat(fabs(sum - 1.0), <, 1e-12);
  double want = exp(-0.5 * (9.0 + 16.0) / 4.0) / (norm * norm);
  g_assert_cmpfloat(fabs(h[(20 + 3) * nb + 20 - 4] - want), <, 1e-15);
  g_free(h);
}

static char *write_values(const double *v, size_t n)
{
  GString *s = g_string_new(NULL);
  for (size_t i = 0; i < n; i++)
    g_string_append_printf(s, "%.17g\n", v[i]);
  char *path = NULL;
  int fd = g_file_open_tmp("sph-corner-XXXXXX.txt", &path, NULL);
  g_assert_cmpint(fd, >=, 0);
  close(fd);
  g_assert_true(g_file_set_contents(path, s->str, (gssize)s->len, NULL));
  g_string_free(s, TRUE);
  return path;
}

static void test_quantiles_numpy(void)
{
  size_t n = 1001;
  double *x = gaussian_samples(n, 1, 3), *w = g_new(double, n);
  for (size_t i = 0; i < n; i++)
    w[i] = 0.2 + fabs(sin(0.37 * (double)i));
  double q[5] = {0.0, 0.16, 0.5, 0.84, 1.0}, plain[5], weighted[5];
  g_assert_cmpint(sph_weighted_quantiles(x, n, 1, NULL, 0, q, 5, plain, NULL), ==, SPH_OK);
  g_assert_cmpint(sph_weighted_quantiles(x, n, 1, w, 1, q, 5, weighted, NULL), ==, SPH_OK);
  char *xp = write_values(x, n), *wp = write_values(w, n);
  char *script = g_strdup_printf(
      "import sys\n"
      "try:\n import numpy as np\nexcept ImportError:\n sys.exit(77)\n"
      "x = np.loadtxt('%s'); w = np.loadtxt('%s'); q = [0, 0.16, 0.5, 0.84, 1]\n"
      "print(*['%%.17g' %% v for v in np.percentile(x, [100 * t for t in q])])\n"
      "i = np.argsort(x); sw = w[i]; cdf = np.cumsum(sw)[:-1]; cdf /= cdf[-1]\n"
      "cdf = np.append(0, cdf)\n"
      "print(*['%%.17g' %% v for v in np.interp(q, cdf, x[i])])\n",
      xp, wp);
  char *out = sph_test_run_python_or_77(script);
  if (out == NULL) {
    g_test_skip("no python with numpy (SPHAERA_PYTHON)");
  } else {
    char **lines = g_strsplit(out, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), >=, 2);
    for (int row = 0; row < 2; row++) {
      char **f = g_strsplit(lines[row], " ", -1);
      g_assert_cmpuint(g_strv_length(f), ==, 5);
      for (int k = 0; k < 5; k++) {
        double ref = g_ascii_strtod(f[k], NULL), got = row == 0 ? plain[k] : weighted[k];
        g_assert_cmpfloat(fabs(got - ref), <=, 1e-12 * (1.0 + fabs(ref)));
      }
      g_strfreev(f);
    }
    g_strfreev(lines);
  }
  g_free(out);
  g_free(script);
  g_unlink(xp);
  g_unlink(wp);
  g_free(xp);
  g_free(wp);
  x[5] = NAN;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_weighted_quantiles(x, n, 1, NULL, 0, q, 5, plain, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "not finite"));
  g_free(x);
  g_free(w);
}

static void test_binomial_band(void)
{
  size_t ns[3] = {10, 100, 1000};
  double ps[4] = {0.05, 0.3, 0.5, 0.9};
  GString *script = g_string_new("import sys\n"
                                 "try:\n from scipy.stats import binom\n"
                                 "except ImportError:\n sys.exit(77)\n");
  double got[12][2];
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 4; b++) {
      double lo, hi;
      g_assert_cmpint(sph_binomial_band(ns[a], ps[b], 0.95, &lo, &hi, NULL), ==, SPH_OK);
      got[a * 4 + b][0] = lo;
      got[a * 4 + b][1] = hi;
      g_assert_cmpfloat(lo, <=, ps[b]);
      g_assert_cmpfloat(hi, >=, ps[b]);
      /* the band holds X / N with probability >= 0.95: sum the pmf over it */
      double inside = 0.0, n = (double)ns[a];
      for (size_t k = (size_t)lround(lo * n); k <= (size_t)lround(hi * n); k++)
        inside += exp(lgamma(n + 1) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(ps[b]) +
                      (n - k) * log1p(-ps[b]));
      g_assert_cmpfloat(inside, >=, 0.95 - 1e-9);
      g_string_append_printf(script,
                             "print(binom.ppf(0.025, %zu, %.17g) / %zu, "
                             "binom.ppf(0.975, %zu, %.17g) / %zu)\n",
                             ns[a], ps[b], ns[a], ns[a], ps[b], ns[a]);
    }
  char *out = sph_test_run_python_or_77(script->str);
  if (out == NULL) {
    g_test_skip("no python with scipy (SPHAERA_PYTHON)");
  } else {
    char **lines = g_strsplit(out, "\n", -1);
    for (int i = 0; i < 12; i++) {
      double lo = 0, hi = 0;
      g_assert_cmpint(sscanf(lines[i], "%lf %lf", &lo, &hi), ==, 2);
      double n = (double)ns[i / 4];
      g_assert_cmpfloat(fabs(lo - got[i][0]) * n, <, 1e-6);
      g_assert_cmpfloat(fabs(hi - got[i][1]) * n, <, 1e-6);
    }
    g_strfreev(lines);
  }
  g_free(out);
  g_string_free(script, TRUE);
  double lo, hi;
  g_assert_cmpint(sph_binomial_band(0, 0.5, 0.95, &lo, &hi, NULL), ==, SPH_ERR_INVALID);
}

/* Walkers running AR(1) with coefficient phi: the autocorrelation at lag t is phi^t;
 * with one walker the function is emcee's function_1d of that walker. */
static void test_chain_autocorr(void)
{
  size_t steps = 20000, walkers = 4;
  SphChain *chain = NULL;
  g_assert_cmpint(sph_chain_new(steps, walkers, 2, NULL, NULL, &chain, NULL), ==, SPH_OK);
  SphRng rng;
  sph_rng_init(&rng, 11, 0);
  double phi = 0.6;
  for (size_t w = 0; w < walkers; w++) {
    double a = 0.0;
    for (size_t s = 0; s < steps; s++) {
      a = phi * a + sph_rng_normal(&rng);
      sph_chain_sample(chain, s, w)[0] = a;
      sph_chain_sample(chain, s, w)[1] = 5.0; /* stuck */
    }
  }
  chain->steps = steps;
  double acf[5];
  g_assert_cmpint(sph_chain_autocorr(chain, 100, 0, 5, acf, NULL), ==, SPH_OK);
  g_assert_cmpfloat(acf[0], ==, 1.0);
  for (int t = 1; t < 5; t++) {
    g_test_message("lag %d: %.4f (phi^t %.4f)", t, acf[t], pow(phi, t));
    g_assert_cmpfloat(fabs(acf[t] - pow(phi, t)), <, 0.03);
  }
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_chain_autocorr(chain, 0, 1, 5, acf, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "never changes"));

  SphChain *one = NULL;
  g_assert_cmpint(sph_chain_new(300, 1, 2, NULL, NULL, &one, NULL), ==, SPH_OK);
  for (size_t s = 0; s < 300; s++)
    memcpy(sph_chain_sample(one, s, 0), sph_chain_sample(chain, s, 2), 2 * sizeof(double));
  one->steps = 300;
  double full[300], mine[300];
  g_assert_cmpint(sph_autocorr_function(one->samples, 300, 2, full, NULL), ==, SPH_OK);
  g_assert_cmpint(sph_chain_autocorr(one, 0, 0, 300, mine, NULL), ==, SPH_OK);
  for (int t = 0; t < 300; t++)
    g_assert_cmpfloat(mine[t], ==, full[t]);
  sph_chain_free(one);
  sph_chain_free(chain);
}

/* A chain of 12 parameters shows its first 10; ranges cover the 0.5..99.5% quantiles. */
static void test_corner_from_chain(void)
{
  size_t steps = 400, walkers = 8, dim = 12;
  SphChain *chain = NULL;
  g_assert_cmpint(sph_chain_new(steps, walkers, dim, NULL, NULL, &chain, NULL), ==, SPH_OK);
  SphRng rng;
  sph_rng_init(&rng, 5, 0);
  for (size_t i = 0; i < steps * walkers * dim; i++)
    chain->samples[i] = (double)(i % dim) + sph_rng_normal(&rng);
  chain->steps = steps;
  SphCorner *c = NULL;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_corner_from_chain(chain, 100, NULL, &c, &err), ==, SPH_OK);
  g_assert_cmpuint(c->dim, ==, SPH_CORNER_MAX_DIM);
  g_assert_cmpuint(c->samples, ==, 300 * walkers);
  /* the one-sort path gives what the separate functions give */
  const double *first = sph_chain_sample(chain, 100, 0);
  static const double q[3] = {0.16, 0.5, 0.84};
  for (size_t k = 0; k < c->dim; k++) {
    double qs[3], lo, hi;
    g_assert_cmpint(sph_weighted_quantiles(first + k, c->samples, dim, NULL, 0, q, 3, qs, NULL),
                    ==, SPH_OK);
    g_assert_cmpint(sph_sample_range(first + k, c->samples, dim, &lo, &hi, NULL), ==, SPH_OK);
    for (int m = 0; m < 3; m++)
      g_assert_cmpfloat(c->quantiles[3 * k + m], ==, qs[m]);
    g_assert_cmpfloat(c->lo[k], ==, lo);
    g_assert_cmpfloat(c->hi[k], ==, hi);
  }
  for (size_t k = 0; k < c->dim; k++) {
    g_assert_cmpfloat(fabs(c->quantiles[3 * k + 1] - (double)k), <, 0.1);
    g_assert_cmpfloat(c->lo[k], <, (double)k - 2.8);
    g_assert_cmpfloat(c->hi[k], >, (double)k + 2.8);
    g_assert_cmpfloat(fabs(c->sd[k] - 1.0), <, 0.08);
    double peak = 0.0;
    for (size_t b = 0; b < c->bins; b++)
      peak = fmax(peak, c->hist1d[k * c->bins + b]);
    g_assert_cmpfloat(peak, ==, 1.0);
  }
  for (size_t i = 1; i < c->dim; i++)
    for (size_t j = 0; j < i; j++) {
      const double *l = c->levels + (i * c->dim + j) * SPH_CORNER_NLEVELS;
      g_assert_cmpfloat(l[0], >, l[1]); /* 68% level above the 95% one */
    }
  sph_corner_free(c);
  g_assert_cmpint(sph_corner_from_chain(chain, 400, NULL, &c, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "none left"));
  sph_chain_free(chain);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/corner/gaussian-contours/raw", test_gaussian_contours_raw);
  g_test_add_func("/corner/gaussian-contours/smoothed", test_gaussian_contours_smoothed);
  g_test_add_func("/corner/levels-analytic", test_levels_analytic);
  g_test_add_func("/corner/contour-area", test_contour_area);
  g_test_add_func("/corner/hist-smooth", test_hist_and_smooth);
  g_test_add_func("/corner/quantiles-numpy", test_quantiles_numpy);
  g_test_add_func("/corner/binomial-band", test_binomial_band);
  g_test_add_func("/corner/chain-autocorr", test_chain_autocorr);
  g_test_add_func("/corner/from-chain", test_corner_from_chain);
  return g_test_run();
}
