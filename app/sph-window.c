/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-window.h"
#include "sph-window-private.h"

#include <string.h>

#include "sph-application.h"
#include "sph-coverage-page.h"
#include "sph-inference-page.h"
#include "sph-job-status.h"
#include "sph-learn-page.h"
#include "sph-sky-page.h"
#include "sph-spectrum-job.h"
#include "sph-view-settings.h"
#include "sph-wavelet-page.h"
#include "sphaera/fields.h"
#include "sphaera/fits_map.h"
#include "sphaera/spectrum.h"
#include "sphaera/job.h"

#define DEMO_MAP_FILE "wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits"

/* The talk's three pillars; the sidebar lists the pages under them. */
typedef enum {
  PILLAR_PHYSICS,
  PILLAR_PROBABILISTIC,
  PILLAR_INTELLIGIBLE,
  N_PILLARS
} Pillar;

static const char *const pillar_titles[N_PILLARS] = {
  [PILLAR_PHYSICS] = "Physics-enhanced learning",
  [PILLAR_PROBABILISTIC] = "Probabilistic learning",
  [PILLAR_INTELLIGIBLE] = "Intelligible AI",
};

typedef struct {
  const char *name;  /* the GtkStack child name */
  const char *title; /* the sidebar's label */
  Pillar pillar;
  GtkWidget *(*create)(void);
} PageEntry;

/* The pages, one line each. */
static const PageEntry page_entries[] = {
  { "sky", "Sky maps", PILLAR_PHYSICS, sph_sky_page_new },
  { "wavelets", "Wavelets", PILLAR_PHYSICS, sph_wavelet_page_new },
  { "learn", "Learn", PILLAR_PROBABILISTIC, sph_learn_page_new },
  { "inference", "Inference", PILLAR_PROBABILISTIC, sph_inference_page_new },
  { "coverage", "Truthfulness", PILLAR_INTELLIGIBLE, sph_coverage_page_new },
};

G_DEFINE_FINAL_TYPE(SphWindow, sph_window, GTK_TYPE_APPLICATION_WINDOW)

G_DEFINE_QUARK(sph-load-error-quark, sph_load_error)

SphSkyPage *sph_window_sky_page(SphWindow *self)
{
  return SPH_SKY_PAGE(gtk_stack_get_child_by_name(self->stack, "sky"));
}

void sph_window_set_action_enabled(SphWindow *self, const char *name, gboolean enabled)
{
  GAction *action = g_action_map_lookup_action(G_ACTION_MAP(self), name);
  g_simple_action_set_enabled(G_SIMPLE_ACTION(action), enabled);
}

void sph_window_show_error(SphWindow *self, const char *message)
{
  g_return_if_fail(SPH_IS_WINDOW(self));
  gtk_label_set_text(self->error_label, message);
  gtk_revealer_set_reveal_child(self->error_revealer, TRUE);
}

void sph_window_hide_error(SphWindow *self)
{
  gtk_revealer_set_reveal_child(self->error_revealer, FALSE);
}

/* ---- loading a map: a job on a worker thread ---- */

static void load_request_free(gpointer data)
{
  LoadRequest *req = data;
  g_free(req->path);
  g_free(req->name);
  sph_job_unref(req->job);
  g_free(req);
}

/* The demo file carries no TUNIT or COORDSYS; the WMAP maps are galactic, in mK. */
static void complete_demo_metadata(SphMap *map)
{
  if (map->coordsys == SPH_COORD_UNKNOWN)
    map->coordsys = SPH_COORD_GALACTIC;
  for (int f = 0; f < map->nfields; f++)
    if (map->fields[f].unit[0] == '\0')
      sph_map_set_field_unit(map, f, "mK");
}

