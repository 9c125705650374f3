/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "sphaera/mem.h"

static void test_alignment(void)
{
  for (size_t n = 0; n < 200; n += 7) {
    SphError err = SPH_ERROR_INIT;
    double *p = sph_alloc_aligned(n, sizeof(double), &err);
    g_assert_nonnull(p);
    g_assert_cmpuint((uintptr_t)p % SPH_ALIGNMENT, ==, 0);
    for (size_t i = 0; i < n; i++)
      p[i] = (double)i; /* the whole range is writable (ASan checks it) */
    sph_free_aligned(p);
  }
}

static void test_calloc_zeroes(void)
{
  SphError err = SPH_ERROR_INIT;
  unsigned char *p = sph_calloc_aligned(1000, 3, &err);
  g_assert_nonnull(p);
  for (int i = 0; i < 3000; i++)
    g_assert_cmpuint(p[i], ==, 0);
  sph_free_aligned(p);
}

static void test_overflow_is_an_error(void)
{
  SphError err = SPH_ERROR_INIT;
  void *p = sph_alloc_aligned(SIZE_MAX / 4, 8, &err);
  g_assert_null(p);
  g_assert_cmpint(err.code, ==, SPH_ERR_NOMEM);
  g_assert_nonnull(strstr(err.message, "overflow"));
}

static void test_strdup(void)
{
  char *s = sph_strdup("I_STOKES");
  g_assert_cmpstr(s, ==, "I_STOKES");
  free(s);
  g_assert_null(sph_strdup(NULL));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mem/alignment", test_alignment);
  g_test_add_func("/mem/calloc", test_calloc_zeroes);
  g_test_add_func("/mem/overflow", test_overflow_is_an_error);
  g_test_add_func("/mem/strdup", test_strdup);
  return g_test_run();
}
