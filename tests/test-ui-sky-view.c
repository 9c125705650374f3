/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's GLSL renderer against the CPU renderer (core/view): the same map, size,
 * colormap and range must give the same image. Runs under Xvfb (llvmpipe gives GL 4.5
 * core); without a display or without GL the test fails, it never skips. The CPU
 * fallback is checked in a child process started with GDK_DEBUG=gl-disable. */
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "sph-sky-page.h"
#include "sph-colorbar.h"
#include "sph-test-python.h"
#include "sph-sky-readout.h"
#include "sph-sky-view.h"
#include "sph-view-settings.h"
#include <glib/gstdio.h>
#include "sphaera/fits_map.h"
#include "sphaera/healpix.h"
#include "sphaera/projection.h"
#include "sphaera/raster.h"
#include "sphaera/rng.h"

#define DEMO_MAP "wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits"
#define MASK_MAP "wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits"
#define VIEW_WIDTH 800
#define VIEW_HEIGHT 400
#define FRAME_TIMEOUT_S 20
#define N_SAMPLES 200
#define CHILD_ENV "SPHAERA_TEST_SKY_VIEW_CHILD"

static const char *self_path;

/* ---- fixtures ---- */

static SphMap *load_demo_with_holes(void)
{
  const char *dir = g_getenv("SPHAERA_DATA_DIR");
  g_assert_nonnull(dir);
  char *path = g_build_filename(dir, DEMO_MAP, NULL);
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_fits_read_map(path, NULL, &err);
  if (map == NULL)
    g_error("%s", err.message);
  g_free(path);
  g_assert_cmpint(map->ordering, ==, SPH_ORDER_RING);

  /* A hole of UNSEEN pixels: a 12 degree disc at (theta, phi) = (50, 60) degrees, in
   * every field. */
  double theta = 50.0 * G_PI / 180.0, phi = 60.0 * G_PI / 180.0;
  double vec[3] = { sin(theta) * cos(phi), sin(theta) * sin(phi), cos(theta) };
  int64_t *pixels = NULL, count = 0;
  g_assert_cmpint(sph_hp_query_disc(map->nside, SPH_ORDER_RING, vec, 12.0 * G_PI / 180.0,
                                    false, &pixels, &count, &err), ==, SPH_OK);
  g_assert_cmpint(count, >, 100);
  for (int f = 0; f < map->nfields; f++)
    for (int64_t i = 0; i < count; i++)
      map->fields[f].values[pixels[i]] = SPH_UNSEEN;
  free(pixels);
  return map;
}

typedef struct {
  GtkWidget *window;
  SphSkyView *view;
} Fixture;

static void fixture_show(Fixture *fx)
{
  fx->window = gtk_window_new();
  gtk_window_set_resizable(GTK_WINDOW(fx->window), FALSE);
  gtk_window_set_decorated(GTK_WINDOW(fx->window), FALSE);
  fx->view = SPH_SKY_VIEW(sph_sky_view_new());
  gtk_widget_set_size_request(GTK_WIDGET(fx->view), VIEW_WIDTH, VIEW_HEIGHT);
  gtk_window_set_child(GTK_WINDOW(fx->window), GTK_WIDGET(fx->view));
  gtk_window_present(GTK_WINDOW(fx->window));
}

static void fixture_close(Fixture *fx)
{
  gtk_window_destroy(GTK_WINDOW(fx->window));
  while (g_main_context_iteration(NULL, FALSE))
    ;
}

static gboolean wake(gpointer data)
{
  (void)data;
  return G_SOURCE_CONTINUE;
}

/* Queues a frame and waits until the view has drawn it at its requested size; returns
 * the RGBA pixels, top row first. */
static guint8 *render_and_read(SphSkyView *view, int *width, int *height)
{
  sph_sky_view_set_capture(view, TRUE); /* drops older frames and queues a new one */
  guint tick = g_timeout_add(20, wake, NULL);
  gint64 deadline = g_get_monotonic_time() + FRAME_TIMEOUT_S * G_USEC_PER_SEC;
  int scale = gtk_widget_get_scale_factor(GTK_WIDGET(view));
  guint8 *pixels = NULL;
  while (g_get_monotonic_time() < deadline) {
    g_main_context_iteration(NULL, TRUE);
    pixels = sph_sky_view_read_pixels(view, width, height);
    if (pixels != NULL && *width == VIEW_WIDTH * scale && *height == VIEW_HEIGHT * scale)
      break;
    g_clear_pointer(&pixels, g_free);
  }
  g_source_remove(tick);
  if (pixels == NULL)
    g_error("the sky view drew no %dx%d frame within %d s", VIEW_WIDTH * scale,
            VIEW_HEIGHT * scale, FRAME_TIMEOUT_S);
  return pixels;
}

/* Runs the main loop until the view's percentile range (computed on a worker) is in. */
static void wait_for_range(SphSkyView *view)
{
  gint64 deadline = g_get_monotonic_time() + FRAME_TIMEOUT_S * G_USEC_PER_SEC;
  while (sph_sky_view_get_range_pending(view)) {
    if (g_get_monotonic_time() > deadline)
      g_error("the percentile range did not arrive within %d s", FRAME_TIMEOUT_S);
    g_main_context_iteration(NULL, TRUE);
  }
}

/* ---- the oracle ---- */

static void seen_range(const double *values, int64_t npix, double *vmin, double *vmax)
{
  *vmin = INFINITY;
  *vmax = -INFINITY;
  for (int64_t i = 0; i < npix; i++) {
    if (sph_hp_is_unseen(values[i]))
      continue;
    *vmin = MIN(*vmin, values[i]);
    *vmax = MAX(*vmax, values[i]);
  }
}

/* The projection the oracle draws with (zero: plain Mollweide) and its projector for the
 * map's frame. */
static SphProjection oracle_proj;
static SphCoordSys oracle_frame;
static SphProjector *oracle_projector;

static void set_oracle_projection(const SphProjection *proj, SphCoordSys frame)
{
  g_clear_pointer(&oracle_projector, sph_projector_free);
  if (proj != NULL)
    oracle_proj = *proj;
  else
    sph_projection_init(&oracle_proj, SPH_PROJ_MOLLWEIDE);
  oracle_frame = frame;
  SphError err = SPH_ERROR_INIT;
  oracle_projector = sph_projector_new(&oracle_proj, frame, &err);
  g_assert_nonnull(oracle_projector);
}

/* The HEALPix pixel under image point (px, py), -1 outside the sphere. */
static int64_t pixel_at(int64_t nside, int width, int height, double px, double py)
{
  double x, y, theta, phi;
  if (oracle_projector == NULL) {
    sph_mollweide_image_to_plane(width, height, px, py, &x, &y);
    if (!sph_mollweide_inverse(x, y, &theta, &phi))
      return -1;
    return sph_hp_ang2pix_ring(nside, theta, phi);
  }
  sph_projection_image_to_plane(&oracle_proj, width, height, px, py, &x, &y);
  if (!sph_projector_plane_to_ang(oracle_projector, x, y, &theta, &phi))
    return -1;
  return sph_hp_ang2pix_ring(nside, theta, phi);
}

/* An image pixel well inside one HEALPix pixel: every point within 0.3 image pixels of
 * its centre falls in the same HEALPix pixel (or all outside the sphere). */
static gboolean away_from_edges(int64_t nside, int width, int height, int i, int j)
{
  int64_t centre = pixel_at(nside, width, height, i + 0.5, j + 0.5);
  static const double offsets[4][2] = { { -0.3, -0.3 }, { 0.3, -0.3 }, { -0.3, 0.3 },
                                        { 0.3, 0.3 } };
  for (int k = 0; k < 4; k++)
    if (pixel_at(nside, width, height, i + 0.5 + offsets[k][0], j + 0.5 + offsets[k][1]) !=
        centre)
      return FALSE;
  return TRUE;
}

/* Single precision may move t across an entry boundary only when t * 255 + 0.5 is within
 * rounding of an integer. */
static gboolean away_from_colour_steps(const SphColorScale *scale, double value)
{
  double t = sph_color_scale_position(scale, value);
  if (isnan(t) || t <= 0.0 || t >= 1.0)
    return TRUE;
  double s = t * (SPH_CMAP_SIZE - 1) + 0.5;
  return fabs(s - round(s)) > 1e-3;
}

static gboolean same_rgba(const guint8 *a, const guint8 *b)
{
  return memcmp(a, b, 4) == 0;
}

/* The colormap entries nearest to rgb (for "within one step" checks); -1 if none is it. */
static int colormap_entry_of(SphColormap cmap, const guint8 *rgb)
{
  const uint8_t *table = sph_colormap_table(cmap);
  for (int k = 0; k < SPH_CMAP_SIZE; k++)
    if (memcmp(table + 3 * k, rgb, 3) == 0)
      return k;
  return -1;
}

typedef struct {
  int64_t inside, inside_exact, outside, outside_exact, unseen_checked, samples;
  int64_t off_by_one_step;
} Comparison;

