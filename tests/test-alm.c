/* SPDX-License-Identifier: GPL-3.0-or-later */
/* alm containers: healpy's triangular index (against an independent enumeration and
 * healpy's documented examples), almxfl, the inner product, Gaussian filling. */
#include <complex.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/alm.h"
#include "sphaera/rng.h"

/* healpy orders coefficients m-major: (l=0..lmax, m=0), (l=1..lmax, m=1), ... */
static void test_index_enumeration(void)
{
  for (int lmax = 0; lmax <= 40; lmax++)
    for (int mmax = 0; mmax <= lmax; mmax++) {
      int64_t next = 0;
      for (int m = 0; m <= mmax; m++)
        for (int l = m; l <= lmax; l++) {
          g_assert_cmpint(sph_alm_index(lmax, l, m), ==, next);
          int l2, m2;
          sph_alm_index_to_lm(lmax, next, &l2, &m2);
          g_assert_cmpint(l2, ==, l);
          g_assert_cmpint(m2, ==, m);
          next++;
        }
      g_assert_cmpint(sph_alm_size(lmax, mmax), ==, next);
    }
  g_assert_cmpint(sph_alm_size(3, 4), ==, -1);
  g_assert_cmpint(sph_alm_size(-1, 0), ==, -1);
}

/* Values from healpy's documentation: Alm.getsize(lmax) = (lmax+1)(lmax+2)/2 and
 * Alm.getidx(lmax, l, m) = m (2 lmax + 1 - m)/2 + l, e.g. getidx(3, 2, 1) = 5. */
static void test_index_published(void)
{
  g_assert_cmpint(sph_alm_size(3, 3), ==, 10);
  g_assert_cmpint(sph_alm_size(1024, 1024), ==, (int64_t)1025 * 1026 / 2);
  g_assert_cmpint(sph_alm_index(3, 2, 1), ==, 5);
  g_assert_cmpint(sph_alm_index(3, 3, 3), ==, 9);
  /* Large lmax: 64-bit arithmetic. */
  int64_t lmax = 100000;
  g_assert_cmpint(sph_alm_index((int)lmax, (int)lmax, (int)lmax), ==, sph_alm_size((int)lmax, (int)lmax) - 1);
  int l, m;
  sph_alm_index_to_lm((int)lmax, sph_alm_size((int)lmax, (int)lmax) - 1, &l, &m);
  g_assert_cmpint(l, ==, lmax);
  g_assert_cmpint(m, ==, lmax);
}

static void test_new_and_errors(void)
{
  SphError err = SPH_ERROR_INIT;
  SphAlm *a = sph_alm_new(10, -1, &err);
  g_assert_nonnull(a);
  g_assert_cmpint(a->mmax, ==, 10);
  g_assert_cmpint(a->size, ==, 66);
  for (int64_t i = 0; i < a->size; i++)
    g_assert_true(a->values[i] == 0);
  sph_alm_free(a);
  g_assert_null(sph_alm_new(5, 6, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "mmax"));
  sph_error_clear(&err);
  g_assert_null(sph_alm_new(-2, 0, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  sph_alm_free(NULL);
}

/* almxfl multiplies by fl[l] and zeroes l >= len(fl), as healpy.almxfl. */
static void test_almxfl(void)
{
  SphError err = SPH_ERROR_INIT;
  SphAlm *a = sph_alm_new(6, 4, &err);
  for (int64_t i = 0; i < a->size; i++)
    a->values[i] = CMPLX(1.0 + i, -0.5 * i);
  SphAlm *orig = sph_alm_copy(a, &err);
  double fl[4] = { 2.0, -1.0, 0.5, 3.0 };
  sph_almxfl(a, fl, 4);
  for (int m = 0; m <= 4; m++)
    for (int l = m; l <= 6; l++) {
      double f = l < 4 ? fl[l] : 0.0;
      double _Complex want = f * sph_alm_get(orig, l, m);
      g_assert_true(sph_alm_get(a, l, m) == want);
    }
  g_assert_true(sph_alm_get(a, 5, 5) == 0); /* outside mmax */
  g_assert_true(sph_alm_get(a, 7, 0) == 0); /* outside lmax */
  sph_alm_free(a);
  sph_alm_free(orig);
}

/* The inner product equals the sum over every m in -l..l of a_lm conj b_lm, with the
 * negative m filled in by a_l-m = (-1)^m conj a_lm. */
static void test_dot(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRng rng;
  sph_rng_init(&rng, 7, 0);
  SphAlm *a = sph_alm_new(12, 9, &err), *b = sph_alm_new(12, 9, &err);
  sph_alm_fill_gaussian(a, &rng);
  sph_alm_fill_gaussian(b, &rng);
  double _Complex full = 0;
  for (int l = 0; l <= 12; l++)
    for (int m = -l; m <= l; m++) {
      int am = abs(m);
      if (am > 9)
        continue;
      double _Complex x = sph_alm_get(a, l, am), y = sph_alm_get(b, l, am);
      if (m < 0) {
        double s = (am & 1) ? -1.0 : 1.0;
        x = s * conj(x);
        y = s * conj(y);
      }
      full += x * conj(y);
    }
  double d = sph_alm_dot(a, b);
  g_assert_cmpfloat(fabs(cimag(full)), <, 1e-12);
  g_assert_cmpfloat(fabs(d - creal(full)), <, 1e-12 * fabs(d));
  g_assert_cmpfloat(fabs(sph_alm_dot(a, b) - sph_alm_dot(b, a)), ==, 0);

  SphAlm *c = sph_alm_copy(a, &err);
  sph_alm_axpy(c, -1.0, a);
  g_assert_cmpfloat(sph_alm_max_abs(c), ==, 0);
  g_assert_cmpfloat(sph_alm_max_abs_diff(a, b), >, 0);
  sph_alm_free(a);
  sph_alm_free(b);
  sph_alm_free(c);
}

/* White noise: a_l0 real with unit variance, other a_lm with E|a|^2 = 1. */
static void test_gaussian(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRng rng;
  sph_rng_init(&rng, 11, 3);
  SphAlm *a = sph_alm_new(300, 300, &err);
  sph_alm_fill_gaussian(a, &rng);
  double s0 = 0, s = 0;
  int64_t n = 0;
  for (int l = 0; l <= 300; l++) {
    g_assert_true(cimag(a->values[l]) == 0);
    s0 += creal(a->values[l]) * creal(a->values[l]);
  }
  for (int64_t i = 301; i < a->size; i++, n++)
    s += creal(a->values[i] * conj(a->values[i]));
  s0 /= 301;
  s /= (double)n;
  g_assert_cmpfloat(fabs(s0 - 1), <, 0.25);
  g_assert_cmpfloat(fabs(s - 1), <, 0.02);
  /* The same seed and stream give the same coefficients. */
  SphAlm *b = sph_alm_new(300, 300, &err);
  sph_rng_init(&rng, 11, 3);
  sph_alm_fill_gaussian(b, &rng);
  g_assert_cmpfloat(sph_alm_max_abs_diff(a, b), ==, 0);
  sph_alm_free(a);
  sph_alm_free(b);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/alm/index-enumeration", test_index_enumeration);
  g_test_add_func("/alm/index-published", test_index_published);
  g_test_add_func("/alm/new-and-errors", test_new_and_errors);
  g_test_add_func("/alm/almxfl", test_almxfl);
  g_test_add_func("/alm/dot", test_dot);
  g_test_add_func("/alm/gaussian", test_gaussian);
  return g_test_run();
}
