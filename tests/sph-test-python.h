/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Debian's python with healpy/numpy/astropy (SPHAERA_PYTHON) as an independent truth:
 * run an inline script and take its standard output. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

/* SPHAERA_PYTHON when it names an executable, else NULL (the caller skips). */
static inline const char *sph_test_python(void)
{
  const char *py = g_getenv("SPHAERA_PYTHON");
  return py != NULL && py[0] != '\0' && g_file_test(py, G_FILE_TEST_IS_EXECUTABLE) ? py : NULL;
}

/* Runs `python -c script args...` (args NULL-terminated, or NULL); returns its stdout,
 * with its stderr in *errout and its wait status in *wait_status. */
static inline char *sph_test_spawn_python(const char *python, const char *script,
                                          const char *const *args, char **errout,
                                          int *wait_status)
{
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)python);
  g_ptr_array_add(argv, (gpointer) "-c");
  g_ptr_array_add(argv, (gpointer)script);
  for (; args != NULL && *args != NULL; args++)
    g_ptr_array_add(argv, (gpointer)*args);
  g_ptr_array_add(argv, NULL);
  char *out = NULL;
  GError *error = NULL;
  gboolean ran = g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                              errout, wait_status, &error);
  g_assert_no_error(error);
  g_assert_true(ran);
  g_ptr_array_free(argv, TRUE);
  return out;
}

/* Runs `python -c script args...` and returns its stdout (g_free it); a failing script
 * aborts the test with python's output logged line by line. */
static inline char *sph_test_run_python(const char *script, const char *const *args)
{
  char *errout = NULL;
  int wait_status = 0;
  char *out = sph_test_spawn_python(sph_test_python(), script, args, &errout, &wait_status);
  GError *error = NULL;
  if (!g_spawn_check_wait_status(wait_status, &error)) {
    char *text = g_strconcat(out, errout, NULL);
    char **lines = g_strsplit(text, "\n", -1);
    for (char **line = lines; *line != NULL; line++)
      g_test_message("python: %s", *line);
    g_error("python failed: %s", error->message);
  }
  g_free(errout);
  return out;
}

/* SPHAERA_PYTHON when it is set and not empty, else NULL (the caller skips). */
static inline const char *sph_test_python_env(void)
{
  const char *python = g_getenv("SPHAERA_PYTHON");
  return python != NULL && python[0] != '\0' ? python : NULL;
}

/* Runs `python -c script args...` (args NULL-terminated, or NULL); the script exits 77
 * when a module it needs is missing. Returns its stdout, or NULL when it exited 77. */
static inline char *sph_test_spawn_python_or_77(const char *python, const char *script,
                                                const char *const *args)
{
  char *errout = NULL;
  int wait_status = 0;
  char *out = sph_test_spawn_python(python, script, args, &errout, &wait_status);
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 77) {
    g_free(out);
    g_free(errout);
    return NULL;
  }
  if (!g_spawn_check_wait_status(wait_status, NULL))
    g_error("reference Python failed: %s", errout);
  g_free(errout);
  return out;
}

/* Runs `python -c script`; returns its stdout, or NULL when there is no python or the
 * script exited 77 (a module it needs is missing). */
static inline char *sph_test_run_python_or_77(const char *script)
{
  const char *python = sph_test_python_env();
  return python != NULL ? sph_test_spawn_python_or_77(python, script, NULL) : NULL;
}

/* Runs `python tests/<script_name> args...` (args NULL-terminated) and returns its stdout,
 * or NULL when there is no python; a failing script aborts the test with its stderr.
 * With discard_stdout the script's stdout goes to /dev/null and "" is returned. */
static inline char *sph_test_run_python_file(const char *script_name, const char *const *args,
                                             gboolean discard_stdout)
{
  const char *python = sph_test_python_env();
  if (python == NULL)
    return NULL;
  gchar *script = g_test_build_filename(G_TEST_DIST, script_name, NULL);
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)python);
  g_ptr_array_add(argv, script);
  for (; args != NULL && *args != NULL; args++)
    g_ptr_array_add(argv, (gpointer)*args);
  g_ptr_array_add(argv, NULL);
  gchar *out = NULL, *errout = NULL;
  gint status = 0;
  GError *error = NULL;
  gboolean ok = g_spawn_sync(NULL, (gchar **)argv->pdata, NULL,
                             discard_stdout ? G_SPAWN_STDOUT_TO_DEV_NULL : G_SPAWN_DEFAULT, NULL,
                             NULL, discard_stdout ? NULL : &out, &errout, &status, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  if (!g_spawn_check_wait_status(status, &error))
    g_error("%s %s failed: %s\n%s", python, script, error->message, errout);
  g_free(errout);
  g_free(script);
  g_ptr_array_free(argv, TRUE);
  return discard_stdout ? g_strdup("") : out;
}

/* Runs `python tests/<script_name> mode OUT` with OUT a file in a fresh scratch directory
 * (named from tmp_template) and returns what the script wrote there, or NULL when there
 * is no python. */
static inline GBytes *sph_test_python_file_output(const char *script_name, const char *mode,
                                                  const char *tmp_template)
{
  if (sph_test_python_env() == NULL)
    return NULL;
  gchar *dir = g_dir_make_tmp(tmp_template, NULL);
  g_assert_nonnull(dir);
  gchar *out = g_build_filename(dir, "ref.bin", NULL);
  const char *args[] = { mode, out, NULL };
  g_free(sph_test_run_python_file(script_name, args, TRUE));
  gchar *data = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(out, &data, &len, NULL));
  g_unlink(out);
  g_rmdir(dir);
  g_free(out);
  g_free(dir);
  return g_bytes_new_take(data, len);
}

/* One script's output, run at most once per test program and split in sections that each
 * start with a line "@name". */
typedef struct {
  char *output;
  gboolean ran;
} SphTestPythonSections;

/* The text of one section (owned by the cache) up to the end of the output, or NULL
 * after g_test_skip(skip_message) when there is no python or it lacks a module. */
static inline const char *sph_test_python_section(SphTestPythonSections *cache,
                                                  const char *script, const char *section,
                                                  const char *skip_message)
{
  if (!cache->ran) {
    cache->output = sph_test_run_python_or_77(script);
    cache->ran = TRUE;
  }
  if (cache->output == NULL) {
    g_test_skip(skip_message);
    return NULL;
  }
  char *marker = g_strdup_printf("@%s\n", section);
  const char *start = strstr(cache->output, marker);
  if (start == NULL)
    g_error("the reference has no section %s", section);
  start += strlen(marker);
  g_free(marker);
  return start;
}
