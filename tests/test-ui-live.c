/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's live mode: it follows a job's snapshots (SphMaps), shows the newest,
 * and uploads at most ten a second however fast the job publishes. Runs under Xvfb. */
#include <gtk/gtk.h>
#include <math.h>

#include "sph-sky-view.h"
#include "sphaera/job.h"
#include "sphaera/map.h"

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

/* A job publishing every 4 ms for 0.8 s (200 maps) gets at most one upload per 100 ms
 * tick, and the view ends on the newest map. */
static void test_throttled(void)
{
  Fixture fx;
  fixture_show(&fx);
  SphJob *job = sph_job_new();
  sph_sky_view_follow_job(fx.view, job, 0);
  guint uploads_before = sph_sky_view_get_values_uploads(fx.view);
  gint64 start = g_get_monotonic_time();
  int published = 0;
  while (g_get_monotonic_time() - start < 800000) {
    publish_ramp(job, 1.0, (double)published);
    published++;
    g_usleep(4000);
    while (g_main_context_iteration(NULL, FALSE))
      ;
  }
  double elapsed_s = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
  guint updates = sph_sky_view_get_live_updates(fx.view);
  g_assert_cmpint(published, >=, 100);
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

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  if (!gtk_init_check()) {
    g_printerr("test-ui-live: cannot open a display; run it under xvfb-run\n");
    return 1;
  }
  g_test_add_func("/ui/live/follows-snapshots", test_follows_snapshots);
  g_test_add_func("/ui/live/throttled", test_throttled);
  return g_test_run();
}
