/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Ring geometries: HEALPix rings against the pixel library and the formulas of Gorski
 * et al. (2005), Gauss-Legendre and Clenshaw-Curtis rules against published nodes and
 * exact polynomial integrals, McEwen-Wiaux sampling, ring pairing, custom rings. */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/healpix.h"
#include "sphaera/ring_geometry.h"

/* Every ring in exactly one pair; pairs mirror each other; pairs sorted by theta. */
static void check_pairs(const SphRingGeometry *g)
{
  int n = sph_ring_geometry_nrings(g);
  const SphRing *rings = sph_ring_geometry_rings(g);
  const SphRingPair *pairs = sph_ring_geometry_pairs(g);
  int *seen = g_new0(int, n);
  double last = -1;
  for (int p = 0; p < sph_ring_geometry_npairs(g); p++) {
    const SphRingPair *q = &pairs[p];
    g_assert_true(q->north >= 0 && q->north < n);
    seen[q->north]++;
    g_assert_cmpfloat(rings[q->north].theta, >=, last);
    last = rings[q->north].theta;
    if (q->south >= 0) {
      seen[q->south]++;
      g_assert_cmpfloat(fabs(rings[q->north].theta + rings[q->south].theta - M_PI), <=, 5e-15);
      g_assert_cmpfloat(rings[q->north].theta, <=, rings[q->south].theta);
    }
  }
  for (int r = 0; r < n; r++)
    g_assert_cmpint(seen[r], ==, 1);
  g_free(seen);
}

/* Rings tile the map: disjoint, and together exactly npix pixels. */
static void check_tiling(const SphRingGeometry *g)
{
  int64_t npix = sph_ring_geometry_npix(g);
  char *hit = g_new0(char, npix);
  const SphRing *rings = sph_ring_geometry_rings(g);
  for (int r = 0; r < sph_ring_geometry_nrings(g); r++)
    for (int64_t j = 0; j < rings[r].nphi; j++) {
      g_assert_cmpint(hit[rings[r].offset + j], ==, 0);
      hit[rings[r].offset + j] = 1;
    }
  for (int64_t i = 0; i < npix; i++)
    g_assert_cmpint(hit[i], ==, 1);
  g_free(hit);
}

static void test_healpix(void)
{
  SphError err = SPH_ERROR_INIT;
  int64_t nsides[] = { 1, 2, 4, 8, 16, 64, 256 };
  for (size_t k = 0; k < G_N_ELEMENTS(nsides); k++) {
    int64_t nside = nsides[k];
    SphRingGeometry *g = sph_ring_geometry_healpix(nside, &err);
    g_assert_nonnull(g);
    g_assert_cmpint(sph_ring_geometry_kind(g), ==, SPH_GRID_HEALPIX);
    g_assert_cmpint(sph_ring_geometry_nrings(g), ==, 4 * nside - 1);
    g_assert_cmpint(sph_ring_geometry_npix(g), ==, 12 * nside * nside);
    g_assert_cmpint(sph_ring_geometry_nside(g), ==, nside);
    g_assert_cmpint(sph_ring_geometry_band_limit(g), ==, 0);
    g_assert_cmpint(sph_ring_geometry_npairs(g), ==, 2 * nside);
    const SphRing *rings = sph_ring_geometry_rings(g);
    double wsum = 0;
    for (int r = 0; r < 4 * nside - 1; r++) {
      SphHpRingInfo info;
      sph_hp_ring_info(nside, r + 1, &info);
      g_assert_cmpint(rings[r].offset, ==, info.first_pixel);
      g_assert_cmpint(rings[r].nphi, ==, info.npixels);
      g_assert_cmpfloat(fabs(rings[r].theta - info.theta), <=, 4e-15);
      g_assert_cmpfloat(fabs(rings[r].phi0 - info.phi0), <=, 1e-15);
      g_assert_true((rings[r].phi0 != 0) == info.shifted);
      /* Gorski et al. eq. 4 and 8: z = 1 - i^2/(3 nside^2) in the caps, 4/3 - 2i/(3 nside)
       * in the equatorial belt. */
      int64_t i = r + 1 <= 2 * nside ? r + 1 : 4 * nside - (r + 1);
      double z = i < nside ? 1.0 - (double)(i * i) / (3.0 * nside * nside)
                           : 4.0 / 3.0 - 2.0 * (double)i / (3.0 * nside);
      if (r + 1 > 2 * nside)
        z = -z;
      g_assert_cmpfloat(fabs(cos(rings[r].theta) - z), <=, 4e-16);
      wsum += rings[r].weight * rings[r].nphi;
    }
    g_assert_cmpfloat(fabs(wsum - 4 * M_PI), <=, 1e-12);
    check_pairs(g);
    check_tiling(g);
    g_assert_cmpint(sph_ring_geometry_mmax_unaliased(g), ==, 1);
    sph_ring_geometry_free(g);
  }
  /* NSIDE need not be a power of two for the geometry. */
  SphRingGeometry *g = sph_ring_geometry_healpix(3, &err);
  g_assert_nonnull(g);
  check_pairs(g);
  check_tiling(g);
  sph_ring_geometry_free(g);
  g_assert_null(sph_ring_geometry_healpix(0, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "NSIDE=0"));
}

