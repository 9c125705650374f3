/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Directional wavelets on the sphere (wavelet_sphere_dir.h) against independent truths:
 * every coefficient sample W^j(alpha, beta, gamma) against the inner product
 * <f, R psi^j> computed with the Wigner-D rotation of rotate.h (at the grid's gamma
 * samples and, through steering, at any gamma), exact round trips on McEwen-Wiaux and
 * Gauss-Legendre grids at full and multiple resolution for N = 1, 2, 3, 4, N = 1
 * against the axisymmetric transform, steerability under a turn about the pole, the
 * tight-frame (Parseval) identity by exact Gauss-Legendre quadrature, dot-product tests
 * of both adjoints, HEALPix round trips, and bad input. */
#include <complex.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/rng.h"
#include "sphaera/rotate.h"
#include "sphaera/sht.h"
#include "sphaera/wavelet_sphere_dir.h"

static SphWaveletDirPlan *plan_or_die(const SphRingGeometry *g, double B, int L, int j_min,
                                      int N, unsigned flags)
{
  SphError err = SPH_ERROR_INIT;
  SphWaveletDirPlan *p = sph_wavelet_dir_plan_new(g, B, L, j_min, N, flags, &err);
  if (!p)
    g_error("sph_wavelet_dir_plan_new: %s", err.message);
  return p;
}

static void ok_or_die(SphStatus st, const SphError *err)
{
  if (st != SPH_OK)
    g_error("directional wavelet transform failed: %s", err->message);
}

static double *random_vector(int64_t n, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 11);
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

static SphAlm *random_alm(int L, uint64_t seed)
{
  SphAlm *alm = sph_alm_new(L - 1, L - 1, NULL);
  SphRng rng;
  sph_rng_init(&rng, seed, 5);
  sph_alm_fill_gaussian(alm, &rng);
  return alm;
}

static double *alm_to_map(const SphRingGeometry *g, const SphAlm *alm)
{
  SphError err = SPH_ERROR_INIT;
  SphShtPlan *sht = sph_sht_plan_new(g, alm->lmax, alm->lmax, 0, &err);
  g_assert_nonnull(sht);
  double *map = g_new(double, sph_ring_geometry_npix(g));
  ok_or_die(sph_sht_alm2map(sht, alm, map, NULL, &err), &err);
  sph_sht_plan_free(sht);
  return map;
}

static double relative_l2(const double *a, const double *b, int64_t n)
{
  double num = 0, den = 0;
  for (int64_t i = 0; i < n; i++) {
    num += (a[i] - b[i]) * (a[i] - b[i]);
    den += b[i] * b[i];
  }
  return sqrt(num / den);
}

/* W^j(alpha, beta, gamma) = <f, R psi^j>, with the wavelet turned by rotate.h. */
static double direct_coefficient(const SphWaveletDirPlan *plan, const SphAlm *f, int j,
                                 double alpha, double beta, double gamma)
{
  SphError err = SPH_ERROR_INIT;
  SphAlm *psi = sph_alm_new(f->lmax, f->lmax, NULL);
  ok_or_die(sph_wavelet_dir_wavelet_alm(plan, j, psi, &err), &err);
  ok_or_die(sph_rotate_alm(psi, gamma, beta, alpha, &err), &err);
  double w = sph_alm_dot(f, psi);
  sph_alm_free(psi);
  return w;
}

/* Every N, some pixels of every band and direction, against <f, R psi^j>; and steering to
 * gamma off the grid. */
