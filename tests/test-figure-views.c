/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sph-figure's sky-explorer options: layouts for every projection, the map box of any
 * view, scale and range against the raster painted independently, healpy's orientation
 * (a hot pixel at Galactic (90, 0) left of centre) in PNG, SVG and PDF (parsed by
 * rsvg-convert and pdftoppm when installed), the graticule as vector paths exactly where
 * graticule.c puts it, the overlay's blending, the colour bar's ticks, and failures. */
#include <cairo.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "figure-test-helpers.h"
#include "sph-figure.h"
#include "sphaera/coords.h"
#include "sphaera/graticule.h"
#include "sphaera/projection.h"
#include "sphaera/raster.h"

/* Renders a figure onto an identity image surface (PNG-like, in memory). */
static cairo_surface_t *render_surface(const SphMap *map, int field, const SphFigureOptions *o,
                                       SphFigureLayout *l)
{
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_figure_layout_for(o, l, &err), ==, SPH_OK);
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, l->width, l->height);
  cairo_t *cr = cairo_create(s);
  SphStatus status = sph_figure_render_map(map, field, o, cr, &err);
  if (status != SPH_OK)
    g_error("render failed: %s", err.message);
  cairo_destroy(cr);
  cairo_surface_flush(s);
  return s;
}

static void test_layout_for(void)
{
  SphFigureOptions o;
  sph_figure_options_init(&o);
  for (int w = 100; w <= 2000; w += 173) {
    o.width = w;
    SphFigureLayout a, b;
    sph_figure_layout(w, &a);
    g_assert_cmpint(sph_figure_layout_for(&o, &b, NULL), ==, SPH_OK);
    g_assert_cmpmem(&a, sizeof a, &b, sizeof b); /* the default is mollview's, exactly */
  }
  static const SphProjectionKind kinds[] = {SPH_PROJ_MOLLWEIDE, SPH_PROJ_ORTHOGRAPHIC,
                                            SPH_PROJ_GNOMONIC, SPH_PROJ_CARTESIAN};
  for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
    for (int half = 0; half < 2; half++) {
      for (int h = 0; h <= 900; h += 450) {
        sph_figure_options_init(&o);
        sph_projection_init(&o.projection, kinds[k]);
        o.projection.half_sky = half;
        o.width = 700;
        o.height = h;
        o.colorbar_ticks = h == 450;
        SphFigureLayout l;
        SphError err = SPH_ERROR_INIT;
        g_assert_cmpint(sph_figure_layout_for(&o, &l, &err), ==, SPH_OK);
        g_assert_cmpint(l.height, ==, h > 0 ? h : sph_figure_default_height(&o));
        g_assert_cmpint(l.map_x, >=, 0);
        g_assert_cmpint(l.map_x + l.map_width, <=, l.width);
        g_assert_cmpint(l.map_y, >=, l.title_baseline);
        g_assert_cmpint(l.map_y + l.map_height, <, l.bar_y);
        g_assert_cmpint(l.bar_y + l.bar_height, <, l.tick_baseline);
        g_assert_cmpint(l.tick_baseline, <=, l.unit_baseline);
        g_assert_cmpint(l.unit_baseline, <=, l.height);
        /* The box has the projection's aspect. */
        double xmax, ymax;
        sph_projection_extent(&o.projection, &xmax, &ymax);
        g_assert_cmpfloat(fabs(l.map_width - l.map_height * xmax / ymax), <=, 1.0 * xmax / ymax);
      }
    }
  }
  /* A gnomonic view that fills takes the whole area between title and bar. */
  sph_figure_options_init(&o);
  sph_projection_init(&o.projection, SPH_PROJ_GNOMONIC);
  o.projection.xsize = o.projection.ysize = 0;
  o.width = 600;
  o.height = 300;
  SphFigureLayout l;
  g_assert_cmpint(sph_figure_layout_for(&o, &l, NULL), ==, SPH_OK);
  g_assert_cmpint(l.map_width, ==, (int)lround(762 * 600 / 800.0));
  /* No room for a map. */
  o.height = 40;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_figure_layout_for(&o, &l, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "no room"));
}

