/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's live mode: it follows a job's snapshots (SphMaps), shows the newest,
 * and uploads at most ten a second however fast the job publishes. Runs under Xvfb. */
#include <gtk/gtk.h>
#include <math.h>

#include "sph-map-process.h"
#include "sph-sky-view.h"
#include "sph-spectrum-job.h"
#include "sph-spectrum-plot.h"
#include "sphaera/fields.h"
#include "sphaera/healpix.h"
#include "sphaera/job.h"
#include "sphaera/map.h"
#include "sphaera/power_spectrum.h"
#include "sphaera/rotate.h"
#include "sphaera/spectrum.h"

#define NSIDE 16
#define WAIT_TIMEOUT_S 10

static void free_snapshot_map(void *data)
{
  sph_map_free(data);
}

/* A map whose pixel p holds scale p + offset: every published map differs everywhere. */
static SphMap *ramp_map(double scale, double offset)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_map_new(NSIDE, SPH_ORDER_RING, 1, &err);
  g_assert_nonnull(map);
  for (int64_t p = 0; p < map->npix; p++)
    map->fields[0].values[p] = scale * (double)p + offset;
  return map;
}

static void publish_ramp(SphJob *job, double scale, double offset)
{
  sph_job_publish(job, sph_snapshot_new(ramp_map(scale, offset), free_snapshot_map));
}

static void wait_for_updates(SphSkyView *view, guint count)
{
  gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  while (sph_sky_view_get_live_updates(view) < count) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
}

static void assert_shows_ramp(SphSkyView *view, double scale, double offset)
{
  const SphMap *shown = sph_sky_view_get_map(view);
  g_assert_nonnull(shown);
  g_assert_cmpint(shown->npix, ==, 12 * NSIDE * NSIDE);
  for (int64_t p = 0; p < shown->npix; p += 97)
    g_assert_cmpfloat(shown->fields[0].values[p], ==, scale * (double)p + offset);
  double vmin = 0, vmax = 0;
  sph_sky_view_get_range(view, &vmin, &vmax);
  double last = scale * (double)(shown->npix - 1) + offset;
  g_assert_cmpfloat_with_epsilon(vmin, fmin(offset, last), 1e-9);
  g_assert_cmpfloat_with_epsilon(vmax, fmax(offset, last), 1e-9);
}

typedef struct {
  GtkWidget *window;
  SphSkyView *view;
} Fixture;

static void fixture_show(Fixture *fx)
{
  fx->window = gtk_window_new();
  fx->view = SPH_SKY_VIEW(sph_sky_view_new());
  gtk_widget_set_size_request(GTK_WIDGET(fx->view), 400, 200);
  gtk_window_set_child(GTK_WINDOW(fx->window), GTK_WIDGET(fx->view));
  gtk_window_present(GTK_WINDOW(fx->window));
}

static void fixture_close(Fixture *fx)
{
  gtk_window_destroy(GTK_WINDOW(fx->window));
  while (g_main_context_iteration(NULL, FALSE))
    ;
}

static void test_follows_snapshots(void)
{
  Fixture fx;
  fixture_show(&fx);
  SphJob *job = sph_job_new();
  sph_sky_view_follow_job(fx.view, job, 0);
  g_assert_true(sph_sky_view_get_followed_job(fx.view) == job);
  g_assert_null(sph_sky_view_get_map(fx.view));

  publish_ramp(job, 1.0, -100.0);
  wait_for_updates(fx.view, 1);
  assert_shows_ramp(fx.view, 1.0, -100.0);

  publish_ramp(job, -2.5, 40.0 * 12 * NSIDE * NSIDE);
  wait_for_updates(fx.view, 2);
  assert_shows_ramp(fx.view, -2.5, 40.0 * 12 * NSIDE * NSIDE);

  /* Nothing new: polling shows nothing and the count stays. */
  g_assert_false(sph_sky_view_poll_job(fx.view));
  g_assert_cmpuint(sph_sky_view_get_live_updates(fx.view), ==, 2);

  /* The shown map is the view's own copy: it outlives the job. */
  sph_sky_view_unfollow_job(fx.view);
  g_assert_null(sph_sky_view_get_followed_job(fx.view));
  publish_ramp(job, 3.0, 0.0);
  sph_job_unref(job);
  for (int i = 0; i < 30; i++) {
    g_usleep(10000);
    while (g_main_context_iteration(NULL, FALSE))
      ;
  }
  g_assert_cmpuint(sph_sky_view_get_live_updates(fx.view), ==, 2);
  assert_shows_ramp(fx.view, -2.5, 40.0 * 12 * NSIDE * NSIDE);
  fixture_close(&fx);
}

/* A job publishing 200 maps, one every 4 ms or more (however loaded the machine), gets at
 * most one upload per 100 ms tick, and the view ends on the newest map. The count of maps
 * is fixed rather than the time, so a slow machine only makes the run longer. */
