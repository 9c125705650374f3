/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Inference and Truthfulness pages under Xvfb: a sampler run from the page feeds
 * the corner, trace and autocorrelation plots while it runs, the main loop keeps
 * turning, stopping it keeps a valid chain, the finished chain's statistics, evidence
 * and exports are right, and a coverage test fills its plot. */
#include <gtk/gtk.h>
#include <math.h>

#include "sph-coverage-page.h"
#include "sph-inference-page.h"
#include "sph-resources.h"
#include "sph-test-files.h"
#include "sphaera/corner.h"

#define WAIT_TIMEOUT_S 60

static GtkWidget *show_in_window(GtkWidget *page)
{
  GtkWidget *window = gtk_window_new();
  gtk_window_set_default_size(GTK_WINDOW(window), 1200, 800);
  gtk_window_set_child(GTK_WINDOW(window), page);
  gtk_window_present(GTK_WINDOW(window));
  return window;
}

static void iterate_until(gboolean (*done)(gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  while (!done(data)) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
}

static gboolean page_idle(gpointer data)
{
  SphInferencePage *page = data;
  return !sph_inference_page_is_running(page) && !sph_inference_page_is_summarising(page);
}

/* A 10 ms timeout: whether it fires while a snapshot's statistics are computed (they
 * run on a worker, so it must), and the gaps between firings (reported, not bounded:
 * on a shared machine the load stretches them whatever the page does). */
typedef struct {
  SphInferencePage *page;
  gint64 last;
  GArray *gaps; /* gint64 microseconds */
  guint while_summarising;
} Heartbeat;

static gboolean heartbeat(gpointer data)
{
  Heartbeat *h = data;
  if (sph_inference_page_is_summarising(h->page))
    h->while_summarising++;
  gint64 now = g_get_monotonic_time();
  if (h->last != 0)
    g_array_append_val(h->gaps, (gint64){now - h->last});
  h->last = now;
  return G_SOURCE_CONTINUE;
}

static int compare_gaps(gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return (x > y) - (x < y);
}

static gboolean corner_drawn(gpointer data)
{
  return sph_corner_plot_get_draws(data) > 0;
}

typedef struct {
  SphInferencePage *page;
  guint corner0, trace0;
} LiveWatch;

static gboolean live_updates_seen(gpointer data)
{
  LiveWatch *w = data;
  g_assert_true(sph_inference_page_is_running(w->page)); /* it must still be running */
  SphCornerPlot *corner = sph_inference_page_get_corner_plot(w->page);
  SphTracePlot *trace = sph_inference_page_get_trace_plot(w->page);
  return sph_corner_plot_get_updates(corner) >= w->corner0 + 3 &&
         sph_corner_plot_get_corner(corner) != NULL &&
         sph_trace_plot_get_updates(trace) >= w->trace0 + 3 &&
         sph_corner_plot_get_draws(corner) >= 2;
}

/* A long run: the plots change while it runs, the main loop stays responsive, and
 * stopping it leaves a valid partial chain. */
static void test_live_and_cancel(void)
{
  const char *slow = g_getenv("SPHAERA_PLUGIN_SLOW_TARGET");
  if (slow == NULL || !g_file_test(slow, G_FILE_TEST_EXISTS)) {
    g_test_skip("the slow target plugin (SPHAERA_PLUGIN_SLOW_TARGET) is not built");
    return;
  }
  SphInferencePage *page = SPH_INFERENCE_PAGE(sph_inference_page_new());
  GtkWidget *window = show_in_window(GTK_WIDGET(page));
  g_assert_false(sph_inference_page_configure(page, "gauss:3", "hmc", 4, 10, 0, 1));
  char *spec = g_strconcat("plugin:", slow, NULL);
  /* 16 walkers x 100000 steps of a target that takes tens of microseconds: a minute or
   * more on any machine, so it is surely still running when stopped */
  g_assert_true(sph_inference_page_configure(page, spec, "ensemble", 16, 100000, 100, 5));
  g_free(spec);
  SphCornerPlot *corner = sph_inference_page_get_corner_plot(page);
  SphTracePlot *trace = sph_inference_page_get_trace_plot(page);
  /* the first frame (realising the window) is not the sampler's doing */
  iterate_until(corner_drawn, corner);
  Heartbeat h = {page, 0, g_array_new(FALSE, FALSE, sizeof(gint64)), 0};
  guint beat = g_timeout_add(10, heartbeat, &h);
  g_assert_true(sph_inference_page_run(page));
  g_assert_false(sph_inference_page_run(page)); /* one at a time */
  /* set_corner(NULL) at the start counts once */
  LiveWatch w = {page, sph_corner_plot_get_updates(corner), sph_trace_plot_get_updates(trace)};
  iterate_until(live_updates_seen, &w);
  const SphCorner *c = sph_corner_plot_get_corner(corner);
  g_assert_cmpuint(c->dim, ==, 2);
  sph_inference_page_cancel(page);
  iterate_until(page_idle, page);
  g_source_remove(beat);

  g_assert_cmpuint(h.gaps->len, >=, 3);
  g_array_sort(h.gaps, compare_gaps);
  gint64 median = g_array_index(h.gaps, gint64, h.gaps->len / 2);
  gint64 p95 = g_array_index(h.gaps, gint64, (h.gaps->len * 95) / 100);
  gint64 worst = g_array_index(h.gaps, gint64, h.gaps->len - 1);
  g_test_message("main loop: %u heartbeats (%u while statistics were computed); gaps: median "
                 "%.1f ms, 95%% under %.1f ms, worst %.1f ms",
                 h.gaps->len, h.while_summarising, median / 1e3, p95 / 1e3, worst / 1e3);
  g_assert_cmpuint(h.while_summarising, >, 0);
  g_array_free(h.gaps, TRUE);

  const SphChain *chain = sph_inference_page_get_chain(page);
  g_assert_nonnull(chain);
  g_assert_cmpuint(chain->steps, >, 0);
  g_assert_cmpuint(chain->steps, <, 100000);
  g_assert_cmpuint(chain->walkers, ==, 16);
  for (size_t i = 0; i < chain->steps * chain->walkers * chain->dim; i++)
    g_assert_true(isfinite(chain->samples[i]));
  for (size_t i = 0; i < chain->steps * chain->walkers; i++)
    g_assert_true(isfinite(chain->log_prob[i]));
  g_assert_nonnull(strstr(sph_inference_page_get_message(page), "Stopped after"));
  g_assert_nonnull(sph_corner_plot_get_corner(corner));
  gtk_window_destroy(GTK_WINDOW(window));
}

static gboolean evidence_done(gpointer data)
{
  SphEvidence ev;
  return sph_inference_page_get_evidence(data, &ev);
}

/* A finished ensemble run on gauss:2 (unit variances, correlation 0.9): quantiles, the
 * evidence against ln z = ln 2 pi + ln(1 - 0.81) / 2 - 2 ln 20, and the exports. */
static void test_finished_run(void)
{
  SphInferencePage *page = SPH_INFERENCE_PAGE(sph_inference_page_new());
  GtkWidget *window = show_in_window(GTK_WIDGET(page));
  g_assert_true(sph_inference_page_configure(page, "gauss:2", "ensemble", 32, 3000, 300, 1));
  g_assert_true(sph_inference_page_run(page));
  iterate_until(page_idle, page);
  const SphChain *chain = sph_inference_page_get_chain(page);
  g_assert_nonnull(chain);
  g_assert_cmpuint(chain->steps, ==, 3000);
  const SphCorner *c = sph_corner_plot_get_corner(sph_inference_page_get_corner_plot(page));
  g_assert_nonnull(c);
  g_assert_cmpuint(c->samples, ==, 2700 * 32);
  for (size_t k = 0; k < 2; k++) {
    g_assert_cmpfloat(fabs(c->quantiles[3 * k] + 0.9945), <, 0.1);
    g_assert_cmpfloat(fabs(c->quantiles[3 * k + 1]), <, 0.1);
    g_assert_cmpfloat(fabs(c->quantiles[3 * k + 2] - 0.9945), <, 0.1);
  }
  g_assert_true(sph_inference_page_compute_evidence(page));
  iterate_until(evidence_done, page);
  SphEvidence ev;
  g_assert_true(sph_inference_page_get_evidence(page, &ev));
  double exact = log(2 * G_PI) + 0.5 * log(1 - 0.81) - 2 * log(20.0);
  g_test_message("ln z = %.4f +- %.4f, exact %.4f", ev.ln_evidence, ev.ln_evidence_err, exact);
  g_assert_cmpfloat(fabs(ev.ln_evidence - exact), <, 0.1);

  char *dir = g_dir_make_tmp("sph-ui-inference-XXXXXX", NULL);
  g_assert_nonnull(dir);
  static const char *const exts[] = {"png", "svg", "pdf"};
  static const char *const magic[] = {"\x89PNG", "<?xml", "%PDF"};
  for (int f = 0; f < 3; f++) {
    GError *error = NULL;
    g_assert_true(sph_inference_page_export_to(page, dir, exts[f], &error));
    g_assert_no_error(error);
    for (int k = 0; k < 3; k++) {
      static const char *const stems[] = {"corner", "trace", "autocorr"};
      char *base = g_strdup_printf("%s.%s", stems[k], exts[f]);
      char *path = g_build_filename(dir, base, NULL);
      char *data = NULL;
      gsize len = 0;
      g_assert_true(g_file_get_contents(path, &data, &len, NULL));
      g_assert_cmpuint(len, >, 1000);
      g_assert_true(g_str_has_prefix(data, magic[f]));
      g_free(data);
      g_free(path);
      g_free(base);
    }
  }
  GError *error = NULL;
  g_assert_false(sph_inference_page_export_to(page, "/nonexistent-sphaera", "png", &error));
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "/nonexistent-sphaera"));
  g_error_free(error);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 9); /* no temporary files left */
  sph_test_remove_tree(dir);
  g_free(dir);
  gtk_window_destroy(GTK_WINDOW(window));
}