static void load_thread(GTask *task, gpointer source, gpointer task_data,
                        GCancellable *cancellable)
{
  (void)source;
  (void)cancellable;
  LoadRequest *req = task_data;
  char *text = g_strdup_printf("Reading %s", req->name);
  sph_job_set_progress(req->job, 0.0, text);
  g_free(text);

  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_fits_read_map(req->path, NULL, &err);
  if (map == NULL) {
    g_task_return_new_error(task, sph_load_error_quark(), err.code, "%s", err.message);
    return;
  }
  if (req->kind == LOAD_WMAP_DEMO)
    complete_demo_metadata(map);
  /* The sky view's texture is in RING order: reorder here, off the main thread. */
  if (map->ordering != SPH_ORDER_RING && !sph_job_is_cancelled(req->job)) {
    sph_job_set_progress(req->job, 0.6, "Reordering to RING");
    if (sph_map_reorder(map, SPH_ORDER_RING, &err) != SPH_OK) {
      sph_map_free(map);
      g_task_return_new_error(task, sph_load_error_quark(), err.code, "%s: %s", req->path,
                              err.message);
      return;
    }
  }
  sph_job_set_progress(req->job, 1.0, NULL);
  g_task_return_pointer(task, map, (GDestroyNotify)sph_map_free);
}

typedef struct {
  char *path;
  LoadKind kind;
} PendingLoad;

static void pending_load_free(gpointer data)
{
  PendingLoad *pending = data;
  g_free(pending->path);
  g_free(pending);
}

static void start_load(SphWindow *self, const char *path, LoadKind kind);

void sph_window_finish_job(SphWindow *self, SphJob *job, const char *message)
{
  SphSkyView *view = sph_sky_page_get_view(sph_window_sky_page(self));
  if (job != NULL && sph_sky_view_get_followed_job(view) == job)
    sph_sky_view_unfollow_job(view);
  sph_job_status_finish(self->job_status, job, message);
  g_clear_pointer(&self->load_job, sph_job_unref);
  sph_window_set_action_enabled(self, "cancel-job", FALSE);
  PendingLoad *next = g_queue_pop_head(&self->pending);
  if (next != NULL) {
    start_load(self, next->path, next->kind);
    pending_load_free(next);
  }
}

/* The spectrum panel follows the shown layer and field. */
static void update_spectrum(SphWindow *self)
{
  SphSkyPage *page = sph_window_sky_page(self);
  SphSkyView *view = sph_sky_page_get_view(page);
  SphSpectrumPlot *plot = sph_sky_page_get_spectrum_plot(page);
  const SphMap *map = sph_sky_view_get_map(view);
  int field = sph_sky_view_get_field(view);
  if (map != NULL && map == self->cmb_map && field == 0 && self->cmb_theory != NULL)
    sph_spectrum_plot_set_theory(plot, self->cmb_theory->cl[0], self->cmb_theory->lmax,
                                 "ΛCDM theory (totcls.dat)");
  else
    sph_spectrum_plot_set_theory(plot, NULL, 0, NULL);
  sph_spectrum_job_start(plot, map, field);
}

static void on_view_field(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphWindow *self = data;
  if (!self->disposed)
    update_spectrum(self);
}

/* The Open Recent submenu from the settings file, newest first. */
/* The window is titled after the layer the Sky page shows. */
static void on_page_title(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)pspec;
  const char *name = sph_sky_page_get_title(SPH_SKY_PAGE(object));
  char *title = name[0] != '\0' ? g_strdup_printf("%s — Sphaera", name) : g_strdup("Sphaera");
  gtk_window_set_title(GTK_WINDOW(data), title);
  g_free(title);
  update_spectrum(SPH_WINDOW(data));
}

static void rebuild_recent_menu(SphWindow *self)
{
  g_menu_remove_all(self->recent_menu);
  char **files = sph_recent_files_load(self->settings_path);
  for (char **f = files; *f != NULL; f++) {
    char *base = g_path_get_basename(*f);
    char **parts = g_strsplit(base, "_", -1);
    char *name = g_strjoinv("__", parts); /* a menu label reads "_" as a mnemonic */
    g_strfreev(parts);
    g_free(base);
    GMenuItem *item = g_menu_item_new(name, NULL);
    g_menu_item_set_action_and_target_value(item, "win.open-recent", g_variant_new_string(*f));
    g_menu_append_item(self->recent_menu, item);
    g_object_unref(item);
    g_free(name);
  }
  g_strfreev(files);
}