static void test_against_rotated_wavelets(void)
{
  const int L = 16;
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_mw(L, &err);
  SphAlm *f = random_alm(L, 1);
  double *map = alm_to_map(g, f);
  const SphRing *rings = sph_ring_geometry_rings(g);
  int nrings = sph_ring_geometry_nrings(g);
  for (int N = 1; N <= 4; N++) {
    SphWaveletDirPlan *plan = plan_or_die(g, 2.0, L, 1, N, SPH_WAVELET_FULL_RESOLUTION);
    double *coeffs = g_new(double, sph_wavelet_dir_plan_size(plan));
    ok_or_die(sph_wavelet_dir_analysis(plan, map, coeffs, NULL, NULL, &err), &err);
    const SphWaveletPlan *axisym = sph_wavelet_dir_plan_axisym(plan);
    double worst = 0, scale = 0;
    for (int b = 1; b < sph_wavelet_dir_plan_nbands(plan); b++) {
      int j = sph_wavelet_plan_band_scale(axisym, b);
      for (int k = 0; k < sph_wavelet_dir_plan_ndirections(plan); k++) {
        const double *wk = coeffs + sph_wavelet_dir_plan_map_offset(plan, b, k);
        for (int t = 0; t < nrings; t += 5) {
          const SphRing *r = &rings[t];
          for (int64_t p = (t + k) % 4; p < r->nphi; p += 7) {
            double alpha = r->phi0 + 2 * M_PI * p / r->nphi;
            double want = direct_coefficient(plan, f, j, alpha, r->theta,
                                             sph_wavelet_dir_plan_gamma(plan, k));
            worst = fmax(worst, fabs(wk[r->offset + p] - want));
            scale = fmax(scale, fabs(want));
          }
        }
      }
      /* Steering: any gamma from the 2N - 1 samples. */
      int64_t npix = sph_ring_geometry_npix(g);
      double *steered = g_new(double, npix);
      double gamma = 0.7 + 0.3 * b;
      ok_or_die(sph_wavelet_dir_steer(plan, coeffs, b, gamma, steered, &err), &err);
      for (int t = 2; t < nrings; t += 6) {
        const SphRing *r = &rings[t];
        for (int64_t p = t % 3; p < r->nphi; p += 9) {
          double alpha = r->phi0 + 2 * M_PI * p / r->nphi;
          double want = direct_coefficient(plan, f, j, alpha, r->theta, gamma);
          worst = fmax(worst, fabs(steered[r->offset + p] - want));
        }
      }
      g_free(steered);
    }
    g_test_message("N = %d: max |W - <f, R psi>| = %.3g (max |W| %.3g)", N, worst, scale);
    g_assert_cmpfloat(scale, >, 0.1);
    g_assert_cmpfloat(worst, <=, 1e-12 * scale);
    g_free(coeffs);
    sph_wavelet_dir_plan_free(plan);
  }
  g_free(map);
  sph_alm_free(f);
  sph_ring_geometry_free(g);
}

static void round_trip(const SphRingGeometry *g, int L, int N, double B, int j_min,
                       unsigned flags, double tolerance)
{
  SphError err = SPH_ERROR_INIT;
  SphWaveletDirPlan *plan = plan_or_die(g, B, L, j_min, N, flags);
  SphAlm *f = random_alm(L, 17 + N);
  double *map = alm_to_map(g, f);
  int64_t npix = sph_ring_geometry_npix(g);
  double *coeffs = g_new(double, sph_wavelet_dir_plan_size(plan));
  double *back = g_new(double, npix);
  ok_or_die(sph_wavelet_dir_analysis(plan, map, coeffs, NULL, NULL, &err), &err);
  ok_or_die(sph_wavelet_dir_synthesis(plan, coeffs, back, NULL, NULL, &err), &err);
  double e = relative_l2(back, map, npix);
  g_test_message("%s L = %d N = %d B = %g j_min = %d %s: relative L2 round trip %.3g",
                 sph_grid_kind_name(sph_ring_geometry_kind(g)), L, N, B, j_min,
                 flags ? "multiresolution" : "full resolution", e);
  g_assert_cmpfloat(e, <=, tolerance);
  g_free(back);
  g_free(coeffs);
  g_free(map);
  sph_alm_free(f);
  sph_wavelet_dir_plan_free(plan);
}