/* Compares a drawn frame with the CPU renderer's image of the same map and scale. */
static void compare_with_cpu(const guint8 *drawn, int width, int height, const SphMap *map,
                             int field, const SphColorScale *scale, Comparison *out)
{
  memset(out, 0, sizeof *out);
  SphError err = SPH_ERROR_INIT;
  SphSkyRaster *raster =
    oracle_projector != NULL
      ? sph_sky_raster_new_view(map->nside, map->ordering, &oracle_proj, oracle_frame, width,
                                height, &err)
      : sph_sky_raster_new(map->nside, map->ordering, width, height, &err);
  g_assert_nonnull(raster);
  guint8 *expected = g_malloc((gsize)width * height * 4);
  const double *values = map->fields[field].values;
  sph_sky_raster_paint(raster, values, scale, expected, width * 4);
  const int64_t *index = sph_sky_raster_index(raster);

  /* Every pixel: at least 99.9% identical (the shader works in single precision, the CPU
   * in double; on llvmpipe a few pixels in 10^5 differ). Inside the sphere a differing
   * pixel must be one colormap entry off (t at an entry boundary) or on a HEALPix or
   * ellipse edge (the pixel centre within rounding of it). */
  for (int j = 0; j < height; j++) {
    for (int i = 0; i < width; i++) {
      size_t at = ((size_t)j * width + i) * 4;
      gboolean exact = same_rgba(drawn + at, expected + at);
      int64_t pix = index[(size_t)j * width + i];
      if (pix < 0) {
        out->outside++;
        out->outside_exact += exact;
        continue;
      }
      out->inside++;
      out->inside_exact += exact;
      if (exact)
        continue;
      int got = colormap_entry_of(scale->cmap, drawn + at);
      int want = colormap_entry_of(scale->cmap, expected + at);
      if (got >= 0 && want >= 0 && abs(got - want) == 1) {
        out->off_by_one_step++;
        continue;
      }
      if (!away_from_edges(map->nside, width, height, i, j))
        continue;
      g_error("pixel (%d, %d), HEALPix %" G_GINT64_FORMAT ": drawn %u %u %u %u, CPU %u %u %u %u",
              i, j, pix, drawn[at], drawn[at + 1], drawn[at + 2], drawn[at + 3], expected[at],
              expected[at + 1], expected[at + 2], expected[at + 3]);
    }
  }
  int64_t total = (int64_t)width * height;
  int64_t exact = out->inside_exact + out->outside_exact;
  g_test_message("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " pixels identical (%.4f%%), "
                 "%" G_GINT64_FORMAT " one colormap entry off",
                 exact, total, 100.0 * exact / total, out->off_by_one_step);
  g_assert_cmpfloat((double)exact / total, >=, 0.999);

  /* Random points away from HEALPix edges and colormap steps: exactly the CPU's colour. */
  SphRng rng;
  sph_rng_init(&rng, 20240611, (uint64_t)scale->cmap);
  for (int attempt = 0; attempt < 200000 && out->samples < N_SAMPLES; attempt++) {
    int i = (int)sph_rng_below(&rng, (uint64_t)width);
    int j = (int)sph_rng_below(&rng, (uint64_t)height);
    int64_t pix = index[(size_t)j * width + i];
    if (pix < 0 || !away_from_edges(map->nside, width, height, i, j) ||
        !away_from_colour_steps(scale, values[pix]))
      continue;
    size_t at = ((size_t)j * width + i) * 4;
    if (!same_rgba(drawn + at, expected + at))
      g_error("sample (%d, %d), HEALPix %" G_GINT64_FORMAT " value %g: drawn %u %u %u %u, "
              "CPU %u %u %u %u", i, j, pix, values[pix], drawn[at], drawn[at + 1], drawn[at + 2],
              drawn[at + 3], expected[at], expected[at + 1], expected[at + 2], expected[at + 3]);
    out->samples++;
  }
  g_assert_cmpint(out->samples, ==, N_SAMPLES);

  /* Outside the ellipse (clear of its edge): the background. Inside the hole: grey. */
  for (int j = 0; j < height; j++) {
    for (int i = 0; i < width; i++) {
      size_t at = ((size_t)j * width + i) * 4;
      int64_t pix = index[(size_t)j * width + i];
      if (!away_from_edges(map->nside, width, height, i, j))
        continue;
      if (pix < 0) {
        g_assert_cmpmem(drawn + at, 4, scale->background, 4);
      } else if (sph_hp_is_unseen(values[pix])) {
        static const guint8 grey[4] = { SPH_BAD_R, SPH_BAD_G, SPH_BAD_B, 255 };
        g_assert_cmpmem(drawn + at, 4, grey, 4);
        out->unseen_checked++;
      }
    }
  }
  g_assert_cmpint(out->unseen_checked, >, 1000);
  if (oracle_projector == NULL || oracle_proj.kind != SPH_PROJ_CARTESIAN)
    g_assert_cmpint(out->outside, >, 0); /* plate carree fills its 2:1 image */

  g_free(expected);
  sph_sky_raster_free(raster);
}

/* The WMAP mask at NSIDE 16 (each value the mean of its four NSIDE 32 children, so an
 * overlay with another NSIDE than the map), with a cap north of 60 degrees latitude
 * UNSEEN: there the map shows through unmixed. */
static SphMap *load_mask_overlay(void)
{
  char *path = g_build_filename(g_getenv("SPHAERA_DATA_DIR"), MASK_MAP, NULL);
  SphError err = SPH_ERROR_INIT;
  SphMap *mask = sph_fits_read_map(path, NULL, &err);
  if (mask == NULL)
    g_error("%s", err.message);
  g_free(path);
  g_assert_cmpint(mask->nside, ==, 32);
  SphMap *coarse = sph_map_new(16, SPH_ORDER_NEST, 1, &err);
  g_assert_nonnull(coarse);
  for (int64_t p = 0; p < coarse->npix; p++) {
    double sum = 0.0;
    for (int c = 0; c < 4; c++) {
      int64_t child = sph_hp_nest2ring(32, 4 * p + c);
      sum += mask->fields[0].values[mask->ordering == SPH_ORDER_RING ? child : 4 * p + c];
    }
    double theta, phi;
    sph_hp_pix2ang_nest(16, p, &theta, &phi);
    coarse->fields[0].values[p] = theta < 30.0 * G_PI / 180.0 ? SPH_UNSEEN : sum / 4.0;
  }
  sph_map_free(mask);
  return coarse;
}

/* The expected image with an overlay: the CPU raster of the map, then the overlay's
 * colour mixed in by round(base (1 - a) + over a) where the overlay is seen. */
static guint8 *expected_with_overlay(int width, int height, const SphMap *map, int field,
                                     const SphColorScale *scale, const SphMap *overlay,
                                     const SphColorScale *ov_scale, double opacity)
{
  SphError err = SPH_ERROR_INIT;
  SphSkyRaster *raster = sph_sky_raster_new(map->nside, map->ordering, width, height, &err);
  SphSkyRaster *ov_raster = sph_sky_raster_new(overlay->nside, overlay->ordering, width, height,
                                               &err);
  g_assert_nonnull(raster);
  g_assert_nonnull(ov_raster);
  guint8 *expected = g_malloc((gsize)width * height * 4);
  sph_sky_raster_paint(raster, map->fields[field].values, scale, expected, width * 4);
  const int64_t *index = sph_sky_raster_index(raster);
  const int64_t *ov_index = sph_sky_raster_index(ov_raster);
  for (size_t at = 0; at < (size_t)width * height; at++) {
    if (index[at] < 0 || ov_index[at] < 0)
      continue;
    double v = overlay->fields[0].values[ov_index[at]];
    if (sph_hp_is_unseen(v))
      continue;
    uint8_t over[3];
    sph_color_scale_rgb(ov_scale, v, over);
    for (int c = 0; c < 3; c++)
      expected[4 * at + c] = (guint8)lrint(expected[4 * at + c] * (1.0 - opacity) +
                                           over[c] * opacity);
  }
  sph_sky_raster_free(raster);
  sph_sky_raster_free(ov_raster);
  return expected;
}

/* Drawn against expected: every channel within one step of 255 (the shader mixes in
 * single precision) away from pixel edges of map and overlay, and nearly all identical. */
static void compare_overlay(const guint8 *drawn, const guint8 *expected, int width, int height,
                            const SphMap *map, const SphMap *overlay, gboolean exact)
{
  int64_t same = 0, checked = 0;
  for (int j = 0; j < height; j++) {
    for (int i = 0; i < width; i++) {
      size_t at = ((size_t)j * width + i) * 4;
      if (memcmp(drawn + at, expected + at, 4) == 0) {
        same++;
        continue;
      }
      if (!away_from_edges(map->nside, width, height, i, j) ||
          !away_from_edges(overlay->nside, width, height, i, j))
        continue;
      checked++;
      for (int c = 0; c < 4; c++)
        if (exact || abs(drawn[at + c] - expected[at + c]) > 1)
          g_error("overlay pixel (%d, %d): drawn %u %u %u %u, expected %u %u %u %u", i, j,
                  drawn[at], drawn[at + 1], drawn[at + 2], drawn[at + 3], expected[at],
                  expected[at + 1], expected[at + 2], expected[at + 3]);
    }
  }
  int64_t total = (int64_t)width * height;
  g_test_message("overlay: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " pixels identical, "
                 "%" G_GINT64_FORMAT " within one step", same, total, checked);
  /* The mixes of 256-entry colours with a few overlay levels often land near a half step,
   * where the shader's single precision rounds either way: a few percent may differ. */
  g_assert_cmpfloat((double)same / total, >=, exact ? 0.999 : 0.95);
}

static void check_overlay(SphSkyView *view, gboolean exact)
{
  const SphMap *map = sph_sky_view_get_map(view);
  SphMap *overlay = load_mask_overlay();
  double vmin, vmax;
  sph_sky_view_get_range(view, &vmin, &vmax);
  SphColorScale scale = { .vmin = vmin, .vmax = vmax, .cmap = sph_sky_view_get_colormap(view),
                          .background = { 255, 255, 255, 255 } };
  SphColorScale ov_scale = { .vmin = 0.0, .vmax = 1.0, .cmap = SPH_CMAP_RDBU };
  const double opacity = 0.45;
  sph_sky_view_set_overlay(view, overlay, 0, SPH_CMAP_RDBU, 0.0, 1.0, opacity);
  int width, height;
  guint8 *drawn = render_and_read(view, &width, &height);
  guint8 *expected = expected_with_overlay(width, height, map, sph_sky_view_get_field(view),
                                           &scale, overlay, &ov_scale, opacity);
  compare_overlay(drawn, expected, width, height, map, overlay, exact);
  /* The overlay changed what is drawn over most of the sphere (all but the UNSEEN cap). */
  SphError err = SPH_ERROR_INIT;
  SphSkyRaster *raster = sph_sky_raster_new(map->nside, map->ordering, width, height, &err);
  guint8 *plain = g_malloc((gsize)width * height * 4);
  sph_sky_raster_paint(raster, map->fields[sph_sky_view_get_field(view)].values, &scale, plain,
                       width * 4);
  int64_t changed = 0;
  for (size_t at = 0; at < (size_t)width * height; at++)
    changed += memcmp(drawn + 4 * at, plain + 4 * at, 4) != 0;
  g_assert_cmpint(changed, >, sph_sky_raster_count_inside(raster) / 2);
  g_free(plain);
  sph_sky_raster_free(raster);
  g_free(drawn);
  g_free(expected);

  /* Opacity 0 and removal both give the plain map back. */
  sph_sky_view_set_overlay_opacity(view, 0.0);
  drawn = render_and_read(view, &width, &height);
  Comparison cmp;
  compare_with_cpu(drawn, width, height, map, sph_sky_view_get_field(view), &scale, &cmp);
  g_free(drawn);
  sph_sky_view_set_overlay(view, NULL, 0, SPH_CMAP_GREYS, 0.0, 1.0, 1.0);
  g_assert_null(sph_sky_view_get_overlay(view));
  sph_map_free(overlay);
}

