/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Spin-0 spherical harmonic transforms: against healpy (alm2map, map2alm with iter 0 and
 * 3), exact round trips on Gauss-Legendre, McEwen-Wiaux and Clenshaw-Curtis grids,
 * adjoint dot-product tests on every grid and kernel, closed forms of Y_lm, the
 * Legendre values at lmax 8192 near the poles (sum rule and closed forms), the
 * iterative solvers, and bad input. */
#include <complex.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/healpix.h"
#include "sphaera/job.h"
#include "sphaera/mem.h"
#include "sphaera/rng.h"
#include "sphaera/sht.h"
#include "sht-reference-helpers.h"
#include "sph-test-python.h"

/* ---- helpers ------------------------------------------------------------------------- */

static double *random_map(int64_t npix, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 1);
  double *m = g_new(double, npix);
  for (int64_t i = 0; i < npix; i++)
    m[i] = sph_rng_normal(&rng);
  return m;
}

static SphAlm *random_alm(int lmax, int mmax, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 2);
  SphAlm *a = sph_alm_new(lmax, mmax, NULL);
  sph_alm_fill_gaussian(a, &rng);
  return a;
}

static double rel_alm_error(const SphAlm *got, const SphAlm *want)
{
  return sph_alm_max_abs_diff(got, want) / sph_alm_max_abs(want);
}

/* ---- healpy ---------------------------------------------------------------------------- */

static void test_healpy(void)
{
  GBytes *ref =
      sph_test_python_file_output("sht_reference.py", "spin0", "sphaera-sht-XXXXXX");
  if (ref == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set: no healpy to compare with");
    return;
  }
  gsize len;
  const char *p = g_bytes_get_data(ref, &len), *end = p + len;
  Case c;
  int ncases = 0;
  while (next_case(&p, end, 1, &c)) {
    SphError err = SPH_ERROR_INIT;
    int lmax = (int)c.lmax;
    SphRingGeometry *g = sph_ring_geometry_healpix(c.nside, &err);
    SphShtPlan *plan = plan_or_die(g, lmax, lmax, 0);
    SphAlm *alm = alm_from(c.alm, lmax);
    double *map = g_new(double, c.npix);
    g_assert_cmpint(sph_sht_alm2map(plan, alm, map, NULL, &err), ==, SPH_OK);
    double e_syn = max_abs_diff(map, c.map, c.npix) / max_abs(c.map, c.npix);
    g_test_message("NSIDE %lld lmax %d: alm2map %.2e", (long long)c.nside, lmax, e_syn);
    g_assert_cmpfloat(e_syn, <=, 1e-12);

    /* iter = 0 is the plain quadrature, on a map with power beyond lmax. */
    SphAlm *out = sph_alm_new(lmax, lmax, NULL);
    SphAlm *want = alm_from(c.noise0, lmax);
    g_assert_cmpint(sph_sht_map2alm(plan, c.noise, out, NULL, &err), ==, SPH_OK);
    double e0 = rel_alm_error(out, want);
    g_assert_cmpfloat(e0, <=, 1e-12);
    sph_alm_free(want);

    SphShtIterOptions opt = SPH_SHT_ITER_DEFAULT;
    want = alm_from(c.iter3, lmax);
    g_assert_cmpint(sph_sht_map2alm_iterative(plan, c.map, out, &opt, NULL, &err), ==, SPH_OK);
    g_assert_cmpint(opt.transforms, ==, 7);
    double e3 = rel_alm_error(out, want);
    sph_alm_free(want);
    want = alm_from(c.noise3, lmax);
    g_assert_cmpint(sph_sht_map2alm_iterative(plan, c.noise, out, NULL, NULL, &err), ==, SPH_OK);
    double e3n = rel_alm_error(out, want);
    g_test_message("  map2alm iter 0 %.2e, iter 3 %.2e (noise %.2e)", e0, e3, e3n);
    g_assert_cmpfloat(e3, <=, 1e-10);
    g_assert_cmpfloat(e3n, <=, 1e-10);
    sph_alm_free(want);
    sph_alm_free(out);
    sph_alm_free(alm);
    g_free(map);
    sph_sht_plan_free(plan);
    sph_ring_geometry_free(g);
    ncases++;
  }
  g_assert_cmpint(ncases, ==, 4);
  g_bytes_unref(ref);
}

/* mmax < lmax (healpy's lmax, mmax arguments): alm2map, and map2alm with iter 3 of a map
 * with power beyond lmax. */
