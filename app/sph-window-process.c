/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-window-private.h"

#include "sph-map-process.h"
#include "sphaera/fields.h"
#include "sphaera/job.h"
#include "sphaera/rotate.h"

/* A change of frame for viewing: the alm to 2 NSIDE (the map's detail, not healpy's
 * 3 NSIDE - 1) and one refinement step, about 5 transforms and a Wigner recursion to
 * 2 NSIDE instead of healpy's 8 transforms and 3 NSIDE - 1: an NSIDE 512 map in a few
 * seconds rather than about 40. */
#define ROTATE_LMAX_PER_NSIDE 2
#define ROTATE_ITERATIONS 1

/* ---- map operations: smoothing and a change of frame, each a job making a new layer ---- */

typedef struct {
  SphJob *job;
  char *title;
  gint64 started_us;
} ProcessContext;

static void process_context_free(ProcessContext *ctx)
{
  sph_job_unref(ctx->job);
  g_free(ctx->title);
  g_free(ctx);
}

static void process_done(GObject *source, GAsyncResult *result, gpointer data)
{
  SphWindow *self = SPH_WINDOW(source);
  ProcessContext *ctx = data;
  GError *error = NULL;
  SphMap *map = sph_map_process_finish(result, &error);
  if (self->disposed || ctx->job != self->load_job) {
    g_clear_pointer(&map, sph_map_free);
  } else if (map == NULL) {
    char *message = NULL;
    if (sph_job_is_cancelled(ctx->job)) {
      message = g_strdup_printf("Cancelled making %s", ctx->title);
    } else {
      message = g_strdup_printf("Could not make %s. %s", ctx->title, error->message);
      sph_window_show_error(self, message);
    }
    sph_window_finish_job(self, ctx->job, message);
    g_free(message);
  } else {
    double seconds = (double)(g_get_monotonic_time() - ctx->started_us) / G_USEC_PER_SEC;
    char *message = g_strdup_printf("Made %s (%.2f s)", ctx->title, seconds);
    sph_window_hide_error(self);
    sph_sky_page_add_map(sph_window_sky_page(self), map, ctx->title);
    sph_window_finish_job(self, ctx->job, message);
    g_free(message);
  }
  g_clear_error(&error);
  process_context_free(ctx);
}

/* ---- the frame rotation's worker ---- */

typedef struct {
  SphMap *map;
  SphCoordSys to;
  SphJob *job;
} RotateRequest;

static void rotate_request_free(gpointer data)
{
  RotateRequest *req = data;
  sph_map_free(req->map);
  sph_job_unref(req->job);
  g_free(req);
}

static void rotate_thread(GTask *task, gpointer source, gpointer task_data,
                          GCancellable *cancellable)
{
  (void)source;
  (void)cancellable;
  RotateRequest *req = task_data;
  int lmax = (int)(ROTATE_LMAX_PER_NSIDE * req->map->nside);
  char *text = g_strdup_printf("Rotating the map to lmax %d", lmax);
  sph_job_set_progress(req->job, 0.0, text);
  g_free(text);
  SphError err = SPH_ERROR_INIT;
  SphMap *out = sph_rotate_map_frame(req->map, req->to, lmax, ROTATE_ITERATIONS,
                                     req->map->nfields >= 3, req->job, &err);
  if (sph_job_is_cancelled(req->job)) {
    if (out != NULL)
      sph_map_free(out);
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
    return;
  }
  if (out == NULL) {
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", err.message);
    return;
  }
  sph_job_set_progress(req->job, 1.0, NULL);
  g_task_return_pointer(task, out, (GDestroyNotify)sph_map_free);
}

/* Runs the rotation on a GTask thread; the result is taken as sph_map_process_finish
 * takes it (the task's pointer). */
static void rotate_async(GObject *source, const SphMap *map, SphCoordSys to, SphJob *job,
                         GAsyncReadyCallback callback, gpointer data)
{
  GTask *task = g_task_new(source, NULL, callback, data);
  g_task_set_name(task, "sphaera: rotate map");
  SphError err = SPH_ERROR_INIT;
  SphMap *copy = sph_map_copy(map, &err);
  if (copy == NULL) {
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", err.message);
    g_object_unref(task);
    return;
  }
  RotateRequest *req = g_new0(RotateRequest, 1);
  req->map = copy;
  req->to = to;
  req->job = sph_job_ref(job);
  g_task_set_task_data(task, req, rotate_request_free);
  g_task_run_in_thread(task, rotate_thread);
  g_object_unref(task);
}