static void check_view_against_cpu(SphSkyView *view, int field, SphColormap cmap,
                                   double vmin, double vmax)
{
  int width, height;
  guint8 *drawn = render_and_read(view, &width, &height);
  const SphMap *map = sph_sky_view_get_map(view);
  SphColorScale scale = { .vmin = vmin, .vmax = vmax, .cmap = cmap,
                          .background = { 255, 255, 255, 255 } };
  Comparison cmp;
  g_test_message("field %d, %s, range [%g, %g]:", field, sph_colormap_name(cmap), vmin, vmax);
  compare_with_cpu(drawn, width, height, map, field, &scale, &cmp);
  g_free(drawn);
}

/* The view under each colour scale against the CPU renderer with the same scale. */
static void check_norm(SphSkyView *view, SphNorm norm)
{
  sph_sky_view_set_norm(view, norm);
  sph_sky_view_set_auto_range(view, TRUE);
  wait_for_range(view);
  const SphMap *map = sph_sky_view_get_map(view);
  int field = sph_sky_view_get_field(view);
  SphColorScale scale = { .cmap = sph_sky_view_get_colormap(view), .norm = norm,
                          .background = { 255, 255, 255, 255 } };
  sph_sky_view_get_range(view, &scale.vmin, &scale.vmax);
  scale.histeq = sph_sky_view_get_histeq(view);
  if (norm == SPH_NORM_HIST)
    g_assert_nonnull(scale.histeq);
  if (norm == SPH_NORM_LOG)
    g_assert_cmpfloat(scale.vmin, >, 0.0);
  int width, height;
  guint8 *drawn = render_and_read(view, &width, &height);
  Comparison cmp;
  g_test_message("%s scale, range [%g, %g]:", sph_norm_name(norm), scale.vmin, scale.vmax);
  compare_with_cpu(drawn, width, height, map, field, &scale, &cmp);
  g_free(drawn);
}

/* Every projection, rotated, and a view in another frame than the map's: the GL renderer
 * (drawing from the CPU's index table) against the CPU renderer. */
static void test_projections(void)
{
  Fixture fx;
  fixture_show(&fx);
  SphMap *map = load_demo_with_holes();
  map->coordsys = SPH_COORD_GALACTIC;
  sph_sky_view_set_map(fx.view, map, 0);
  sph_sky_view_set_colormap(fx.view, SPH_CMAP_PLANCK);
  double vmin, vmax;
  sph_sky_view_get_range(fx.view, &vmin, &vmax);
  SphColorScale scale = { .vmin = vmin, .vmax = vmax, .cmap = SPH_CMAP_PLANCK,
                          .background = { 255, 255, 255, 255 } };
  int width, height;
  g_free(render_and_read(fx.view, &width, &height));
  guint uploads = sph_sky_view_get_values_uploads(fx.view);

  SphProjection projs[5];
  sph_projection_init(&projs[0], SPH_PROJ_ORTHOGRAPHIC);
  projs[0].half_sky = true;
  projs[0].rot[0] = 60.0;
  projs[0].rot[1] = 40.0;
  sph_projection_init(&projs[1], SPH_PROJ_ORTHOGRAPHIC); /* healpy's two globes */
  projs[1].rot[2] = 30.0;
  sph_projection_init(&projs[2], SPH_PROJ_GNOMONIC);
  projs[2].rot[0] = 60.0;
  projs[2].rot[1] = 40.0;
  projs[2].xsize = 600;
  projs[2].ysize = 400;
  projs[2].reso = 6.0;
  sph_projection_init(&projs[3], SPH_PROJ_CARTESIAN);
  projs[3].rot[0] = 45.0;
  projs[3].flip = SPH_FLIP_GEO;
  sph_projection_init(&projs[4], SPH_PROJ_MOLLWEIDE); /* Galactic map, Equatorial view */
  projs[4].coord = SPH_COORD_EQUATORIAL;
  for (gsize k = 0; k < G_N_ELEMENTS(projs); k++) {
    sph_sky_view_set_projection(fx.view, &projs[k]);
    set_oracle_projection(&projs[k], SPH_COORD_GALACTIC);
    guint8 *drawn = render_and_read(fx.view, &width, &height);
    Comparison cmp;
    g_test_message("%s, rot (%g, %g, %g):", sph_projection_kind_name(projs[k].kind),
                   projs[k].rot[0], projs[k].rot[1], projs[k].rot[2]);
    compare_with_cpu(drawn, width, height, map, 0, &scale, &cmp);
    g_free(drawn);

    /* A click inverts in every projection: the direction under a pixel centre projects
     * back into that pixel. */
    int checked = 0;
    for (int j = 3; j < VIEW_HEIGHT; j += 37) {
      for (int i = 5; i < VIEW_WIDTH; i += 41) {
        double theta, phi, x, y, px, py;
        if (!sph_sky_view_point_to_ang(fx.view, i + 0.5, j + 0.5, &theta, &phi))
          continue;
        g_assert_true(sph_projector_ang_to_plane(oracle_projector, theta, phi, &x, &y));
        sph_projection_plane_to_image(&projs[k], VIEW_WIDTH, VIEW_HEIGHT, x, y, &px, &py);
        if (projs[k].kind != SPH_PROJ_GNOMONIC && fabs(px - (i + 0.5)) > VIEW_WIDTH / 4.0)
          continue; /* the seam of a full-sky map shows one direction at both edges */
        g_assert_cmpfloat(fabs(px - (i + 0.5)), <, 0.5);
        g_assert_cmpfloat(fabs(py - (j + 0.5)), <, 0.5);
        checked++;
      }
    }
    g_assert_cmpint(checked, >, 20);
  }
  /* The values went up once. */
  g_assert_cmpuint(sph_sky_view_get_values_uploads(fx.view), ==, uploads);
  set_oracle_projection(NULL, SPH_COORD_UNKNOWN);
  g_clear_pointer(&oracle_projector, sph_projector_free);
  fixture_close(&fx);
}

/* The colour steps fall where the core's colour changes: just below a step the entry is
 * k - 1, at it k. */
static void test_colour_steps(void)
{
  static const SphNorm norms[] = { SPH_NORM_LINEAR, SPH_NORM_LOG, SPH_NORM_SYMLOG };
  for (gsize n = 0; n < G_N_ELEMENTS(norms); n++) {
    SphColorScale scale = { .vmin = norms[n] == SPH_NORM_SYMLOG ? -40.0 : 0.01, .vmax = 50.0,
                            .cmap = SPH_CMAP_VIRIDIS, .norm = norms[n] };
    double steps[SPH_CMAP_SIZE];
    sph_sky_view_colour_steps(&scale, steps);
    for (int k = 1; k < SPH_CMAP_SIZE; k++) {
      g_assert_true(isfinite(steps[k]));
      g_assert_cmpfloat(steps[k], >, steps[k - 1]);
      g_assert_cmpint(sph_colormap_index(sph_color_scale_position(&scale, steps[k])), ==, k);
      double below = nextafter(steps[k], -INFINITY);
      g_assert_cmpint(sph_colormap_index(sph_color_scale_position(&scale, below)), ==, k - 1);
    }
  }
  /* An empty range: everything is entry 0. */
  SphColorScale empty = { .vmin = 1.0, .vmax = 1.0 };
  double steps[SPH_CMAP_SIZE];
  sph_sky_view_colour_steps(&empty, steps);
  for (int k = 1; k < SPH_CMAP_SIZE; k++)
    g_assert_cmpfloat(steps[k], ==, INFINITY);
}

/* ---- the tests ---- */

static void test_gl_matches_cpu(void)
{
  Fixture fx;
  fixture_show(&fx);
  SphMap *map = load_demo_with_holes();
  double vmin, vmax;
  seen_range(map->fields[0].values, map->npix, &vmin, &vmax);
  sph_sky_view_set_map(fx.view, map, 0);

  int width, height;
  g_free(render_and_read(fx.view, &width, &height));
  const GError *gl_error = sph_sky_view_get_gl_error(fx.view);
  if (gl_error != NULL)
    g_error("no OpenGL for the sky view: %s", gl_error->message);
  g_assert_cmpint(sph_sky_view_get_renderer(fx.view), ==, SPH_SKY_RENDERER_GL);

  /* The automatic range is the seen pixels' extent. */
  double view_min, view_max;
  sph_sky_view_get_range(fx.view, &view_min, &view_max);
  g_assert_cmpfloat(view_min, ==, vmin);
  g_assert_cmpfloat(view_max, ==, vmax);
  check_view_against_cpu(fx.view, 0, SPH_CMAP_VIRIDIS, vmin, vmax);
  guint uploads = sph_sky_view_get_values_uploads(fx.view);
  g_assert_cmpuint(uploads, ==, 1);

  /* Another colormap and a fixed range that clips both ends: no new upload. */
  sph_sky_view_set_colormap(fx.view, SPH_CMAP_PLANCK);
  sph_sky_view_set_range(fx.view, -0.05, 0.25);
  check_view_against_cpu(fx.view, 0, SPH_CMAP_PLANCK, -0.05, 0.25);
  g_assert_cmpuint(sph_sky_view_get_values_uploads(fx.view), ==, uploads);

  /* Another field (Q, of both signs) with a diverging colormap. */
  sph_sky_view_set_field(fx.view, 1);
  sph_sky_view_set_colormap(fx.view, SPH_CMAP_RDBU);
  sph_sky_view_set_auto_range(fx.view, TRUE);
  seen_range(map->fields[1].values, map->npix, &vmin, &vmax);
  check_view_against_cpu(fx.view, 1, SPH_CMAP_RDBU, vmin, vmax);
  g_assert_cmpuint(sph_sky_view_get_values_uploads(fx.view), ==, uploads + 1);

  /* An overlay at another NSIDE with its own colormap: GL within one step of the CPU. */
  check_overlay(fx.view, FALSE);

  /* Log (the negative values bad), histogram-equalised and symmetric-log scales on I,
   * without a new upload of the values. */
  sph_sky_view_set_field(fx.view, 0);
  g_free(render_and_read(fx.view, &width, &height)); /* uploads field 0 */
  uploads = sph_sky_view_get_values_uploads(fx.view);
  check_norm(fx.view, SPH_NORM_LOG);
  check_norm(fx.view, SPH_NORM_HIST);
  check_norm(fx.view, SPH_NORM_SYMLOG);
  /* The percentile range is numpy's 0.5 and 99.5 percentiles of the seen values. */
  sph_sky_view_set_percentile_range(fx.view, TRUE);
  wait_for_range(fx.view);
  double plo, phi;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_percentile_range(map->fields[0].values, (size_t)map->npix, 0.5, 99.5, &plo,
                                       &phi, &err), ==, SPH_OK);
  sph_sky_view_get_range(fx.view, &view_min, &view_max);
  g_assert_cmpfloat(view_min, ==, plo);
  g_assert_cmpfloat(view_max, ==, phi);
  check_norm(fx.view, SPH_NORM_LINEAR);
  check_norm(fx.view, SPH_NORM_HIST);
  g_assert_cmpuint(sph_sky_view_get_values_uploads(fx.view), ==, uploads);

  fixture_close(&fx);
}