static void test_round_trip_mw(void)
{
  SphError err = SPH_ERROR_INIT;
  const int Ls[] = {32, 128};
  for (size_t i = 0; i < G_N_ELEMENTS(Ls); i++) {
    SphRingGeometry *g = sph_ring_geometry_mw(Ls[i], &err);
    for (int N = 1; N <= 4; N++) {
      if (N == 3 && Ls[i] > 32)
        continue;
      round_trip(g, Ls[i], N, 2.0, 2, SPH_WAVELET_MULTIRESOLUTION, 1e-12);
      if (Ls[i] <= 32)
        round_trip(g, Ls[i], N, 1.6, 1, SPH_WAVELET_FULL_RESOLUTION, 1e-12);
    }
    sph_ring_geometry_free(g);
  }
  SphRingGeometry *gl = sph_ring_geometry_gauss_legendre(40, 0, &err);
  round_trip(gl, 40, 4, 3.0, 0, SPH_WAVELET_MULTIRESOLUTION, 1e-12);
  sph_ring_geometry_free(gl);
}

/* HEALPix inherits map2alm: plain analysis gives the engine's quadrature error, and
 * iterations shrink it. */
static void test_round_trip_healpix(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(16, &err);
  const int L = 24;
  SphWaveletDirPlan *plan = plan_or_die(g, 2.0, L, 1, 4, SPH_WAVELET_MULTIRESOLUTION);
  SphAlm *f = random_alm(L, 99);
  double *map = alm_to_map(g, f);
  int64_t npix = sph_ring_geometry_npix(g);
  double *coeffs = g_new(double, sph_wavelet_dir_plan_size(plan));
  double *back = g_new(double, npix);
  SphShtIterOptions options = SPH_SHT_ITER_DEFAULT;
  options.iterations = 6;
  ok_or_die(sph_wavelet_dir_analysis(plan, map, coeffs, &options, NULL, &err), &err);
  ok_or_die(sph_wavelet_dir_synthesis(plan, coeffs, back, &options, NULL, &err), &err);
  double e = relative_l2(back, map, npix);
  g_test_message("HEALPix NSIDE 16, L = %d, N = 4, iter 6: relative L2 round trip %.3g", L, e);
  g_assert_cmpfloat(e, <=, 1e-6);
  g_free(back);
  g_free(coeffs);
  g_free(map);
  sph_alm_free(f);
  sph_wavelet_dir_plan_free(plan);
  sph_ring_geometry_free(g);
}

/* N = 1: the scaling map equals the axisymmetric one, the wavelet maps are the
 * axisymmetric ones over sqrt(2 pi), at every gamma. */
static void test_axisymmetric_limit(void)
{
  SphError err = SPH_ERROR_INIT;
  const int L = 48;
  SphRingGeometry *g = sph_ring_geometry_mw(L, &err);
  SphWaveletDirPlan *dir = plan_or_die(g, 2.0, L, 2, 1, SPH_WAVELET_MULTIRESOLUTION);
  SphWaveletPlan *axi = sph_wavelet_plan_new(g, 2.0, L, 2, SPH_WAVELET_MULTIRESOLUTION, &err);
  g_assert_nonnull(axi);
  SphAlm *f = random_alm(L, 4);
  double *map = alm_to_map(g, f);
  double *cd = g_new(double, sph_wavelet_dir_plan_size(dir));
  double *ca = g_new(double, sph_wavelet_plan_size(axi));
  ok_or_die(sph_wavelet_dir_analysis(dir, map, cd, NULL, NULL, &err), &err);
  ok_or_die(sph_wavelet_analysis(axi, map, ca, NULL, NULL, &err), &err);
  g_assert_cmpint(sph_wavelet_dir_plan_size(dir), ==, sph_wavelet_plan_size(axi));
  double worst = 0;
  for (int b = 0; b < sph_wavelet_plan_nbands(axi); b++) {
    double factor = b == 0 ? 1 : 1 / sqrt(2 * M_PI);
    const double *d = cd + sph_wavelet_dir_plan_map_offset(dir, b, 0);
    const double *a = ca + sph_wavelet_plan_band_offset(axi, b);
    for (int64_t p = 0; p < sph_wavelet_plan_band_npix(axi, b); p++)
      worst = fmax(worst, fabs(d[p] - factor * a[p]));
  }
  g_test_message("N = 1 against the axisymmetric transform: max difference %.3g", worst);
  g_assert_cmpfloat(worst, <=, 1e-13);
  g_free(ca);
  g_free(cd);
  g_free(map);
  sph_alm_free(f);
  sph_wavelet_plan_free(axi);
  sph_wavelet_dir_plan_free(dir);
  sph_ring_geometry_free(g);
}

