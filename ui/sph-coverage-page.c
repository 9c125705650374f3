/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-coverage-page.h"

#include <string.h>

#include "sph-job-status.h"

#define POLL_MS 100

static const char *const case_names[] = {"calibrated", "overconfident", "underconfident",
                                         "biased"};
static const char *const format_exts[] = {"png", "svg", "pdf"};

struct _SphCoveragePage {
  GtkBox parent_instance;
  GtkDropDown *case_dropdown, *format_dropdown;
  GtkSpinButton *tests_spin, *dim_spin, *seed_spin;
  SphJobStatus *job_status;
  SphCoveragePlot *coverage_plot;
  GtkLabel *summary_label;

  SphJob *job;
  size_t planned;
  char *title;
  guint poll_id;
  uint64_t shown_generation;
  SphCoverageResult *result;
  gboolean disposed;
};

G_DEFINE_FINAL_TYPE(SphCoveragePage, sph_coverage_page, GTK_TYPE_BOX)

static void update_actions(SphCoveragePage *self)
{
  GtkWidget *w = GTK_WIDGET(self);
  gtk_widget_action_set_enabled(w, "coverage.run", self->job == NULL);
  gtk_widget_action_set_enabled(w, "coverage.cancel", self->job != NULL);
  gtk_widget_action_set_enabled(w, "coverage.export", self->job == NULL && self->result != NULL);
}

static void show_summary(SphCoveragePage *self, const SphCoverageResult *r, gboolean done)
{
  char *text = g_strdup_printf(
      "%s%zu of %zu tests\n\nHighest density: largest distance from the diagonal %.3f\n"
      "TARP: largest distance %.3f, area to the curve %.3f (%s)\n"
      "Simulation-based calibration: p-value %.3g",
      done ? "" : "Running: ", r->tests, self->planned, r->hpd_max_deviation,
      r->tarp_max_deviation, r->tarp_atc,
      r->tarp_atc > 0.02 ? "too wide" : r->tarp_atc < -0.02 ? "too narrow" : "about right",
      r->sbc_pvalue);
  gtk_label_set_text(self->summary_label, text);
  g_free(text);
}

static gboolean poll_job(gpointer data)
{
  SphCoveragePage *self = data;
  if (self->job == NULL) {
    self->poll_id = 0;
    return G_SOURCE_REMOVE;
  }
  if (sph_job_generation(self->job) == self->shown_generation)
    return G_SOURCE_CONTINUE;
  uint64_t generation = 0;
  SphSnapshot *snapshot = sph_job_acquire_snapshot(self->job, &generation);
  if (snapshot == NULL)
    return G_SOURCE_CONTINUE;
  self->shown_generation = generation;
  const SphCoverageResult *r = sph_snapshot_data(snapshot);
  sph_coverage_plot_set_result(self->coverage_plot, r, self->planned, self->title);
  show_summary(self, r, FALSE);
  sph_snapshot_release(snapshot);
  return G_SOURCE_CONTINUE;
}

typedef struct {
  SphCoverageCase kind;
  size_t tests, dim;
  uint64_t seed;
  SphJob *job;
  SphCoverageResult *result;
  SphStatus status;
  char message[512];
} CoverageRequest;

static void coverage_request_free(gpointer data)
{
  CoverageRequest *r = data;
  sph_job_unref(r->job);
  sph_coverage_result_free(r->result);
  g_free(r);
}

static void coverage_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
  (void)source;
  (void)cancel;
  CoverageRequest *r = data;
  SphError err = SPH_ERROR_INIT;
  SphGaussianCase *gc = NULL;
  r->status = sph_gaussian_case_new(r->kind, r->dim, &gc, &err);
  if (r->status == SPH_OK) {
    SphCoverageOptions o;
    sph_coverage_options_init(&o);
    o.tests = r->tests;
    o.seed = r->seed;
    o.snapshot_every = r->tests >= 100 ? r->tests / 50 : 1; /* a curve that visibly fills */
    r->status = sph_coverage_run(sph_gaussian_case_problem(gc), &o, r->job, &r->result, &err);
  }
  if (r->status != SPH_OK)
    g_strlcpy(r->message, err.message, sizeof r->message);
  sph_gaussian_case_free(gc);
  g_task_return_boolean(task, TRUE);
}