/* Abramowitz & Stegun, table 25.4. */
static void test_gauss_legendre_published(void)
{
  SphError err = SPH_ERROR_INIT;
  double t[5], w[5];
  g_assert_cmpint(sph_gauss_legendre(2, t, w, &err), ==, SPH_OK);
  g_assert_cmpfloat(fabs(cos(t[0]) - 1 / sqrt(3.0)), <, 1e-15);
  g_assert_cmpfloat(fabs(w[0] - 1), <, 1e-15);
  g_assert_cmpint(sph_gauss_legendre(3, t, w, &err), ==, SPH_OK);
  g_assert_cmpfloat(fabs(cos(t[0]) - sqrt(0.6)), <, 1e-15);
  g_assert_cmpfloat(fabs(cos(t[1])), <, 1e-15);
  g_assert_cmpfloat(fabs(w[0] - 5.0 / 9.0), <, 1e-15);
  g_assert_cmpfloat(fabs(w[1] - 8.0 / 9.0), <, 1e-15);
  g_assert_cmpint(sph_gauss_legendre(5, t, w, &err), ==, SPH_OK);
  g_assert_cmpfloat(fabs(cos(t[0]) - 0.906179845938663992797627), <, 1e-15);
  g_assert_cmpfloat(fabs(cos(t[1]) - 0.538469310105683091036314), <, 1e-15);
  g_assert_cmpfloat(fabs(w[0] - 0.236926885056189087514264), <, 1e-15);
  g_assert_cmpfloat(fabs(w[1] - 0.478628670499366468041292), <, 1e-15);
  g_assert_cmpfloat(fabs(w[2] - 0.568888888888888888888889), <, 1e-15);
  g_assert_cmpint(sph_gauss_legendre(0, t, w, &err), ==, SPH_ERR_INVALID);
}

/* sum w x^k = integral_{-1}^{1} x^k dx for every k < 2n (exact for the rule). */
static void check_moments(int n, const double *theta, const double *w, int kmax, double tol)
{
  for (int k = 0; k <= kmax; k++) {
    long double s = 0;
    for (int i = 0; i < n; i++)
      s += w[i] * powl(cosl(theta[i]), k);
    double want = (k % 2) ? 0.0 : 2.0 / (k + 1);
    g_assert_cmpfloat(fabs((double)s - want), <=, tol);
  }
}

