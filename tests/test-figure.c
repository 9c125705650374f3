/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sph-figure: the files it writes (format, size), the map pixels in a PNG against the
 * CPU raster painted independently, the colour bar against the colormap, and failures
 * that must leave nothing behind. */
#include <cairo.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "figure-test-helpers.h"
#include "sph-figure.h"
#include "sphaera/projection.h"
#include "sphaera/raster.h"

static void test_layout(void)
{
  g_assert_cmpint(sph_figure_height(800), ==, 508);
  g_assert_cmpint(sph_figure_height(850), ==, 540);
  g_assert_cmpint(sph_figure_height(85), ==, 54);
  for (int w = SPH_FIGURE_MIN_WIDTH; w <= 3000; w += 7) {
    SphFigureLayout l;
    sph_figure_layout(w, &l);
    g_assert_cmpint(l.width, ==, w);
    g_assert_cmpint(l.height, ==, sph_figure_height(w));
    g_assert_cmpint(l.map_width, ==, 2 * l.map_height);
    g_assert_cmpint(l.map_x, >=, 0);
    g_assert_cmpint(l.map_x + l.map_width, <=, w);
    g_assert_cmpint(l.map_y + l.map_height, <=, l.bar_y);
    g_assert_cmpint(l.bar_y + l.bar_height, <=, l.height);
    /* The colour bar is centred and about half the map's width, as mollview's. */
    g_assert_cmpint(abs(2 * l.bar_x + l.bar_width - w), <=, 1);
    g_assert_cmpfloat(fabs((double)l.bar_width / l.map_width - 0.5), <, 0.05);
  }
}

static void test_format_from_path(void)
{
  SphFigureFormat f;
  g_assert_true(sph_figure_format_from_path("a/b.png", &f));
  g_assert_cmpint(f, ==, SPH_FIGURE_PNG);
  g_assert_true(sph_figure_format_from_path("B.SVG", &f));
  g_assert_cmpint(f, ==, SPH_FIGURE_SVG);
  g_assert_true(sph_figure_format_from_path("x.y.pdf", &f));
  g_assert_cmpint(f, ==, SPH_FIGURE_PDF);
  g_assert_false(sph_figure_format_from_path("x.jpg", &f));
  g_assert_false(sph_figure_format_from_path("png", &f));
  g_assert_false(sph_figure_format_from_path("dir.png/file", &f));
}

/* Every pixel of the map box in the PNG is the raster's colour for the same map, or
 * white outside the ellipse; the colour bar shows the colormap's entries in order. */