/* A turn of the map by gamma0 about the pole: at the south pole (beta = pi), where
 * R(alpha, pi, gamma) depends on alpha - gamma only, W'(alpha, pi, gamma) =
 * W(alpha, pi, gamma + gamma0), at the grid's gamma samples and off them. */
static void test_steerability(void)
{
  SphError err = SPH_ERROR_INIT;
  const int L = 40, N = 4;
  SphRingGeometry *g = sph_ring_geometry_mw(L, &err);
  SphWaveletDirPlan *plan = plan_or_die(g, 2.0, L, 2, N, SPH_WAVELET_FULL_RESOLUTION);
  SphAlm *f = random_alm(L, 8);
  const double gammas[] = {2 * M_PI * 3 / (2 * N - 1), 0.4321};
  int64_t npix = sph_ring_geometry_npix(g);
  const SphRing *south = &sph_ring_geometry_rings(g)[sph_ring_geometry_nrings(g) - 1];
  g_assert_cmpfloat(fabs(south->theta - M_PI), <, 1e-15);
  double *map = alm_to_map(g, f);
  double *c = g_new(double, sph_wavelet_dir_plan_size(plan));
  ok_or_die(sph_wavelet_dir_analysis(plan, map, c, NULL, NULL, &err), &err);
  for (size_t i = 0; i < G_N_ELEMENTS(gammas); i++) {
    SphAlm *turned = sph_alm_copy(f, NULL);
    for (int m = 0; m <= turned->mmax; m++)
      for (int l = m; l <= turned->lmax; l++)
        turned->values[sph_alm_index(turned->lmax, l, m)] *= cexp(-I * m * gammas[i]);
    double *map2 = alm_to_map(g, turned);
    double *c2 = g_new(double, sph_wavelet_dir_plan_size(plan));
    ok_or_die(sph_wavelet_dir_analysis(plan, map2, c2, NULL, NULL, &err), &err);
    double *steered = g_new(double, npix);
    double worst = 0, scale = 0;
    for (int b = 1; b < sph_wavelet_dir_plan_nbands(plan); b++)
      for (int k = 0; k < 2 * N - 1; k++) {
        ok_or_die(sph_wavelet_dir_steer(plan, c, b, sph_wavelet_dir_plan_gamma(plan, k) + gammas[i],
                                        steered, &err),
                  &err);
        const double *w2 = c2 + sph_wavelet_dir_plan_map_offset(plan, b, k);
        for (int64_t p = 0; p < south->nphi; p++) {
          worst = fmax(worst, fabs(w2[south->offset + p] - steered[south->offset + p]));
          scale = fmax(scale, fabs(steered[south->offset + p]));
        }
      }
    g_test_message("turn by %.4f about the pole: max |W' - steered W| = %.3g (max %.3g)",
                   gammas[i], worst, scale);
    g_assert_cmpfloat(scale, >, 0.01);
    g_assert_cmpfloat(worst, <=, 1e-12 * scale);
    g_free(steered);
    g_free(c2);
    g_free(map2);
    sph_alm_free(turned);
  }
  g_free(c);
  g_free(map);
  sph_alm_free(f);
  sph_wavelet_dir_plan_free(plan);
  sph_ring_geometry_free(g);
}