static void remember_recent(SphWindow *self, const char *path)
{
  GError *error = NULL;
  if (!sph_recent_files_add(self->settings_path, path, &error)) {
    g_warning("recent files: %s", error->message);
    g_error_free(error);
    return;
  }
  GList *windows = gtk_application_get_windows(gtk_window_get_application(GTK_WINDOW(self)));
  for (GList *l = windows; l != NULL; l = l->next)
    if (SPH_IS_WINDOW(l->data))
      rebuild_recent_menu(l->data);
}

static void load_done(GObject *source, GAsyncResult *result, gpointer data)
{
  (void)data;
  SphWindow *self = SPH_WINDOW(source);
  GTask *task = G_TASK(result);
  LoadRequest *req = g_task_get_task_data(task);
  GError *error = NULL;
  SphMap *map = g_task_propagate_pointer(task, &error);

  /* A newer load replaced this one, or the window closed meanwhile. */
  if (self->disposed || req->job != self->load_job) {
    g_clear_pointer(&map, sph_map_free);
    g_clear_error(&error);
    return;
  }

  double seconds = (double)(g_get_monotonic_time() - req->started_us) / G_USEC_PER_SEC;
  if (sph_job_is_cancelled(req->job)) {
    g_clear_pointer(&map, sph_map_free);
    char *message = g_strdup_printf("Cancelled opening %s", req->name);
    sph_window_finish_job(self, req->job, message);
    g_free(message);
  } else if (map == NULL) {
    char *message = g_strdup_printf("Could not open %s. %s", req->name, error->message);
    sph_window_show_error(self, message);
    g_free(message);
    message = g_strdup_printf("Failed to open %s", req->name);
    sph_window_finish_job(self, req->job, message);
    g_free(message);
  } else {
    char *message = g_strdup_printf("Opened %s: NSIDE %" G_GINT64_FORMAT ", %d field%s, %s "
                                    "coordinates (%.2f s)",
                                    req->name, map->nside, map->nfields,
                                    map->nfields == 1 ? "" : "s",
                                    sph_coordsys_name(map->coordsys), seconds);
    sph_window_hide_error(self);
    if (req->kind == LOAD_CMB_DEMO) {
      SphError err = SPH_ERROR_INIT;
      if (self->cmb_theory != NULL)
        sph_spectra_free(self->cmb_theory);
      self->cmb_theory = sph_cl_read_text(req->path, &err);
      self->cmb_map = map;
    }
    sph_sky_page_add_map(sph_window_sky_page(self), map, req->name);
    if (req->kind == LOAD_FILE)
      remember_recent(self, req->path);
    gtk_stack_set_visible_child_name(self->stack, "sky");
    sph_window_finish_job(self, req->job, message);
    g_free(message);
  }
  g_clear_error(&error);
}

/* Maps open one after another, each as a new layer: a load waits for the running one. */
static void start_load(SphWindow *self, const char *path, LoadKind kind)
{
  if (self->load_job != NULL) {
    PendingLoad *pending = g_new0(PendingLoad, 1);
    pending->path = g_strdup(path);
    pending->kind = kind;
    g_queue_push_tail(&self->pending, pending);
    return;
  }

  LoadRequest *req = g_new0(LoadRequest, 1);
  req->path = g_strdup(path);
  req->name = kind == LOAD_CMB_DEMO
                  ? g_strdup_printf("CMB realisation (ΛCDM, seed %d)", CMB_SEED)
                  : g_path_get_basename(path);
  req->kind = kind;
  req->job = sph_job_new();
  req->started_us = g_get_monotonic_time();
  if (req->job == NULL) {
    sph_window_show_error(self, "Out of memory: cannot start loading a map");
    load_request_free(req);
    return;
  }
  g_clear_pointer(&self->load_job, sph_job_unref);
  self->load_job = sph_job_ref(req->job);

  char *title = g_strdup_printf("Opening %s", req->name);
  sph_job_status_watch(self->job_status, req->job, title);
  g_free(title);
  sph_window_set_action_enabled(self, "cancel-job", TRUE);

  /* The realisation's snapshots fill the view in while the job runs. */
  if (kind == LOAD_CMB_DEMO)
    sph_sky_view_follow_job(sph_sky_page_get_view(sph_window_sky_page(self)), req->job, 0);

  GTask *task = g_task_new(self, NULL, load_done, NULL);
  g_task_set_name(task, "sphaera: load map");
  g_task_set_task_data(task, req, load_request_free);
  g_task_run_in_thread(task, kind == LOAD_CMB_DEMO ? sph_window_cmb_thread : load_thread);
  g_object_unref(task);
}