static void test_gauss_legendre_moments(void)
{
  SphError err = SPH_ERROR_INIT;
  int ns[] = { 1, 2, 7, 16, 33, 100 };
  for (size_t k = 0; k < G_N_ELEMENTS(ns); k++) {
    int n = ns[k];
    double *t = g_new(double, n), *w = g_new(double, n);
    sph_gauss_legendre(n, t, w, &err);
    for (int i = 1; i < n; i++)
      g_assert_cmpfloat(t[i], >, t[i - 1]);
    /* High moments of a 100-point rule are tiny; absolute error suffices. */
    check_moments(n, t, w, 2 * n - 1, 2e-15);
    g_free(t);
    g_free(w);
  }
  /* A large rule: nodes are zeros of P_n to machine precision (checked in long double),
   * weights sum to 2, and match the asymptotic w ~ pi sin(theta)/(n + 1/2) in the bulk. */
  int n = 2048;
  double *t = g_new(double, n), *w = g_new(double, n);
  sph_gauss_legendre(n, t, w, &err);
  long double sum = 0;
  for (int i = 0; i < n; i++)
    sum += w[i];
  g_assert_cmpfloat(fabs((double)sum - 2.0), <, 1e-14);
  for (int i = 0; i < n; i += 97) {
    long double x = cosl(t[i]), p0 = 1, p1 = x;
    for (int j = 1; j < n; j++) {
      long double p2 = ((2.0L * j + 1) * x * p1 - j * p0) / (j + 1);
      p0 = p1;
      p1 = p2;
    }
    /* |P_n(x)| <= |dP/dtheta| dtheta: dtheta below 1e-15 rad. */
    long double dpdt = n * (x * p1 - p0) / sinl(t[i]);
    g_assert_cmpfloat(fabs((double)(p1 / dpdt)), <, 1e-15);
    if (i > n / 10 && i < 9 * n / 10)
      g_assert_cmpfloat(fabs(w[i] / (M_PI * sin(t[i]) / (n + 0.5)) - 1), <, 1e-6);
  }
  g_free(t);
  g_free(w);
}

static void test_clenshaw_curtis(void)
{
  SphError err = SPH_ERROR_INIT;
  /* Simpson's rule for 3 nodes. */
  double w3[3];
  sph_clenshaw_curtis_weights(3, w3, &err);
  g_assert_cmpfloat(fabs(w3[0] - 1.0 / 3), <, 1e-15);
  g_assert_cmpfloat(fabs(w3[1] - 4.0 / 3), <, 1e-15);
  int ns[] = { 2, 5, 8, 31, 64, 129 };
  for (size_t k = 0; k < G_N_ELEMENTS(ns); k++) {
    int n = ns[k];
    SphRingGeometry *g = sph_ring_geometry_clenshaw_curtis(n, 0, &err);
    g_assert_nonnull(g);
    const SphRing *rings = sph_ring_geometry_rings(g);
    double *t = g_new(double, n), *w = g_new(double, n);
    for (int i = 0; i < n; i++) {
      t[i] = rings[i].theta;
      w[i] = rings[i].weight * rings[i].nphi / (2 * M_PI);
      g_assert_cmpint(rings[i].nphi, ==, 2 * n - 1);
    }
    g_assert_cmpfloat(t[0], ==, 0);
    g_assert_cmpfloat(t[n - 1], ==, M_PI);
    check_moments(n, t, w, n - 1, 4e-15);
    g_assert_cmpint(sph_ring_geometry_band_limit(g), ==, (n + 1) / 2);
    check_pairs(g);
    check_tiling(g);
    g_free(t);
    g_free(w);
    sph_ring_geometry_free(g);
  }
}

static void test_gl_geometry(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_gauss_legendre(9, 0, &err);
  g_assert_nonnull(g);
  g_assert_cmpint(sph_ring_geometry_npix(g), ==, 9 * 17);
  g_assert_cmpint(sph_ring_geometry_band_limit(g), ==, 9);
  g_assert_cmpint(sph_ring_geometry_npairs(g), ==, 5); /* 4 pairs and the equator */
  g_assert_cmpint(sph_ring_geometry_mmax_unaliased(g), ==, 8);
  double wsum = 0;
  const SphRing *rings = sph_ring_geometry_rings(g);
  for (int r = 0; r < 9; r++)
    wsum += rings[r].weight * rings[r].nphi;
  g_assert_cmpfloat(fabs(wsum - 4 * M_PI), <, 1e-13);
  check_pairs(g);
  check_tiling(g);
  sph_ring_geometry_free(g);
  g = sph_ring_geometry_gauss_legendre(4, 10, &err);
  g_assert_cmpint(sph_ring_geometry_npix(g), ==, 40);
  g_assert_cmpint(sph_ring_geometry_mmax_unaliased(g), ==, 4);
  sph_ring_geometry_free(g);
}