/* A map larger than one texture: with the texture size capped at 64 texels the NSIDE 32
 * map (12288 pixels) spreads over three 64 x 64 layers of the array texture, and the GL
 * renderer still draws what the CPU renderer draws, in Mollweide, through the index
 * table (orthographic) and with an overlay that takes layers of its own. */
static void test_texture_layers(void)
{
  Fixture fx;
  fixture_show(&fx);
  SphMap *map = load_demo_with_holes();
  double vmin, vmax;
  seen_range(map->fields[0].values, map->npix, &vmin, &vmax);
  sph_sky_view_set_map(fx.view, map, 0);
  int width, height;
  g_free(render_and_read(fx.view, &width, &height));
  g_assert_cmpint(sph_sky_view_get_renderer(fx.view), ==, SPH_SKY_RENDERER_GL);
  g_assert_cmpint(sph_sky_view_get_texture_layers(fx.view), ==, 1);

  sph_sky_view_set_texture_size_cap(fx.view, 64);
  g_assert_cmpint(sph_sky_view_get_texture_layers(fx.view), ==, 3);
  g_assert_cmpint(sph_sky_view_get_renderer(fx.view), ==, SPH_SKY_RENDERER_GL);
  check_view_against_cpu(fx.view, 0, SPH_CMAP_VIRIDIS, vmin, vmax);
  check_overlay(fx.view, FALSE);

  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_ORTHOGRAPHIC);
  proj.rot[0] = 40.0;
  proj.rot[1] = 20.0;
  sph_sky_view_set_projection(fx.view, &proj);
  set_oracle_projection(&proj, map->coordsys);
  check_view_against_cpu(fx.view, 0, SPH_CMAP_VIRIDIS, vmin, vmax);
  set_oracle_projection(NULL, SPH_COORD_UNKNOWN);
  g_clear_pointer(&oracle_projector, sph_projector_free);
  fixture_close(&fx);
}

/* The demo map at NSIDE 256 (each pixel the value at its centre plus a pattern of its
 * own), holes and all. */
static SphMap *demo_at_256(void)
{
  SphMap *demo = load_demo_with_holes();
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_map_new(256, SPH_ORDER_RING, 1, &err);
  g_assert_nonnull(map);
  for (int64_t p = 0; p < map->npix; p++) {
    double theta, phi;
    sph_hp_pix2ang_ring(256, p, &theta, &phi);
    double v = demo->fields[0].values[sph_hp_ang2pix_ring(32, theta, phi)];
    /* Structure at NSIDE 256 itself, a dozen colormap steps deep, outside the holes. */
    map->fields[0].values[p] = sph_hp_is_unseen(v) ? v : v + 0.3 * (double)((p * 7919) % 13) / 13.0;
  }
  sph_map_free(demo);
  return map;
}

/* A large map is drawn from a preview first, then (uploaded a frame's worth at a time,
 * between frames) from its own values: the first frame is the preview's, and once the
 * upload is complete the frame is the CPU renderer's image of the full map. */
static void test_preview_then_full(void)
{
  Fixture fx;
  fixture_show(&fx);
  int width, height;
  g_free(render_and_read(fx.view, &width, &height)); /* realized, GL ready */
  sph_sky_view_set_preview_threshold(fx.view, 12 * 128 * 128 + 1);
  SphMap *map = demo_at_256();
  double vmin, vmax;
  seen_range(map->fields[0].values, map->npix, &vmin, &vmax);
  sph_sky_view_set_map(fx.view, map, 0);
  guint8 *first = render_and_read(fx.view, &width, &height);
  g_assert_true(sph_sky_view_is_preview(fx.view) || sph_sky_view_get_values_uploads(fx.view) > 0);
  gboolean was_preview = sph_sky_view_is_preview(fx.view);
  gint64 deadline = g_get_monotonic_time() + FRAME_TIMEOUT_S * G_USEC_PER_SEC;
  while (sph_sky_view_get_values_uploads(fx.view) == 0 && g_get_monotonic_time() < deadline)
    g_main_context_iteration(NULL, TRUE);
  g_assert_cmpuint(sph_sky_view_get_values_uploads(fx.view), ==, 1);
  g_assert_false(sph_sky_view_is_preview(fx.view));
  g_assert_true(was_preview);
  /* NSIDE 256 pixels are smaller than the view's, so compare every pixel with the CPU's
   * image (as compare_with_cpu does first), and the preview with it: the preview is the
   * coarser map, visibly different, the full one the same. */
  guint8 *drawn = render_and_read(fx.view, &width, &height);
  SphError err = SPH_ERROR_INIT;
  SphSkyRaster *raster = sph_sky_raster_new(map->nside, map->ordering, width, height, &err);
  g_assert_nonnull(raster);
  guint8 *expected = g_malloc((gsize)width * height * 4);
  SphColorScale scale = { .vmin = vmin, .vmax = vmax, .cmap = SPH_CMAP_VIRIDIS,
                          .background = { 255, 255, 255, 255 } };
  sph_sky_raster_paint(raster, map->fields[0].values, &scale, expected, width * 4);
  int64_t same = 0, first_same = 0, total = (int64_t)width * height;
  for (int64_t at = 0; at < total; at++) {
    same += memcmp(drawn + 4 * at, expected + 4 * at, 4) == 0;
    first_same += memcmp(first + 4 * at, expected + 4 * at, 4) == 0;
  }
  g_test_message("preview: %.3f%% of pixels as the CPU's full map; full: %.4f%%",
                 100.0 * first_same / total, 100.0 * same / total);
  g_assert_cmpfloat((double)same / total, >=, 0.999);
  g_assert_cmpfloat((double)first_same / total, <, 0.99);
  g_free(drawn);
  g_free(first);
  g_free(expected);
  sph_sky_raster_free(raster);
  fixture_close(&fx);
}

/* Waits for the view to draw a frame of any size. */
static void wait_for_any_frame(SphSkyView *view)
{
  sph_sky_view_set_capture(view, TRUE);
  guint tick = g_timeout_add(20, wake, NULL);
  gint64 deadline = g_get_monotonic_time() + FRAME_TIMEOUT_S * G_USEC_PER_SEC;
  guint8 *pixels = NULL;
  int width, height;
  while (pixels == NULL && g_get_monotonic_time() < deadline) {
    g_main_context_iteration(NULL, TRUE);
    pixels = sph_sky_view_read_pixels(view, &width, &height);
  }
  g_source_remove(tick);
  if (pixels == NULL)
    g_error("the sky view drew no frame within %d s", FRAME_TIMEOUT_S);
  g_free(pixels);
  sph_sky_view_set_capture(view, FALSE);
}

/* Closing layers: the next one takes the closed one's place, the overlay goes with its
 * layer, the keys renumber, and after the last the view holds no texture storage. */
static void test_close_layer(void)
{
  GtkWidget *window = gtk_window_new();
  gtk_window_set_default_size(GTK_WINDOW(window), 1000, 700);
  SphSkyPage *page = SPH_SKY_PAGE(sph_sky_page_new());
  gtk_window_set_child(GTK_WINDOW(window), GTK_WIDGET(page));
  gtk_window_present(GTK_WINDOW(window));
  SphSkyView *view = sph_sky_page_get_view(page);

  SphMap *first = load_demo_with_holes();
  SphMap *mask = load_mask_overlay();
  SphMap *third = load_demo_with_holes();
  sph_sky_page_add_map(page, first, "first");
  sph_sky_page_add_map(page, mask, "mask");
  sph_sky_page_add_map(page, third, "third");
  sph_sky_page_set_overlay_layer(page, 1);
  sph_sky_page_select_layer(page, 0);
  wait_for_any_frame(view);
  gsize both = sph_sky_view_get_texture_bytes(view);
  /* The NSIDE 32 map and the NSIDE 16 mask, each a 4096-column layer. */
  g_assert_cmpuint(both, ==, (gsize)4096 * (3 + 1) * sizeof(float));

  /* Closing the shown layer shows the next one, now layer 0; the overlay moves down. */
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(page), "sky.close-layer", NULL));
  g_assert_cmpint(sph_sky_page_get_n_layers(page), ==, 2);
  g_assert_cmpint(sph_sky_page_get_current_layer(page), ==, 0);
  g_assert_true(sph_sky_view_get_map(view) == mask);
  g_assert_cmpint(sph_sky_page_get_overlay_layer(page), ==, 0);
  g_assert_cmpstr(sph_sky_page_get_title(page), ==, "mask");

  /* Closing the overlay's layer (shown too) drops the overlay. */
  sph_sky_page_close_layer(page, 0);
  g_assert_cmpint(sph_sky_page_get_overlay_layer(page), ==, -1);
  g_assert_null(sph_sky_view_get_overlay(view));
  g_assert_true(sph_sky_view_get_map(view) == third);
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(page), "sky.select-layer", "i", 0));
  g_assert_cmpstr(sph_sky_page_get_title(page), ==, "third");
  wait_for_any_frame(view);
  g_assert_cmpuint(sph_sky_view_get_texture_bytes(view), ==, (gsize)4096 * 3 * sizeof(float));

  /* The last: no map, no texture storage. */
  sph_sky_page_close_layer(page, 0);
  g_assert_cmpint(sph_sky_page_get_n_layers(page), ==, 0);
  g_assert_cmpint(sph_sky_page_get_current_layer(page), ==, -1);
  g_assert_null(sph_sky_view_get_map(view));
  wait_for_any_frame(view);
  g_assert_cmpuint(sph_sky_view_get_texture_bytes(view), ==, 0);
  sph_sky_page_close_layer(page, 0); /* nothing left: nothing happens */
  gtk_window_destroy(GTK_WINDOW(window));
  while (g_main_context_iteration(NULL, FALSE))
    ;
}