/* The map box of a figure of any view is the raster of that view painted with the
 * figure's scale, pixel for pixel. */
static void check_view_pixels(SphProjectionKind kind, SphNorm norm, bool percentile)
{
  SphMap *map = make_map(16, SPH_ORDER_NEST);
  map->coordsys = SPH_COORD_GALACTIC;
  for (int64_t p = 0; p < map->npix; p++) /* positive, for the log scale */
    if (map->fields[0].values[p] != SPH_UNSEEN)
      map->fields[0].values[p] += 4.0;
  SphFigureOptions o;
  sph_figure_options_init(&o);
  sph_projection_init(&o.projection, kind);
  o.projection.rot[0] = 40;
  o.projection.rot[1] = -25;
  o.projection.rot[2] = 10;
  o.projection.coord = SPH_COORD_EQUATORIAL;
  o.projection.xsize = o.projection.ysize = 0; /* gnomonic: fill */
  o.projection.reso = 6;
  o.width = 420;
  o.norm = norm;
  o.percentile = percentile;
  o.cmap = SPH_CMAP_PLANCK;
  SphFigureLayout l;
  cairo_surface_t *s = render_surface(map, 0, &o, &l);

  SphProjection view = o.projection;
  if (kind == SPH_PROJ_GNOMONIC) {
    view.xsize = l.map_width;
    view.ysize = l.map_height;
  }
  SphError err = SPH_ERROR_INIT;
  SphSkyRaster *raster = sph_sky_raster_new_view(16, SPH_ORDER_NEST, &view, SPH_COORD_GALACTIC,
                                                 l.map_width, l.map_height, &err);
  g_assert_nonnull(raster);
  /* The scale: the range over the whole map (whole-sky views) or the shown pixels. */
  int64_t n = sph_sky_raster_count_inside(raster);
  double *shown = g_new(double, n);
  sph_sky_raster_shown_values(raster, map->fields[0].values, shown);
  bool whole = sph_projection_full_sky(&view);
  const double *sample = whole ? map->fields[0].values : shown;
  size_t ns = whole ? (size_t)map->npix : (size_t)n;
  SphColorScale scale = {.cmap = o.cmap, .norm = norm, .background = {255, 255, 255, 255}};
  if (percentile)
    g_assert_cmpint(sph_percentile_range(sample, ns, 0.5, 99.5, &scale.vmin, &scale.vmax, NULL),
                    ==, SPH_OK);
  else
    g_assert_true(sph_data_range(sample, ns, false, &scale.vmin, &scale.vmax));
  double lo, hi;
  sph_figure_resolve_range(map, 0, &o, &lo, &hi);
  g_assert_cmpfloat(lo, ==, scale.vmin);
  g_assert_cmpfloat(hi, ==, scale.vmax);
  SphHistEq *h = NULL;
  if (norm == SPH_NORM_HIST) {
    h = sph_histeq_new(shown, (size_t)n, scale.vmin, scale.vmax, NULL);
    scale.histeq = h;
  }
  int stride = 4 * l.map_width;
  uint8_t *rgba = g_malloc((size_t)stride * l.map_height);
  sph_sky_raster_paint(raster, map->fields[0].values, &scale, rgba, stride);
  for (int j = 0; j < l.map_height; j++)
    for (int i = 0; i < l.map_width; i++) {
      uint8_t got[3];
      surface_rgb(s, l.map_x + i, l.map_y + j, got);
      g_assert_cmpmem(got, 3, rgba + (size_t)j * stride + 4 * i, 3);
    }
  sph_histeq_free(h);
  g_free(rgba);
  g_free(shown);
  sph_sky_raster_free(raster);
  cairo_surface_destroy(s);
  sph_map_free(map);
}