void sph_window_open_file(SphWindow *self, GFile *file)
{
  g_return_if_fail(SPH_IS_WINDOW(self));
  g_return_if_fail(G_IS_FILE(file));
  char *path = g_file_get_path(file);
  if (path == NULL) {
    char *uri = g_file_get_uri(file);
    char *message = g_strdup_printf("Could not open %s: Sphaera reads local files only", uri);
    sph_window_show_error(self, message);
    g_free(message);
    g_free(uri);
    return;
  }
  start_load(self, path, LOAD_FILE);
  g_free(path);
}

void sph_window_open_demo(SphWindow *self)
{
  g_return_if_fail(SPH_IS_WINDOW(self));
  GError *error = NULL;
  char *path = sph_application_find_data_file(DEMO_MAP_FILE, &error);
  if (path == NULL) {
    char *message = g_strdup_printf("Could not open the demo map. %s", error->message);
    sph_window_show_error(self, message);
    g_free(message);
    g_error_free(error);
    return;
  }
  start_load(self, path, LOAD_WMAP_DEMO);
  g_free(path);
}

void sph_window_open_cmb_demo(SphWindow *self)
{
  g_return_if_fail(SPH_IS_WINDOW(self));
  GError *error = NULL;
  char *path = sph_application_find_data_file(CMB_CLS_FILE, &error);
  if (path == NULL) {
    char *message = g_strdup_printf("Could not make the CMB demo sky. %s", error->message);
    sph_window_show_error(self, message);
    g_free(message);
    g_error_free(error);
    return;
  }
  start_load(self, path, LOAD_CMB_DEMO);
  g_free(path);
}

/* ---- actions ---- */

static void on_open_response(GtkNativeDialog *dialog, int response, gpointer data)
{
  SphWindow *self = data;
  if (response == GTK_RESPONSE_ACCEPT) {
    GFile *file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
    if (file != NULL) {
      sph_window_open_file(self, file);
      g_object_unref(file);
    }
  }
  g_object_unref(dialog);
}

static void on_open(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  SphWindow *self = data;
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
      "Open a HEALPix Map", GTK_WINDOW(self), GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
  gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);

  GtkFileFilter *fits = gtk_file_filter_new();
  gtk_file_filter_set_name(fits, "HEALPix FITS maps (*.fits, *.fits.gz, *.fit)");
  gtk_file_filter_add_suffix(fits, "fits");
  gtk_file_filter_add_suffix(fits, "fits.gz");
  gtk_file_filter_add_suffix(fits, "fit");
  gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), fits);
  GtkFileFilter *all = gtk_file_filter_new();
  gtk_file_filter_set_name(all, "All files");
  gtk_file_filter_add_pattern(all, "*");
  gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), all);
  gtk_file_chooser_set_filter(GTK_FILE_CHOOSER(chooser), fits);
  g_object_unref(fits);
  g_object_unref(all);

  g_signal_connect(chooser, "response", G_CALLBACK(on_open_response), self);
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

static void on_open_recent(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  GFile *file = g_file_new_for_path(g_variant_get_string(parameter, NULL));
  sph_window_open_file(data, file);
  g_object_unref(file);
}

static void on_open_demo(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  sph_window_open_demo(SPH_WINDOW(data));
}