static void test_throttled(void)
{
  Fixture fx;
  fixture_show(&fx);
  SphJob *job = sph_job_new();
  sph_sky_view_follow_job(fx.view, job, 0);
  guint uploads_before = sph_sky_view_get_values_uploads(fx.view);
  gint64 start = g_get_monotonic_time();
  int published = 0;
  while (published < 200) {
    publish_ramp(job, 1.0, (double)published);
    published++;
    g_usleep(4000);
    while (g_main_context_iteration(NULL, FALSE))
      ;
  }
  double elapsed_s = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
  guint updates = sph_sky_view_get_live_updates(fx.view);
  g_assert_cmpuint(updates, >=, 2);
  g_assert_cmpuint(updates, <=, (guint)(elapsed_s / 0.1) + 2);
  /* Each live update is one upload at most (none while the widget is not yet drawn). */
  g_assert_cmpuint(sph_sky_view_get_values_uploads(fx.view) - uploads_before, <=, updates);

  /* The newest map is shown now or at the next poll. */
  sph_sky_view_poll_job(fx.view);
  assert_shows_ramp(fx.view, 1.0, (double)(published - 1));
  sph_job_unref(job);
  fixture_close(&fx);
}

/* The panel's spectrum of a CMB realisation (as the demo makes it, at a smaller NSIDE)
 * is sph_anafast's, computed directly with the documented options, as D_l; and it scatters
 * around the LambdaCDM theory it was drawn from. */
static void test_spectrum_panel(void)
{
  const char *dir = g_getenv("SPHAERA_DATA_DIR");
  g_assert_nonnull(dir);
  char *path = g_build_filename(dir, "totcls.dat", NULL);
  SphError err = SPH_ERROR_INIT;
  SphSpectra *cls = sph_cl_read_text(path, &err);
  if (cls == NULL)
    g_error("%s", err.message);
  g_free(path);
  int ncomp = cls->ncomp;
  cls->ncomp = 1;
  const int64_t nside = 128;
  SphMap *map = sph_synfast(cls, nside, 2 * (int)nside, 0.0, 1234, NULL, &err);
  cls->ncomp = ncomp;
  if (map == NULL)
    g_error("%s", err.message);
  sph_map_set_field_unit(map, 0, "uK");

  GtkWidget *window = gtk_window_new();
  SphSpectrumPlot *plot = SPH_SPECTRUM_PLOT(sph_spectrum_plot_new());
  gtk_window_set_child(GTK_WINDOW(window), GTK_WIDGET(plot));
  gtk_window_present(GTK_WINDOW(window));
  sph_spectrum_job_start(plot, map, 0);
  g_assert_true(sph_spectrum_job_running(plot));
  g_assert_null(sph_spectrum_plot_get_dl(plot, NULL));
  gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
  while (sph_spectrum_job_running(plot)) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
  int lmax = -1;
  const double *dl = sph_spectrum_plot_get_dl(plot, &lmax);
  g_assert_nonnull(dl);
  g_assert_cmpint(lmax, ==, sph_spectrum_job_lmax(nside));
  g_assert_cmpint(lmax, ==, 256);

  SphAnafastOptions options = SPH_ANAFAST_DEFAULT;
  options.lmax = lmax;
  options.iterations = SPH_SPECTRUM_JOB_ITERATIONS;
  SphSpectra *direct = sph_anafast(map, NULL, &options, NULL, &err);
  if (direct == NULL)
    g_error("%s", err.message);
  g_assert_cmpint(direct->lmax, ==, lmax);
  double ratio_sum = 0.0;
  for (int l = 2; l <= lmax; l++) {
    double expected = l * (l + 1.0) * direct->cl[0][l] / (2.0 * G_PI);
    g_assert_cmpfloat(fabs(dl[l] - expected), <=, 1e-12 * fabs(expected));
    ratio_sum += direct->cl[0][l] / cls->cl[0][l];
  }
  /* The mean of C_l / C_l(theory) over 255 multipoles scatters by ~1%. */
  double mean_ratio = ratio_sum / (lmax - 1);
  g_assert_cmpfloat(fabs(mean_ratio - 1.0), <, 0.05);

  /* The log-l toggle is a property (the page binds its check button to it). */
  g_assert_false(sph_spectrum_plot_get_log_l(plot));
  g_object_set(plot, "log-l", TRUE, NULL);
  g_assert_true(sph_spectrum_plot_get_log_l(plot));

  /* A newer request replaces a running one. */
  sph_spectrum_job_start(plot, map, 0);
  sph_spectrum_job_start(plot, NULL, 0);
  g_assert_false(sph_spectrum_job_running(plot));
  g_assert_null(sph_spectrum_plot_get_dl(plot, NULL));

  sph_spectra_free(direct);
  sph_spectra_free(cls);
  gtk_window_destroy(GTK_WINDOW(window));
  /* Let the cancelled worker stop before the test ends. */
  for (int i = 0; i < 100; i++) {
    g_usleep(20000);
    while (g_main_context_iteration(NULL, FALSE))
      ;
  }
  sph_map_free(map);
}