static void test_view_pixels(void)
{
  check_view_pixels(SPH_PROJ_ORTHOGRAPHIC, SPH_NORM_LINEAR, false);
  check_view_pixels(SPH_PROJ_GNOMONIC, SPH_NORM_LINEAR, false);
  check_view_pixels(SPH_PROJ_CARTESIAN, SPH_NORM_LOG, false);
  check_view_pixels(SPH_PROJ_MOLLWEIDE, SPH_NORM_HIST, false);
  check_view_pixels(SPH_PROJ_GNOMONIC, SPH_NORM_HIST, true);
  check_view_pixels(SPH_PROJ_MOLLWEIDE, SPH_NORM_SYMLOG, true);
}

/* A map that is zero but for the pixel at Galactic (l, b) = (90, 0). */
static SphMap *hot_pixel_map(void)
{
  SphMap *map = sph_map_new(16, SPH_ORDER_RING, 1, NULL);
  map->coordsys = SPH_COORD_GALACTIC;
  map->fields[0].values[sph_hp_ang2pix_ring(16, M_PI / 2, M_PI / 2)] = 1.0;
  return map;
}

/* The centre of the pixels of the map box that have viridis' top colour. */
static bool find_hot(cairo_surface_t *s, const SphFigureLayout *l, double *cx, double *cy)
{
  const uint8_t *top = sph_colormap_table(SPH_CMAP_VIRIDIS) + 3 * 255;
  double sx = 0, sy = 0;
  int n = 0;
  for (int j = l->map_y; j < l->map_y + l->map_height; j++)
    for (int i = l->map_x; i < l->map_x + l->map_width; i++) {
      uint8_t px[3];
      surface_rgb(s, i, j, px);
      if (abs(px[0] - top[0]) + abs(px[1] - top[1]) + abs(px[2] - top[2]) <= 6) {
        sx += i;
        sy += j;
        n++;
      }
    }
  if (n == 0)
    return false;
  *cx = sx / n;
  *cy = sy / n;
  return true;
}

/* healpy's orientation: (l, b) = (90, 0) shows LEFT of centre in Mollweide (astro), right
 * with flip geo; in the PNG, and in the SVG and PDF as rsvg-convert and pdftoppm draw
 * them. */
static void test_orientation_hot_pixel(void)
{
  SphMap *map = hot_pixel_map();
  char *dir = make_temp_dir();
  for (int geo = 0; geo < 2; geo++) {
    SphFigureOptions o;
    sph_figure_options_init(&o);
    o.width = 600;
    o.projection.flip = geo ? SPH_FLIP_GEO : SPH_FLIP_ASTRO;
    SphFigureLayout l;
    g_assert_cmpint(sph_figure_layout_for(&o, &l, NULL), ==, SPH_OK);
    double mid_x = l.map_x + 0.5 * l.map_width, mid_y = l.map_y + 0.5 * l.map_height;
    static const char *const exts[] = {"png", "svg", "pdf"};
    for (int f = 0; f < 3; f++) {
      char *path = g_strdup_printf("%s/hot%d.%s", dir, geo, exts[f]);
      SphError err = SPH_ERROR_INIT;
      g_assert_cmpint(sph_figure_write(path, (SphFigureFormat)f, map, 0, &o, &err), ==, SPH_OK);
      char *png = g_strdup_printf("%s/hot%d-%s.png", dir, geo, exts[f]);
      bool have = true;
      if (f == 0) {
        g_free(png);
        png = g_strdup(path);
      } else if (f == 1) {
        char *argv[] = {"rsvg-convert", "-w", "600", "-o", png, path, NULL};
        have = run_tool("rsvg-convert", argv);
      } else {
        /* 72 dpi: one pixel per point, the figure's own units. */
        char *stem = g_strdup_printf("%s/hot%d-pdf", dir, geo);
        char *argv[] = {"pdftoppm", "-png", "-r", "72", "-singlefile", path, stem, NULL};
        have = run_tool("pdftoppm", argv);
        g_free(stem);
      }
      if (have) {
        cairo_surface_t *s = cairo_image_surface_create_from_png(png);
        g_assert_cmpint(cairo_surface_status(s), ==, CAIRO_STATUS_SUCCESS);
        g_assert_cmpint(abs(cairo_image_surface_get_width(s) - l.width), <=, 1);
        double hx = NAN, hy = NAN;
        g_assert_true(find_hot(s, &l, &hx, &hy));
        /* A quarter of the ellipse's width from the centre, on the equator. */
        double want = mid_x + (geo ? 0.25 : -0.25) * l.map_width;
        g_assert_cmpfloat(fabs(hx - want), <, 0.02 * l.map_width);
        g_assert_cmpfloat(fabs(hy - mid_y), <, 0.02 * l.map_width);
        /* The map is there: the middle of the ellipse is the colormap's bottom. */
        uint8_t px[3];
        surface_rgb(s, (int)mid_x, (int)(l.map_y + 0.3 * l.map_height), px);
        g_assert_cmpint(abs(px[0] - 68) + abs(px[1] - 1) + abs(px[2] - 84), <=, 6);
        cairo_surface_destroy(s);
      }
      g_free(png);
      g_free(path);
    }
  }
  remove_dir(dir);
  g_free(dir);
  sph_map_free(map);
}

