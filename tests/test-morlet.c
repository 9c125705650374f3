/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The planar Morlet bank against kymatio's spatial construction (tests/morlet-test-helpers.h)
 * through a naive DFT, and its filtering against direct convolution sums. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "morlet-test-helpers.h"
#include "sphaera/mem.h"
#include "sphaera/morlet.h"

static double max_abs(const double complex *a, int64_t n)
{
  double m = 0;
  for (int64_t i = 0; i < n; i++)
    m = fmax(m, cabs(a[i]));
  return m;
}

/* Every filter's spectrum, at every resolution, is the DFT of the spatial filter sampled
 * on that resolution's grid (times the coarse pixel area 4^res). */
static void check_spectra(int64_t M, int64_t N, int J, int L)
{
  SphError err = SPH_ERROR_INIT;
  SphMorletBank *bank = sph_morlet_bank_new(M, N, J, L, SPH_BOUNDARY_PERIODIC, &err);
  g_assert_nonnull(bank);
  double complex *space = g_new(double complex, M * N);
  double complex *coarse = g_new(double complex, M * N);
  double complex *dft = g_new(double complex, M * N);
  double worst = 0, worst_imag = 0;
  for (int j = 0; j < J; j++) {
    for (int l = -1; l < L; l++) {
      if (l < 0 && j > 0)
        continue;
      test_morlet_2d(M, N, J, L, j, l, space);
      for (int res = 0; res < J; res++) {
        int64_t m = M >> res, n = N >> res;
        double area = (double)(1 << (2 * res));
        for (int64_t a = 0; a < m; a++)
          for (int64_t b = 0; b < n; b++)
            coarse[a * n + b] = area * space[(a << res) * N + (b << res)];
        test_naive_dft(m, n, coarse, dft);
        const double *ours = l < 0 ? sph_morlet_bank_phi_at(bank, res)
                                   : sph_morlet_bank_psi_at(bank, j, l, res);
        g_assert_nonnull(ours);
        double scale = max_abs(dft, m * n);
        for (int64_t i = 0; i < m * n; i++) {
          worst = fmax(worst, fabs(ours[i] - creal(dft[i])) / scale);
          worst_imag = fmax(worst_imag, fabs(cimag(dft[i])) / scale);
        }
        if (l >= 0 && res == 0)
          g_assert_cmpfloat(fabs(ours[0]), <, 1e-15); /* zero mean */
        else if (res == 0)
          g_assert_cmpfloat(fabs(ours[0] - 1), <, 1e-13); /* unit mass */
      }
    }
  }
  g_test_message("%" G_GINT64_FORMAT " x %" G_GINT64_FORMAT ", J = %d, L = %d: spectrum vs "
                 "spatial construction %.2e (imaginary part of its DFT %.2e)",
                 M, N, J, L, worst, worst_imag);
  g_assert_cmpfloat(worst, <, 1e-13);
  g_assert_cmpfloat(worst_imag, <, 1e-13);
  g_assert_null(sph_morlet_bank_psi_at(bank, J, 0, 0));
  g_assert_null(sph_morlet_bank_psi_at(bank, 0, L, 0));
  g_assert_null(sph_morlet_bank_phi_at(bank, J));
  g_free(space);
  g_free(coarse);
  g_free(dft);
  sph_morlet_bank_free(bank);
}

static void test_spectra_square(void)
{
  check_spectra(16, 16, 2, 4);
}

static void test_spectra_slanted(void)
{
  /* L = 8 gives slant 1/2; a rectangle checks the axes are not swapped. */
  check_spectra(24, 16, 2, 8);
}

static void test_angles(void)
{
  g_assert_cmpfloat(fabs(sph_morlet_angle(8, 0) - 3 * M_PI / 8), <, 1e-15);
  g_assert_cmpfloat(fabs(sph_morlet_angle(8, 7) + M_PI / 2), <, 1e-15);
  g_assert_cmpfloat(fabs(sph_morlet_angle(4, 1) - 0), <, 1e-15);
  int64_t padded, before;
  sph_morlet_padding(256, 4, SPH_BOUNDARY_REFLECT, &padded, &before);
  g_assert_cmpint(padded, ==, 288);
  g_assert_cmpint(before, ==, 16);
  sph_morlet_padding(30, 2, SPH_BOUNDARY_REFLECT, &padded, &before);
  g_assert_cmpint(padded, ==, 36);
  g_assert_cmpint(before, ==, 3);
  sph_morlet_padding(30, 2, SPH_BOUNDARY_PERIODIC, &padded, &before);
  g_assert_cmpint(padded, ==, 30);
  g_assert_cmpint(before, ==, 0);
}

