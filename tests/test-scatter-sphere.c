/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Spherical scattering: coefficient count and labels, analytic values, convergence of
 * the modulus means towards a finely sampled reference, and the change under an exact
 * rotation of a random field with and without the 2x oversampled modulus, and the
 * gradient against finite differences. */
#include <complex.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/ring_geometry.h"
#include "sphaera/rng.h"
#include "sphaera/rotate.h"
#include "sphaera/scattering_sphere.h"
#include "sphaera/sht.h"
#include "sphaera/wavelet_kernels.h"

static void test_count_labels(void)
{
  SphError err = SPH_ERROR_INIT;
  SphSphereScattering *plan = sph_sphere_scattering_new(2, 32, 2, 2, 1, &err);
  g_assert_nonnull(plan);
  /* scales 2..5 */
  g_assert_cmpint(sph_sphere_scattering_ncoeffs(plan), ==, 1 + 4 + 6);
  int64_t index = 0;
  g_assert_cmpint(sph_sphere_scattering_label(plan, index++).order, ==, 0);
  for (int j1 = 2; j1 <= 5; j1++) {
    SphScatterLabel l = sph_sphere_scattering_label(plan, index++);
    g_assert_cmpint(l.order, ==, 1);
    g_assert_cmpint(l.j1, ==, j1);
    g_assert_cmpint(l.l1, ==, -1);
  }
  for (int j1 = 2; j1 <= 5; j1++)
    for (int j2 = 2; j2 < j1; j2++) {
      SphScatterLabel l = sph_sphere_scattering_label(plan, index++);
      g_assert_cmpint(l.order, ==, 2);
      g_assert_cmpint(l.j1, ==, j1);
      g_assert_cmpint(l.j2, ==, j2);
    }
  g_assert_cmpint(index, ==, sph_sphere_scattering_ncoeffs(plan));
  sph_sphere_scattering_free(plan);
  plan = sph_sphere_scattering_new(2, 32, 3, 1, 2, &err);
  g_assert_cmpint(sph_sphere_scattering_ncoeffs(plan), ==, 1 + 3);
  sph_sphere_scattering_free(plan);
}

static SphAlm *random_field(int lmax, guint64 seed)
{
  SphError err = SPH_ERROR_INIT;
  SphAlm *alm = sph_alm_new(lmax, lmax, &err);
  g_assert_nonnull(alm);
  SphRng rng;
  sph_rng_init(&rng, seed, 0);
  sph_alm_fill_gaussian(alm, &rng);
  return alm;
}

/* A constant field: its mean, and no wavelet content. A single Y_l0 inside one scale's
 * support: S1 = Psi^j_l sqrt((2l+1)/(4 pi)) <|P_l(cos theta)|>. */
static void test_analytic(void)
{
  SphError err = SPH_ERROR_INIT;
  SphSphereScattering *plan = sph_sphere_scattering_new(2, 16, 2, 2, 2, &err);
  g_assert_nonnull(plan);
  int64_t n = sph_sphere_scattering_ncoeffs(plan);
  double *c = g_new(double, n);
  SphAlm *alm = sph_alm_new(15, 15, &err);
  alm->values[0] = 3 * sqrt(4 * M_PI);
  g_assert_cmpint(sph_sphere_scattering_alm(plan, alm, c, &err), ==, SPH_OK);
  g_assert_cmpfloat(fabs(c[0] - 3), <, 1e-14);
  for (int64_t i = 1; i < n; i++)
    g_assert_cmpfloat(fabs(c[i]), <, 1e-14);
  /* Y_50 = sqrt(11/(4 pi)) P_5(cos theta), in the supports of scales 2 (2 < l < 8) and
   * 3 (4 < l < 16); <|P_5|> = (1/2) int |P_5(x)| dx by Simpson's rule (the kinks at the
   * roots cost O(h^2)). */
  sph_alm_zero(alm);
  alm->values[sph_alm_index(15, 5, 0)] = 1;
  g_assert_cmpint(sph_sphere_scattering_alm(plan, alm, c, &err), ==, SPH_OK);
  const int steps = 2000000;
  double sum = 0;
  for (int i = 0; i <= steps; i++) {
    double x = -1 + 2.0 * i / steps;
    double p5 = (63 * pow(x, 5) - 70 * pow(x, 3) + 15 * x) / 8;
    sum += (i == 0 || i == steps ? 1 : (i % 2 ? 4 : 2)) * fabs(p5);
  }
  double mean_abs_p5 = 0.5 * sum * (2.0 / steps) / 3;
  SphWaveletKernels *k = sph_wavelet_kernels_new(2, 16, 2, &err);
  double worst = 0;
  for (int j = 2; j <= k->j_max; j++) {
    double want = sph_wavelet_kernels_scale(k, j)[5] * sqrt(11 / (4 * M_PI)) * mean_abs_p5;
    worst = fmax(worst, fabs(c[1 + j - 2] - want) / fmax(fabs(want), 1e-300));
    if (want == 0)
      g_assert_cmpfloat(fabs(c[1 + j - 2]), <, 1e-14);
  }
  g_test_message("single Y_50: S1 vs <|P_5|> by quadrature, worst relative error %.2e (2x grid)",
                 worst);
  g_assert_cmpfloat(worst, <, 2e-3);
  sph_wavelet_kernels_free(k);
  sph_alm_free(alm);
  g_free(c);
  sph_sphere_scattering_free(plan);
}