/* The view's frame and orientation: the read-out names the frame's coordinates (the
 * Galactic north pole at the IAU's RA 192.85948, Dec +27.12825 in Equatorial, at
 * ecliptic latitude +29.811 (lambda 180.023, healpy's Rotator(coord=['G', 'E'])), and
 * the GL renderer draws a Galactic map
 * viewed in Equatorial coordinates, mirrored, as the CPU renderer does. */
static void test_frame_and_flip(void)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_map_new(8, SPH_ORDER_RING, 1, &err);
  g_assert_nonnull(map);
  map->coordsys = SPH_COORD_GALACTIC;
  char *text = sph_sky_readout_text_in_frame(map, 0, 0.0, 0.0, SPH_COORD_EQUATORIAL);
  g_test_message("%s", text);
  g_assert_nonnull(strstr(text, "RA 192.859°  Dec +27.128°"));
  g_free(text);
  text = sph_sky_readout_text_in_frame(map, 0, 0.0, 0.0, SPH_COORD_ECLIPTIC);
  g_test_message("%s", text);
  g_assert_nonnull(strstr(text, "λ 180.023°  β +29.811°"));
  g_free(text);
  text = sph_sky_readout_text_in_frame(map, 0, 0.0, 0.0, SPH_COORD_GALACTIC);
  g_assert_nonnull(strstr(text, "l   0.000°  b +90.000°"));
  g_free(text);
  sph_map_free(map);

  Fixture fx;
  fixture_show(&fx);
  SphMap *demo = load_demo_with_holes();
  demo->coordsys = SPH_COORD_GALACTIC;
  double vmin, vmax;
  seen_range(demo->fields[0].values, demo->npix, &vmin, &vmax);
  sph_sky_view_set_map(fx.view, demo, 0);
  sph_sky_view_set_frame(fx.view, SPH_COORD_EQUATORIAL);
  sph_sky_view_set_flip(fx.view, SPH_FLIP_GEO);
  SphProjection proj;
  sph_sky_view_get_projection(fx.view, &proj);
  g_assert_cmpint(proj.kind, ==, SPH_PROJ_MOLLWEIDE);
  g_assert_cmpint(proj.coord, ==, SPH_COORD_EQUATORIAL);
  g_assert_cmpint(proj.flip, ==, SPH_FLIP_GEO);
  set_oracle_projection(&proj, SPH_COORD_GALACTIC);
  check_view_against_cpu(fx.view, 0, SPH_CMAP_VIRIDIS, vmin, vmax);

  /* The read-out at the view's centre: RA 0, Dec 0 in a Mollweide view in Equatorial. */
  text = sph_sky_view_describe_point(fx.view, VIEW_WIDTH / 2.0, VIEW_HEIGHT / 2.0);
  g_test_message("%s", text);
  g_assert_nonnull(strstr(text, "RA   0.000°  Dec  +0.000°"));
  /* ... which is Galactic (l, b) = (96.337, -60.189), healpy's Rotator(coord=['C', 'G']). */
  g_assert_nonnull(strstr(text, "θ 150.189°  φ  96.337°"));
  g_free(text);
  set_oracle_projection(NULL, SPH_COORD_UNKNOWN);
  g_clear_pointer(&oracle_projector, sph_projector_free);
  fixture_close(&fx);
}

/* The colour bar's ticks: the core's values are matplotlib's (MaxNLocator(nbins=5) for
 * linear, LogLocator and SymmetricalLogLocator(linthresh=1) for log and symlog, the ticks
 * inside the range), and the page places each where the view's scale puts its value. */
static void test_colorbar_ticks(void)
{
  static const struct {
    SphNorm norm;
    double lo, hi;
  } cases[] = { { SPH_NORM_LINEAR, -0.188429, 6.32011 }, { SPH_NORM_LINEAR, -0.05, 0.25 },
                { SPH_NORM_LINEAR, 1234.5, 1239.0 },     { SPH_NORM_LOG, 0.03, 700.0 },
                { SPH_NORM_LOG, 1e-3, 5e5 },             { SPH_NORM_SYMLOG, -50.0, 2000.0 },
                { SPH_NORM_SYMLOG, -0.5, 300.0 } };
  GString *script = g_string_new(
    "import sys\n"
    "try:\n"
    "    from matplotlib.ticker import LogLocator, SymmetricalLogLocator, MaxNLocator\n"
    "except ImportError:\n"
    "    sys.exit(77)\n"
    "def show(t, lo, hi):\n"
    "    print(' '.join(repr(float(x)) for x in t if lo < x < hi))\n");
  for (gsize c = 0; c < G_N_ELEMENTS(cases); c++) {
    const char *locator = cases[c].norm == SPH_NORM_LINEAR ? "MaxNLocator(nbins=5, steps=[1, 2, 5, 10])"
                          : cases[c].norm == SPH_NORM_LOG  ? "LogLocator(base=10)"
                                                           : "SymmetricalLogLocator(linthresh=1, base=10)";
    g_string_append_printf(script, "show(%s.tick_values(%.17g, %.17g), %.17g, %.17g)\n", locator,
                           cases[c].lo, cases[c].hi, cases[c].lo, cases[c].hi);
  }
  char *out = sph_test_run_python_or_77(script->str);
  g_string_free(script, TRUE);
  if (out == NULL) {
    g_test_skip("no python with matplotlib (SPHAERA_PYTHON)");
  } else {
    char **lines = g_strsplit(out, "\n", -1);
    for (gsize c = 0; c < G_N_ELEMENTS(cases); c++) {
      SphColorScale scale = { .vmin = cases[c].lo, .vmax = cases[c].hi, .norm = cases[c].norm };
      double ticks[32];
      int n = sph_color_scale_ticks(&scale, ticks, 32);
      g_assert_nonnull(lines[c]);
      char **want = g_strsplit(g_strstrip(lines[c]), " ", -1);
      GString *got = g_string_new(NULL);
      for (int i = 0; i < n; i++)
        g_string_append_printf(got, " %g", ticks[i]);
      g_test_message("%s [%g, %g]:%s", sph_norm_name(cases[c].norm), cases[c].lo, cases[c].hi,
                     got->str);
      g_string_free(got, TRUE);
      g_assert_cmpint(n, ==, (int)g_strv_length(want));
      for (int i = 0; i < n; i++)
        g_assert_cmpfloat_with_epsilon(ticks[i], g_ascii_strtod(want[i], NULL),
                                       1e-12 * fabs(ticks[i]) + 1e-300);
      g_strfreev(want);
    }
    g_strfreev(lines);
    g_free(out);
  }

  /* On the page: a log scale over the demo map's positive values; each tick where the
   * scale puts it (log10 of the value, relative to the range's), strictly increasing. */
  GtkWidget *window = gtk_window_new();
  SphSkyPage *page = SPH_SKY_PAGE(sph_sky_page_new());
  gtk_window_set_child(GTK_WINDOW(window), GTK_WIDGET(page));
  SphSkyView *view = sph_sky_page_get_view(page);
  sph_sky_page_add_map(page, load_demo_with_holes(), "demo");
  for (SphNorm norm = SPH_NORM_LINEAR; norm < SPH_NORM_COUNT; norm++) {
    sph_sky_view_set_norm(view, norm);
    double vmin, vmax;
    sph_sky_view_get_range(view, &vmin, &vmax);
    SphColorbar *bar = sph_sky_page_get_colorbar(page);
    g_assert_nonnull(bar);
    const double *values, *positions;
    int n = sph_colorbar_get_ticks(bar, &values, &positions);
    g_test_message("%s [%g, %g]: %d ticks", sph_norm_name(norm), vmin, vmax, n);
    g_assert_cmpint(n, >=, 2);
    for (int i = 0; i < n; i++) {
      g_assert_cmpfloat(values[i], >, vmin);
      g_assert_cmpfloat(values[i], <, vmax);
      g_assert_true(i == 0 || positions[i] > positions[i - 1]);
      if (norm == SPH_NORM_LOG)
        g_assert_cmpfloat_with_epsilon(positions[i], log10(values[i] / vmin) / log10(vmax / vmin),
                                       1e-12);
      if (norm == SPH_NORM_LINEAR)
        g_assert_cmpfloat_with_epsilon(positions[i], (values[i] - vmin) / (vmax - vmin), 1e-12);
    }
  }
  gtk_window_destroy(GTK_WINDOW(window));
  while (g_main_context_iteration(NULL, FALSE))
    ;
}

/* The hover read-out names the pixel the core finds under the pointer. */
static void test_readout(void)
{
  Fixture fx;
  fixture_show(&fx);
  SphMap *map = load_demo_with_holes();
  map->coordsys = SPH_COORD_GALACTIC;
  sph_map_set_field_unit(map, 0, "mK");
  int64_t nside = map->nside;
  sph_sky_view_set_map(fx.view, map, 0);
  int width, height;
  g_free(render_and_read(fx.view, &width, &height));

  g_assert_null(sph_sky_view_describe_point(fx.view, 2.0, 2.0)); /* a corner: no sky */

  /* Image point (250, 120): left of centre, so positive galactic longitude. */
  double x, y, theta, phi;
  sph_mollweide_image_to_plane(VIEW_WIDTH, VIEW_HEIGHT, 250.0, 120.0, &x, &y);
  g_assert_true(sph_mollweide_inverse(x, y, &theta, &phi));
  g_assert_cmpfloat(phi, <, G_PI);
  int64_t ring = sph_hp_ang2pix_ring(nside, theta, phi);
  char *text = sph_sky_view_describe_point(fx.view, 250.0, 120.0);
  g_assert_nonnull(text);
  g_test_message("read-out: %s", text);
  char *want_pixel = g_strdup_printf("pixel %" G_GINT64_FORMAT " (RING) %" G_GINT64_FORMAT
                                     " (NEST)", ring, sph_hp_ring2nest(nside, ring));
  char *want_l = g_strdup_printf("l %7.3f°", phi * 180.0 / G_PI);
  char *want_b = g_strdup_printf("b %+7.3f°", 90.0 - theta * 180.0 / G_PI);
  g_assert_nonnull(strstr(text, want_pixel));
  g_assert_nonnull(strstr(text, want_l));
  g_assert_nonnull(strstr(text, want_b));
  const double value = sph_sky_view_get_map(fx.view)->fields[0].values[ring];
  char *want_value = sph_hp_is_unseen(value) ? g_strdup("UNSEEN")
                                             : g_strdup_printf("I_STOKES %.6g mK", value);
  g_assert_nonnull(strstr(text, want_value));
  g_free(want_value);
  g_free(want_pixel);
  g_free(want_l);
  g_free(want_b);
  g_free(text);
  fixture_close(&fx);
}