/* The graticule is drawn where graticule.c puts it, nowhere else; SVG and PDF carry it
 * as vector paths. */
static void test_graticule(void)
{
  SphMap *map = make_map(16, SPH_ORDER_RING);
  SphFigureOptions o;
  sph_figure_options_init(&o);
  sph_projection_init(&o.projection, SPH_PROJ_ORTHOGRAPHIC);
  o.projection.rot[1] = 30;
  o.width = 500;
  o.graticule_labels = false;
  SphFigureLayout l;
  cairo_surface_t *plain = render_surface(map, 0, &o, &l);
  o.graticule = true;
  cairo_surface_t *grid = render_surface(map, 0, &o, &l);
  SphGraticule *g = sph_graticule_new(&o.projection, l.map_width, l.map_height, NULL, NULL);
  g_assert_nonnull(g);
  /* Distance from each image pixel to the nearest graticule point, coarsely. */
  int changed = 0;
  for (int j = 0; j < l.height; j++)
    for (int i = 0; i < l.width; i++) {
      uint8_t a[3], b[3];
      surface_rgb(plain, i, j, a);
      surface_rgb(grid, i, j, b);
      if (memcmp(a, b, 3) == 0)
        continue;
      changed++;
      double best = 1e9;
      for (size_t k = 0; k < sph_graticule_line_count(g) && best > 2.0; k++) {
        const SphGraticuleLine *line = sph_graticule_line(g, k);
        for (size_t q = 0; q < line->npoints; q++)
          best = fmin(best, hypot(l.map_x + line->xy[2 * q] - (i + 0.5),
                                  l.map_y + line->xy[2 * q + 1] - (j + 0.5)));
      }
      g_assert_cmpfloat(best, <=, 2.0 + 2.5); /* a pixel from a line, lines' points 2.5 apart */
      g_assert_cmpint(b[0] + b[1] + b[2], <=, a[0] + a[1] + a[2]); /* darker */
    }
  g_assert_cmpint(changed, >, 1000);
  cairo_surface_destroy(plain);
  cairo_surface_destroy(grid);

  /* In SVG the graticule is one stroked path (half opaque black), a sub-path for each
   * piece of line, of many segments (Cairo merges the collinear ones). */
  char *dir = make_temp_dir();
  char *svg = g_build_filename(dir, "g.svg", NULL);
  o.graticule_labels = true;
  g_assert_cmpint(sph_figure_write(svg, SPH_FIGURE_SVG, map, 0, &o, NULL), ==, SPH_OK);
  char *data = NULL;
  g_assert_true(g_file_get_contents(svg, &data, NULL, NULL));
  const char *path = strstr(data, "stroke-opacity:0.55;");
  g_assert_nonnull(path);
  const char *d = strstr(path, "d=\""), *end = strchr(d + 3, '"');
  int moves = 0, segments = 0;
  for (const char *p = d; p < end; p++) {
    moves += p[0] == 'M' && p[1] == ' ';
    segments += p[0] == 'L' && p[1] == ' ';
  }
  g_assert_cmpint(moves, ==, (int)sph_graticule_line_count(g));
  g_assert_cmpint(segments, >, 1000);
  g_free(data);
  /* And it parses: rsvg-convert draws the globe. */
  char *png = g_build_filename(dir, "g.png", NULL);
  char *argv[] = {"rsvg-convert", "-o", png, svg, NULL};
  if (run_tool("rsvg-convert", argv)) {
    cairo_surface_t *img = cairo_image_surface_create_from_png(png);
    g_assert_cmpint(cairo_surface_status(img), ==, CAIRO_STATUS_SUCCESS);
    uint8_t px[3];
    surface_rgb(img, l.map_x + l.map_width / 3, l.map_y + l.map_height / 2, px);
    g_assert_cmpint(px[0] + px[1] + px[2], <, 3 * 250);
    surface_rgb(img, l.map_x + 2, l.map_y + 2, px); /* outside the globe */
    g_assert_cmpint(px[0] + px[1] + px[2], ==, 3 * 255);
    cairo_surface_destroy(img);
  }
  g_free(png);
  sph_graticule_free(g);
  remove_dir(dir);
  g_free(svg);
  g_free(dir);
  sph_map_free(map);
}

