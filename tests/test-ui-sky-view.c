/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's GLSL renderer against the CPU renderer (core/view): the same map, size,
 * colormap and range must give the same image. Runs under Xvfb (llvmpipe gives GL 4.5
 * core); without a display or without GL the test fails, it never skips. The CPU
 * fallback is checked in a child process started with GDK_DEBUG=gl-disable. */
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "sph-sky-view.h"
#include "sphaera/fits_map.h"
#include "sphaera/healpix.h"
#include "sphaera/projection.h"
#include "sphaera/raster.h"
#include "sphaera/rng.h"

#define DEMO_MAP "wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits"
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

/* The HEALPix pixel under image point (px, py), -1 outside the sphere. */
static int64_t pixel_at(int64_t nside, int width, int height, double px, double py)
{
  double x, y, theta, phi;
  sph_mollweide_image_to_plane(width, height, px, py, &x, &y);
  if (!sph_mollweide_inverse(x, y, &theta, &phi))
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
static gboolean away_from_colour_steps(double value, double vmin, double vmax)
{
  double t = (value - vmin) / (vmax - vmin);
  if (t <= 0.0 || t >= 1.0)
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
  SphSkyRaster *raster = sph_sky_raster_new(map->nside, map->ordering, width, height, &err);
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
        !away_from_colour_steps(values[pix], scale->vmin, scale->vmax))
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
  g_assert_cmpint(out->outside, >, 0);

  g_free(expected);
  sph_sky_raster_free(raster);
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

  fixture_close(&fx);
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
  g_test_add_func("/ui/sky-view/readout", test_readout);
  g_test_add_func("/ui/sky-view/cpu-fallback", test_cpu_fallback);
  return g_test_run();
}