/* The mean of |W^j| with W^j = Psi^j * f sampled on a fine MW grid. */
static double fine_s1(const SphAlm *alm, const SphWaveletKernels *k, int j, int band)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_mw(band, &err);
  SphShtPlan *sht = sph_sht_plan_new(g, band - 1, -1, SPH_SHT_DEFAULT, &err);
  g_assert_nonnull(sht);
  SphAlm *w = sph_alm_new(band - 1, band - 1, &err);
  const double *psi = sph_wavelet_kernels_scale(k, j);
  for (int m = 0; m <= alm->lmax; m++)
    for (int l = m; l <= alm->lmax; l++)
      w->values[sph_alm_index(band - 1, l, m)] = psi[l] * alm->values[sph_alm_index(alm->lmax, l, m)];
  double *map = g_new(double, sph_sht_plan_npix(sht));
  g_assert_cmpint(sph_sht_alm2map(sht, w, map, NULL, &err), ==, SPH_OK);
  for (int64_t i = 0; i < sph_sht_plan_npix(sht); i++)
    map[i] = fabs(map[i]);
  g_assert_cmpint(sph_sht_map2alm(sht, map, w, NULL, &err), ==, SPH_OK);
  double mean = creal(w->values[0]) / sqrt(4 * M_PI);
  g_free(map);
  sph_alm_free(w);
  sph_sht_plan_free(sht);
  sph_ring_geometry_free(g);
  return mean;
}

static void test_rotation_and_convergence(void)
{
  const int L = 32;
  SphError err = SPH_ERROR_INIT;
  SphAlm *alm = random_field(L - 1, 17);
  SphAlm *rot = sph_alm_copy(alm, &err);
  g_assert_cmpint(sph_rotate_alm(rot, 0.7, 1.1, -2.3, &err), ==, SPH_OK);
  SphWaveletKernels *k = sph_wavelet_kernels_new(2, L, 2, &err);
  double change[2][3] = {{0}}, error[2] = {0};
  for (int ov = 1; ov <= 2; ov++) {
    SphSphereScattering *plan = sph_sphere_scattering_new(2, L, 2, 2, ov, &err);
    g_assert_nonnull(plan);
    int64_t n = sph_sphere_scattering_ncoeffs(plan);
    double *a = g_new(double, n), *b = g_new(double, n);
    g_assert_cmpint(sph_sphere_scattering_alm(plan, alm, a, &err), ==, SPH_OK);
    g_assert_cmpint(sph_sphere_scattering_alm(plan, rot, b, &err), ==, SPH_OK);
    for (int64_t i = 0; i < n; i++) {
      int order = sph_sphere_scattering_label(plan, i).order;
      change[ov - 1][order] = fmax(change[ov - 1][order], fabs(a[i] - b[i]) / fabs(a[i]));
    }
    for (int j = 2; j <= k->j_max; j++) {
      double ref = fine_s1(alm, k, j, 8 * L);
      error[ov - 1] = fmax(error[ov - 1], fabs(a[1 + j - 2] - ref) / ref);
    }
    g_free(a);
    g_free(b);
    sph_sphere_scattering_free(plan);
  }
  g_test_message("L = %d, B = 2, J_min = 2: relative change under a rotation, first order "
                 "%.2e with the 2x grid, %.2e without; second order %.2e with, %.2e without; "
                 "S1 vs a grid of band 8 L: %.2e with, %.2e without",
                 L, change[1][1], change[0][1], change[1][2], change[0][2], error[1], error[0]);
  g_assert_cmpfloat(change[1][0], <, 1e-12); /* the mean is exact */
  g_assert_cmpfloat(change[1][1], <=, 3e-3);
  g_assert_cmpfloat(change[1][1], <, change[0][1]);
  g_assert_cmpfloat(error[1], <, error[0]);
  g_assert_cmpfloat(error[1], <, 3e-3);
  sph_wavelet_kernels_free(k);
  sph_alm_free(alm);
  sph_alm_free(rot);
}

