/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The regression panel: three models train in their tasks, their snapshots arrive and
 * are drawn as bands (at most ten redraws a second), and Cancel stops them. Runs under
 * Xvfb. */
#include <gtk/gtk.h>
#include <math.h>

#include "sph-regression-panel.h"

#define WAIT_TIMEOUT_S 120

static void wait_until_idle(SphRegressionPanel *panel)
{
  gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  while (sph_regression_panel_running(panel)) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
  /* let the last completions run */
  while (g_main_context_iteration(NULL, FALSE))
    ;
}

/* Pixels of the image within 0.04 of rgb in every channel. */
static int count_colour(cairo_surface_t *surface, const double rgb[3])
{
  cairo_surface_flush(surface);
  int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
  int stride = cairo_image_surface_get_stride(surface), count = 0;
  const unsigned char *data = cairo_image_surface_get_data(surface);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      guint32 px = *(const guint32 *)(data + y * stride + 4 * x);
      double c[3] = {((px >> 16) & 255) / 255.0, ((px >> 8) & 255) / 255.0, (px & 255) / 255.0};
      if (fabs(c[0] - rgb[0]) < 0.04 && fabs(c[1] - rgb[1]) < 0.04 && fabs(c[2] - rgb[2]) < 0.04)
        count++;
    }
  return count;
}

static void test_train_and_draw(void)
{
  GtkWidget *window = gtk_window_new();
  GtkWidget *widget = sph_regression_panel_new();
  SphRegressionPanel *panel = SPH_REGRESSION_PANEL(widget);
  gtk_window_set_child(GTK_WINDOW(window), widget);
  gtk_window_set_default_size(GTK_WINDOW(window), 800, 500);
  gtk_window_present(GTK_WINDOW(window));
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++)
    g_assert_null(sph_regression_panel_get_snapshot(panel, (SphRegModel)m));
  sph_regression_panel_set_seed(panel, 1);
  sph_regression_panel_set_epochs(panel, 20);
  gint64 t0 = g_get_monotonic_time();
  g_assert_true(gtk_widget_activate_action(widget, "regression.train", NULL));
  g_assert_true(sph_regression_panel_running(panel));
  wait_until_idle(panel);
  double elapsed_s = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
  guint updates = sph_regression_panel_get_updates(panel);
  g_test_message("%u updates in %.2f s; status: %s", updates, elapsed_s,
                 sph_regression_panel_get_status(panel));
  g_assert_cmpuint(updates, >=, 1);
  /* timer ticks every 100 ms, plus one per model at its end */
  g_assert_cmpfloat((double)updates, <=, elapsed_s * 10.0 + 1.0 + SPH_REG_MODEL_COUNT);
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++) {
    const SphRegressionSnapshot *s = sph_regression_panel_get_snapshot(panel, (SphRegModel)m);
    g_assert_nonnull(s);
    g_assert_cmpint(s->model, ==, m);
    g_assert_cmpuint(s->epoch, ==, 20);
    g_assert_cmpuint(s->epochs_planned, ==, 20);
    for (size_t i = 0; i < s->ngrid; i++)
      g_assert_true(isfinite(s->mean[i]) && s->sd[i] > 0.0);
    g_assert_true(s->coverage95 >= 0.0 && s->coverage95 <= 1.0);
  }
  g_assert_nonnull(strstr(sph_regression_panel_get_status(panel), "ensemble: done"));
  /* the three bands, each with its mean line in its own colour */
  cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 700, 420);
  cairo_t *cr = cairo_create(surface);
  g_assert_cmpint(sph_regression_panel_draw(panel, cr, 700, 420), ==, 3);
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++) {
    double rgb[3];
    sph_regression_panel_model_colour((SphRegModel)m, rgb);
    int n = count_colour(surface, rgb);
    g_test_message("model %d: %d pixels of its line colour", m, n);
    g_assert_cmpint(n, >, 100);
  }
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  gtk_window_destroy(GTK_WINDOW(window));
}

static void test_cancel(void)
{
  GtkWidget *window = gtk_window_new();
  GtkWidget *widget = sph_regression_panel_new();
  SphRegressionPanel *panel = SPH_REGRESSION_PANEL(widget);
  gtk_window_set_child(GTK_WINDOW(window), widget);
  gtk_window_present(GTK_WINDOW(window));
  sph_regression_panel_set_epochs(panel, 5000);
  sph_regression_panel_train(panel);
  gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  while (sph_regression_panel_get_updates(panel) == 0) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
  g_assert_true(gtk_widget_activate_action(widget, "regression.cancel", NULL));
  wait_until_idle(panel);
  const char *status = sph_regression_panel_get_status(panel);
  g_test_message("status: %s", status);
  g_assert_nonnull(strstr(status, "mcdropout: cancelled"));
  g_assert_nonnull(strstr(status, "bbb: cancelled"));
  g_assert_nonnull(strstr(status, "ensemble: cancelled"));
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++) {
    const SphRegressionSnapshot *s = sph_regression_panel_get_snapshot(panel, (SphRegModel)m);
    if (s != NULL)
      g_assert_cmpuint(s->epoch, <, 5000);
  }
  gtk_window_destroy(GTK_WINDOW(window));
}

int main(int argc, char **argv)
{
  gtk_test_init(&argc, &argv, NULL);
  g_test_add_func("/ui-regression/train-and-draw", test_train_and_draw);
  g_test_add_func("/ui-regression/cancel", test_cancel);
  return g_test_run();
}
