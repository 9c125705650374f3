/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <string.h>

#include "sphaera/error.h"

static void test_set_and_clear(void)
{
  SphError err = SPH_ERROR_INIT;
  SphStatus st = sph_error_set(&err, SPH_ERR_FORMAT, "%s: NSIDE=%d is not a power of two", "sky.fits", 300);
  g_assert_cmpint(st, ==, SPH_ERR_FORMAT);
  g_assert_cmpint(err.code, ==, SPH_ERR_FORMAT);
  g_assert_cmpstr(err.message, ==, "sky.fits: NSIDE=300 is not a power of two");
  sph_error_clear(&err);
  g_assert_cmpint(err.code, ==, SPH_OK);
  g_assert_cmpstr(err.message, ==, "");
}

static void test_null_error_is_allowed(void)
{
  g_assert_cmpint(sph_error_set(NULL, SPH_ERR_IO, "x"), ==, SPH_ERR_IO);
  g_assert_cmpint(sph_error_prefix(NULL, "y"), ==, SPH_OK);
  sph_error_clear(NULL);
}

static void test_prefix(void)
{
  SphError err = SPH_ERROR_INIT;
  sph_error_set(&err, SPH_ERR_IO, "No space left on device");
  sph_error_prefix(&err, "writing %s", "out.fits");
  g_assert_cmpint(err.code, ==, SPH_ERR_IO);
  g_assert_cmpstr(err.message, ==, "writing out.fits: No space left on device");
}

static void test_truncation(void)
{
  SphError err = SPH_ERROR_INIT;
  char big[2000];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  sph_error_set(&err, SPH_ERR_INVALID, "%s", big);
  g_assert_cmpuint(strlen(err.message), ==, SPH_ERROR_MESSAGE_MAX - 1);
  sph_error_prefix(&err, "%s", big);
  g_assert_cmpuint(strlen(err.message), ==, SPH_ERROR_MESSAGE_MAX - 1);
  sph_error_set(&err, SPH_ERR_INVALID, "end");
  sph_error_prefix(&err, "%s", big);
  /* The prefix alone fills the buffer: still NUL-terminated, no overflow. */
  g_assert_cmpuint(strlen(err.message), ==, SPH_ERROR_MESSAGE_MAX - 1);
}

static void test_status_names(void)
{
  for (int s = SPH_OK; s <= SPH_ERR_CANCELLED; s++) {
    const char *name = sph_status_name((SphStatus)s);
    g_assert_nonnull(name);
    g_assert_cmpstr(name, !=, "unknown error");
  }
  g_assert_cmpstr(sph_status_name((SphStatus)999), ==, "unknown error");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/error/set-and-clear", test_set_and_clear);
  g_test_add_func("/error/null", test_null_error_is_allowed);
  g_test_add_func("/error/prefix", test_prefix);
  g_test_add_func("/error/truncation", test_truncation);
  g_test_add_func("/error/status-names", test_status_names);
  return g_test_run();
}