/* McEwen & Wiaux (2011), eq. 8: theta_t = pi (2t+1)/(2L-1), phi_p = 2 pi p/(2L-1). */
static void test_mw(void)
{
  SphError err = SPH_ERROR_INIT;
  int L = 17;
  SphRingGeometry *g = sph_ring_geometry_mw(L, &err);
  g_assert_nonnull(g);
  g_assert_cmpint(sph_ring_geometry_kind(g), ==, SPH_GRID_MW);
  g_assert_cmpint(sph_ring_geometry_npix(g), ==, L * (2 * L - 1));
  g_assert_cmpint(sph_ring_geometry_band_limit(g), ==, L);
  const SphRing *rings = sph_ring_geometry_rings(g);
  for (int t = 0; t < L; t++) {
    g_assert_cmpfloat(fabs(rings[t].theta - M_PI * (2 * t + 1) / (2 * L - 1)), <, 1e-15);
    g_assert_cmpint(rings[t].nphi, ==, 2 * L - 1);
    g_assert_cmpint(rings[t].offset, ==, (int64_t)t * (2 * L - 1));
    g_assert_cmpfloat(rings[t].phi0, ==, 0);
  }
  g_assert_cmpfloat(rings[L - 1].theta, ==, M_PI);
  /* No two MW rings mirror each other. */
  g_assert_cmpint(sph_ring_geometry_npairs(g), ==, L);
  check_pairs(g);
  check_tiling(g);
  sph_ring_geometry_free(g);
}

static void test_custom(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRing rings[4] = {
    { 0.3, 0.0, 5, 0, 1.0 },
    { M_PI - 0.3, 0.1, 7, 5, 1.0 },
    { 1.0, 0.0, 3, 12, 1.0 },
    { M_PI / 2, 0.0, 4, 15, 1.0 },
  };
  SphRingGeometry *g = sph_ring_geometry_new(rings, 4, 19, &err);
  g_assert_nonnull(g);
  g_assert_cmpint(sph_ring_geometry_npairs(g), ==, 3);
  check_pairs(g);
  check_tiling(g);
  SphRingGeometry *c = sph_ring_geometry_copy(g, &err);
  g_assert_cmpint(sph_ring_geometry_npairs(c), ==, 3);
  g_assert_cmpint(sph_ring_geometry_kind(c), ==, SPH_GRID_CUSTOM);
  sph_ring_geometry_free(c);
  sph_ring_geometry_free(g);

  SphRing bad = rings[3];
  bad.offset = 17; /* runs past npix */
  g_assert_null(sph_ring_geometry_new(&bad, 1, 19, &err));
  g_assert_nonnull(strstr(err.message, "does not fit"));
  SphRing overlap[2] = { rings[0], rings[0] };
  overlap[1].offset = 3;
  g_assert_null(sph_ring_geometry_new(overlap, 2, 20, &err));
  g_assert_nonnull(strstr(err.message, "overlap"));
  SphRing south = rings[0];
  south.theta = 4.0;
  g_assert_null(sph_ring_geometry_new(&south, 1, 20, &err));
  g_assert_nonnull(strstr(err.message, "theta"));
  g_assert_null(sph_ring_geometry_new(rings, 0, 20, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ring-geometry/healpix", test_healpix);
  g_test_add_func("/ring-geometry/gauss-legendre-published", test_gauss_legendre_published);
  g_test_add_func("/ring-geometry/gauss-legendre-moments", test_gauss_legendre_moments);
  g_test_add_func("/ring-geometry/gauss-legendre-geometry", test_gl_geometry);
  g_test_add_func("/ring-geometry/clenshaw-curtis", test_clenshaw_curtis);
  g_test_add_func("/ring-geometry/mw", test_mw);
  g_test_add_func("/ring-geometry/custom", test_custom);
  return g_test_run();
}