static void on_export_response(GtkNativeDialog *dialog, int response, gpointer data)
{
  SphWindow *self = data;
  GFile *file = response == GTK_RESPONSE_ACCEPT
                    ? gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog))
                    : NULL;
  char *path = file != NULL ? g_file_get_path(file) : NULL;
  if (path != NULL) {
    /* A name without a known extension takes the chosen filter's. */
    GtkFileFilter *filter = gtk_file_chooser_get_filter(GTK_FILE_CHOOSER(dialog));
    const char *ext = filter != NULL ? g_object_get_data(G_OBJECT(filter), "extension") : NULL;
    char *lower = g_ascii_strdown(path, -1);
    if (ext != NULL && !g_str_has_suffix(lower, ".png") && !g_str_has_suffix(lower, ".svg") &&
        !g_str_has_suffix(lower, ".pdf")) {
      char *with_ext = g_strconcat(path, ext, NULL);
      g_free(path);
      path = with_ext;
    }
    g_free(lower);

    SphError err = SPH_ERROR_INIT;
    if (sph_sky_page_export(sph_window_sky_page(self), path, &err) != SPH_OK) {
      char *message = g_strdup_printf("Could not export the view. %s", err.message);
      sph_window_show_error(self, message);
      g_free(message);
    } else {
      char *message = g_strdup_printf("Exported %s", path);
      sph_job_status_finish(self->job_status, NULL, message);
      g_free(message);
    }
  }
  g_free(path);
  g_clear_object(&file);
  g_object_unref(dialog);
}

static void on_export(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  SphWindow *self = data;
  SphSkyPage *page = sph_window_sky_page(self);
  if (sph_sky_view_get_map(sph_sky_page_get_view(page)) == NULL) {
    sph_window_show_error(self, "There is no map to export yet: open one first (Ctrl+O).");
    return;
  }
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
      "Export the View", GTK_WINDOW(self), GTK_FILE_CHOOSER_ACTION_SAVE, "_Export", "_Cancel");
  gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);

  static const struct {
    const char *name, *suffix, *extension;
  } formats[] = {
    { "PNG image (*.png)", "png", ".png" },
    { "SVG drawing (*.svg)", "svg", ".svg" },
    { "PDF document (*.pdf)", "pdf", ".pdf" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(formats); i++) {
    GtkFileFilter *filter = gtk_file_filter_new();
    gtk_file_filter_set_name(filter, formats[i].name);
    gtk_file_filter_add_suffix(filter, formats[i].suffix);
    g_object_set_data(G_OBJECT(filter), "extension", (gpointer)formats[i].extension);
    gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), filter);
    if (i == 0)
      gtk_file_chooser_set_filter(GTK_FILE_CHOOSER(chooser), filter);
    g_object_unref(filter);
  }

  const char *title = sph_sky_page_get_title(page);
  char *stem = g_strdup(title[0] != '\0' ? title : "sky");
  char *dot = strstr(stem, ".fit");
  if (dot != NULL)
    *dot = '\0';
  char *name = g_strconcat(stem, ".png", NULL);
  gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(chooser), name);
  g_free(name);
  g_free(stem);

  g_signal_connect(chooser, "response", G_CALLBACK(on_export_response), self);
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

static void on_cancel_job(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  SphWindow *self = data;
  g_queue_clear_full(&self->pending, pending_load_free);
  sph_job_status_cancel(self->job_status);
}

static void on_dismiss_error(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  sph_window_hide_error(SPH_WINDOW(data));
}

static void on_close(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  gtk_window_close(GTK_WINDOW(data));
}

/* ---- drag and drop ---- */

static gboolean on_drop(GtkDropTarget *target, const GValue *value, double x, double y,
                        gpointer data)
{
  (void)target;
  (void)x;
  (void)y;
  SphWindow *self = data;
  GSList *files = NULL;
  if (G_VALUE_HOLDS(value, GDK_TYPE_FILE_LIST))
    files = gdk_file_list_get_files(g_value_get_boxed(value));
  else if (G_VALUE_HOLDS(value, G_TYPE_FILE))
    files = g_slist_prepend(NULL, g_value_get_object(value));
  if (files == NULL)
    return FALSE;

  /* The first file here, any others each in a window of its own. */
  sph_window_open_file(self, files->data);
  guint n_more = g_slist_length(files->next);
  if (n_more > 0) {
    GFile **more = g_new(GFile *, n_more);
    guint i = 0;
    for (GSList *l = files->next; l != NULL; l = l->next)
      more[i++] = l->data;
    g_application_open(G_APPLICATION(gtk_window_get_application(GTK_WINDOW(self))), more,
                       (int)n_more, "");
    g_free(more);
  }
  g_slist_free(files);
  return TRUE;
}