/* The real-data target through NUTS: the WMAP W-band spectrum's amplitude and tilt. */
static void test_cl_fit_nuts(void)
{
  SphInferencePage *page = SPH_INFERENCE_PAGE(sph_inference_page_new());
  GtkWidget *window = show_in_window(GTK_WIDGET(page));
  g_assert_true(sph_inference_page_configure(page, "cl-fit", "nuts", 4, 300, 100, 2));
  g_assert_true(sph_inference_page_run(page));
  iterate_until(page_idle, page);
  const SphChain *chain = sph_inference_page_get_chain(page);
  g_assert_nonnull(chain);
  g_assert_cmpuint(chain->steps, ==, 300);
  g_assert_cmpuint(chain->dim, ==, 2);
  const SphCorner *c = sph_corner_plot_get_corner(sph_inference_page_get_corner_plot(page));
  g_assert_nonnull(c);
  g_test_message("cl-fit: A = %.3f (+%.3f -%.3f), n = %.3f", c->quantiles[1],
                 c->quantiles[2] - c->quantiles[1], c->quantiles[1] - c->quantiles[0],
                 c->quantiles[4]);
  /* inside the prior box A in [0.1, 3], n in [-1, 1], and a real measurement of A */
  g_assert_cmpfloat(c->quantiles[1], >, 0.5);
  g_assert_cmpfloat(c->quantiles[1], <, 2.0);
  g_assert_cmpfloat(c->quantiles[2] - c->quantiles[0], <, 0.5);
  gtk_window_destroy(GTK_WINDOW(window));
}