static void test_healpy_mmax(void)
{
  GBytes *ref = sph_test_python_file_output("ring_weights_reference.py", "mmax",
                                            "sphaera-sht-mmax-XXXXXX");
  if (ref == NULL || g_bytes_get_size(ref) == 0) {
    g_test_skip("no healpy to compare with (SPHAERA_PYTHON unset or healpy missing)");
    if (ref != NULL)
      g_bytes_unref(ref);
    return;
  }
  gsize len;
  const char *p = g_bytes_get_data(ref, &len), *end = p + len;
  int ncases = 0;
  while (p + 5 * sizeof(int64_t) <= end) {
    const int64_t *h = (const int64_t *)p;
    int64_t nside = h[0], nalm = h[3], npix = h[4];
    int lmax = (int)h[1], mmax = (int)h[2];
    const double _Complex *alm_in = (const double _Complex *)(p + 5 * sizeof(int64_t));
    const double *map_ref = (const double *)(alm_in + nalm), *noise = map_ref + npix;
    const double _Complex *noise3 = (const double _Complex *)(noise + npix);
    p = (const char *)(noise3 + nalm);
    g_assert_true(p <= end);

    SphError err = SPH_ERROR_INIT;
    SphRingGeometry *g = sph_ring_geometry_healpix(nside, &err);
    SphShtPlan *plan = plan_or_die(g, lmax, mmax, 0);
    SphAlm *alm = sph_alm_new(lmax, mmax, NULL);
    g_assert_cmpint(alm->size, ==, nalm);
    memcpy(alm->values, alm_in, (size_t)nalm * sizeof *alm_in);
    double *map = g_new(double, npix);
    g_assert_cmpint(sph_sht_alm2map(plan, alm, map, NULL, &err), ==, SPH_OK);
    double e_syn = max_abs_diff(map, map_ref, npix) / max_abs(map_ref, npix);
    SphAlm *want = sph_alm_new(lmax, mmax, NULL);
    memcpy(want->values, noise3, (size_t)nalm * sizeof *noise3);
    g_assert_cmpint(sph_sht_map2alm_iterative(plan, noise, alm, NULL, NULL, &err), ==, SPH_OK);
    double e3 = rel_alm_error(alm, want);
    g_test_message("NSIDE %lld lmax %d mmax %d: alm2map %.2e, map2alm iter 3 %.2e",
                   (long long)nside, lmax, mmax, e_syn, e3);
    g_assert_cmpfloat(e_syn, <=, 1e-12);
    g_assert_cmpfloat(e3, <=, 1e-10);
    sph_alm_free(want);
    sph_alm_free(alm);
    g_free(map);
    sph_sht_plan_free(plan);
    sph_ring_geometry_free(g);
    ncases++;
  }
  g_assert_cmpint(ncases, ==, 3);
  g_bytes_unref(ref);
}

/* ---- exact round trips ------------------------------------------------------------------ */

static double round_trip(const SphRingGeometry *g, int lmax, int mmax)
{
  SphError err = SPH_ERROR_INIT;
  SphShtPlan *plan = plan_or_die(g, lmax, mmax, 0);
  SphAlm *a = random_alm(lmax, mmax, 42 + lmax);
  SphAlm *b = sph_alm_new(lmax, mmax, NULL);
  double *map = g_new(double, sph_ring_geometry_npix(g));
  g_assert_cmpint(sph_sht_alm2map(plan, a, map, NULL, &err), ==, SPH_OK);
  g_assert_cmpint(sph_sht_map2alm(plan, map, b, NULL, &err), ==, SPH_OK);
  double e = rel_alm_error(b, a);
  g_free(map);
  sph_alm_free(a);
  sph_alm_free(b);
  sph_sht_plan_free(plan);
  return e;
}

static void test_round_trip_gl(void)
{
  int Ls[] = { 1, 2, 64, 256 };
  for (size_t k = 0; k < G_N_ELEMENTS(Ls); k++) {
    SphRingGeometry *g = sph_ring_geometry_gauss_legendre(Ls[k], 0, NULL);
    double e = round_trip(g, Ls[k] - 1, Ls[k] - 1);
    g_test_message("Gauss-Legendre L=%d: %.2e", Ls[k], e);
    g_assert_cmpfloat(e, <=, 1e-12);
    sph_ring_geometry_free(g);
  }
  /* mmax < lmax, and more pixels per ring than needed. */
  SphRingGeometry *g = sph_ring_geometry_gauss_legendre(40, 100, NULL);
  g_assert_cmpfloat(round_trip(g, 39, 20), <=, 1e-12);
  sph_ring_geometry_free(g);
}

static void test_round_trip_mw(void)
{
  int Ls[] = { 1, 2, 3, 64, 128 };
  for (size_t k = 0; k < G_N_ELEMENTS(Ls); k++) {
    SphRingGeometry *g = sph_ring_geometry_mw(Ls[k], NULL);
    double e = round_trip(g, Ls[k] - 1, Ls[k] - 1);
    g_test_message("McEwen-Wiaux L=%d: %.2e", Ls[k], e);
    g_assert_cmpfloat(e, <=, 1e-12);
    sph_ring_geometry_free(g);
  }
  SphRingGeometry *g = sph_ring_geometry_mw(50, NULL);
  g_assert_cmpfloat(round_trip(g, 49, 31), <=, 1e-12);
  sph_ring_geometry_free(g);
}