/* sph_morlet_bank_filter against out[n] = sum_m xp[m] psi(n - m) on the padded grid,
 * with the padding done independently here. */
static void check_filter(int64_t M, int64_t N, int J, int L, SphBoundary boundary)
{
  SphError err = SPH_ERROR_INIT;
  SphMorletBank *bank = sph_morlet_bank_new(M, N, J, L, boundary, &err);
  g_assert_nonnull(bank);
  int64_t P, Q, top, left;
  sph_morlet_bank_grid(bank, &P, &Q, &top, &left);
  GRand *rand = g_rand_new_with_seed(7);
  double *image = g_new(double, M * N);
  for (int64_t i = 0; i < M * N; i++)
    image[i] = g_rand_double_range(rand, -1, 1);
  double *xp = g_new(double, P * Q);
  for (int64_t r = 0; r < P; r++)
    for (int64_t c = 0; c < Q; c++)
      xp[r * Q + c] = boundary == SPH_BOUNDARY_PERIODIC
                          ? image[r * N + c]
                          : image[test_reflect(r, top, M) * N + test_reflect(c, left, N)];
  double complex *filter = g_new(double complex, P * Q);
  double complex *ours = g_new(double complex, M * N);
  double worst = 0;
  for (int j = 0; j < J; j++) {
    for (int l = -1; l < L; l++) {
      if (l < 0 && j > 0)
        continue;
      test_morlet_2d(P, Q, J, L, j, l, filter);
      g_assert_cmpint(sph_morlet_bank_filter(bank, image, j, l, ours, &err), ==, SPH_OK);
      double scale = 0;
      double complex *direct = g_new(double complex, M * N);
      for (int64_t a = 0; a < M; a++)
        for (int64_t b = 0; b < N; b++) {
          int64_t n1 = a + top, n2 = b + left;
          double complex sum = 0;
          for (int64_t m1 = 0; m1 < P; m1++)
            for (int64_t m2 = 0; m2 < Q; m2++)
              sum += xp[m1 * Q + m2] * filter[((n1 - m1 + P) % P) * Q + (n2 - m2 + Q) % Q];
          direct[a * N + b] = sum;
          scale = fmax(scale, cabs(sum));
        }
      for (int64_t i = 0; i < M * N; i++)
        worst = fmax(worst, cabs(ours[i] - direct[i]) / scale);
      g_free(direct);
    }
  }
  g_test_message("%s %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT ": FFT filtering vs direct "
                 "convolution %.2e", boundary == SPH_BOUNDARY_PERIODIC ? "periodic" : "reflect",
                 M, N, worst);
  g_assert_cmpfloat(worst, <, 1e-12);
  g_assert_cmpint(sph_morlet_bank_filter(bank, image, J, 0, ours, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "no wavelet"));
  g_free(image);
  g_free(xp);
  g_free(filter);
  g_free(ours);
  g_rand_free(rand);
  sph_morlet_bank_free(bank);
}

static void test_filter_periodic(void)
{
  check_filter(16, 24, 3, 4, SPH_BOUNDARY_PERIODIC);
}

static void test_filter_reflect(void)
{
  check_filter(13, 10, 2, 6, SPH_BOUNDARY_REFLECT);
}

static void expect_error(int64_t M, int64_t N, int J, int L, SphBoundary boundary,
                         const char *phrase)
{
  SphError err = SPH_ERROR_INIT;
  g_assert_null(sph_morlet_bank_new(M, N, J, L, boundary, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  if (strstr(err.message, phrase) == NULL)
    g_error("message \"%s\" lacks \"%s\"", err.message, phrase);
}

static void test_bad_input(void)
{
  expect_error(0, 16, 2, 8, SPH_BOUNDARY_PERIODIC, "is empty");
  expect_error(16, 0, 2, 8, SPH_BOUNDARY_REFLECT, "is empty");
  expect_error(16, 16, 0, 8, SPH_BOUNDARY_PERIODIC, "J = 0");
  expect_error(16, 16, 2, 0, SPH_BOUNDARY_PERIODIC, "L = 0");
  expect_error(18, 16, 2, 8, SPH_BOUNDARY_PERIODIC, "multiples of 2^J = 4");
  expect_error(4, 40, 3, 8, SPH_BOUNDARY_REFLECT, "too small");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/morlet/spectra-square", test_spectra_square);
  g_test_add_func("/morlet/spectra-slanted", test_spectra_slanted);
  g_test_add_func("/morlet/angles-padding", test_angles);
  g_test_add_func("/morlet/filter-periodic", test_filter_periodic);
  g_test_add_func("/morlet/filter-reflect", test_filter_reflect);
  g_test_add_func("/morlet/bad-input", test_bad_input);
  return g_test_run();
}