/* The integral of g^2 over a Gauss-Legendre grid: exact for g band-limited at its L. */
static double sphere_energy(const SphRingGeometry *g, const double *values)
{
  const SphRing *rings = sph_ring_geometry_rings(g);
  double e = 0;
  for (int r = 0; r < sph_ring_geometry_nrings(g); r++)
    for (int64_t p = 0; p < rings[r].nphi; p++)
      e += rings[r].weight * values[rings[r].offset + p] * values[rings[r].offset + p];
  return e;
}

/* Tight frame (Parseval): int_S2 S^2 + sum_j int_SO(3) (W^j)^2 = int_S2 f^2, with the
 * SO(3) integral as the Gauss-Legendre rule on each band's grid times 2 pi / (2N - 1)
 * over the gamma samples, exact because (W^j)^2 is band-limited at 2 L_j - 1 and 2N - 1. */
static void test_tight_frame(void)
{
  SphError err = SPH_ERROR_INIT;
  const int L = 36;
  SphRingGeometry *g = sph_ring_geometry_gauss_legendre(L, 0, &err);
  SphAlm *f = random_alm(L, 23);
  double *map = alm_to_map(g, f);
  double want = sphere_energy(g, map);
  for (int N = 1; N <= 5; N += 2) {
    for (unsigned flags = 0; flags <= SPH_WAVELET_MULTIRESOLUTION; flags++) {
      SphWaveletDirPlan *plan = plan_or_die(g, 1.8, L, 1, N, flags);
      const SphWaveletPlan *axisym = sph_wavelet_dir_plan_axisym(plan);
      double *c = g_new(double, sph_wavelet_dir_plan_size(plan));
      ok_or_die(sph_wavelet_dir_analysis(plan, map, c, NULL, NULL, &err), &err);
      double got = sphere_energy(sph_wavelet_plan_band_geometry(axisym, 0), c);
      for (int b = 1; b < sph_wavelet_dir_plan_nbands(plan); b++)
        for (int k = 0; k < 2 * N - 1; k++)
          got += 2 * M_PI / (2 * N - 1) *
                 sphere_energy(sph_wavelet_plan_band_geometry(axisym, b),
                               c + sph_wavelet_dir_plan_map_offset(plan, b, k));
      g_test_message("N = %d %s: frame energy %.15g, map energy %.15g", N,
                     flags ? "multiresolution" : "full resolution", got, want);
      g_assert_cmpfloat(fabs(got - want), <=, 1e-12 * want);
      g_free(c);
      sph_wavelet_dir_plan_free(plan);
    }
  }
  g_free(map);
  sph_alm_free(f);
  sph_ring_geometry_free(g);
}

static void check_adjoints(const SphRingGeometry *g, int L, int N, unsigned flags)
{
  SphError err = SPH_ERROR_INIT;
  SphWaveletDirPlan *plan = plan_or_die(g, 2.0, L, 1, N, flags);
  int64_t npix = sph_ring_geometry_npix(g), size = sph_wavelet_dir_plan_size(plan);
  double *x = random_vector(npix, 1), *y = random_vector(size, 2);
  double *ax = g_new(double, size), *aty = g_new(double, npix);
  ok_or_die(sph_wavelet_dir_analysis(plan, x, ax, NULL, NULL, &err), &err);
  ok_or_die(sph_wavelet_dir_analysis_adjoint(plan, y, aty, NULL, &err), &err);
  double lhs = dot(ax, y, size), rhs = dot(x, aty, npix);
  g_test_message("N = %d analysis adjoint: %.15g vs %.15g", N, lhs, rhs);
  g_assert_cmpfloat(fabs(lhs - rhs), <=, 1e-12 * fabs(lhs) + 1e-12);
  double *sy = g_new(double, npix), *stx = g_new(double, size);
  ok_or_die(sph_wavelet_dir_synthesis(plan, y, sy, NULL, NULL, &err), &err);
  ok_or_die(sph_wavelet_dir_synthesis_adjoint(plan, x, stx, NULL, &err), &err);
  lhs = dot(sy, x, npix);
  rhs = dot(y, stx, size);
  g_test_message("N = %d synthesis adjoint: %.15g vs %.15g", N, lhs, rhs);
  g_assert_cmpfloat(fabs(lhs - rhs), <=, 1e-12 * fabs(lhs) + 1e-12);
  g_free(sy);
  g_free(stx);
  g_free(ax);
  g_free(aty);
  g_free(x);
  g_free(y);
  sph_wavelet_dir_plan_free(plan);
}