static void check_png_pixels(SphOrdering ordering, SphColormap cmap, int width)
{
  char *dir = make_temp_dir();
  char *path = g_build_filename(dir, "map.png", NULL);
  SphMap *map = make_map(16, ordering);
  SphFigureOptions options;
  sph_figure_options_init(&options);
  options.width = width;
  options.cmap = cmap;
  options.title = "A test map";
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_figure_write(path, SPH_FIGURE_PNG, map, 0, &options, &err), ==, SPH_OK);

  cairo_surface_t *png = cairo_image_surface_create_from_png(path);
  g_assert_cmpint(cairo_surface_status(png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint(cairo_image_surface_get_width(png), ==, width);
  g_assert_cmpint(cairo_image_surface_get_height(png), ==, sph_figure_height(width));

  SphFigureLayout l;
  sph_figure_layout(width, &l);
  SphColorScale scale = {.cmap = cmap, .background = {255, 255, 255, 255}};
  seen_range(map, 0, &scale.vmin, &scale.vmax);
  SphSkyRaster *raster = sph_sky_raster_new(16, ordering, l.map_width, l.map_height, &err);
  g_assert_nonnull(raster);
  int stride = 4 * l.map_width;
  uint8_t *rgba = g_malloc((size_t)stride * l.map_height);
  sph_sky_raster_paint(raster, map->fields[0].values, &scale, rgba, stride);
  int inside = 0, grey = 0;
  for (int j = 0; j < l.map_height; j++) {
    for (int i = 0; i < l.map_width; i++) {
      uint8_t got[3];
      surface_rgb(png, l.map_x + i, l.map_y + j, got);
      g_assert_cmpmem(got, 3, rgba + (size_t)j * stride + 4 * i, 3);
      int64_t p = sph_sky_raster_index(raster)[(size_t)j * l.map_width + i];
      inside += p >= 0;
      grey += p >= 0 && map->fields[0].values[p] == SPH_UNSEEN;
    }
  }
  g_assert_cmpint(inside, >, l.map_width * l.map_height * 0.7);
  g_assert_cmpint(grey, >, 0);

  /* The image centre shows the map's value at the Galactic centre's pixel... */
  double x, y, theta, phi;
  sph_mollweide_image_to_plane(l.map_width, l.map_height, l.map_width / 2 + 0.5,
                               l.map_height / 2 + 0.5, &x, &y);
  g_assert_true(sph_mollweide_inverse(x, y, &theta, &phi));
  g_assert_cmpfloat(fabs(theta - M_PI / 2), <, 0.02);
  g_assert_cmpfloat(fabs(remainder(phi, 2 * M_PI)), <, 0.02);

  /* ...and the colour bar each colormap entry, left to right. */
  const uint8_t *table = sph_colormap_table(cmap);
  int mid = l.bar_y + l.bar_height / 2;
  for (int k = 0; k < SPH_CMAP_SIZE; k += 15) {
    /* The centre of entry k's cell, in image pixels. */
    int i = l.bar_x + (int)floor((k + 0.5) * l.bar_width / SPH_CMAP_SIZE);
    uint8_t got[3];
    surface_rgb(png, i, mid, got);
    int cell = (int)floor((i + 0.5 - l.bar_x) * SPH_CMAP_SIZE / l.bar_width);
    g_assert_cmpmem(got, 3, table + 3 * cell, 3);
  }
  uint8_t first[3], last[3];
  surface_rgb(png, l.bar_x, mid, first);
  surface_rgb(png, l.bar_x + l.bar_width - 1, mid, last);
  g_assert_cmpmem(first, 3, table, 3);
  g_assert_cmpmem(last, 3, table + 3 * (SPH_CMAP_SIZE - 1), 3);

  /* The title (asked for) puts ink above the map; the unit ink under the bar. */
  int title_ink = 0, unit_ink = 0;
  for (int j = 0; j < l.map_y; j++)
    for (int i = 0; i < width; i++) {
      uint8_t px[3];
      surface_rgb(png, i, j, px);
      title_ink += px[0] < 128;
    }
  for (int j = l.bar_y + l.bar_height + 2; j < l.height; j++)
    for (int i = width / 2 - width / 20; i < width / 2 + width / 20; i++) {
      uint8_t px[3];
      surface_rgb(png, i, j, px);
      unit_ink += px[0] < 128;
    }
  g_assert_cmpint(title_ink, >, 10);
  g_assert_cmpint(unit_ink, >, 5);

  g_free(rgba);
  sph_sky_raster_free(raster);
  cairo_surface_destroy(png);
  sph_map_free(map);
  g_assert_cmpint(count_entries(dir), ==, 1); /* no temporary file left */
  remove_dir(dir);
  g_free(path);
  g_free(dir);
}

static void test_png_pixels(void)
{
  check_png_pixels(SPH_ORDER_RING, SPH_CMAP_VIRIDIS, 800);
  check_png_pixels(SPH_ORDER_NEST, SPH_CMAP_PLANCK, 333);
  check_png_pixels(SPH_ORDER_RING, SPH_CMAP_RDBU, 1200);
}

static void test_no_title_no_ink(void)
{
  char *dir = make_temp_dir();
  char *path = g_build_filename(dir, "plain.png", NULL);
  SphMap *map = make_map(8, SPH_ORDER_RING);
  SphFigureOptions options;
  sph_figure_options_init(&options);
  options.width = 400;
  options.unit = ""; /* overrides the field's "mK" */
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_figure_write(path, SPH_FIGURE_PNG, map, 0, &options, &err), ==, SPH_OK);
  cairo_surface_t *png = cairo_image_surface_create_from_png(path);
  g_assert_cmpint(cairo_surface_status(png), ==, CAIRO_STATUS_SUCCESS);
  SphFigureLayout l;
  sph_figure_layout(400, &l);
  for (int j = 0; j < l.map_y; j++)
    for (int i = 0; i < 400; i++) {
      uint8_t px[3];
      surface_rgb(png, i, j, px);
      g_assert_cmpint(px[0] + px[1] + px[2], ==, 3 * 255);
    }
  /* Without a unit the space under the bar's middle stays white. */
  for (int j = l.bar_y + l.bar_height + 2; j < l.height; j++)
    for (int i = 190; i < 210; i++) {
      uint8_t px[3];
      surface_rgb(png, i, j, px);
      g_assert_cmpint(px[0] + px[1] + px[2], ==, 3 * 255);
    }
  cairo_surface_destroy(png);
  sph_map_free(map);
  remove_dir(dir);
  g_free(path);
  g_free(dir);
}