static void test_round_trip_cc(void)
{
  int ns[] = { 2, 33, 128, 257 };
  for (size_t k = 0; k < G_N_ELEMENTS(ns); k++) {
    SphRingGeometry *g = sph_ring_geometry_clenshaw_curtis(ns[k], 0, NULL);
    int lmax = (ns[k] - 1) / 2;
    double e = round_trip(g, lmax, lmax);
    g_test_message("Clenshaw-Curtis %d rings: %.2e", ns[k], e);
    g_assert_cmpfloat(e, <=, 1e-12);
    sph_ring_geometry_free(g);
  }
}

/* ---- adjoints ----------------------------------------------------------------------------- */

static const unsigned kernel_flags[] = { SPH_SHT_KERNEL_GENERIC, SPH_SHT_KERNEL_AVX2,
                                         SPH_SHT_KERNEL_AVX512 };

/* <A x, y> = <x, A^T y>, and map2alm = A^T W. */
static void check_adjoint(const SphRingGeometry *g, int lmax, int mmax, unsigned flags)
{
  SphError err = SPH_ERROR_INIT;
  SphShtPlan *plan = sph_sht_plan_new(g, lmax, mmax, flags, &err);
  if (plan == NULL) {
    g_assert_cmpint(err.code, ==, SPH_ERR_UNSUPPORTED); /* this CPU lacks the kernel */
    return;
  }
  int64_t npix = sph_ring_geometry_npix(g);
  SphAlm *x = random_alm(lmax, mmax, 5);
  double *y = random_map(npix, 6);
  double *ax = g_new(double, npix);
  SphAlm *aty = sph_alm_new(lmax, mmax, NULL);
  g_assert_cmpint(sph_sht_alm2map(plan, x, ax, NULL, &err), ==, SPH_OK);
  /* y = noise + A x keeps <A x, y> away from zero, so the relative test means something. */
  for (int64_t i = 0; i < npix; i++)
    y[i] += ax[i];
  g_assert_cmpint(sph_sht_alm2map_adjoint(plan, y, aty, NULL, &err), ==, SPH_OK);
  long double d1 = 0, nax = 0, ny = 0;
  for (int64_t i = 0; i < npix; i++) {
    d1 += (long double)ax[i] * y[i];
    nax += (long double)ax[i] * ax[i];
    ny += (long double)y[i] * y[i];
  }
  double d2 = sph_alm_dot(x, aty);
  double rel = fabs((double)d1 - d2) / fabs((double)d1);
  g_test_message("%s %s lmax %d: <Ax,y> %.6g rel %.2e", sph_grid_kind_name(sph_ring_geometry_kind(g)),
                 sph_sht_plan_kernel_name(plan), lmax, (double)d1, rel);
  g_assert_cmpfloat(fabs((double)d1), >, 0.1 * sqrtl(nax * ny));
  g_assert_cmpfloat(rel, <=, 1e-12);
  /* A real map has real a_l0. */
  for (int l = 0; l <= lmax; l++)
    g_assert_true(cimag(aty->values[l]) == 0);

  sph_alm_free(x);
  sph_alm_free(aty);
  g_free(y);
  g_free(ax);
  sph_sht_plan_free(plan);
}

static void test_adjoint(void)
{
  SphRing custom[5] = {
    { 0.2, 0.3, 3, 0, 0.1 },           /* short rings: aliasing of m >= nphi/2 */
    { M_PI - 0.2, 0.3, 4, 3, 0.1 },
    { 1.1, 0.0, 17, 7, 0.1 },          /* lone */
    { M_PI / 2, 0.05, 30, 24, 0.1 },   /* the equator */
    { M_PI, 0.0, 1, 54, 0.1 },         /* the south pole */
  };
  SphRingGeometry *geoms[] = {
    sph_ring_geometry_healpix(8, NULL),
    sph_ring_geometry_healpix(3, NULL),
    sph_ring_geometry_gauss_legendre(33, 0, NULL),
    sph_ring_geometry_mw(24, NULL),
    sph_ring_geometry_clenshaw_curtis(31, 0, NULL),
    sph_ring_geometry_new(custom, 5, 55, NULL),
  };
  int lmaxs[] = { 25, 12, 32, 23, 15, 20 };
  for (size_t k = 0; k < G_N_ELEMENTS(geoms); k++) {
    for (size_t f = 0; f < G_N_ELEMENTS(kernel_flags); f++) {
      check_adjoint(geoms[k], lmaxs[k], lmaxs[k], kernel_flags[f]);
      check_adjoint(geoms[k], lmaxs[k], lmaxs[k] / 2, kernel_flags[f]);
    }
    sph_ring_geometry_free(geoms[k]);
  }
}

