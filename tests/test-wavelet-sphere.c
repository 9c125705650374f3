/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Axisymmetric wavelets on the sphere: exact round trips (synthesis of analysis) on
 * McEwen-Wiaux, Gauss-Legendre and Clenshaw-Curtis grids at full and multiple
 * resolution, HEALPix round trips to the harmonic engine's accuracy, the coefficient
 * maps of a single Y_l0 against the closed form Psi^j_l sqrt((2l+1)/(4 pi)) P_l(cos theta),
 * the multiresolution grids, dot-product tests of both adjoints, bad input, and the same
 * round trips, adjoints and errors for spin-1 and spin-2 fields. */
#include <complex.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/rng.h"
#include "sphaera/sht.h"
#include "sphaera/wavelet_sphere.h"

static SphWaveletPlan *plan_or_die(const SphRingGeometry *g, double B, int L, int j_min,
                                   unsigned flags)
{
  SphError err = SPH_ERROR_INIT;
  SphWaveletPlan *p = sph_wavelet_plan_new(g, B, L, j_min, flags, &err);
  if (!p)
    g_error("sph_wavelet_plan_new: %s", err.message);
  return p;
}

static void ok_or_die(SphStatus st, const SphError *err)
{
  if (st != SPH_OK)
    g_error("wavelet transform failed: %s", err->message);
}

static double *random_vector(int64_t n, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 7);
  double *v = g_new(double, n);
  for (int64_t i = 0; i < n; i++)
    v[i] = sph_rng_normal(&rng);
  return v;
}