static void test_adjoints(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *mw = sph_ring_geometry_mw(24, &err);
  check_adjoints(mw, 24, 4, SPH_WAVELET_MULTIRESOLUTION);
  check_adjoints(mw, 24, 3, SPH_WAVELET_FULL_RESOLUTION);
  sph_ring_geometry_free(mw);
  SphRingGeometry *hp = sph_ring_geometry_healpix(8, &err);
  check_adjoints(hp, 20, 2, SPH_WAVELET_MULTIRESOLUTION);
  sph_ring_geometry_free(hp);
}

static void expect_error(const SphRingGeometry *g, double B, int L, int j_min, int N,
                         const char *needle)
{
  SphError err = SPH_ERROR_INIT;
  SphWaveletDirPlan *p = sph_wavelet_dir_plan_new(g, B, L, j_min, N, 0, &err);
  g_assert_null(p);
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_test_message("B = %g L = %d j_min = %d N = %d: %s", B, L, j_min, N, err.message);
  g_assert_nonnull(strstr(err.message, needle));
}

static void test_bad_input(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_mw(16, &err);
  expect_error(g, 2.0, 16, 1, 0, "N = 0");
  expect_error(g, 2.0, 16, 1, 17, "N = 17");
  expect_error(g, 1.0, 16, 1, 2, "B");
  expect_error(g, 2.0, 16, 9, 2, "J_min");
  expect_error(g, 2.0, 16, -1, 2, "J_min");
  SphWaveletDirPlan *plan = plan_or_die(g, 2.0, 16, 1, 2, 0);
  double *out = g_new0(double, sph_ring_geometry_npix(g));
  g_assert_cmpint(sph_wavelet_dir_steer(plan, out, 0, 0.1, out, &err), ==, SPH_ERR_INVALID);
  SphJob *job = sph_job_new();
  sph_job_cancel(job);
  double *map = g_new0(double, sph_ring_geometry_npix(g));
  double *coeffs = g_new0(double, sph_wavelet_dir_plan_size(plan));
  sph_error_clear(&err);
  g_assert_cmpint(sph_wavelet_dir_analysis(plan, map, coeffs, NULL, job, &err), ==,
                  SPH_ERR_CANCELLED);
  sph_error_clear(&err);
  g_assert_cmpint(sph_wavelet_dir_synthesis(plan, coeffs, map, NULL, job, &err), ==,
                  SPH_ERR_CANCELLED);
  sph_job_unref(job);
  g_free(coeffs);
  g_free(map);
  SphAlm *wrong = sph_alm_new(10, 10, NULL);
  sph_error_clear(&err);
  g_assert_cmpint(sph_wavelet_dir_analysis_alm(plan, wrong, out, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "lmax"));
  sph_alm_free(wrong);
  g_free(out);
  sph_wavelet_dir_plan_free(plan);
  sph_ring_geometry_free(g);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/wavelet-dir/against-rotated-wavelets", test_against_rotated_wavelets);
  g_test_add_func("/wavelet-dir/round-trip", test_round_trip_mw);
  g_test_add_func("/wavelet-dir/round-trip-healpix", test_round_trip_healpix);
  g_test_add_func("/wavelet-dir/axisymmetric-limit", test_axisymmetric_limit);
  g_test_add_func("/wavelet-dir/steerability", test_steerability);
  g_test_add_func("/wavelet-dir/tight-frame", test_tight_frame);
  g_test_add_func("/wavelet-dir/adjoints", test_adjoints);
  g_test_add_func("/wavelet-dir/bad-input", test_bad_input);
  return g_test_run();
}
