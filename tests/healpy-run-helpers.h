/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs tests/spectra_reference.py on raw float64 files in a scratch directory. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>

/* A fresh scratch directory, or NULL after g_test_skip() when SPHAERA_PYTHON is unset. */
static inline gchar *ref_dir_new(void)
{
  const char *python = g_getenv("SPHAERA_PYTHON");
  if (python == NULL || *python == '\0') {
    g_test_skip("SPHAERA_PYTHON is not set: no healpy to compare with");
    return NULL;
  }
  gchar *dir = g_dir_make_tmp("sphaera-ref-XXXXXX", NULL);
  g_assert_nonnull(dir);
  return dir;
}

static inline void ref_write(const char *dir, const char *name, const void *data, gsize len)
{
  gchar *path = g_build_filename(dir, name, NULL);
  g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
  g_free(path);
}

/* Runs the script with argv extra (NULL-terminated) and returns out.bin's doubles. */
static inline double *ref_run(const char *dir, const char *const *extra, gsize *n)
{
  gchar *script = g_test_build_filename(G_TEST_DIST, "spectra_reference.py", NULL);
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)g_getenv("SPHAERA_PYTHON"));
  g_ptr_array_add(argv, script);
  for (const char *const *e = extra; *e != NULL; e++)
    g_ptr_array_add(argv, (gpointer)*e);
  g_ptr_array_add(argv, NULL);
  gchar *errout = NULL;
  gint status = 0;
  GError *error = NULL;
  gboolean ok = g_spawn_sync(NULL, (gchar **)argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                             NULL, NULL, &errout, &status, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  if (!g_spawn_check_wait_status(status, &error))
    g_error("%s failed: %s\n%s", script, error->message, errout);
  gchar *path = g_build_filename(dir, "out.bin", NULL);
  gchar *data = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &data, &len, NULL));
  g_free(path);
  g_free(errout);
  g_free(script);
  g_ptr_array_free(argv, TRUE);
  *n = len / sizeof(double);
  return (double *)data;
}

/* Removes the scratch directory and every file in it. */
static inline void ref_dir_free(gchar *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
    gchar *path = g_build_filename(dir, name, NULL);
    g_unlink(path);
    g_free(path);
  }
  if (d != NULL)
    g_dir_close(d);
  g_rmdir(dir);
  g_free(dir);
}

/* The largest difference over the largest reference value. */
static inline double ref_rel_diff(const double *got, const double *want, gsize n)
{
  double d = 0, s = 0;
  for (gsize i = 0; i < n; i++) {
    d = fmax(d, fabs(got[i] - want[i]));
    s = fmax(s, fabs(want[i]));
  }
  return d / s;
}