/* <map2alm f, a> = <f, map2alm_adjoint a> on every kind of grid (on McEwen-Wiaux grids
 * the analysis is not a weighted adjoint of the synthesis, so this is its own test). */
static void test_analysis_adjoint(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *geoms[] = { sph_ring_geometry_mw(1, NULL), sph_ring_geometry_mw(2, NULL),
                               sph_ring_geometry_mw(33, NULL), sph_ring_geometry_mw(64, NULL),
                               sph_ring_geometry_gauss_legendre(20, 0, NULL),
                               sph_ring_geometry_healpix(8, NULL),
                               sph_ring_geometry_clenshaw_curtis(25, 0, NULL) };
  int lmaxs[] = { 0, 1, 32, 63, 19, 20, 12 };
  for (size_t k = 0; k < G_N_ELEMENTS(geoms); k++) {
    for (int half = 0; half < 2; half++) {
      int lmax = lmaxs[k], mmax = half ? lmax / 2 : lmax;
      SphShtPlan *plan = plan_or_die(geoms[k], lmax, mmax, 0);
      int64_t npix = sph_ring_geometry_npix(geoms[k]);
      double *f = random_map(npix, 21), *g = g_new(double, npix);
      SphAlm *a = random_alm(lmax, mmax, 22), *af = sph_alm_new(lmax, mmax, NULL);
      g_assert_cmpint(sph_sht_map2alm(plan, f, af, NULL, &err), ==, SPH_OK);
      /* keep the products away from zero: a += map2alm f */
      double d1 = sph_alm_dot(af, a) + sph_alm_dot(af, af);
      sph_alm_axpy(a, 1.0, af);
      g_assert_cmpint(sph_sht_map2alm_adjoint(plan, a, g, NULL, &err), ==, SPH_OK);
      long double d2 = 0;
      for (int64_t i = 0; i < npix; i++)
        d2 += (long double)f[i] * g[i];
      double rel = fabs(d1 - (double)d2) / fabs(d1);
      g_test_message("%s lmax %d mmax %d: analysis adjoint rel %.2e",
                     sph_grid_kind_name(sph_ring_geometry_kind(geoms[k])), lmax, mmax, rel);
      g_assert_cmpfloat(rel, <=, 1e-12);
      g_free(f);
      g_free(g);
      sph_alm_free(a);
      sph_alm_free(af);
      sph_sht_plan_free(plan);
    }
    sph_ring_geometry_free(geoms[k]);
  }
}

/* map2alm is the adjoint applied to the weighted map (quadrature grids). */
static void test_analysis_is_weighted_adjoint(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(16, NULL);
  SphShtPlan *plan = plan_or_die(g, 40, 40, 0);
  int64_t npix = sph_ring_geometry_npix(g);
  double *y = random_map(npix, 9);
  SphAlm *a = sph_alm_new(40, 40, NULL), *b = sph_alm_new(40, 40, NULL);
  sph_sht_map2alm(plan, y, a, NULL, &err);
  for (int64_t i = 0; i < npix; i++)
    y[i] *= 4 * M_PI / npix;
  sph_sht_alm2map_adjoint(plan, y, b, NULL, &err);
  g_assert_cmpfloat(rel_alm_error(a, b), <=, 1e-14);
  sph_alm_free(a);
  sph_alm_free(b);
  g_free(y);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(g);
}

/* ---- closed forms -------------------------------------------------------------------------- */