static void start_process(SphWindow *self, SphMapProcessKind kind, double parameter)
{
  SphSkyPage *page = sph_window_sky_page(self);
  const SphMap *map = sph_sky_view_get_map(sph_sky_page_get_view(page));
  if (map == NULL) {
    sph_window_show_error(self, "Open a map first: there is no map to process");
    return;
  }
  if (self->load_job != NULL) {
    sph_window_show_error(self, "Another job is running: wait for it or cancel it first");
    return;
  }
  ProcessContext *ctx = g_new0(ProcessContext, 1);
  ctx->job = sph_job_new();
  if (ctx->job == NULL) {
    sph_window_show_error(self, "Out of memory: cannot start the job");
    g_free(ctx);
    return;
  }
  ctx->title = sph_map_process_title(kind, parameter, sph_sky_page_get_title(page));
  ctx->started_us = g_get_monotonic_time();
  self->load_job = sph_job_ref(ctx->job);
  char *title = g_strdup_printf("Making %s", ctx->title);
  sph_job_status_watch(self->job_status, ctx->job, title);
  g_free(title);
  sph_window_set_action_enabled(self, "cancel-job", TRUE);
  if (kind == SPH_MAP_PROCESS_ROTATE)
    rotate_async(G_OBJECT(self), map, (SphCoordSys)(int)parameter, ctx->job, process_done, ctx);
  else
    sph_map_process_async(G_OBJECT(self), map, kind, parameter, ctx->job, process_done, ctx);
}

static void on_smooth_confirm(GtkButton *button, gpointer data)
{
  SphWindow *self = data;
  GtkSpinButton *spin = g_object_get_data(G_OBJECT(button), "fwhm-spin");
  double fwhm = gtk_spin_button_get_value(spin);
  gtk_window_destroy(GTK_WINDOW(gtk_widget_get_root(GTK_WIDGET(button))));
  start_process(self, SPH_MAP_PROCESS_SMOOTH, fwhm);
}

void sph_window_on_smooth(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  SphWindow *self = data;
  GtkWidget *dialog = gtk_window_new();
  gtk_window_set_title(GTK_WINDOW(dialog), "Smooth");
  gtk_window_set_transient_for(GTK_WINDOW(dialog), GTK_WINDOW(self));
  gtk_window_set_modal(GTK_WINDOW(dialog), TRUE);
  gtk_window_set_resizable(GTK_WINDOW(dialog), FALSE);
  GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_margin_start(box, 12);
  gtk_widget_set_margin_end(box, 12);
  gtk_widget_set_margin_top(box, 12);
  gtk_widget_set_margin_bottom(box, 12);
  gtk_box_append(GTK_BOX(box), gtk_label_new("Gaussian beam FWHM (degrees)"));
  GtkWidget *spin = gtk_spin_button_new_with_range(0.05, 60.0, 0.05);
  gtk_spin_button_set_digits(GTK_SPIN_BUTTON(spin), 2);
  gtk_spin_button_set_value(GTK_SPIN_BUTTON(spin), 1.0);
  gtk_box_append(GTK_BOX(box), spin);
  GtkWidget *button = gtk_button_new_with_mnemonic("_Smooth");
  gtk_widget_add_css_class(button, "suggested-action");
  g_object_set_data(G_OBJECT(button), "fwhm-spin", spin);
  g_signal_connect(button, "clicked", G_CALLBACK(on_smooth_confirm), self);
  /* Enter in the FWHM field confirms, as the Smooth button does. */
  g_object_set(gtk_editable_get_delegate(GTK_EDITABLE(spin)), "activates-default", TRUE, NULL);
  gtk_box_append(GTK_BOX(box), button);
  gtk_window_set_child(GTK_WINDOW(dialog), box);
  gtk_window_set_default_widget(GTK_WINDOW(dialog), button);
  gtk_window_present(GTK_WINDOW(dialog));
}

void sph_window_on_rotate_frame(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  const char *code = g_variant_get_string(parameter, NULL);
  SphCoordSys to = g_str_equal(code, "C")   ? SPH_COORD_EQUATORIAL
                   : g_str_equal(code, "E") ? SPH_COORD_ECLIPTIC
                   : g_str_equal(code, "G") ? SPH_COORD_GALACTIC
                                            : SPH_COORD_UNKNOWN;
  if (to == SPH_COORD_UNKNOWN) {
    sph_window_show_error(SPH_WINDOW(data), "Unknown frame: use G, C or E");
    return;
  }
  start_process(SPH_WINDOW(data), SPH_MAP_PROCESS_ROTATE, (double)to);
}