/* The hand-written adjoint against central differences along random directions. */
static void test_gradient(void)
{
  const int L = 16;
  SphError err = SPH_ERROR_INIT;
  for (int ov = 1; ov <= 2; ov++) {
    SphSphereScattering *plan = sph_sphere_scattering_new(2, L, 1, 2, ov, &err);
    g_assert_nonnull(plan);
    int64_t n = sph_sphere_scattering_ncoeffs(plan);
    SphAlm *alm = random_field(L - 1, 23);
    SphAlm *grad = sph_alm_new(L - 1, L - 1, &err);
    SphAlm *moved = sph_alm_new(L - 1, L - 1, &err);
    double *weights = g_new(double, n), *c = g_new(double, n);
    GRand *rand = g_rand_new_with_seed(31);
    for (int64_t i = 0; i < n; i++)
      weights[i] = g_rand_double_range(rand, -1, 1);
    g_assert_cmpint(sph_sphere_scattering_gradient_alm(plan, alm, weights, grad, &err), ==, SPH_OK);
    double worst = 0;
    for (int trial = 0; trial < 3; trial++) {
      SphAlm *v = random_field(L - 1, 100 + trial);
      double predicted = sph_alm_dot(grad, v), f[2];
      const double h = 1e-6;
      for (int side = 0; side < 2; side++) {
        for (int64_t i = 0; i < alm->size; i++)
          moved->values[i] = alm->values[i] + (side ? -h : h) * v->values[i];
        g_assert_cmpint(sph_sphere_scattering_alm(plan, moved, c, &err), ==, SPH_OK);
        f[side] = 0;
        for (int64_t i = 0; i < n; i++)
          f[side] += weights[i] * c[i];
      }
      double fd = (f[0] - f[1]) / (2 * h);
      worst = fmax(worst, fabs(fd - predicted) / fmax(fabs(fd), 1e-3));
      sph_alm_free(v);
    }
    g_test_message("oversample %d: gradient vs central differences, max relative difference %.2e",
                   ov, worst);
    g_assert_cmpfloat(worst, <, 1e-6);
    g_rand_free(rand);
    g_free(weights);
    g_free(c);
    sph_alm_free(alm);
    sph_alm_free(grad);
    sph_alm_free(moved);
    sph_sphere_scattering_free(plan);
  }
}

static void test_bad_input(void)
{
  SphError err = SPH_ERROR_INIT;
  g_assert_null(sph_sphere_scattering_new(1, 32, 2, 2, 1, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_null(sph_sphere_scattering_new(2, 32, 9, 2, 1, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_null(sph_sphere_scattering_new(2, 32, 2, 3, 1, &err));
  g_assert_nonnull(strstr(err.message, "order 3"));
  g_assert_null(sph_sphere_scattering_new(2, 32, 2, 2, 3, &err));
  g_assert_nonnull(strstr(err.message, "oversampling 3"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/scatter-sphere/count-labels", test_count_labels);
  g_test_add_func("/scatter-sphere/analytic", test_analytic);
  g_test_add_func("/scatter-sphere/rotation-convergence", test_rotation_and_convergence);
  g_test_add_func("/scatter-sphere/gradient", test_gradient);
  g_test_add_func("/scatter-sphere/bad-input", test_bad_input);
  return g_test_run();
}