static void coverage_done(GObject *source, GAsyncResult *res, gpointer data)
{
  (void)data;
  SphCoveragePage *self = SPH_COVERAGE_PAGE(source);
  CoverageRequest *r = g_task_get_task_data(G_TASK(res));
  g_task_propagate_boolean(G_TASK(res), NULL);
  g_clear_pointer(&self->job, sph_job_unref);
  if (self->disposed)
    return;
  if (self->poll_id != 0)
    g_source_remove(self->poll_id);
  self->poll_id = 0;
  char *message;
  if (r->result != NULL) {
    sph_coverage_result_free(self->result);
    self->result = r->result;
    r->result = NULL;
    sph_coverage_plot_set_result(self->coverage_plot, self->result, self->planned, self->title);
    show_summary(self, self->result, TRUE);
  }
  if (r->status == SPH_OK)
    message = g_strdup_printf("Coverage test finished: %zu tests", r->tests);
  else if (r->status == SPH_ERR_CANCELLED)
    message = g_strdup_printf("Stopped after %zu of %zu tests",
                              self->result != NULL ? self->result->tests : 0, r->tests);
  else
    message = g_strdup_printf("The coverage test failed: %s", r->message);
  sph_job_status_finish(self->job_status, r->job, message);
  g_free(message);
  update_actions(self);
}

gboolean sph_coverage_page_run(SphCoveragePage *self)
{
  g_return_val_if_fail(SPH_IS_COVERAGE_PAGE(self), FALSE);
  if (self->job != NULL)
    return FALSE;
  CoverageRequest *r = g_new0(CoverageRequest, 1);
  guint c = MIN(gtk_drop_down_get_selected(self->case_dropdown), 3u);
  r->kind = (SphCoverageCase)c;
  r->tests = (size_t)gtk_spin_button_get_value_as_int(self->tests_spin);
  r->dim = (size_t)gtk_spin_button_get_value_as_int(self->dim_spin);
  r->seed = (uint64_t)gtk_spin_button_get_value_as_int(self->seed_spin);
  r->job = sph_job_new();
  self->job = sph_job_ref(r->job);
  self->planned = r->tests;
  self->shown_generation = 0;
  g_free(self->title);
  self->title = g_strdup_printf("%s posterior, %zu-D", case_names[c], r->dim);
  sph_coverage_plot_set_result(self->coverage_plot, NULL, 0, self->title);
  gtk_label_set_text(self->summary_label, "Running…");
  char *title = g_strdup_printf("Coverage of the %s posterior", case_names[c]);
  sph_job_status_watch(self->job_status, r->job, title);
  g_free(title);
  self->poll_id = g_timeout_add(POLL_MS, poll_job, self);
  GTask *task = g_task_new(self, NULL, coverage_done, NULL);
  g_task_set_name(task, "sphaera: coverage");
  g_task_set_task_data(task, r, coverage_request_free);
  g_task_run_in_thread(task, coverage_thread);
  g_object_unref(task);
  update_actions(self);
  return TRUE;
}

void sph_coverage_page_cancel(SphCoveragePage *self)
{
  g_return_if_fail(SPH_IS_COVERAGE_PAGE(self));
  if (self->job != NULL)
    sph_job_cancel(self->job);
}

gboolean sph_coverage_page_configure(SphCoveragePage *self, const char *case_name, guint tests,
                                     guint dim, guint seed)
{
  g_return_val_if_fail(SPH_IS_COVERAGE_PAGE(self), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS(case_names); i++) {
    if (strcmp(case_names[i], case_name) == 0) {
      gtk_drop_down_set_selected(self->case_dropdown, i);
      gtk_spin_button_set_value(self->tests_spin, tests);
      gtk_spin_button_set_value(self->dim_spin, dim);
      gtk_spin_button_set_value(self->seed_spin, seed);
      return TRUE;
    }
  }
  return FALSE;
}

gboolean sph_coverage_page_is_running(SphCoveragePage *self)
{
  g_return_val_if_fail(SPH_IS_COVERAGE_PAGE(self), FALSE);
  return self->job != NULL;
}

const SphCoverageResult *sph_coverage_page_get_result(SphCoveragePage *self)
{
  g_return_val_if_fail(SPH_IS_COVERAGE_PAGE(self), NULL);
  return self->result;
}

SphCoveragePlot *sph_coverage_page_get_plot(SphCoveragePage *self)
{
  g_return_val_if_fail(SPH_IS_COVERAGE_PAGE(self), NULL);
  return self->coverage_plot;
}

