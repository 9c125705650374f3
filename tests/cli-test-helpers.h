/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the sphaera-cli tests share: running the CLI (SPHAERA_CLI) and the reference
 * Python (SPHAERA_PYTHON), temporary directories, the failure contract, and reading
 * the PNGs the CLI writes. Each test program uses some of it. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>

#include "sph-test-files.h"
#include "sph-test-python.h"
#include "sphaera/fits_map.h"
#include "sphaera/map.h"

#define WMAP_FILE "wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits"

typedef struct {
  int status; /* exit status, or -1 when killed */
  char *out, *err;
} CliRun;

G_GNUC_UNUSED static void cli_run_clear(CliRun *run)
{
  g_free(run->out);
  g_free(run->err);
}

/* Runs the CLI with the NULL-terminated arguments. */
G_GNUC_UNUSED static CliRun run_cli(const char *first, ...)
{
  const char *cli = g_getenv("SPHAERA_CLI");
  g_assert_nonnull(cli);
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (char *)cli);
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a != NULL; a = va_arg(ap, const char *))
    g_ptr_array_add(argv, (char *)a);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  CliRun run = {0};
  int wait_status = 0;
  GError *error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                             &run.out, &run.err, &wait_status, &error));
  g_assert_no_error(error);
  run.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  g_ptr_array_free(argv, TRUE);
  return run;
}

G_GNUC_UNUSED static char *data_path(const char *name)
{
  const char *dir = g_getenv("SPHAERA_DATA_DIR");
  g_assert_nonnull(dir);
  return g_build_filename(dir, name, NULL);
}

/* Runs SPHAERA_PYTHON on script with arguments; NULL after g_test_skip() when there is
 * no reference Python (or it exits 77: healpy or matplotlib missing). */
G_GNUC_UNUSED static char *run_python(const char *script, ...)
{
  const char *python = sph_test_python_env();
  if (python == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set");
    return NULL;
  }
  GPtrArray *args = g_ptr_array_new();
  va_list ap;
  va_start(ap, script);
  for (const char *a = va_arg(ap, const char *); a != NULL; a = va_arg(ap, const char *))
    g_ptr_array_add(args, (char *)a);
  va_end(ap);
  g_ptr_array_add(args, NULL);
  char *out = sph_test_spawn_python_or_77(python, script, (const char *const *)args->pdata);
  g_ptr_array_free(args, TRUE);
  if (out == NULL)
    g_test_skip("the reference Python lacks healpy or matplotlib");
  return out;
}

#define PY_IMPORTS                                                                         \
  "import sys\n"                                                                           \
  "try:\n"                                                                                 \
  "    import numpy as np, healpy as hp\n"                                                 \
  "except ImportError:\n"                                                                  \
  "    sys.exit(77)\n"

G_GNUC_UNUSED static char *make_temp_dir(void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp("sph-cli-XXXXXX", &error);
  g_assert_no_error(error);
  return dir;
}

G_GNUC_UNUSED static void remove_dir(const char *dir)
{
  sph_test_remove_tree(dir);
}

G_GNUC_UNUSED static int count_entries(const char *dir)
{
  return sph_test_count_entries(dir);
}

/* key=value lines into a table. */
G_GNUC_UNUSED static GHashTable *parse_keys(const char *text)
{
  GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  char **lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l != NULL; l++) {
    char *eq = strchr(*l, '=');
    if (eq == NULL)
      continue;
    g_hash_table_insert(t, g_strndup(*l, eq - *l), g_strdup(eq + 1));
  }
  g_strfreev(lines);
  return t;
}

G_GNUC_UNUSED static double key_double(GHashTable *t, const char *key)
{
  const char *v = g_hash_table_lookup(t, key);
  if (v == NULL)
    g_error("info printed no %s", key);
  return g_ascii_strtod(v, NULL);
}

G_GNUC_UNUSED static void assert_rel(double a, double b, double tol)
{
  if (!(fabs(a - b) <= tol * fmax(fabs(b), 1e-300)))
    g_error("%.17g and %.17g differ by more than %g relative", a, b, tol);
}

G_GNUC_UNUSED static SphMap *read_map(const char *path)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_fits_read_map(path, NULL, &err);
  if (map == NULL)
    g_error("%s", err.message);
  return map;
}

/* The failure contract: status 1, nothing on stdout, one line on stderr that starts
 * with "sphaera-cli: " and holds each of the needles. */