static void test_analytic(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *geoms[] = { sph_ring_geometry_gauss_legendre(10, 21, NULL),
                               sph_ring_geometry_healpix(4, NULL) };
  for (size_t k = 0; k < G_N_ELEMENTS(geoms); k++) {
    SphRingGeometry *g = geoms[k];
    int lmax = 4;
    SphShtPlan *plan = plan_or_die(g, lmax, lmax, 0);
    int64_t npix = sph_ring_geometry_npix(g);
    double *map = g_new(double, npix);
    SphAlm *a = sph_alm_new(lmax, lmax, NULL);
    const SphRing *rings = sph_ring_geometry_rings(g);
    struct {
      int l, m;
      double _Complex c;
    } cases[] = { { 0, 0, 1 }, { 1, 0, 1 }, { 1, 1, 1 }, { 1, 1, I }, { 2, 0, 1 }, { 2, 2, 0.5 - 2 * I } };
    for (size_t t = 0; t < G_N_ELEMENTS(cases); t++) {
      sph_alm_zero(a);
      a->values[sph_alm_index(lmax, cases[t].l, cases[t].m)] = cases[t].c;
      g_assert_cmpint(sph_sht_alm2map(plan, a, map, NULL, &err), ==, SPH_OK);
      double worst = 0;
      for (int r = 0; r < sph_ring_geometry_nrings(g); r++)
        for (int64_t j = 0; j < rings[r].nphi; j++) {
          double th = rings[r].theta, ph = rings[r].phi0 + 2 * M_PI * j / rings[r].nphi;
          double _Complex y; /* Y_lm(theta, phi), Condon-Shortley phase */
          switch (cases[t].l * 10 + cases[t].m) {
          case 0: y = 1 / sqrt(4 * M_PI); break;
          case 10: y = sqrt(3 / (4 * M_PI)) * cos(th); break;
          case 11: y = -sqrt(3 / (8 * M_PI)) * sin(th) * cexp(I * ph); break;
          case 20: y = sqrt(5 / (16 * M_PI)) * (3 * cos(th) * cos(th) - 1); break;
          default: y = 0.25 * sqrt(15 / (2 * M_PI)) * sin(th) * sin(th) * cexp(2 * I * ph); break;
          }
          /* a real field: a_lm Y_lm + a_l-m Y_l-m = 2 Re(a_lm Y_lm) for m > 0 */
          double want = cases[t].m == 0 ? creal(cases[t].c * y) : 2 * creal(cases[t].c * y);
          worst = fmax(worst, fabs(map[rings[r].offset + j] - want));
        }
      g_assert_cmpfloat(worst, <=, 2e-15);
    }
    g_free(map);
    sph_alm_free(a);
    sph_sht_plan_free(plan);
    sph_ring_geometry_free(g);
  }
}

/* ---- Legendre values at lmax 8192 ------------------------------------------------------------ */

/* With one pixel per ring at phi = 0, the adjoint of a unit pixel is lambda_lm(theta).
 * Polar angles near a pole fill a block of ring pairs of their own (24 copies), as the
 * rings of a large grid do, so the kernels step in the distance to the pole there.
 * mmax may stop short of lmax where lambda_lm is negligible beyond it (near the poles). */
