/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the sph-figure tests share: a test map, temporary directories, reading pixels of
 * Cairo image surfaces and files, and running the tools that parse SVG and PDF. */
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "sph-test-files.h"
#include "sphaera/healpix.h"
#include "sphaera/map.h"

/* A smooth map with structure in both directions, a few UNSEEN pixels and a unit. */
G_GNUC_UNUSED static SphMap *make_map(int64_t nside, SphOrdering ordering)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_map_new(nside, ordering, 2, &err);
  g_assert_nonnull(map);
  for (int64_t p = 0; p < map->npix; p++) {
    double theta, phi;
    if (ordering == SPH_ORDER_NEST)
      sph_hp_pix2ang_nest(nside, p, &theta, &phi);
    else
      sph_hp_pix2ang_ring(nside, p, &theta, &phi);
    map->fields[0].values[p] = 3.0 * cos(theta) + sin(theta) * sin(2.0 * phi) + 0.5;
    map->fields[1].values[p] = phi;
  }
  for (int64_t p = 0; p < map->npix; p += 37)
    map->fields[0].values[p] = SPH_UNSEEN;
  sph_map_set_field_unit(map, 0, "mK");
  return map;
}

G_GNUC_UNUSED static void seen_range(const SphMap *map, int field, double *lo, double *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (int64_t p = 0; p < map->npix; p++) {
    double v = map->fields[field].values[p];
    if (v == SPH_UNSEEN)
      continue;
    *lo = fmin(*lo, v);
    *hi = fmax(*hi, v);
  }
}

G_GNUC_UNUSED static char *make_temp_dir(void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp("sph-figure-XXXXXX", &error);
  g_assert_no_error(error);
  return dir;
}

G_GNUC_UNUSED static int count_entries(const char *dir)
{
  return sph_test_count_entries(dir);
}

G_GNUC_UNUSED static void remove_dir(const char *dir)
{
  sph_test_remove_tree(dir);
}

/* The pixel (i, j) of an RGB24/ARGB32 image surface as R, G, B. */
G_GNUC_UNUSED static void surface_rgb(cairo_surface_t *s, int i, int j, uint8_t rgb[3])
{
  const unsigned char *data = cairo_image_surface_get_data(s);
  uint32_t v = *(const uint32_t *)(const void *)(data + (size_t)j *
                                                             cairo_image_surface_get_stride(s) +
                                                 4 * (size_t)i);
  rgb[0] = (v >> 16) & 0xff;
  rgb[1] = (v >> 8) & 0xff;
  rgb[2] = v & 0xff;
}

G_GNUC_UNUSED static char *read_file(const char *path, gsize *length)
{
  char *data = NULL;
  GError *error = NULL;
  g_assert_true(g_file_get_contents(path, &data, length, &error));
  g_assert_no_error(error);
  return data;
}

/* Runs a program; false (and the test skipped) when it is not installed. */
G_GNUC_UNUSED static bool run_tool(const char *program, char **argv)
{
  return sph_test_run_tool(program, argv);
}