gboolean sph_coverage_page_export_to(SphCoveragePage *self, const char *dir, const char *ext,
                                     GError **error)
{
  g_return_val_if_fail(SPH_IS_COVERAGE_PAGE(self), FALSE);
  char *base = g_strdup_printf("coverage.%s", ext);
  char *path = g_build_filename(dir, base, NULL);
  gboolean ok = sph_coverage_plot_export(self->coverage_plot, path, 700, 700, error);
  g_free(path);
  g_free(base);
  return ok;
}

static void export_response(GtkNativeDialog *dialog, int response, gpointer data)
{
  SphCoveragePage *self = data;
  if (response == GTK_RESPONSE_ACCEPT) {
    GFile *folder = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
    char *dir = folder != NULL ? g_file_get_path(folder) : NULL;
    guint f = MIN(gtk_drop_down_get_selected(self->format_dropdown), 2u);
    GError *error = NULL;
    if (dir != NULL && sph_coverage_page_export_to(self, dir, format_exts[f], &error)) {
      char *text = g_strdup_printf("Wrote coverage.%s in %s", format_exts[f], dir);
      sph_job_status_finish(self->job_status, NULL, text);
      g_free(text);
    } else if (error != NULL) {
      sph_job_status_finish(self->job_status, NULL, error->message);
      g_error_free(error);
    }
    g_free(dir);
    g_clear_object(&folder);
  }
  gtk_native_dialog_destroy(dialog);
  g_object_unref(dialog);
  g_object_unref(self);
}

static void run_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  sph_coverage_page_run(SPH_COVERAGE_PAGE(widget));
}

static void cancel_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  sph_coverage_page_cancel(SPH_COVERAGE_PAGE(widget));
}

static void export_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  GtkRoot *root = gtk_widget_get_root(widget);
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new(
      "Export the coverage figure into a folder", GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
      GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Export", "_Cancel");
  gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dialog), TRUE);
  g_signal_connect(dialog, "response", G_CALLBACK(export_response), g_object_ref(widget));
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

GtkWidget *sph_coverage_page_new(void)
{
  return g_object_new(SPH_TYPE_COVERAGE_PAGE, NULL);
}

static void sph_coverage_page_dispose(GObject *object)
{
  SphCoveragePage *self = SPH_COVERAGE_PAGE(object);
  self->disposed = TRUE;
  if (self->job != NULL)
    sph_job_cancel(self->job);
  if (self->poll_id != 0)
    g_source_remove(self->poll_id);
  self->poll_id = 0;
  gtk_widget_dispose_template(GTK_WIDGET(self), SPH_TYPE_COVERAGE_PAGE);
  G_OBJECT_CLASS(sph_coverage_page_parent_class)->dispose(object);
}

static void sph_coverage_page_finalize(GObject *object)
{
  SphCoveragePage *self = SPH_COVERAGE_PAGE(object);
  g_clear_pointer(&self->job, sph_job_unref);
  sph_coverage_result_free(self->result);
  g_free(self->title);
  G_OBJECT_CLASS(sph_coverage_page_parent_class)->finalize(object);
}

static void sph_coverage_page_class_init(SphCoveragePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = sph_coverage_page_dispose;
  object_class->finalize = sph_coverage_page_finalize;
  g_type_ensure(SPH_TYPE_JOB_STATUS);
  g_type_ensure(SPH_TYPE_COVERAGE_PLOT);
  gtk_widget_class_set_template_from_resource(widget_class,
                                              "/org/sphaera/Sphaera/ui/sph-coverage-page.ui");
  gtk_widget_class_bind_template_child(widget_class, SphCoveragePage, case_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphCoveragePage, format_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphCoveragePage, tests_spin);
  gtk_widget_class_bind_template_child(widget_class, SphCoveragePage, dim_spin);
  gtk_widget_class_bind_template_child(widget_class, SphCoveragePage, seed_spin);
  gtk_widget_class_bind_template_child(widget_class, SphCoveragePage, job_status);
  gtk_widget_class_bind_template_child(widget_class, SphCoveragePage, coverage_plot);
  gtk_widget_class_bind_template_child(widget_class, SphCoveragePage, summary_label);
  gtk_widget_class_install_action(widget_class, "coverage.run", NULL, run_action);
  gtk_widget_class_install_action(widget_class, "coverage.cancel", NULL, cancel_action);
  gtk_widget_class_install_action(widget_class, "coverage.export", NULL, export_action);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                      "coverage.run", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_period, GDK_CONTROL_MASK,
                                      "coverage.cancel", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_E,
                                      GDK_CONTROL_MASK | GDK_SHIFT_MASK, "coverage.export", NULL);
}

static void sph_coverage_page_init(SphCoveragePage *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  update_actions(self);
}