/* A click inverts: the direction under a widget point projects back inside that point's
 * screen pixel. */
static void test_point_inverts(void)
{
  Fixture fx;
  fixture_show(&fx);
  sph_sky_view_set_map(fx.view, load_demo_with_holes(), 0);
  int width, height;
  g_free(render_and_read(fx.view, &width, &height));
  int checked = 0;
  for (int j = 0; j < VIEW_HEIGHT; j += 7) {
    for (int i = 0; i < VIEW_WIDTH; i += 11) {
      double theta, phi, x, y, px, py;
      if (!sph_sky_view_point_to_ang(fx.view, i + 0.5, j + 0.5, &theta, &phi))
        continue;
      sph_mollweide_forward(theta, phi, &x, &y);
      sph_mollweide_plane_to_image(VIEW_WIDTH, VIEW_HEIGHT, x, y, &px, &py);
      /* phi = pi is both edges of the map: either end is the same direction. */
      if (fabs(px - (i + 0.5)) > VIEW_WIDTH / 2.0)
        px = VIEW_WIDTH - px;
      g_assert_cmpfloat(floor(px), ==, i);
      g_assert_cmpfloat(floor(py), ==, j);
      checked++;
    }
  }
  g_assert_cmpint(checked, >, 2000);
  fixture_close(&fx);
}

/* The page lists every field at the pinned point and plots the field along the line. */
static void test_pin_and_profile(void)
{
  GtkWidget *window = gtk_window_new();
  gtk_window_set_default_size(GTK_WINDOW(window), 1000, 700);
  SphSkyPage *page = SPH_SKY_PAGE(sph_sky_page_new());
  gtk_window_set_child(GTK_WINDOW(window), GTK_WIDGET(page));
  gtk_window_present(GTK_WINDOW(window));
  SphMap *map = load_demo_with_holes();
  sph_sky_page_set_map(page, map, "demo");
  SphSkyView *view = sph_sky_page_get_view(page);
  SphPinList *list = sph_sky_page_get_pin_list(page);
  SphProfilePlot *plot = sph_sky_page_get_profile_plot(page);
  g_assert_null(sph_pin_list_row_text(list, 0));

  /* Pin (theta, phi) = (70, 200) degrees: the coordinates, then I, Q, U of that pixel. */
  double theta = 70.0 * G_PI / 180.0, phi = 200.0 * G_PI / 180.0;
  sph_sky_view_set_pin(view, theta, phi);
  int64_t pix = sph_hp_ang2pix_ring(map->nside, theta, phi);
  char *coords = sph_pin_list_row_text(list, 0);
  char *want = g_strdup_printf("pixel %" G_GINT64_FORMAT " (RING)", pix);
  g_assert_nonnull(strstr(coords, want));
  g_assert_nonnull(strstr(coords, "θ 70.000°  φ 200.000°"));
  g_free(want);
  g_free(coords);
  for (int f = 0; f < map->nfields; f++) {
    char *row = sph_pin_list_row_text(list, 1 + f);
    g_assert_nonnull(row);
    want = g_strdup_printf("%s %.6g", map->fields[f].name, map->fields[f].values[pix]);
    g_test_message("pinned row %d: %s", f, row);
    g_assert_true(g_str_has_prefix(row, want));
    g_free(want);
    g_free(row);
  }
  g_assert_null(sph_pin_list_row_text(list, 1 + map->nfields));

  /* A line along the equator from phi = 10 to 100 degrees: the samples stay on the
   * equator and step evenly in phi, so sample k is the pixel at phi0 + k dphi. The
   * line crosses no hole, so no value is missing. */
  double phi0 = 10.0 * G_PI / 180.0, phi1 = 100.0 * G_PI / 180.0;
  sph_sky_view_set_line(view, G_PI / 2, phi0, G_PI / 2, phi1);
  size_t n = sph_profile_plot_get_n_points(plot);
  g_assert_cmpuint(n, >=, 64);
  const double *distance;
  const double *values = sph_profile_plot_get_values(plot, &distance);
  int field = sph_sky_view_get_field(view);
  size_t checked = 0;
  for (size_t k = 0; k < n; k++) {
    double t = (double)k / (double)(n - 1);
    double phik = phi0 + t * (phi1 - phi0);
    g_assert_cmpfloat(fabs(distance[k] - t * 90.0), <, 1e-9);
    /* Skip samples within rounding of a pixel boundary. */
    if (sph_hp_ang2pix_ring(map->nside, G_PI / 2, phik - 1e-9) !=
        sph_hp_ang2pix_ring(map->nside, G_PI / 2, phik + 1e-9))
      continue;
    double expected = map->fields[field].values[sph_hp_ang2pix_ring(map->nside, G_PI / 2, phik)];
    g_assert_cmpfloat(values[k], ==, expected);
    checked++;
  }
  g_assert_cmpuint(checked, >, n - 8);

  /* Another field: the plot follows; clearing empties list and plot. */
  sph_sky_view_set_field(view, 2);
  values = sph_profile_plot_get_values(plot, NULL);
  int64_t start = sph_hp_ang2pix_ring(map->nside, G_PI / 2, phi0);
  g_assert_cmpfloat(values[0], ==, map->fields[2].values[start]);
  sph_sky_page_clear_marks(page);
  g_assert_cmpuint(sph_profile_plot_get_n_points(plot), ==, 0);
  g_assert_null(sph_pin_list_row_text(list, 0));

  gtk_window_destroy(GTK_WINDOW(window));
  while (g_main_context_iteration(NULL, FALSE))
    ;
}

/* Layers: maps stay open, each keeps its field and colormap, keys switch, an overlay
 * layer reaches the view. */
static void test_layers(void)
{
  GtkWidget *window = gtk_window_new();
  gtk_window_set_default_size(GTK_WINDOW(window), 1000, 700);
  SphSkyPage *page = SPH_SKY_PAGE(sph_sky_page_new());
  gtk_window_set_child(GTK_WINDOW(window), GTK_WIDGET(page));
  gtk_window_present(GTK_WINDOW(window));
  SphSkyView *view = sph_sky_page_get_view(page);

  SphMap *first = load_demo_with_holes();
  SphMap *mask = load_mask_overlay();
  sph_sky_page_add_map(page, first, "demo");
  g_assert_cmpint(sph_sky_page_get_n_layers(page), ==, 1);
  g_assert_true(sph_sky_view_get_map(view) == first);
  sph_sky_view_set_field(view, 2);
  sph_sky_view_set_colormap(view, SPH_CMAP_MAGMA);
  sph_sky_view_set_range(view, -0.01, 0.02);

  sph_sky_page_add_map(page, mask, "mask");
  g_assert_cmpint(sph_sky_page_get_n_layers(page), ==, 2);
  g_assert_cmpint(sph_sky_page_get_current_layer(page), ==, 1);
  g_assert_true(sph_sky_view_get_map(view) == mask);
  g_assert_cmpint(sph_sky_view_get_field(view), ==, 0);
  g_assert_true(sph_sky_view_get_auto_range(view));
  sph_sky_view_set_colormap(view, SPH_CMAP_GREYS);

  /* The histogram counts the seen pixels of a 720 x 360 Mollweide image in the range
   * (automatic: all of them), the mask's 0 and 1 falling in the end bins. */
  {
    SphError err = SPH_ERROR_INIT;
    SphSkyRaster *raster = sph_sky_raster_new(mask->nside, mask->ordering, 720, 360, &err);
    const int64_t *index = sph_sky_raster_index(raster);
    guint64 seen = 0, zeros = 0, ones = 0;
    for (size_t at = 0; at < 720 * 360; at++) {
      if (index[at] < 0 || sph_hp_is_unseen(mask->fields[0].values[index[at]]))
        continue;
      seen++;
      zeros += mask->fields[0].values[index[at]] == 0.0;
      ones += mask->fields[0].values[index[at]] == 1.0;
    }
    sph_sky_raster_free(raster);
    int nbins;
    guint64 total;
    const guint64 *counts = sph_histogram_get_counts(sph_sky_page_get_histogram(page), &nbins,
                                                     &total);
    g_assert_nonnull(counts);
    g_assert_cmpuint(total, ==, seen);
    g_assert_cmpuint(counts[0], ==, zeros);
    g_assert_cmpuint(counts[nbins - 1], ==, ones);
    g_assert_cmpuint(zeros, >, 0);
  }

  /* Key "1": back to the first map, as it was left. */
  g_assert_cmpstr(sph_sky_page_get_title(page), ==, "mask");
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(page), "sky.select-layer", "i", 0));
  g_assert_true(sph_sky_view_get_map(view) == first);
  char *title = NULL;
  g_object_get(page, "title", &title, NULL);
  g_assert_cmpstr(title, ==, "demo");
  g_free(title);
  g_assert_cmpint(sph_sky_view_get_field(view), ==, 2);
  g_assert_cmpint(sph_sky_view_get_colormap(view), ==, SPH_CMAP_MAGMA);
  double vmin, vmax;
  sph_sky_view_get_range(view, &vmin, &vmax);
  g_assert_false(sph_sky_view_get_auto_range(view));
  g_assert_cmpfloat(vmin, ==, -0.01);
  g_assert_cmpfloat(vmax, ==, 0.02);

  /* F steps the field round (U -> I), Shift+F back; Ctrl+Page Down wraps the layers. */
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(page), "sky.step-field", "i", 1));
  g_assert_cmpint(sph_sky_view_get_field(view), ==, 0);
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(page), "sky.step-field", "i", -1));
  g_assert_cmpint(sph_sky_view_get_field(view), ==, 2);
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(page), "sky.step-layer", "i", 1));
  g_assert_cmpint(sph_sky_page_get_current_layer(page), ==, 1);
  g_assert_cmpint(sph_sky_view_get_colormap(view), ==, SPH_CMAP_GREYS);
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(page), "sky.step-layer", "i", 1));
  g_assert_cmpint(sph_sky_page_get_current_layer(page), ==, 0);

  /* O puts the last layer over the map, and takes it off again. */
  g_assert_null(sph_sky_view_get_overlay(view));
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(page), "sky.toggle-overlay", NULL));
  g_assert_cmpint(sph_sky_page_get_overlay_layer(page), ==, 1);
  g_assert_true(sph_sky_view_get_overlay(view) == mask);
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(page), "sky.toggle-overlay", NULL));
  g_assert_null(sph_sky_view_get_overlay(view));
  sph_sky_page_set_overlay_layer(page, 1);

  /* Export draws what the view shows: an orthographic globe with the overlay. */
  {
    sph_sky_view_set_projection_kind(view, SPH_PROJ_ORTHOGRAPHIC);
    char *dir = g_dir_make_tmp("sphaera-export-XXXXXX", NULL);
    g_assert_nonnull(dir);
    char *png = g_build_filename(dir, "globe.png", NULL);
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_sky_page_export(page, png, &err), ==, SPH_OK);
    GError *error = NULL;
    GdkTexture *texture = gdk_texture_new_from_filename(png, &error);
    g_assert_no_error(error);
    int w = gdk_texture_get_width(texture), h = gdk_texture_get_height(texture);
    g_assert_cmpint(w, >, 0);
    guint8 *rgba = g_malloc((gsize)w * h * 4);
    gdk_texture_download(texture, rgba, (gsize)w * 4);
    /* The PNG decodes and shows the globe: a good part of it coloured. */
    int coloured = 0;
    for (int j = 0; j < h; j++)
      for (int i = 0; i < w; i++) {
        const guint8 *px = rgba + ((gsize)j * w + i) * 4;
        coloured += !(px[0] == 255 && px[1] == 255 && px[2] == 255) && px[3] != 0;
      }
    g_assert_cmpint(coloured, >, w * h / 10);
    g_free(rgba);
    g_object_unref(texture);
    g_remove(png);
    g_rmdir(dir);
    g_free(png);
    g_free(dir);
    sph_sky_view_set_projection_kind(view, SPH_PROJ_MOLLWEIDE);
  }

  /* Replacing the layers lets go of the overlay before its map is freed. */
  sph_sky_page_set_map(page, NULL, NULL);
  g_assert_cmpint(sph_sky_page_get_n_layers(page), ==, 0);
  g_assert_null(sph_sky_view_get_map(view));
  g_assert_null(sph_sky_view_get_overlay(view));

  gtk_window_destroy(GTK_WINDOW(window));
  while (g_main_context_iteration(NULL, FALSE))
    ;
}