G_GNUC_UNUSED static void assert_one_line_failure(CliRun *run, const char *needle1,
                                                 const char *needle2)
{
  g_assert_cmpint(run->status, ==, 1);
  g_assert_cmpstr(run->out, ==, "");
  g_assert_true(g_str_has_prefix(run->err, "sphaera-cli: "));
  g_assert_true(g_str_has_suffix(run->err, "\n"));
  g_assert_true(strchr(run->err, '\n') == run->err + strlen(run->err) - 1);
  if (needle1 != NULL && strstr(run->err, needle1) == NULL)
    g_error("stderr '%s' does not mention '%s'", run->err, needle1);
  if (needle2 != NULL && strstr(run->err, needle2) == NULL)
    g_error("stderr '%s' does not mention '%s'", run->err, needle2);
}

/* ---- PNGs ---- */

G_GNUC_UNUSED static uint32_t be32(const guchar *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The PNG's size from its IHDR chunk. */
G_GNUC_UNUSED static void png_size(const char *path, int *width, int *height)
{
  char *data;
  gsize n;
  g_assert_true(g_file_get_contents(path, &data, &n, NULL));
  g_assert_cmpuint(n, >, 33);
  g_assert_cmpmem(data, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem(data + 12, 4, "IHDR", 4);
  *width = (int)be32((const guchar *)data + 16);
  *height = (int)be32((const guchar *)data + 20);
  g_free(data);
}

typedef struct {
  int width, height;
  guchar *rgb; /* decoded by the reference Python */
} Image;

/* Decodes n PNGs (pngs[k], written raw to raws[k]) with the reference Python's
 * matplotlib, in one run; false after g_test_skip() when there is none. */
G_GNUC_UNUSED static bool decode_pngs(int n, char **pngs, char **raws, Image *images)
{
  static const char script[] =
      "import sys\n"
      "try:\n"
      "    import numpy as np, matplotlib.image as mi\n"
      "except ImportError:\n"
      "    sys.exit(77)\n"
      "for png, raw in zip(sys.argv[1::2], sys.argv[2::2]):\n"
      "    a = np.round(mi.imread(png)[:, :, :3] * 255).astype(np.uint8)\n"
      "    a.tofile(raw)\n"
      "    print(a.shape[1], a.shape[0])\n";
  const char *python = sph_test_python_env();
  if (python == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set");
    return false;
  }
  GPtrArray *args = g_ptr_array_new();
  for (int k = 0; k < n; k++) {
    g_ptr_array_add(args, pngs[k]);
    g_ptr_array_add(args, raws[k]);
  }
  g_ptr_array_add(args, NULL);
  char *out = sph_test_spawn_python_or_77(python, script, (const char *const *)args->pdata);
  g_ptr_array_free(args, TRUE);
  if (out == NULL) {
    g_test_skip("the reference Python lacks matplotlib");
    return false;
  }
  char *p = out;
  for (int k = 0; k < n; k++) {
    images[k].width = (int)g_ascii_strtoll(p, &p, 10);
    images[k].height = (int)g_ascii_strtoll(p, &p, 10);
    gsize len;
    g_assert_true(g_file_get_contents(raws[k], (char **)&images[k].rgb, &len, NULL));
    g_assert_cmpuint(len, ==, (gsize)3 * images[k].width * images[k].height);
  }
  g_free(out);
  return true;
}

G_GNUC_UNUSED static bool decode_png(const char *png, const char *raw, Image *image)
{
  char *pngs[] = {(char *)png}, *raws[] = {(char *)raw};
  return decode_pngs(1, pngs, raws, image);
}

G_GNUC_UNUSED static const guchar *pixel(const Image *im, int i, int j)
{
  return im->rgb + 3 * ((size_t)j * im->width + i);
}

G_GNUC_UNUSED static bool is_white(const guchar *p)
{
  return p[0] == 255 && p[1] == 255 && p[2] == 255;
}

/* Runs a program; false (and the test skipped) when it is not installed. */
G_GNUC_UNUSED static bool run_tool(const char *program, char **argv)
{
  return sph_test_run_tool(program, argv);
}

/* The image's non-white pixels' bounding box. */
G_GNUC_UNUSED static void ink_box(const Image *im, int *x0, int *y0, int *x1, int *y1,
                                  int ymax)
{
  *x0 = im->width;
  *y0 = im->height;
  *x1 = -1;
  *y1 = -1;
  for (int j = 0; j < ymax; j++)
    for (int i = 0; i < im->width; i++)
      if (!is_white(pixel(im, i, j))) {
        *x0 = MIN(*x0, i);
        *x1 = MAX(*x1, i);
        *y0 = MIN(*y0, j);
        *y1 = MAX(*y1, j);
      }
}