static void check_legendre(int lmax, int mmax, const double *thetas, int n, int npolar, double tol)
{
  const int copies = 24;
  const int nrings = npolar * copies + (n - npolar);
  SphRing *rings = g_new(SphRing, nrings);
  int *probe = g_new(int, n);
  int r = 0;
  for (int t = 0; t < n; t++) {
    probe[t] = r;
    for (int c = 0; c < (t < npolar ? copies : 1); c++, r++)
      rings[r] = (SphRing){ thetas[t], 0.0, 1, r, 1.0 };
  }
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_new(rings, nrings, nrings, &err);
  SphShtPlan *plan = plan_or_die(g, lmax, mmax, 0);
  SphAlm *lam = sph_alm_new(lmax, mmax, NULL);
  double *map = g_new(double, nrings), *out = g_new(double, nrings);
  double *sum = g_new(double, lmax + 1);
  for (int t = 0; t < n; t++) {
    memset(map, 0, nrings * sizeof *map);
    map[probe[t]] = 1;
    g_assert_cmpint(sph_sht_alm2map_adjoint(plan, map, lam, NULL, &err), ==, SPH_OK);
    /* sum_m |Y_lm|^2 = (2l+1)/(4 pi) for every l (the addition theorem). */
    memset(sum, 0, (lmax + 1) * sizeof *sum);
    for (int m = 0; m <= mmax; m++) {
      const double _Complex *row = lam->values + sph_alm_index(lmax, 0, m);
      for (int l = m; l <= lmax; l++)
        sum[l] += (m == 0 ? 1.0 : 2.0) * creal(row[l]) * creal(row[l]);
    }
    double worst = 0;
    for (int l = 0; l <= lmax; l++)
      worst = fmax(worst, fabs(sum[l] / ((2 * l + 1) / (4 * M_PI)) - 1));
    /* lambda_ll = (-1)^l sqrt((2l+1)!/(4 pi)) / (2^l l!) sin^l theta, in long double logs;
     * lambda_{l+1,l} = sqrt(2l+3) cos theta lambda_ll. */
    long double x = cosl(thetas[t]), s = sinl(thetas[t]);
    double worst_ll = 0;
    int checked = 0;
    for (int l = 1; l < mmax; l += 37) {
      long double lg = 0.5L * (lgammal(2.0L * l + 2) - logl(4 * 3.14159265358979323846L)) -
                       l * logl(2.0L) - lgammal(l + 1.0L) + l * logl(s);
      if (lg < -34) /* the transforms drop terms below 2^-60 until they grow past it */
        continue;
      long double want = ((l & 1) ? -1 : 1) * expl(lg);
      worst_ll = fmax(worst_ll, (double)fabsl(creal(sph_alm_get(lam, l, l)) / want - 1));
      if (fabsl(x) > 1e-3)
        worst_ll = fmax(worst_ll, (double)fabsl(creal(sph_alm_get(lam, l + 1, l)) /
                                                (sqrtl(2.0L * l + 3) * x * want) - 1));
      checked++;
    }
    /* m = 0: sqrt((2l+1)/4 pi) P_l(x), P_l by its recurrence in long double; errors
     * measured against sqrt((2l+1)/4 pi), the size of lambda_l0 near the poles. */
    long double p0 = 1, p1 = x;
    double worst_l0 = fabs(creal(lam->values[0]) * sqrt(4 * M_PI) - 1);
    for (int l = 1; l <= lmax; l++) {
      long double scale = sqrtl((2.0L * l + 1) / (4 * 3.14159265358979323846L));
      worst_l0 = fmax(worst_l0, (double)fabsl((creal(lam->values[l]) - scale * p1) / scale));
      long double p2 = ((2.0L * l + 1) * x * p1 - l * p0) / (l + 1);
      p0 = p1;
      p1 = p2;
    }
    g_test_message("lmax %d theta %.6g: sum rule %.2e, lambda_ll %.2e (%d checked), lambda_l0 %.2e",
                   lmax, thetas[t], worst, worst_ll, checked, worst_l0);
    g_assert_cmpfloat(worst, <=, tol);
    g_assert_cmpfloat(worst_ll, <=, 1e-12);
    g_assert_cmpfloat(worst_l0, <=, tol);

    /* The synthesis agrees with the adjoint: a_lm = 1 gives 2 lambda_lm at phi = 0 (each
     * synthesis costs as much as the whole sum rule, so at the first angle only). */
    if (t > 0)
      continue;
    SphAlm *one = sph_alm_new(lmax, mmax, NULL);
    int probes[][2] = { { lmax, 0 }, { lmax, mmax }, { lmax / 2, 1 }, { lmax - 3, 7 }, { 100, 99 } };
    for (size_t k = 0; k < G_N_ELEMENTS(probes); k++) {
      int l = probes[k][0], m = probes[k][1];
      one->values[sph_alm_index(lmax, l, m)] = 1;
      sph_sht_alm2map(plan, one, out, NULL, &err);
      one->values[sph_alm_index(lmax, l, m)] = 0;
      double want = (m == 0 ? 1 : 2) * creal(sph_alm_get(lam, l, m));
      g_assert_cmpfloat(fabs(out[probe[t]] - want), <=, 1e-13 * fmax(1, fabs(want)));
    }
    sph_alm_free(one);
  }
  g_free(sum);
  g_free(map);
  g_free(out);
  g_free(rings);
  g_free(probe);
  sph_alm_free(lam);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(g);
}

/* Near the poles at lmax 8192 (lambda_lm is negligible beyond m ~ 300 there), and at
 * every latitude at lmax 2048 with every m (lmax 8192 with every m takes a 0.5 GB alm:
 * bench/ checks it). Within a few degrees of a pole, where the recurrence's two
 * solutions merge, rounding accumulates to about 2.5e-11 by l = 8192. */
static void test_legendre_high_l(void)
{
  const double polar[] = { 1e-4, 2.0 * asin(1.0 / (sqrt(6.0) * 4096)), M_PI - 3e-3 };
  check_legendre(8192, 400, polar, 3, 3, 1e-10);
  const double all[] = { 0.02, 0.3, M_PI / 2 - 1e-3, M_PI / 2, 2.5 };
  check_legendre(2048, 2048, all, 5, 1, 1e-12);
}

/* ---- kernels and threads agree --------------------------------------------------------------- */