static void test_vector_formats(void)
{
  char *dir = make_temp_dir();
  SphMap *map = make_map(16, SPH_ORDER_RING);
  SphFigureOptions options;
  sph_figure_options_init(&options);
  options.width = 500;
  options.title = "Vector";
  SphError err = SPH_ERROR_INIT;

  char *svg = g_build_filename(dir, "map.svg", NULL);
  g_assert_cmpint(sph_figure_write(svg, SPH_FIGURE_SVG, map, 1, &options, &err), ==, SPH_OK);
  gsize n;
  char *data = read_file(svg, &n);
  g_assert_cmpuint(n, >, 1000);
  g_assert_nonnull(strstr(data, "<svg"));
  g_assert_nonnull(strstr(data, "viewBox=\"0 0 500 318\""));
  g_assert_nonnull(strstr(data, "</svg>"));
  g_free(data);

  char *pdf = g_build_filename(dir, "map.pdf", NULL);
  g_assert_cmpint(sph_figure_write(pdf, SPH_FIGURE_PDF, map, 0, &options, &err), ==, SPH_OK);
  data = read_file(pdf, &n);
  g_assert_cmpuint(n, >, 1000);
  g_assert_cmpmem(data, 5, "%PDF-", 5);
  g_assert_nonnull(memmem(data, n, "/MediaBox [ 0 0 500 318 ]", 25));
  g_assert_nonnull(memmem(data, n, "%%EOF", 5));
  g_free(data);

  g_assert_cmpint(count_entries(dir), ==, 2);
  sph_map_free(map);
  remove_dir(dir);
  g_free(svg);
  g_free(pdf);
  g_free(dir);
}

/* sph_figure_render_map on a context of the caller's: a scaled image surface gets a
 * raster at its own resolution. */
static void test_render_on_context(void)
{
  SphMap *map = make_map(16, SPH_ORDER_RING);
  SphFigureOptions options;
  sph_figure_options_init(&options);
  options.width = 300;
  options.vmin = -1.0;
  options.vmax = 1.0;
  options.cmap = SPH_CMAP_GREYS;
  SphFigureLayout l;
  sph_figure_layout(300, &l);
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 600, 2 * l.height);
  cairo_t *cr = cairo_create(s);
  cairo_scale(cr, 2.0, 2.0);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_figure_render_map(map, 0, &options, cr, &err), ==, SPH_OK);
  cairo_destroy(cr);
  cairo_surface_flush(s);

  SphColorScale scale = {.vmin = -1.0, .vmax = 1.0, .cmap = SPH_CMAP_GREYS,
                         .background = {255, 255, 255, 255}};
  SphSkyRaster *raster =
      sph_sky_raster_new(16, SPH_ORDER_RING, 2 * l.map_width, 2 * l.map_height, &err);
  g_assert_nonnull(raster);
  int w = 2 * l.map_width, h = 2 * l.map_height;
  uint8_t *rgba = g_malloc((size_t)4 * w * h);
  sph_sky_raster_paint(raster, map->fields[0].values, &scale, rgba, 4 * w);
  for (int j = 0; j < h; j++)
    for (int i = 0; i < w; i++) {
      uint8_t got[3];
      surface_rgb(s, 2 * l.map_x + i, 2 * l.map_y + j, got);
      g_assert_cmpmem(got, 3, rgba + 4 * ((size_t)j * w + i), 3);
    }
  g_free(rgba);
  sph_sky_raster_free(raster);
  cairo_surface_destroy(s);
  sph_map_free(map);
}