/* ---- the percentile range on a worker ---- */

#ifndef PERCENTILE_NSIDE /* -DPERCENTILE_NSIDE=2048 shows the NSIDE 2048 case by hand */
#define PERCENTILE_NSIDE 512  /* 3.1 M values: a selection of tens of milliseconds or more */
#endif

static gboolean count_tick(gpointer data)
{
  (*(guint *)data)++;
  return G_SOURCE_CONTINUE;
}

static void count_notify(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  (*(guint *)data)++;
}

/* A map whose fields are distinct distributions (normal; its cube, heavy tailed) with a
 * band of UNSEEN and a few NaN pixels, which the percentiles must leave out. */
static SphMap *percentile_map(uint64_t seed, double scale)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_map_new_uninit(PERCENTILE_NSIDE, SPH_ORDER_RING, 2, &err);
  g_assert_nonnull(map);
  SphRng rng;
  sph_rng_init(&rng, seed, 0);
  for (int64_t i = 0; i < map->npix; i++) {
    double g = sph_rng_normal(&rng);
    map->fields[0].values[i] = scale * g;
    map->fields[1].values[i] = scale * g * g * g + 5.0;
  }
  for (int f = 0; f < 2; f++) {
    for (int64_t i = 0; i < map->npix / 10; i++)
      map->fields[f].values[i] = SPH_UNSEEN;
    for (int64_t i = map->npix / 2; i < map->npix; i += 100003)
      map->fields[f].values[i] = NAN;
  }
  return map;
}

static void exact_percentiles(const SphMap *map, int field, double *lo, double *hi)
{
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_percentile_range(map->fields[field].values, (size_t)map->npix,
                                       SPH_PERCENTILE_DEFAULT_LO, SPH_PERCENTILE_DEFAULT_HI, lo,
                                       hi, &err), ==, SPH_OK);
}

/* The view's percentile range comes from a worker: the main loop keeps running while it
 * is computed (a 1 ms timeout fires meanwhile), the previous range stays until then, the
 * result is the core's exact percentiles, a stale computation (another field, another
 * map, a typed range) never lands, and a view dropped mid-way frees cleanly. */
static void test_percentile_worker(void)
{
  SphMap *map = percentile_map(41, 1.0);
  /* The core function the worker runs: with a job it gives the same numbers and reports
   * progress; cancelled, it stops with SPH_ERR_CANCELLED and leaves the outputs alone. */
  double lo0, hi0, lo1 = 7.0, hi1 = 7.0;
  exact_percentiles(map, 0, &lo0, &hi0);
  SphJob *job = sph_job_new();
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_percentile_range_job(map->fields[0].values, (size_t)map->npix,
                                           SPH_PERCENTILE_DEFAULT_LO, SPH_PERCENTILE_DEFAULT_HI,
                                           job, &lo1, &hi1, &err), ==, SPH_OK);
  g_assert_cmpfloat(lo1, ==, lo0);
  g_assert_cmpfloat(hi1, ==, hi0);
  g_assert_cmpfloat(sph_job_get_progress(job, NULL, 0), ==, 1.0);
  sph_job_cancel(job);
  lo1 = hi1 = 7.0;
  g_assert_cmpint(sph_percentile_range_job(map->fields[0].values, (size_t)map->npix,
                                           SPH_PERCENTILE_DEFAULT_LO, SPH_PERCENTILE_DEFAULT_HI,
                                           job, &lo1, &hi1, &err), ==, SPH_ERR_CANCELLED);
  g_assert_cmpfloat(lo1, ==, 7.0);
  g_assert_cmpfloat(hi1, ==, 7.0);
  sph_job_unref(job);

  SphSkyView *view = g_object_ref_sink(SPH_SKY_VIEW(sph_sky_view_new()));
  sph_sky_view_show_map(view, map, 0);
  double vmin, vmax, lo, hi;
  SphMapStats stats;
  sph_map_field_stats(map, 0, &stats);
  sph_sky_view_get_range(view, &vmin, &vmax);
  g_assert_cmpfloat(vmin, ==, stats.min);
  g_assert_cmpfloat(vmax, ==, stats.max);
  g_assert_false(sph_sky_view_get_range_pending(view));

  guint ticks = 0;
  guint tick = g_timeout_add(1, count_tick, &ticks);
  gint64 start = g_get_monotonic_time();
  sph_sky_view_set_percentile_range(view, TRUE);
  gint64 returned = g_get_monotonic_time();
  g_assert_true(sph_sky_view_get_range_pending(view));
  sph_sky_view_get_range(view, &vmin, &vmax);
  g_assert_cmpfloat(vmin, ==, stats.min); /* the previous range, until the new one is in */
  g_assert_cmpfloat(vmax, ==, stats.max);
  wait_for_range(view);
  gint64 arrived = g_get_monotonic_time();
  g_test_message("percentiles of %" G_GINT64_FORMAT " values: set_percentile_range returned "
                 "after %.1f ms, the range arrived after %.1f ms, %u ticks of 1 ms meanwhile",
                 map->npix, (double)(returned - start) / 1000.0,
                 (double)(arrived - start) / 1000.0, ticks);
  g_assert_cmpuint(ticks, >=, 1);
  exact_percentiles(map, 0, &lo, &hi);
  sph_sky_view_get_range(view, &vmin, &vmax);
  g_assert_cmpfloat(vmin, ==, lo);
  g_assert_cmpfloat(vmax, ==, hi);
  g_assert_cmpfloat(lo, <, -2.5); /* 0.5 % of a standard normal lies below -2.576 */
  g_assert_cmpfloat(hi, >, 2.5);

  /* Another field, then at once another map: only the last computation lands. */
  SphMap *other = percentile_map(42, 3.0);
  guint vmin_notes = 0;
  gulong handler = g_signal_connect(view, "notify::vmin", G_CALLBACK(count_notify), &vmin_notes);
  sph_sky_view_set_field(view, 1);
  g_assert_true(sph_sky_view_get_range_pending(view));
  sph_sky_view_set_map(view, other, 1); /* the view owns it */
  sph_map_free(map);                    /* the first computation's values are gone */
  wait_for_range(view);
  exact_percentiles(other, 1, &lo, &hi);
  sph_sky_view_get_range(view, &vmin, &vmax);
  g_assert_cmpfloat(vmin, ==, lo);
  g_assert_cmpfloat(vmax, ==, hi);
  g_assert_cmpuint(vmin_notes, ==, 1);

  /* A typed range wins over a pending computation. */
  sph_sky_view_set_field(view, 0);
  g_assert_true(sph_sky_view_get_range_pending(view));
  sph_sky_view_set_range(view, -1.0, 2.0);
  g_assert_false(sph_sky_view_get_range_pending(view));
  gint64 until = g_get_monotonic_time() + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time() < until)
    g_main_context_iteration(NULL, TRUE);
  sph_sky_view_get_range(view, &vmin, &vmax);
  g_assert_cmpfloat(vmin, ==, -1.0);
  g_assert_cmpfloat(vmax, ==, 2.0);
  g_signal_handler_disconnect(view, handler);

  /* Dropped while computing: the view waits for the worker before freeing the map. */
  sph_sky_view_set_auto_range(view, TRUE);
  g_assert_true(sph_sky_view_get_range_pending(view));
  g_object_unref(view);
  until = g_get_monotonic_time() + G_USEC_PER_SEC / 5;
  while (g_get_monotonic_time() < until)
    g_main_context_iteration(NULL, TRUE);
  g_source_remove(tick);
}

/* View settings and recent files survive in a key file; a page applies and rewrites
 * them. */