static gboolean coverage_idle(gpointer data)
{
  return !sph_coverage_page_is_running(data);
}

static void test_coverage_page(void)
{
  SphCoveragePage *page = SPH_COVERAGE_PAGE(sph_coverage_page_new());
  GtkWidget *window = show_in_window(GTK_WIDGET(page));
  g_assert_true(sph_coverage_page_configure(page, "overconfident", 400, 2, 2));
  g_assert_true(sph_coverage_page_run(page));
  iterate_until(coverage_idle, page);
  const SphCoverageResult *r = sph_coverage_page_get_result(page);
  g_assert_nonnull(r);
  g_assert_cmpuint(r->tests, ==, 400);
  SphCoveragePlot *plot = sph_coverage_page_get_plot(page);
  g_assert_cmpuint(sph_coverage_plot_get_tests(plot), ==, 400);
  g_assert_cmpuint(sph_coverage_plot_get_updates(plot), >=, 2);
  g_assert_cmpfloat(r->hpd_max_deviation, >, 0.3); /* too narrow: far below the diagonal */
  char *dir = g_dir_make_tmp("sph-ui-coverage-XXXXXX", NULL);
  GError *error = NULL;
  g_assert_true(sph_coverage_page_export_to(page, dir, "svg", &error));
  g_assert_no_error(error);
  char *path = g_build_filename(dir, "coverage.svg", NULL);
  g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
  g_free(path);
  sph_test_remove_tree(dir);
  g_free(dir);
  gtk_window_destroy(GTK_WINDOW(window));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  if (!gtk_init_check()) {
    g_printerr("test-ui-inference: cannot open a display; run it under xvfb-run\n");
    return 1;
  }
  /* Naming the bundle links it in (a static library's object file is pulled in only
   * when referenced); its constructor has then registered it. */
  if (!g_resources_get_info("/org/sphaera/Sphaera/ui/sph-inference-page.ui",
                            G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL))
    g_resources_register(sph_get_resource());
  g_test_add_func("/ui/inference/live-and-cancel", test_live_and_cancel);
  g_test_add_func("/ui/inference/finished-run", test_finished_run);
  g_test_add_func("/ui/inference/cl-fit-nuts", test_cl_fit_nuts);
  g_test_add_func("/ui/inference/coverage-page", test_coverage_page);
  return g_test_run();
}