static void test_kernels_agree(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(32, NULL);
  int lmax = 96;
  int64_t npix = sph_ring_geometry_npix(g);
  SphAlm *a = random_alm(lmax, lmax, 3);
  double *ref = NULL;
  SphAlm *ref_alm = NULL;
  for (size_t f = 0; f < G_N_ELEMENTS(kernel_flags); f++) {
    SphShtPlan *plan = sph_sht_plan_new(g, lmax, lmax, kernel_flags[f], &err);
    if (plan == NULL)
      continue;
    double *map = g_new(double, npix);
    SphAlm *b = sph_alm_new(lmax, lmax, NULL);
    sph_sht_alm2map(plan, a, map, NULL, &err);
    sph_sht_map2alm(plan, map, b, NULL, &err);
    if (ref == NULL) {
      ref = map;
      ref_alm = b;
    } else {
      /* Kernels differ only in how sums are grouped into vectors. */
      g_assert_cmpfloat(max_abs_diff(map, ref, npix) / max_abs(ref, npix), <=, 1e-13);
      g_assert_cmpfloat(rel_alm_error(b, ref_alm), <=, 1e-13);
      g_free(map);
      sph_alm_free(b);
    }
    sph_sht_plan_free(plan);
  }
  /* Threads split the m loop; each m is summed in the same order: identical bits (on a
   * transform big enough to be split at all). */
  SphRingGeometry *g64 = sph_ring_geometry_healpix(64, NULL);
  int64_t npix64 = sph_ring_geometry_npix(g64);
  SphShtPlan *plan = plan_or_die(g64, 160, 160, 0);
  SphAlm *a64 = random_alm(160, 160, 4);
  double *m1 = g_new(double, npix64), *m2 = g_new(double, npix64);
  SphAlm *b1 = sph_alm_new(160, 160, NULL), *b2 = sph_alm_new(160, 160, NULL);
  sph_sht_plan_set_threads(plan, 1);
  sph_sht_alm2map(plan, a64, m1, NULL, &err);
  sph_sht_map2alm(plan, m1, b1, NULL, &err);
  sph_sht_plan_set_threads(plan, 2);
  sph_sht_alm2map(plan, a64, m2, NULL, &err);
  sph_sht_map2alm(plan, m1, b2, NULL, &err);
  g_assert_cmpint(memcmp(m1, m2, npix64 * sizeof *m1), ==, 0);
  g_assert_cmpint(memcmp(b1->values, b2->values, b1->size * sizeof *b1->values), ==, 0);
  g_free(m1);
  g_free(m2);
  sph_alm_free(a64);
  sph_alm_free(b1);
  sph_alm_free(b2);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(g64);
  g_free(ref);
  sph_alm_free(ref_alm);
  sph_alm_free(a);
  sph_ring_geometry_free(g);
}

/* ---- iterative analysis ------------------------------------------------------------------------ */

static void test_iterative(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(32, NULL);
  int lmax = 64;
  SphShtPlan *plan = plan_or_die(g, lmax, lmax, 0);
  int64_t npix = sph_ring_geometry_npix(g);
  SphAlm *truth = random_alm(lmax, lmax, 77);
  double *map = g_new(double, npix);
  sph_sht_alm2map(plan, truth, map, NULL, &err);

  /* Jacobi (healpy's iter) converges to the band-limited truth, each step by a factor. */
  SphAlm *a = sph_alm_new(lmax, lmax, NULL);
  double prev = 1;
  for (int it = 0; it <= 6; it += 2) {
    SphShtIterOptions opt = SPH_SHT_ITER_DEFAULT;
    opt.iterations = it;
    g_assert_cmpint(sph_sht_map2alm_iterative(plan, map, a, &opt, NULL, &err), ==, SPH_OK);
    g_assert_cmpint(opt.transforms, ==, 1 + 2 * it);
    double e = rel_alm_error(a, truth);
    g_assert_cmpfloat(e, <, prev);
    prev = e;
  }
  SphShtIterOptions j10 = SPH_SHT_ITER_DEFAULT;
  j10.iterations = 10;
  sph_sht_map2alm_iterative(plan, map, a, &j10, NULL, &err);
  double e_j10 = rel_alm_error(a, truth);

  /* CG on the normal equations: to 1e-10 in fewer transforms than iter = 10. */
  SphShtIterOptions cg = SPH_SHT_ITER_DEFAULT;
  cg.tolerance = 1e-10;
  g_assert_cmpint(sph_sht_map2alm_iterative(plan, map, a, &cg, NULL, &err), ==, SPH_OK);
  double e_cg = rel_alm_error(a, truth);
  g_test_message("iter=10: %d transforms, error %.2e; CG: %d transforms, residual %.2e, error %.2e",
                 j10.transforms, e_j10, cg.transforms, cg.residual, e_cg);
  g_assert_cmpfloat(cg.residual, <=, 1e-10);
  g_assert_cmpint(cg.transforms, <, j10.transforms);
  g_assert_cmpfloat(e_cg, <=, 1e-9);

  /* Missing pixels are refused with a message. */
  map[123] = SPH_UNSEEN;
  g_assert_cmpint(sph_sht_map2alm_iterative(plan, map, a, NULL, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "pixel 123"));
  map[123] = NAN;
  g_assert_cmpint(sph_sht_map2alm_iterative(plan, map, a, NULL, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "NaN"));

  g_free(map);
  sph_alm_free(a);
  sph_alm_free(truth);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(g);
}

/* ---- bad input ------------------------------------------------------------------------------------ */