/* ---- the sidebar ---- */

static void sidebar_header(GtkListBoxRow *row, GtkListBoxRow *before, gpointer data)
{
  (void)data;
  int pillar = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(row), "pillar"));
  if (before != NULL && GPOINTER_TO_INT(g_object_get_data(G_OBJECT(before), "pillar")) == pillar) {
    gtk_list_box_row_set_header(row, NULL);
    return;
  }
  if (gtk_list_box_row_get_header(row) != NULL)
    return;
  GtkWidget *header = gtk_label_new(pillar_titles[pillar]);
  gtk_label_set_xalign(GTK_LABEL(header), 0.0f);
  gtk_widget_add_css_class(header, "sph-sidebar-header");
  gtk_widget_add_css_class(header, "dim-label");
  gtk_list_box_row_set_header(row, header);
}

static void on_sidebar_selected(GtkListBox *box, GtkListBoxRow *row, gpointer data)
{
  (void)box;
  SphWindow *self = data;
  const char *name = row != NULL ? g_object_get_data(G_OBJECT(row), "page") : NULL;
  if (name != NULL)
    gtk_stack_set_visible_child_name(self->stack, name);
}

/* A page that switches the stack itself (the Wavelets page opening a band in the sky
 * view) moves the sidebar's selection with it. */
static void on_stack_child_changed(GObject *stack, GParamSpec *pspec, gpointer data)
{
  (void)pspec;
  SphWindow *self = data;
  if (self->disposed || self->sidebar == NULL)
    return;
  const char *name = gtk_stack_get_visible_child_name(GTK_STACK(stack));
  GtkListBoxRow *row;
  for (int i = 0; name != NULL && (row = gtk_list_box_get_row_at_index(self->sidebar, i)) != NULL;
       i++) {
    const char *page = g_object_get_data(G_OBJECT(row), "page");
    if (page != NULL && strcmp(page, name) == 0) {
      if (gtk_list_box_get_selected_row(self->sidebar) != row)
        gtk_list_box_select_row(self->sidebar, row);
      break;
    }
  }
}

static GtkWidget *sidebar_row(const char *text, Pillar pillar, const char *page)
{
  GtkWidget *label = gtk_label_new(text);
  gtk_label_set_xalign(GTK_LABEL(label), 0.0f);
  GtkWidget *row = gtk_list_box_row_new();
  gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), label);
  g_object_set_data(G_OBJECT(row), "pillar", GINT_TO_POINTER(pillar));
  if (page != NULL) {
    g_object_set_data(G_OBJECT(row), "page", (gpointer)page);
  } else {
    gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), FALSE);
    gtk_list_box_row_set_selectable(GTK_LIST_BOX_ROW(row), FALSE);
    gtk_widget_add_css_class(label, "dim-label");
  }
  return row;
}

static void build_pages(SphWindow *self)
{
  gtk_list_box_set_header_func(self->sidebar, sidebar_header, NULL, NULL);
  GtkListBoxRow *first = NULL;
  for (int p = 0; p < N_PILLARS; p++) {
    gboolean any = FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS(page_entries); i++) {
      const PageEntry *entry = &page_entries[i];
      if ((int)entry->pillar != p)
        continue;
      gtk_stack_add_titled(self->stack, entry->create(), entry->name, entry->title);
      GtkWidget *row = sidebar_row(entry->title, entry->pillar, entry->name);
      gtk_list_box_append(self->sidebar, row);
      if (first == NULL)
        first = GTK_LIST_BOX_ROW(row);
      any = TRUE;
    }
    if (!any)
      gtk_list_box_append(self->sidebar, sidebar_row("Pages to come", (Pillar)p, NULL));
  }
  g_signal_connect(self->sidebar, "row-selected", G_CALLBACK(on_sidebar_selected), self);
  gtk_list_box_select_row(self->sidebar, first);
  g_signal_connect(self->stack, "notify::visible-child-name", G_CALLBACK(on_stack_child_changed),
                   self);
}