typedef struct {
  gboolean done;
  SphMap *map;
  GError *error;
} ProcessResult;

static void on_processed(GObject *source, GAsyncResult *result, gpointer data)
{
  (void)source;
  ProcessResult *r = data;
  r->map = sph_map_process_finish(result, &r->error);
  r->done = TRUE;
}

static void run_process(const SphMap *map, SphMapProcessKind kind, double parameter,
                        gboolean cancel_first, ProcessResult *r)
{
  SphJob *job = sph_job_new();
  if (cancel_first)
    sph_job_cancel(job);
  *r = (ProcessResult){ 0 };
  GObject *source = g_object_new(G_TYPE_OBJECT, NULL);
  sph_map_process_async(source, map, kind, parameter, job, on_processed, r);
  gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
  while (!r->done) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
  g_object_unref(source);
  if (!cancel_first)
    g_assert_cmpfloat(sph_job_get_progress(job, NULL, 0), ==, 1.0);
  sph_job_unref(job);
}

static void assert_maps_equal(const SphMap *a, const SphMap *b)
{
  g_assert_cmpint(a->npix, ==, b->npix);
  g_assert_cmpint(a->nfields, ==, b->nfields);
  g_assert_cmpint(a->coordsys, ==, b->coordsys);
  for (int f = 0; f < a->nfields; f++) {
    double scale = 0.0;
    for (int64_t p = 0; p < a->npix; p++)
      scale = fmax(scale, fabs(b->fields[f].values[p]));
    for (int64_t p = 0; p < a->npix; p++)
      g_assert_cmpfloat(fabs(a->fields[f].values[p] - b->fields[f].values[p]), <=,
                        1e-12 * scale);
  }
}

/* Smooth and Rotate run as jobs whose results are what the core functions give directly
 * (healpy's smoothing with iter 3; rotate_map_alms G -> C), and a cancelled job reports
 * G_IO_ERROR_CANCELLED instead of a map. */
static void test_map_operations(void)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_map_new(32, SPH_ORDER_RING, 1, &err);
  g_assert_nonnull(map);
  map->coordsys = SPH_COORD_GALACTIC;
  for (int64_t p = 0; p < map->npix; p++) {
    double theta = 0, phi = 0;
    sph_hp_pix2ang_ring(map->nside, p, &theta, &phi);
    map->fields[0].values[p] = cos(3.0 * theta) + sin(theta) * sin(theta) * cos(2.0 * phi);
  }

  ProcessResult r;
  run_process(map, SPH_MAP_PROCESS_SMOOTH, 5.0, FALSE, &r);
  g_assert_no_error(r.error);
  SphMap *direct = sph_smoothing(map, 5.0 * G_PI / 180.0, -1, 3, false, NULL, &err);
  g_assert_nonnull(direct);
  assert_maps_equal(r.map, direct);
  sph_map_free(direct);
  sph_map_free(r.map);

  run_process(map, SPH_MAP_PROCESS_ROTATE, (double)SPH_COORD_EQUATORIAL, FALSE, &r);
  g_assert_no_error(r.error);
  direct = sph_rotate_map_frame(map, SPH_COORD_EQUATORIAL, -1, 3, false, NULL, &err);
  g_assert_nonnull(direct);
  g_assert_cmpint(direct->coordsys, ==, SPH_COORD_EQUATORIAL);
  assert_maps_equal(r.map, direct);
  sph_map_free(direct);
  sph_map_free(r.map);

  run_process(map, SPH_MAP_PROCESS_SMOOTH, 5.0, TRUE, &r);
  g_assert_null(r.map);
  g_assert_error(r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error(&r.error);

  char *title = sph_map_process_title(SPH_MAP_PROCESS_ROTATE, SPH_COORD_ECLIPTIC, "W band");
  g_assert_cmpstr(title, ==, "W band, ecliptic");
  g_free(title);
  sph_map_free(map);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  if (!gtk_init_check()) {
    g_printerr("test-ui-live: cannot open a display; run it under xvfb-run\n");
    return 1;
  }
  g_test_add_func("/ui/live/follows-snapshots", test_follows_snapshots);
  g_test_add_func("/ui/live/throttled", test_throttled);
  g_test_add_func("/ui/live/spectrum-panel", test_spectrum_panel);
  g_test_add_func("/ui/live/map-operations", test_map_operations);
  return g_test_run();
}