static void test_errors(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *gl = sph_ring_geometry_gauss_legendre(16, 0, NULL);
  g_assert_null(sph_sht_plan_new(gl, 16, 16, 0, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "lmax=16"));
  g_assert_null(sph_sht_plan_new(gl, 10, 11, 0, &err));
  g_assert_null(sph_sht_plan_new(NULL, 10, 10, 0, &err));
  SphRingGeometry *hp = sph_ring_geometry_healpix(4, NULL);
  g_assert_null(sph_sht_plan_new(hp, 17, 17, 0, &err));
  g_assert_nonnull(strstr(err.message, "4 NSIDE"));
  SphShtPlan *plan = sph_sht_plan_new(hp, 16, 16, 0, &err); /* lmax = 4 NSIDE is allowed */
  g_assert_nonnull(plan);
  g_assert_cmpint(sph_sht_plan_lmax(plan), ==, 16);
  g_assert_cmpint(sph_sht_plan_npix(plan), ==, 192);

  SphAlm *wrong = sph_alm_new(15, 15, NULL);
  double map[192] = { 0 };
  g_assert_cmpint(sph_sht_alm2map(plan, wrong, map, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "lmax=15"));
  g_assert_cmpint(sph_sht_map2alm(plan, map, wrong, NULL, &err), ==, SPH_ERR_INVALID);
  SphAlm *right = sph_alm_new(16, 16, NULL);
  g_assert_cmpint(sph_sht_alm2map(plan, right, NULL, NULL, &err), ==, SPH_ERR_INVALID);
  /* Analysis refuses missing pixels, naming one. */
  map[77] = SPH_UNSEEN;
  g_assert_cmpint(sph_sht_map2alm(plan, map, right, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "pixel 77 is UNSEEN"));
  map[77] = INFINITY;
  g_assert_cmpint(sph_sht_map2alm(plan, map, right, NULL, &err), ==, SPH_ERR_INVALID);
  map[77] = NAN;
  g_assert_cmpint(sph_sht_map2alm(plan, map, right, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "pixel 77 is NaN"));
  g_assert_cmpint(sph_sht_map2alm_iterative(plan, map, right, NULL, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "pixel 77"));
  SphShtIterOptions cg = SPH_SHT_ITER_DEFAULT;
  cg.tolerance = 1e-8;
  g_assert_cmpint(sph_sht_map2alm_iterative(plan, map, right, &cg, NULL, &err), ==,
                  SPH_ERR_INVALID);
  double qu[192] = { 0 };
  g_assert_cmpint(sph_sht_map2alm_spin(plan, 2, qu, map, right, right, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "pixel 77"));
  /* Masking on request instead: the bad pixels become 0, the others stay. */
  map[3] = SPH_UNSEEN;
  map[4] = 1.5;
  g_assert_cmpint(sph_sht_zero_bad_pixels(map, 192), ==, 2);
  g_assert_cmpfloat(map[77], ==, 0.0);
  g_assert_cmpfloat(map[3], ==, 0.0);
  g_assert_cmpfloat(map[4], ==, 1.5);
  g_assert_cmpint(sph_sht_map2alm(plan, map, right, NULL, &err), ==, SPH_OK);
  map[4] = 0;

  /* A cancelled job stops the transform. */
  SphJob *job = sph_job_new();
  sph_job_cancel(job);
  g_assert_cmpint(sph_sht_alm2map(plan, right, map, job, &err), ==, SPH_ERR_CANCELLED);
  g_assert_cmpint(sph_sht_map2alm(plan, map, right, job, &err), ==, SPH_ERR_CANCELLED);
  sph_job_unref(job);
  job = sph_job_new();
  g_assert_cmpint(sph_sht_alm2map(plan, right, map, job, &err), ==, SPH_OK);
  g_assert_cmpfloat(sph_job_get_progress(job, NULL, 0), ==, 1.0);
  sph_job_unref(job);

  sph_alm_free(wrong);
  sph_alm_free(right);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(hp);
  sph_ring_geometry_free(gl);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sht/healpy", test_healpy);
  g_test_add_func("/sht/healpy-mmax", test_healpy_mmax);
  g_test_add_func("/sht/round-trip/gauss-legendre", test_round_trip_gl);
  g_test_add_func("/sht/round-trip/mw", test_round_trip_mw);
  g_test_add_func("/sht/round-trip/clenshaw-curtis", test_round_trip_cc);
  g_test_add_func("/sht/adjoint", test_adjoint);
  g_test_add_func("/sht/analysis-is-weighted-adjoint", test_analysis_is_weighted_adjoint);
  g_test_add_func("/sht/analysis-adjoint", test_analysis_adjoint);
  g_test_add_func("/sht/analytic", test_analytic);
  g_test_add_func("/sht/legendre-high-l", test_legendre_high_l);
  g_test_add_func("/sht/kernels-and-threads-agree", test_kernels_agree);
  g_test_add_func("/sht/iterative", test_iterative);
  g_test_add_func("/sht/errors", test_errors);
  return g_test_run();
}