/* An overlay is blended over the map at its opacity, with its own colormap; its UNSEEN
 * pixels leave the map as it is. */
static void test_overlay(void)
{
  SphMap *map = make_map(8, SPH_ORDER_RING);
  SphMap *mask = sph_map_new(8, SPH_ORDER_NEST, 1, NULL);
  for (int64_t p = 0; p < mask->npix; p++)
    mask->fields[0].values[p] = p % 3 == 0 ? SPH_UNSEEN : (double)(p % 2);
  SphFigureOptions o;
  sph_figure_options_init(&o);
  o.width = 400;
  SphFigureLayout l;
  cairo_surface_t *plain = render_surface(map, 0, &o, &l);
  o.overlay = mask;
  o.overlay_alpha = 0.4;
  o.overlay_cmap = SPH_CMAP_GREYS;
  cairo_surface_t *both = render_surface(map, 0, &o, &l);
  SphSkyRaster *r = sph_sky_raster_new(8, SPH_ORDER_NEST, l.map_width, l.map_height, NULL);
  const int64_t *index = sph_sky_raster_index(r);
  int blended = 0, kept = 0;
  for (int j = 0; j < l.map_height; j++)
    for (int i = 0; i < l.map_width; i++) {
      int64_t p = index[j * l.map_width + i];
      if (p < 0)
        continue;
      uint8_t a[3], b[3];
      surface_rgb(plain, l.map_x + i, l.map_y + j, a);
      surface_rgb(both, l.map_x + i, l.map_y + j, b);
      double v = mask->fields[0].values[p];
      if (v == SPH_UNSEEN) {
        g_assert_cmpmem(a, 3, b, 3);
        kept++;
        continue;
      }
      double over = v > 0.5 ? 255 : 0; /* greys from 0 (black) to 1 (white) */
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat(fabs(b[c] - (0.6 * a[c] + 0.4 * over)), <=, 1.5);
      blended++;
    }
  g_assert_cmpint(blended, >, 1000);
  g_assert_cmpint(kept, >, 500);
  sph_sky_raster_free(r);
  cairo_surface_destroy(plain);
  cairo_surface_destroy(both);
  sph_map_free(mask);
  sph_map_free(map);
}

/* With ticks the colour bar gets marks at nice values, placed where the scale puts them:
 * the core's sph_color_scale_ticks, as the window's colour bar has them. */