static double dot(const double *a, const double *b, int64_t n)
{
  double s = 0;
  for (int64_t i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

/* A random map band-limited at L on the geometry. */
static double *band_limited_map(const SphRingGeometry *g, int L, uint64_t seed)
{
  SphError err = SPH_ERROR_INIT;
  SphShtPlan *sht = sph_sht_plan_new(g, L - 1, L - 1, 0, &err);
  g_assert_nonnull(sht);
  SphAlm *alm = sph_alm_new(L - 1, L - 1, NULL);
  SphRng rng;
  sph_rng_init(&rng, seed, 3);
  sph_alm_fill_gaussian(alm, &rng);
  double *map = g_new(double, sph_ring_geometry_npix(g));
  ok_or_die(sph_sht_alm2map(sht, alm, map, NULL, &err), &err);
  sph_alm_free(alm);
  sph_sht_plan_free(sht);
  return map;
}

static double round_trip_error(const SphRingGeometry *g, double B, int L, int j_min,
                               unsigned flags, const SphShtIterOptions *options)
{
  SphError err = SPH_ERROR_INIT;
  SphWaveletPlan *plan = plan_or_die(g, B, L, j_min, flags);
  int64_t npix = sph_wavelet_plan_npix(plan);
  double *map = band_limited_map(g, L, 11);
  double *coeffs = g_new(double, sph_wavelet_plan_size(plan));
  double *back = g_new(double, npix);
  ok_or_die(sph_wavelet_analysis(plan, map, coeffs, options, NULL, &err), &err);
  ok_or_die(sph_wavelet_synthesis(plan, coeffs, back, options, NULL, &err), &err);
  double num = 0, den = 0;
  for (int64_t i = 0; i < npix; i++) {
    num += (back[i] - map[i]) * (back[i] - map[i]);
    den += map[i] * map[i];
  }
  g_free(map);
  g_free(coeffs);
  g_free(back);
  sph_wavelet_plan_free(plan);
  return sqrt(num / den);
}

static void test_round_trip_exact_grids(void)
{
  SphRingGeometry *grids[] = {
    sph_ring_geometry_mw(64, NULL),
    sph_ring_geometry_gauss_legendre(64, 0, NULL),
    sph_ring_geometry_clenshaw_curtis(127, 0, NULL),
    sph_ring_geometry_mw(128, NULL),
  };
  const double Bs[] = { 2.0, 3.0, 1.6, 2.0 };
  const int j_mins[] = { 2, 1, 3, 0 };
  for (size_t i = 0; i < G_N_ELEMENTS(grids); i++) {
    int L = sph_ring_geometry_band_limit(grids[i]);
    for (unsigned flags = 0; flags <= SPH_WAVELET_MULTIRESOLUTION; flags++) {
      double e = round_trip_error(grids[i], Bs[i], L, j_mins[i], flags, NULL);
      g_test_message("%s L = %d B = %g J_min = %d %s: relative L2 round trip %.3g",
                     sph_grid_kind_name(sph_ring_geometry_kind(grids[i])), L, Bs[i], j_mins[i],
                     flags ? "multiresolution" : "full resolution", e);
      g_assert_cmpfloat(e, <=, 1e-12);
    }
    sph_ring_geometry_free(grids[i]);
  }
}

static void test_round_trip_large(void)
{
  if (!g_test_slow()) {
    g_test_skip("L = 512 round trip runs with -m slow");
    return;
  }
  SphRingGeometry *g = sph_ring_geometry_mw(512, NULL);
  double e = round_trip_error(g, 2, 512, 2, SPH_WAVELET_MULTIRESOLUTION, NULL);
  g_test_message("mw L = 512 multiresolution: relative L2 round trip %.3g", e);
  g_assert_cmpfloat(e, <=, 1e-12);
  sph_ring_geometry_free(g);
}

static void test_round_trip_healpix(void)
{
  SphRingGeometry *g = sph_ring_geometry_healpix(32, NULL);
  SphShtIterOptions cg = { 0, 1e-12, 200, 0, 0 };
  for (unsigned flags = 0; flags <= SPH_WAVELET_MULTIRESOLUTION; flags++) {
    double plain = round_trip_error(g, 2, 64, 2, flags, NULL);
    double iter = round_trip_error(g, 2, 64, 2, flags, &cg);
    g_test_message("healpix NSIDE 32 L = 64 %s: round trip %.3g plain, %.3g with CG 1e-12",
                   flags ? "multiresolution" : "full resolution", plain, iter);
    g_assert_cmpfloat(plain, <=, 1e-1);
    g_assert_cmpfloat(iter, <=, 1e-9);
    g_assert_cmpfloat(iter, <, plain);
  }
  sph_ring_geometry_free(g);
}

/* P_l(x) by the three-term recurrence. */
static double legendre_p(int l, double x)
{
  double p0 = 1, p1 = x;
  if (l == 0)
    return 1;
  for (int k = 2; k <= l; k++) {
    double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  return p1;
}

static void test_single_harmonic(void)
{
  const int L = 40, ell = 13;
  SphRingGeometry *g = sph_ring_geometry_mw(L, NULL);
  SphError err = SPH_ERROR_INIT;
  SphWaveletPlan *plan = plan_or_die(g, 2, L, 2, SPH_WAVELET_MULTIRESOLUTION);
  const SphWaveletKernels *k = sph_wavelet_plan_kernels(plan);
  SphAlm *alm = sph_alm_new(L - 1, L - 1, NULL);
  alm->values[sph_alm_index(L - 1, ell, 0)] = 1;
  double *coeffs = g_new(double, sph_wavelet_plan_size(plan));
  ok_or_die(sph_wavelet_analysis_alm(plan, alm, coeffs, NULL, &err), &err);
  int nonzero_bands = 0;
  for (int b = 0; b < sph_wavelet_plan_nbands(plan); b++) {
    int j = sph_wavelet_plan_band_scale(plan, b);
    double kern = j < 0 ? k->scaling[ell] : sph_wavelet_kernels_scale(k, j)[ell];
    const SphRingGeometry *bg = sph_wavelet_plan_band_geometry(plan, b);
    const SphRing *rings = sph_ring_geometry_rings(bg);
    const double *w = coeffs + sph_wavelet_plan_band_offset(plan, b);
    double worst = 0;
    for (int r = 0; r < sph_ring_geometry_nrings(bg); r++) {
      double expect = kern * sqrt((2 * ell + 1) / (4 * M_PI)) *
                      legendre_p(ell, cos(rings[r].theta));
      if (sph_wavelet_plan_band_lmax(plan, b) < ell)
        expect = 0;
      for (int64_t p = 0; p < rings[r].nphi; p++)
        worst = fmax(worst, fabs(w[rings[r].offset + p] - expect));
    }
    g_assert_cmpfloat(worst, <=, 1e-13);
    nonzero_bands += kern > 0;
  }
  g_assert_cmpint(nonzero_bands, ==, 2); /* 13 lies between 8 and 16: scales 3 and 4 */
  g_free(coeffs);
  sph_alm_free(alm);
  sph_wavelet_plan_free(plan);
  sph_ring_geometry_free(g);
}

static void test_multiresolution_grids(void)
{
  SphRingGeometry *g = sph_ring_geometry_mw(100, NULL);
  SphWaveletPlan *plan = plan_or_die(g, 2, 100, 2, SPH_WAVELET_MULTIRESOLUTION);
  const int expect_L[] = { 4, 8, 16, 32, 64, 100, 100 }; /* scaling, j = 2..7 */
  g_assert_cmpint(sph_wavelet_plan_nbands(plan), ==, 7);
  int64_t total = 0;
  for (int b = 0; b < 7; b++) {
    int Lb = expect_L[b];
    g_assert_cmpint(sph_wavelet_plan_band_lmax(plan, b), ==, Lb - 1);
    g_assert_cmpint(sph_wavelet_plan_band_npix(plan, b), ==, (int64_t)Lb * (2 * Lb - 1));
    g_assert_cmpint(sph_wavelet_plan_band_offset(plan, b), ==, total);
    total += (int64_t)Lb * (2 * Lb - 1);
  }
  g_assert_cmpint(sph_wavelet_plan_size(plan), ==, total);
  sph_wavelet_plan_free(plan);
  sph_ring_geometry_free(g);

  SphRingGeometry *hp = sph_ring_geometry_healpix(64, NULL);
  plan = plan_or_die(hp, 2, 129, 3, SPH_WAVELET_MULTIRESOLUTION);
  /* NSIDE 64 L 129: scaling L_b = 8 -> NSIDE 4, j = 3 (16) -> 8, ..., j = 7 (129) -> 64. */
  const int64_t expect_nside[] = { 4, 8, 16, 32, 64, 64 };
  g_assert_cmpint(sph_wavelet_plan_nbands(plan), ==, 6);
  for (int b = 0; b < 6; b++)
    g_assert_cmpint(sph_ring_geometry_nside(sph_wavelet_plan_band_geometry(plan, b)), ==,
                    expect_nside[b]);
  sph_wavelet_plan_free(plan);
  sph_ring_geometry_free(hp);

  /* NSIDE 12 is no power of two: NSIDE_b = ceil(12 L_b / 25). */
  hp = sph_ring_geometry_healpix(12, NULL);
  plan = plan_or_die(hp, 2, 25, 2, SPH_WAVELET_MULTIRESOLUTION);
  const int64_t expect_nside12[] = { 2, 4, 8, 12, 12 }; /* L_b = 4, 8, 16, 25, 25 */
  g_assert_cmpint(sph_wavelet_plan_nbands(plan), ==, 5);
  for (int b = 0; b < 5; b++)
    g_assert_cmpint(sph_ring_geometry_nside(sph_wavelet_plan_band_geometry(plan, b)), ==,
                    expect_nside12[b]);
  sph_wavelet_plan_free(plan);
  sph_ring_geometry_free(hp);
}

static void check_adjoints(const SphRingGeometry *g, int L, unsigned flags)
{
  SphError err = SPH_ERROR_INIT;
  SphWaveletPlan *plan = plan_or_die(g, 2, L, 1, flags);
  int64_t npix = sph_wavelet_plan_npix(plan), size = sph_wavelet_plan_size(plan);
  double *x = random_vector(npix, 1), *y = random_vector(size, 2);
  double *ax = g_new(double, size), *aty = g_new(double, npix);
  ok_or_die(sph_wavelet_analysis(plan, x, ax, NULL, NULL, &err), &err);
  ok_or_die(sph_wavelet_analysis_adjoint(plan, y, aty, NULL, &err), &err);
  double lhs = dot(ax, y, size), rhs = dot(x, aty, npix);
  double scale = sqrt(dot(ax, ax, size) * dot(y, y, size));
  g_test_message("%s analysis adjoint: %.3g", sph_grid_kind_name(sph_ring_geometry_kind(g)),
                 fabs(lhs - rhs) / scale);
  g_assert_cmpfloat(fabs(lhs - rhs) / scale, <=, 1e-12);

  double *sy = g_new(double, npix), *stx = g_new(double, size);
  ok_or_die(sph_wavelet_synthesis(plan, y, sy, NULL, NULL, &err), &err);
  ok_or_die(sph_wavelet_synthesis_adjoint(plan, x, stx, NULL, &err), &err);
  lhs = dot(sy, x, npix);
  rhs = dot(y, stx, size);
  scale = sqrt(dot(sy, sy, npix) * dot(x, x, npix));
  g_test_message("%s synthesis adjoint: %.3g", sph_grid_kind_name(sph_ring_geometry_kind(g)),
                 fabs(lhs - rhs) / scale);
  g_assert_cmpfloat(fabs(lhs - rhs) / scale, <=, 1e-12);
  g_free(x);
  g_free(y);
  g_free(ax);
  g_free(aty);
  g_free(sy);
  g_free(stx);
  sph_wavelet_plan_free(plan);
}

static void test_adjoints(void)
{
  SphRingGeometry *mw = sph_ring_geometry_mw(48, NULL);
  SphRingGeometry *gl = sph_ring_geometry_gauss_legendre(40, 0, NULL);
  SphRingGeometry *hp = sph_ring_geometry_healpix(16, NULL);
  for (unsigned flags = 0; flags <= SPH_WAVELET_MULTIRESOLUTION; flags++) {
    check_adjoints(mw, 48, flags);
    check_adjoints(gl, 40, flags);
    check_adjoints(hp, 40, flags);
  }
  sph_ring_geometry_free(mw);
  sph_ring_geometry_free(gl);
  sph_ring_geometry_free(hp);
}

static void test_bad_input(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *mw = sph_ring_geometry_mw(32, NULL);
  g_assert_null(sph_wavelet_plan_new(mw, 2, 64, 2, 0, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "L = 64"));
  sph_error_clear(&err);
  g_assert_null(sph_wavelet_plan_new(mw, 0.5, 32, 2, 0, &err));
  g_assert_nonnull(strstr(err.message, "B = 0.5"));
  sph_error_clear(&err);
  g_assert_null(sph_wavelet_plan_new(mw, 2, 32, 9, 0, &err));
  g_assert_nonnull(strstr(err.message, "J_min = 9"));
  sph_error_clear(&err);
  SphRingGeometry *hp = sph_ring_geometry_healpix(8, NULL);
  g_assert_null(sph_wavelet_plan_new(hp, 2, 64, 2, 0, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  sph_error_clear(&err);
  SphRing ring = { M_PI / 2, 0, 64, 0, 4 * M_PI / 64 };
  SphRingGeometry *custom = sph_ring_geometry_new(&ring, 1, 64, NULL);
  g_assert_null(sph_wavelet_plan_new(custom, 2, 8, 1, SPH_WAVELET_MULTIRESOLUTION, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_UNSUPPORTED);
  g_assert_nonnull(strstr(err.message, "full resolution"));
  sph_error_clear(&err);
  SphWaveletPlan *plan = plan_or_die(mw, 2, 32, 2, 0);
  SphAlm *wrong = sph_alm_new(20, 20, NULL);
  double *coeffs = g_new(double, sph_wavelet_plan_size(plan));
  g_assert_cmpint(sph_wavelet_analysis_alm(plan, wrong, coeffs, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "lmax = mmax = 31"));
  g_free(coeffs);
  sph_alm_free(wrong);
  sph_wavelet_plan_free(plan);
  sph_ring_geometry_free(custom);
  sph_ring_geometry_free(hp);
  sph_ring_geometry_free(mw);
}

/* ---- spin ---- */

typedef struct {
  double *q, *u;
} QU;

static QU spin_field(const SphRingGeometry *g, int L, int spin, uint64_t seed)
{
  SphError err = SPH_ERROR_INIT;
  SphShtPlan *sht = sph_sht_plan_new(g, L - 1, L - 1, 0, &err);
  g_assert_nonnull(sht);
  SphAlm *e = sph_alm_new(L - 1, L - 1, NULL), *b = sph_alm_new(L - 1, L - 1, NULL);
  SphRng rng;
  sph_rng_init(&rng, seed, 4);
  sph_alm_fill_gaussian(e, &rng);
  sph_alm_fill_gaussian(b, &rng);
  for (int m = 0; m < spin; m++)
    for (int l = m; l < spin; l++) /* no spin-s harmonic below l = s */
      e->values[sph_alm_index(L - 1, l, m)] = b->values[sph_alm_index(L - 1, l, m)] = 0;
  int64_t npix = sph_ring_geometry_npix(g);
  QU f = { g_new(double, npix), g_new(double, npix) };
  ok_or_die(sph_sht_alm2map_spin(sht, spin, e, b, f.q, f.u, NULL, &err), &err);
  sph_alm_free(e);
  sph_alm_free(b);
  sph_sht_plan_free(sht);
  return f;
}

static double spin_round_trip(const SphRingGeometry *g, int L, int j_min, unsigned flags,
                              int spin)
{
  SphError err = SPH_ERROR_INIT;
  SphWaveletPlan *plan = plan_or_die(g, 2, L, j_min, flags);
  int64_t npix = sph_wavelet_plan_npix(plan), size = sph_wavelet_plan_size(plan);
  QU f = spin_field(g, L, spin, 21);
  double *cq = g_new(double, size), *cu = g_new(double, size);
  double *bq = g_new(double, npix), *bu = g_new(double, npix);
  ok_or_die(sph_wavelet_analysis_spin(plan, spin, f.q, f.u, cq, cu, NULL, NULL, &err), &err);
  ok_or_die(sph_wavelet_synthesis_spin(plan, spin, cq, cu, bq, bu, NULL, NULL, &err), &err);
  double num = 0, den = 0;
  for (int64_t i = 0; i < npix; i++) {
    num += (bq[i] - f.q[i]) * (bq[i] - f.q[i]) + (bu[i] - f.u[i]) * (bu[i] - f.u[i]);
    den += f.q[i] * f.q[i] + f.u[i] * f.u[i];
  }
  g_free(f.q);
  g_free(f.u);
  g_free(cq);
  g_free(cu);
  g_free(bq);
  g_free(bu);
  sph_wavelet_plan_free(plan);
  return sqrt(num / den);
}

static void test_spin_round_trip(void)
{
  SphRingGeometry *mw = sph_ring_geometry_mw(48, NULL);
  SphRingGeometry *gl = sph_ring_geometry_gauss_legendre(40, 0, NULL);
  for (unsigned flags = 0; flags <= SPH_WAVELET_MULTIRESOLUTION; flags++) {
    /* J_min = 0: the scaling band (l = 0) and scale 0 (l <= 1) hold no spin-2 harmonic */
    double e_mw = spin_round_trip(mw, 48, 0, flags, 2);
    double e_gl = spin_round_trip(gl, 40, 2, flags, 1);
    g_test_message("spin round trip %s: mw L 48 spin 2 %.3g, gauss-legendre L 40 spin 1 %.3g",
                   flags ? "multiresolution" : "full resolution", e_mw, e_gl);
    g_assert_cmpfloat(e_mw, <=, 1e-12);
    g_assert_cmpfloat(e_gl, <=, 1e-12);
  }
  sph_ring_geometry_free(mw);
  sph_ring_geometry_free(gl);
}

static void check_spin_adjoints(const SphRingGeometry *g, int L, unsigned flags)
{
  SphError err = SPH_ERROR_INIT;
  SphWaveletPlan *plan = plan_or_die(g, 2, L, 0, flags);
  int64_t npix = sph_wavelet_plan_npix(plan), size = sph_wavelet_plan_size(plan);
  double *xq = random_vector(npix, 5), *xu = random_vector(npix, 6);
  double *yq = random_vector(size, 7), *yu = random_vector(size, 8);
  double *aq = g_new(double, size), *au = g_new(double, size);
  double *tq = g_new(double, npix), *tu = g_new(double, npix);
  ok_or_die(sph_wavelet_analysis_spin(plan, 2, xq, xu, aq, au, NULL, NULL, &err), &err);
  ok_or_die(sph_wavelet_analysis_spin_adjoint(plan, 2, yq, yu, tq, tu, NULL, &err), &err);
  double lhs = dot(aq, yq, size) + dot(au, yu, size);
  double rhs = dot(xq, tq, npix) + dot(xu, tu, npix);
  double scale = sqrt((dot(aq, aq, size) + dot(au, au, size)) *
                      (dot(yq, yq, size) + dot(yu, yu, size)));
  g_assert_cmpfloat(fabs(lhs - rhs) / scale, <=, 1e-12);
  double *sq = g_new(double, npix), *su = g_new(double, npix);
  double *cq = g_new(double, size), *cu = g_new(double, size);
  ok_or_die(sph_wavelet_synthesis_spin(plan, 2, yq, yu, sq, su, NULL, NULL, &err), &err);
  ok_or_die(sph_wavelet_synthesis_spin_adjoint(plan, 2, xq, xu, cq, cu, NULL, &err), &err);
  lhs = dot(sq, xq, npix) + dot(su, xu, npix);
  rhs = dot(yq, cq, size) + dot(yu, cu, size);
  scale = sqrt((dot(sq, sq, npix) + dot(su, su, npix)) * (dot(xq, xq, npix) + dot(xu, xu, npix)));
  g_test_message("%s spin-2 adjoints: %.3g", sph_grid_kind_name(sph_ring_geometry_kind(g)),
                 fabs(lhs - rhs) / scale);
  g_assert_cmpfloat(fabs(lhs - rhs) / scale, <=, 1e-12);
  double *v[] = { xq, xu, yq, yu, aq, au, tq, tu, sq, su, cq, cu };
  for (size_t i = 0; i < G_N_ELEMENTS(v); i++)
    g_free(v[i]);
  sph_wavelet_plan_free(plan);
}

static void test_spin_adjoints_and_errors(void)
{
  SphRingGeometry *mw = sph_ring_geometry_mw(32, NULL);
  SphRingGeometry *hp = sph_ring_geometry_healpix(8, NULL);
  for (unsigned flags = 0; flags <= SPH_WAVELET_MULTIRESOLUTION; flags++) {
    check_spin_adjoints(mw, 32, flags);
    check_spin_adjoints(hp, 24, flags);
  }
  SphError err = SPH_ERROR_INIT;
  SphWaveletPlan *plan = plan_or_die(mw, 2, 32, 1, 0);
  int64_t npix = sph_wavelet_plan_npix(plan), size = sph_wavelet_plan_size(plan);
  double *m = g_new0(double, npix), *c = g_new0(double, size);
  g_assert_cmpint(sph_wavelet_analysis_spin(plan, 0, m, m, c, c, NULL, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "1..31"));
  sph_error_clear(&err);
  g_assert_cmpint(sph_wavelet_synthesis_spin(plan, 32, c, c, m, m, NULL, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_free(m);
  g_free(c);
  sph_wavelet_plan_free(plan);
  sph_ring_geometry_free(mw);
  sph_ring_geometry_free(hp);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/wavelet-sphere/round-trip/exact-grids", test_round_trip_exact_grids);
  g_test_add_func("/wavelet-sphere/round-trip/mw-512", test_round_trip_large);
  g_test_add_func("/wavelet-sphere/round-trip/healpix", test_round_trip_healpix);
  g_test_add_func("/wavelet-sphere/single-harmonic", test_single_harmonic);
  g_test_add_func("/wavelet-sphere/multiresolution-grids", test_multiresolution_grids);
  g_test_add_func("/wavelet-sphere/adjoints", test_adjoints);
  g_test_add_func("/wavelet-sphere/bad-input", test_bad_input);
  g_test_add_func("/wavelet-sphere/spin/round-trip", test_spin_round_trip);
  g_test_add_func("/wavelet-sphere/spin/adjoints-errors", test_spin_adjoints_and_errors);
  return g_test_run();
}