/* ---- GObject ---- */

SphWindow *sph_window_new(GtkApplication *application)
{
  return g_object_new(SPH_TYPE_WINDOW, "application", application, NULL);
}

static void sph_window_dispose(GObject *object)
{
  SphWindow *self = SPH_WINDOW(object);
  self->disposed = TRUE;
  g_queue_clear_full(&self->pending, pending_load_free);
  if (self->load_job != NULL)
    sph_job_cancel(self->load_job);
  g_clear_pointer(&self->load_job, sph_job_unref);
  /* The view's live timer must not outlive the window's widgets. */
  if (self->stack != NULL && sph_window_sky_page(self) != NULL)
    sph_sky_view_unfollow_job(sph_sky_page_get_view(sph_window_sky_page(self)));
  gtk_widget_dispose_template(GTK_WIDGET(object), SPH_TYPE_WINDOW);
  G_OBJECT_CLASS(sph_window_parent_class)->dispose(object);
}

static void sph_window_finalize(GObject *object)
{
  if (SPH_WINDOW(object)->cmb_theory != NULL)
    sph_spectra_free(SPH_WINDOW(object)->cmb_theory);
  g_free(SPH_WINDOW(object)->settings_path);
  G_OBJECT_CLASS(sph_window_parent_class)->finalize(object);
}

static void sph_window_class_init(SphWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = sph_window_dispose;
  object_class->finalize = sph_window_finalize;

  g_type_ensure(SPH_TYPE_JOB_STATUS);
  gtk_widget_class_set_template_from_resource(widget_class,
                                              "/org/sphaera/Sphaera/ui/sph-window.ui");
  gtk_widget_class_bind_template_child(widget_class, SphWindow, error_revealer);
  gtk_widget_class_bind_template_child(widget_class, SphWindow, error_label);
  gtk_widget_class_bind_template_child(widget_class, SphWindow, sidebar);
  gtk_widget_class_bind_template_child(widget_class, SphWindow, stack);
  gtk_widget_class_bind_template_child(widget_class, SphWindow, job_status);
  gtk_widget_class_bind_template_child(widget_class, SphWindow, recent_menu);
}

static void sph_window_init(SphWindow *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));

  static const GActionEntry entries[] = {
    { .name = "open", .activate = on_open },
    { .name = "open-demo", .activate = on_open_demo },
    { .name = "smooth", .activate = sph_window_on_smooth },
    { .name = "rotate-frame", .activate = sph_window_on_rotate_frame, .parameter_type = "s" },
    { .name = "open-recent", .activate = on_open_recent, .parameter_type = "s" },
    { .name = "export", .activate = on_export },
    { .name = "cancel-job", .activate = on_cancel_job },
    { .name = "dismiss-error", .activate = on_dismiss_error },
    { .name = "close", .activate = on_close },
  };
  g_action_map_add_action_entries(G_ACTION_MAP(self), entries, G_N_ELEMENTS(entries), self);
  sph_window_set_action_enabled(self, "cancel-job", FALSE);

  build_pages(self);
  const char *settings = g_getenv("SPHAERA_SETTINGS");
  self->settings_path = settings != NULL ? g_strdup(settings) : sph_settings_default_path();
  sph_sky_page_set_settings_path(sph_window_sky_page(self), self->settings_path);
  rebuild_recent_menu(self);
  g_signal_connect(sph_window_sky_page(self), "notify::title", G_CALLBACK(on_page_title), self);
  g_signal_connect(sph_sky_page_get_view(sph_window_sky_page(self)), "notify::field",
                   G_CALLBACK(on_view_field), self);

  GtkDropTarget *drop = gtk_drop_target_new(G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };
  gtk_drop_target_set_gtypes(drop, types, G_N_ELEMENTS(types));
  g_signal_connect(drop, "drop", G_CALLBACK(on_drop), self);
  gtk_widget_add_controller(GTK_WIDGET(self), GTK_EVENT_CONTROLLER(drop));
}