static void test_errors_leave_nothing(void)
{
  char *dir = make_temp_dir();
  SphMap *map = make_map(8, SPH_ORDER_RING);
  SphFigureOptions options;
  sph_figure_options_init(&options);
  options.width = 200;
  SphError err = SPH_ERROR_INIT;

  /* A directory that does not exist. */
  char *missing = g_build_filename(dir, "no-such-dir", "map.png", NULL);
  g_assert_cmpint(sph_figure_write(missing, SPH_FIGURE_PNG, map, 0, &options, &err), ==,
                  SPH_ERR_IO);
  g_assert_nonnull(strstr(err.message, missing));
  g_assert_nonnull(strstr(err.message, g_strerror(ENOENT)));
  g_assert_null(strchr(err.message, '\n'));

  /* A "directory" that is a file (root ignores permission bits, not this). */
  char *file = g_build_filename(dir, "plain-file", NULL);
  g_assert_true(g_file_set_contents(file, "x", 1, NULL));
  char *under_file = g_build_filename(file, "map.png", NULL);
  sph_error_clear(&err);
  g_assert_cmpint(sph_figure_write(under_file, SPH_FIGURE_PDF, map, 0, &options, &err), ==,
                  SPH_ERR_IO);
  g_assert_nonnull(strstr(err.message, under_file));
  g_assert_nonnull(strstr(err.message, g_strerror(ENOTDIR)));

  /* A failure after the temporary file exists (no field 5) removes it and leaves the
   * old figure untouched. */
  char *old = g_build_filename(dir, "old.png", NULL);
  g_assert_true(g_file_set_contents(old, "previous", 8, NULL));
  sph_error_clear(&err);
  g_assert_cmpint(sph_figure_write(old, SPH_FIGURE_PNG, map, 5, &options, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, old));
  g_assert_nonnull(strstr(err.message, "field 5"));
  gsize n;
  char *data = read_file(old, &n);
  g_assert_cmpmem(data, n, "previous", 8);
  g_free(data);

  /* Absurd widths. */
  options.width = -3;
  sph_error_clear(&err);
  g_assert_cmpint(sph_figure_write(old, SPH_FIGURE_PNG, map, 0, &options, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "-3"));
  options.width = 20001;
  g_assert_cmpint(sph_figure_write(old, SPH_FIGURE_PNG, map, 0, &options, &err), ==,
                  SPH_ERR_INVALID);

  /* Only the two files this test made. */
  g_assert_cmpint(count_entries(dir), ==, 2);
  sph_map_free(map);
  remove_dir(dir);
  g_free(missing);
  g_free(file);
  g_free(under_file);
  g_free(old);
  g_free(dir);
}

static void test_all_unseen(void)
{
  /* Nothing seen: the range falls back to [0, 1] and the sphere is grey. */
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_map_new(4, SPH_ORDER_RING, 1, &err);
  g_assert_nonnull(map);
  for (int64_t p = 0; p < map->npix; p++)
    map->fields[0].values[p] = SPH_UNSEEN;
  SphFigureOptions options;
  sph_figure_options_init(&options);
  double lo, hi;
  sph_figure_resolve_range(map, 0, &options, &lo, &hi);
  g_assert_cmpfloat(lo, ==, 0.0);
  g_assert_cmpfloat(hi, ==, 1.0);
  options.width = 200;
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 200, sph_figure_height(200));
  cairo_t *cr = cairo_create(s);
  g_assert_cmpint(sph_figure_render_map(map, 0, &options, cr, &err), ==, SPH_OK);
  cairo_destroy(cr);
  cairo_surface_flush(s);
  SphFigureLayout l;
  sph_figure_layout(200, &l);
  uint8_t px[3];
  surface_rgb(s, l.map_x + l.map_width / 2, l.map_y + l.map_height / 2, px);
  g_assert_cmpint(px[0], ==, SPH_BAD_R);
  g_assert_cmpint(px[1], ==, SPH_BAD_G);
  g_assert_cmpint(px[2], ==, SPH_BAD_B);
  cairo_surface_destroy(s);
  sph_map_free(map);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/figure/layout", test_layout);
  g_test_add_func("/figure/format-from-path", test_format_from_path);
  g_test_add_func("/figure/png-pixels", test_png_pixels);
  g_test_add_func("/figure/no-title", test_no_title_no_ink);
  g_test_add_func("/figure/vector-formats", test_vector_formats);
  g_test_add_func("/figure/render-on-context", test_render_on_context);
  g_test_add_func("/figure/errors", test_errors_leave_nothing);
  g_test_add_func("/figure/all-unseen", test_all_unseen);
  int status = g_test_run();
  sph_figure_shutdown();
  return status;
}