static void test_colorbar_ticks(void)
{
  SphMap *map = make_map(8, SPH_ORDER_RING);
  SphFigureOptions o;
  sph_figure_options_init(&o);
  o.width = 800;
  o.vmin = -3.0;
  o.vmax = 4.0;
  o.colorbar_ticks = true;
  SphFigureLayout l;
  cairo_surface_t *s = render_surface(map, 0, &o, &l);
  /* Over [-3, 4] the smallest 1-2-5 step with at most five intervals is 2: ticks at -2, 0
   * and 2, a dark mark just under the bar at each and none at -1, 1 or 3. */
  SphColorScale scale = { .vmin = o.vmin, .vmax = o.vmax, .cmap = o.cmap };
  double ticks[8];
  g_assert_cmpint(sph_color_scale_ticks(&scale, ticks, 8), ==, 3);
  g_assert_cmpfloat(ticks[0], ==, -2.0);
  g_assert_cmpfloat(ticks[1], ==, 0.0);
  g_assert_cmpfloat(ticks[2], ==, 2.0);
  int row = l.bar_y + l.bar_height + 2;
  for (int v = -2; v <= 3; v++) {
    double x = l.bar_x + (v + 3.0) / 7.0 * l.bar_width;
    int dark = 0;
    for (int i = (int)x - 1; i <= (int)x + 1; i++) {
      uint8_t px[3];
      surface_rgb(s, i, row, px);
      dark += px[0] < 128;
    }
    if (v % 2 == 0)
      g_assert_cmpint(dark, >, 0);
    else
      g_assert_cmpint(dark, ==, 0);
  }
  /* Between the ticks there is none. */
  uint8_t px[3];
  surface_rgb(s, (int)(l.bar_x + 0.5 / 7.0 * l.bar_width), row, px);
  g_assert_cmpint(px[0], >, 200);
  cairo_surface_destroy(s);
  sph_map_free(map);
}

static void test_view_errors(void)
{
  SphMap *map = make_map(8, SPH_ORDER_RING);
  SphFigureOptions o;
  sph_figure_options_init(&o);
  o.width = 300;
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 300, 300);
  cairo_t *cr = cairo_create(s);
  SphError err = SPH_ERROR_INIT;
  /* A frame asked of a map that does not say its own. */
  o.projection.coord = SPH_COORD_EQUATORIAL;
  g_assert_cmpint(sph_figure_render_map(map, 0, &o, cr, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "COORDSYS"));
  /* A log scale over values that reach zero. */
  sph_figure_options_init(&o);
  o.width = 300;
  o.norm = SPH_NORM_LOG;
  o.vmin = -1;
  sph_error_clear(&err);
  g_assert_cmpint(sph_figure_render_map(map, 0, &o, cr, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "log"));
  /* A bad projection, a bad overlay. */
  sph_figure_options_init(&o);
  o.width = 300;
  o.projection.rot[1] = 120;
  g_assert_cmpint(sph_figure_render_map(map, 0, &o, cr, NULL), ==, SPH_ERR_INVALID);
  sph_figure_options_init(&o);
  o.width = 300;
  o.overlay = map;
  o.overlay_alpha = 1.5;
  sph_error_clear(&err);
  g_assert_cmpint(sph_figure_render_map(map, 0, &o, cr, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "opacity"));
  o.overlay_alpha = 0.5;
  o.overlay_field = 4;
  g_assert_cmpint(sph_figure_render_map(map, 0, &o, cr, NULL), ==, SPH_ERR_INVALID);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  sph_map_free(map);
}
int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/figure-views/layout-for", test_layout_for);
  g_test_add_func("/figure-views/view-pixels", test_view_pixels);
  g_test_add_func("/figure-views/orientation-hot-pixel", test_orientation_hot_pixel);
  g_test_add_func("/figure-views/graticule", test_graticule);
  g_test_add_func("/figure-views/overlay", test_overlay);
  g_test_add_func("/figure-views/colorbar-ticks", test_colorbar_ticks);
  g_test_add_func("/figure-views/view-errors", test_view_errors);
  int status = g_test_run();
  sph_figure_shutdown();
  return status;
}