static void test_settings(void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp("sphaera-settings-XXXXXX", &error);
  g_assert_no_error(error);
  char *path = g_build_filename(dir, "sub", "settings.ini", NULL);

  SphViewSettings settings;
  g_assert_true(sph_view_settings_load(path, &settings, &error)); /* no file: defaults */
  g_assert_cmpint(settings.cmap, ==, SPH_CMAP_VIRIDIS);
  g_assert_cmpint(settings.projection, ==, SPH_PROJ_MOLLWEIDE);
  settings = (SphViewSettings){ .cmap = SPH_CMAP_PLANCK, .norm = SPH_NORM_HIST,
                                .projection = SPH_PROJ_ORTHOGRAPHIC, .graticule = TRUE,
                                .percentile_range = TRUE, .flip = SPH_FLIP_GEO,
                                .frame = SPH_COORD_ECLIPTIC };
  g_assert_true(sph_view_settings_save(path, &settings, &error));
  g_assert_no_error(error);

  /* Recent files: newest first, each once, at most SPH_RECENT_FILES_MAX; the [view]
   * group is kept. */
  for (int i = 0; i < SPH_RECENT_FILES_MAX + 3; i++) {
    char *file = g_strdup_printf("/maps/%d.fits", i % (SPH_RECENT_FILES_MAX + 1));
    g_assert_true(sph_recent_files_add(path, file, &error));
    g_free(file);
  }
  char **recent = sph_recent_files_load(path);
  g_assert_cmpuint(g_strv_length(recent), ==, SPH_RECENT_FILES_MAX);
  g_assert_cmpstr(recent[0], ==, "/maps/1.fits");
  g_assert_cmpstr(recent[1], ==, "/maps/0.fits");
  g_assert_cmpstr(recent[2], ==, "/maps/10.fits");
  g_strfreev(recent);

  SphViewSettings back;
  g_assert_true(sph_view_settings_load(path, &back, &error));
  g_assert_cmpint(back.cmap, ==, SPH_CMAP_PLANCK);
  g_assert_cmpint(back.norm, ==, SPH_NORM_HIST);
  g_assert_cmpint(back.projection, ==, SPH_PROJ_ORTHOGRAPHIC);
  g_assert_true(back.graticule);
  g_assert_true(back.percentile_range);
  g_assert_cmpint(back.flip, ==, SPH_FLIP_GEO);
  g_assert_cmpint(back.frame, ==, SPH_COORD_ECLIPTIC);

  /* A page takes them up, and writes a change back. */
  GtkWidget *window = gtk_window_new();
  SphSkyPage *page = SPH_SKY_PAGE(sph_sky_page_new());
  gtk_window_set_child(GTK_WINDOW(window), GTK_WIDGET(page));
  sph_sky_page_set_settings_path(page, path);
  SphSkyView *view = sph_sky_page_get_view(page);
  g_assert_cmpint(sph_sky_view_get_colormap(view), ==, SPH_CMAP_PLANCK);
  g_assert_cmpint(sph_sky_view_get_norm(view), ==, SPH_NORM_HIST);
  g_assert_cmpint(sph_sky_view_get_projection_kind(view), ==, SPH_PROJ_ORTHOGRAPHIC);
  g_assert_true(sph_sky_view_get_graticule(view));
  g_assert_cmpint(sph_sky_view_get_flip(view), ==, SPH_FLIP_GEO);
  g_assert_cmpint(sph_sky_view_get_frame(view), ==, SPH_COORD_ECLIPTIC);
  sph_sky_view_set_colormap(view, SPH_CMAP_MAGMA);
  sph_sky_view_set_projection_kind(view, SPH_PROJ_GNOMONIC);
  /* The keys: X flips back to astronomical, Shift+C (action sky.frame) views in
   * Equatorial coordinates; a change of projection keeps both. */
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(page), "sky.toggle-flip", NULL));
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(page), "sky.frame", "i",
                                           (int)SPH_COORD_EQUATORIAL));
  g_assert_cmpint(sph_sky_view_get_projection_kind(view), ==, SPH_PROJ_GNOMONIC);
  sph_sky_view_set_projection_kind(view, SPH_PROJ_CARTESIAN);
  g_assert_cmpint(sph_sky_view_get_frame(view), ==, SPH_COORD_EQUATORIAL);
  g_assert_cmpint(sph_sky_view_get_flip(view), ==, SPH_FLIP_ASTRO);
  g_assert_true(sph_view_settings_load(path, &back, &error));
  g_assert_cmpint(back.cmap, ==, SPH_CMAP_MAGMA);
  g_assert_cmpint(back.projection, ==, SPH_PROJ_CARTESIAN);
  g_assert_cmpint(back.flip, ==, SPH_FLIP_ASTRO);
  g_assert_cmpint(back.frame, ==, SPH_COORD_EQUATORIAL);
  gtk_window_destroy(GTK_WINDOW(window));

  /* A malformed entry falls back to its default. */
  g_assert_true(g_file_set_contents(path, "[view]\ncolormap=nonesuch\nscale=log\n", -1, NULL));
  g_assert_true(sph_view_settings_load(path, &back, &error));
  g_assert_cmpint(back.cmap, ==, SPH_CMAP_VIRIDIS);
  g_assert_cmpint(back.norm, ==, SPH_NORM_LOG);

  g_remove(path);
  char *sub = g_path_get_dirname(path);
  g_rmdir(sub);
  g_rmdir(dir);
  g_free(sub);
  g_free(path);
  g_free(dir);
}

/* Without GL (GDK_DEBUG=gl-disable) the view draws the CPU raster: identical pixels. */
static void test_cpu_fallback_child(void)
{
  Fixture fx;
  fixture_show(&fx);
  SphMap *map = load_demo_with_holes();
  double vmin, vmax;
  seen_range(map->fields[0].values, map->npix, &vmin, &vmax);
  sph_sky_view_set_map(fx.view, map, 0);
  sph_sky_view_set_colormap(fx.view, SPH_CMAP_MAGMA);
  int width, height;
  guint8 *drawn = render_and_read(fx.view, &width, &height);
  g_assert_nonnull(sph_sky_view_get_gl_error(fx.view));
  g_assert_cmpint(sph_sky_view_get_renderer(fx.view), ==, SPH_SKY_RENDERER_CPU);

  SphColorScale scale = { .vmin = vmin, .vmax = vmax, .cmap = SPH_CMAP_MAGMA,
                          .background = { 255, 255, 255, 255 } };
  Comparison cmp;
  compare_with_cpu(drawn, width, height, sph_sky_view_get_map(fx.view), 0, &scale, &cmp);
  g_assert_cmpint(cmp.inside_exact, ==, cmp.inside);
  g_assert_cmpint(cmp.outside_exact, ==, cmp.outside);
  g_free(drawn);
  /* The CPU renderer draws the overlay exactly as the oracle mixes it. */
  check_overlay(fx.view, TRUE);

  /* And a rotated globe in another frame, pixel for pixel. */
  SphProjection globe;
  sph_projection_init(&globe, SPH_PROJ_ORTHOGRAPHIC);
  globe.half_sky = true;
  globe.rot[0] = 60.0;
  globe.rot[1] = 40.0;
  globe.rot[2] = 15.0;
  sph_sky_view_set_projection(fx.view, &globe);
  set_oracle_projection(&globe, sph_sky_view_get_map(fx.view)->coordsys);
  drawn = render_and_read(fx.view, &width, &height);
  compare_with_cpu(drawn, width, height, sph_sky_view_get_map(fx.view), 0, &scale, &cmp);
  g_assert_cmpint(cmp.inside_exact, ==, cmp.inside);
  g_assert_cmpint(cmp.outside_exact, ==, cmp.outside);
  g_free(drawn);
  g_clear_pointer(&oracle_projector, sph_projector_free);
  fixture_close(&fx);
  g_print("cpu-fallback-child: OK\n");
}

static void test_cpu_fallback(void)
{
  char **envp = g_get_environ();
  envp = g_environ_setenv(envp, "GDK_DEBUG", "gl-disable", TRUE);
  envp = g_environ_setenv(envp, CHILD_ENV, "1", TRUE);
  char *argv[] = { (char *)self_path, "-p", "/ui/sky-view/cpu-fallback-child", NULL };
  char *out = NULL, *err = NULL;
  int wait_status = 0;
  GError *error = NULL;
  gboolean spawned = g_spawn_sync(NULL, argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                                  &wait_status, &error);
  g_assert_no_error(error);
  g_assert_true(spawned);
  if (!g_spawn_check_wait_status(wait_status, NULL))
    g_error("the CPU fallback child failed:\n%s\n%s", out, err);
  /* The child ran its test (and did not skip it). */
  g_assert_nonnull(strstr(out, "cpu-fallback-child: OK"));
  g_free(out);
  g_free(err);
  g_strfreev(envp);
}

int main(int argc, char **argv)
{
  self_path = argv[0];
  g_test_init(&argc, &argv, NULL);
  if (!gtk_init_check()) {
    g_printerr("test-ui-sky-view: cannot open a display; run it under xvfb-run\n");
    return 1;
  }
  if (g_getenv(CHILD_ENV) != NULL) {
    g_test_add_func("/ui/sky-view/cpu-fallback-child", test_cpu_fallback_child);
    return g_test_run();
  }
  g_test_add_func("/ui/sky-view/gl-matches-cpu", test_gl_matches_cpu);
  g_test_add_func("/ui/sky-view/texture-layers", test_texture_layers);
  g_test_add_func("/ui/sky-view/preview-then-full", test_preview_then_full);
  g_test_add_func("/ui/sky-view/readout", test_readout);
  g_test_add_func("/ui/sky-page/colorbar-ticks", test_colorbar_ticks);
  g_test_add_func("/ui/sky-view/frame-and-flip", test_frame_and_flip);
  g_test_add_func("/ui/sky-view/colour-steps", test_colour_steps);
  g_test_add_func("/ui/sky-view/point-inverts", test_point_inverts);
  g_test_add_func("/ui/sky-view/projections", test_projections);
  g_test_add_func("/ui/sky-page/pin-and-profile", test_pin_and_profile);
  g_test_add_func("/ui/sky-page/layers", test_layers);
  g_test_add_func("/ui/sky-page/close-layer", test_close_layer);
  g_test_add_func("/ui/sky-page/settings", test_settings);
  g_test_add_func("/ui/sky-view/percentile-worker", test_percentile_worker);
  g_test_add_func("/ui/sky-view/cpu-fallback", test_cpu_fallback);
  return g_test_run();
}
