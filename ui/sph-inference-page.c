/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-inference-page.h"

#include <math.h>
#include <string.h>

#include "sph-inference-work.h"
#include "sph-job-status.h"
#include "sphaera/corner.h"

/* The poll both throttles and feeds the plots: at most ten snapshots a second reach
 * the main loop, and a snapshot's statistics are computed on a worker. */
#define POLL_MS 100

static const char *const target_specs[] = {"gauss:2", "gauss:5", "gauss:10", "rosenbrock",
                                           "bimodal", "cl-fit"};
static const char *const sampler_ids[] = {"ensemble", "de", "hmc", "nuts"};
static const char *const format_exts[] = {"png", "svg", "pdf"};

struct _SphInferencePage {
  GtkBox parent_instance;
  GtkDropDown *target_dropdown, *sampler_dropdown, *format_dropdown;
  GtkSpinButton *walkers_spin, *steps_spin, *burn_spin, *seed_spin;
  SphJobStatus *job_status;
  SphCornerPlot *corner_plot;
  SphTracePlot *trace_plot, *acf_plot;
  GtkLabel *diagnostics_label, *warning_label, *evidence_label;

  SphJob *job;          /* the running sampler */
  char *target_spec;    /* of the running or last run */
  size_t burn;
  SphSnapshot *chain_snapshot; /* the last finished chain */
  guint poll_id;
  uint64_t shown_generation;
  gboolean summarising;
  SphSnapshot *waiting; /* the newest snapshot, while another is being summarised */
  guint serial;         /* the run a summary belongs to */
  char *message;
  gboolean evidence_running, have_evidence;
  SphEvidence evidence;
  gboolean disposed; /* workers may finish after the widgets are gone */
};

G_DEFINE_FINAL_TYPE(SphInferencePage, sph_inference_page, GTK_TYPE_BOX)

static void update_actions(SphInferencePage *self)
{
  GtkWidget *w = GTK_WIDGET(self);
  gboolean running = self->job != NULL;
  gtk_widget_action_set_enabled(w, "inference.run", !running);
  gtk_widget_action_set_enabled(w, "inference.cancel", running);
  gtk_widget_action_set_enabled(w, "inference.evidence",
                                !running && !self->evidence_running &&
                                    self->chain_snapshot != NULL);
  gtk_widget_action_set_enabled(w, "inference.export", !running && self->chain_snapshot != NULL);
}

/* ---- statistics of a snapshot, on a worker ---- */

static void start_summary(SphInferencePage *self, SphSnapshot *snapshot);

static double *truth_for(const char *spec, size_t dim)
{
  if (spec == NULL)
    return NULL;
  if (g_str_has_prefix(spec, "gauss"))
    return g_new0(double, dim); /* the Gaussian's mean */
  if (strcmp(spec, "rosenbrock") == 0 && dim == 2) {
    double *t = g_new(double, 2);
    t[0] = t[1] = 1.0; /* the Rosenbrock valley's peak */
    return t;
  }
  return NULL;
}

static void show_summary(SphInferencePage *self, SummaryRequest *r)
{
  GString *text = g_string_new(NULL);
  g_string_append_printf(text,
                         "%s · %zu steps × %zu walkers (first %zu burnt) · acceptance %.3f",
                         self->target_spec != NULL ? self->target_spec : "", r->steps, r->walkers,
                         r->used_burn, r->acceptance);
  if (r->have_tau) {
    double tmax = -INFINITY, emin = INFINITY;
    for (size_t k = 0; k < r->dim; k++) {
      tmax = fmax(tmax, r->tau[k]);
      emin = fmin(emin, r->ess[k]);
    }
    /* emcee's estimator goes below 1, even below 0, for anticorrelated draws (HMC): the
     * ESS it implies then means nothing */
    if (tmax > 0.0 && emin > 0.0)
      g_string_append_printf(text, "\nτ max %.2f steps · ESS min %.0f", tmax, emin);
    else
      g_string_append_printf(text, "\nτ max %.2f steps (anticorrelated draws: no ESS)", tmax);
  }
  if (r->have_rhat) {
    double rmax = 0.0;
    for (size_t k = 0; k < r->dim; k++)
      rmax = fmax(rmax, r->rhat[k]);
    g_string_append_printf(text, " · split R̂ max %.4f", rmax);
  }
  if (r->message[0] != '\0')
    g_string_append_printf(text, "\n%s", r->message);
  gtk_label_set_text(self->diagnostics_label, text->str);
  g_string_free(text, TRUE);
  if (r->have_tau && r->n_short > 0) {
    char *w = g_strdup_printf("The chain is shorter than 50 τ for %zu of %zu parameters: τ and "
                              "the ESS are not reliable yet. Run longer.",
                              r->n_short, r->dim);
    gtk_label_set_text(self->warning_label, w);
    g_free(w);
    gtk_widget_set_visible(GTK_WIDGET(self->warning_label), TRUE);
  } else {
    gtk_widget_set_visible(GTK_WIDGET(self->warning_label), FALSE);
  }
  if (r->corner != NULL) {
    double *truth = truth_for(self->target_spec, r->corner->dim);
    sph_corner_plot_set_corner(self->corner_plot, r->corner, (const char *const *)r->names, truth);
    g_free(truth);
    r->corner = NULL;
  }
  if (r->acf != NULL)
    sph_trace_plot_set_autocorr(self->acf_plot, r->acf, r->shown, r->nlags,
                                r->have_tau ? r->tau : NULL, (const char *const *)r->names);
}

static void summary_done(GObject *source, GAsyncResult *result, gpointer data)
{
  (void)data;
  SphInferencePage *self = SPH_INFERENCE_PAGE(source);
  SummaryRequest *r = g_task_get_task_data(G_TASK(result));
  g_task_propagate_boolean(G_TASK(result), NULL);
  self->summarising = FALSE;
  if (self->disposed)
    return;
  if (r->serial == self->serial)
    show_summary(self, r);
  if (self->waiting != NULL) {
    SphSnapshot *next = self->waiting;
    self->waiting = NULL;
    start_summary(self, next);
    sph_snapshot_release(next);
  }
}

/* Summarises snapshot now, or when the running summary ends (newer ones replace it). */
static void start_summary(SphInferencePage *self, SphSnapshot *snapshot)
{
  if (self->summarising) {
    sph_snapshot_ref(snapshot);
    g_clear_pointer(&self->waiting, sph_snapshot_release);
    self->waiting = snapshot;
    return;
  }
  SummaryRequest *r = g_new0(SummaryRequest, 1);
  r->snapshot = sph_snapshot_ref(snapshot);
  r->burn = self->burn;
  r->serial = self->serial;
  self->summarising = TRUE;
  GTask *task = g_task_new(self, NULL, summary_done, NULL);
  g_task_set_name(task, "sphaera: chain statistics");
  g_task_set_task_data(task, r, sph_inference_summary_request_free);
  g_task_run_in_thread(task, sph_inference_summary_thread);
  g_object_unref(task);
}

static gboolean poll_job(gpointer data)
{
  SphInferencePage *self = data;
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
  sph_trace_plot_set_snapshot(self->trace_plot, snapshot, MIN(self->burn,
                              ((const SphChain *)sph_snapshot_data(snapshot))->steps / 2));
  start_summary(self, snapshot);
  sph_snapshot_release(snapshot);
  return G_SOURCE_CONTINUE;
}

/* ---- the sampler, on a worker ---- */

static void chain_free_data(void *data)
{
  sph_chain_free(data);
}

static void sample_done(GObject *source, GAsyncResult *result, gpointer data)
{
  (void)data;
  SphInferencePage *self = SPH_INFERENCE_PAGE(source);
  SampleRequest *r = g_task_get_task_data(G_TASK(result));
  g_task_propagate_boolean(G_TASK(result), NULL);
  if (self->disposed) {
    g_clear_pointer(&self->job, sph_job_unref);
    return;
  }
  double seconds = (double)(g_get_monotonic_time() - r->started_us) / G_USEC_PER_SEC;
  g_free(self->message);
  if (r->status == SPH_OK)
    self->message = g_strdup_printf("Finished %s: %zu steps in %.1f s", r->spec, r->steps,
                                    seconds);
  else if (r->status == SPH_ERR_CANCELLED)
    self->message = g_strdup_printf("Stopped after %zu of %zu steps; the chain so far is kept",
                                    r->chain != NULL ? r->chain->steps : 0, r->steps);
  else
    self->message = g_strdup_printf("The sampler failed: %s", r->message);
  sph_job_status_finish(self->job_status, r->job, self->message);
  g_clear_pointer(&self->job, sph_job_unref);
  if (self->poll_id != 0)
    g_source_remove(self->poll_id);
  self->poll_id = 0;
  if (r->chain != NULL) {
    g_clear_pointer(&self->chain_snapshot, sph_snapshot_release);
    self->chain_snapshot = sph_snapshot_new(r->chain, chain_free_data);
    r->chain = NULL;
    const SphChain *chain = sph_snapshot_data(self->chain_snapshot);
    sph_trace_plot_set_snapshot(self->trace_plot, self->chain_snapshot,
                                MIN(self->burn, chain->steps / 2));
    start_summary(self, self->chain_snapshot);
  }
  if (r->status != SPH_OK && r->status != SPH_ERR_CANCELLED) {
    gtk_label_set_text(self->warning_label, self->message);
    gtk_widget_set_visible(GTK_WIDGET(self->warning_label), TRUE);
  }
  update_actions(self);
}

static guint spin_value(GtkSpinButton *spin)
{
  return (guint)gtk_spin_button_get_value_as_int(spin);
}

gboolean sph_inference_page_run(SphInferencePage *self)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), FALSE);
  if (self->job != NULL)
    return FALSE;
  GtkStringList *targets = GTK_STRING_LIST(gtk_drop_down_get_model(self->target_dropdown));
  const char *spec = gtk_string_list_get_string(targets,
                                                gtk_drop_down_get_selected(self->target_dropdown));
  guint si = gtk_drop_down_get_selected(self->sampler_dropdown);
  SampleRequest *r = g_new0(SampleRequest, 1);
  r->spec = g_strdup(spec != NULL ? spec : target_specs[0]);
  r->sampler = (int)MIN(si, (guint)SAMPLER_NUTS);
  r->walkers = spin_value(self->walkers_spin);
  r->steps = spin_value(self->steps_spin);
  r->seed = spin_value(self->seed_spin);
  r->job = sph_job_new();
  r->started_us = g_get_monotonic_time();
  self->job = sph_job_ref(r->job);
  self->burn = spin_value(self->burn_spin);
  g_free(self->target_spec);
  self->target_spec = g_strdup(r->spec);
  self->serial++;
  self->shown_generation = 0;
  self->have_evidence = FALSE;
  g_clear_pointer(&self->waiting, sph_snapshot_release);
  gtk_label_set_text(self->evidence_label, "");
  gtk_widget_set_visible(GTK_WIDGET(self->warning_label), FALSE);
  sph_corner_plot_set_corner(self->corner_plot, NULL, NULL, NULL);
  sph_trace_plot_set_snapshot(self->trace_plot, NULL, 0);
  sph_trace_plot_set_autocorr(self->acf_plot, NULL, 0, 0, NULL, NULL);
  gtk_label_set_text(self->diagnostics_label, "Sampling…");
  char *title = g_strdup_printf("Sampling %s with %s", r->spec, sampler_ids[r->sampler]);
  sph_job_status_watch(self->job_status, r->job, title);
  g_free(title);
  self->poll_id = g_timeout_add(POLL_MS, poll_job, self);
  GTask *task = g_task_new(self, NULL, sample_done, NULL);
  g_task_set_name(task, "sphaera: sampler");
  g_task_set_task_data(task, r, sph_inference_sample_request_free);
  g_task_run_in_thread(task, sph_inference_sample_thread);
  g_object_unref(task);
  update_actions(self);
  return TRUE;
}

void sph_inference_page_cancel(SphInferencePage *self)
{
  g_return_if_fail(SPH_IS_INFERENCE_PAGE(self));
  if (self->job != NULL)
    sph_job_cancel(self->job);
}

/* ---- evidence, on a worker ---- */

static void evidence_done(GObject *source, GAsyncResult *result, gpointer data)
{
  (void)data;
  SphInferencePage *self = SPH_INFERENCE_PAGE(source);
  EvidenceRequest *r = g_task_get_task_data(G_TASK(result));
  g_task_propagate_boolean(G_TASK(result), NULL);
  self->evidence_running = FALSE;
  if (self->disposed)
    return;
  char *text;
  if (r->status == SPH_OK) {
    self->evidence = r->evidence;
    self->have_evidence = TRUE;
    text = g_strdup_printf("Evidence (learned harmonic mean, %zu + %zu samples): ln z = %.4f ± "
                           "%.4f%s%s",
                           r->evidence.train_samples, r->evidence.infer_samples,
                           r->evidence.ln_evidence, r->evidence.ln_evidence_err,
                           r->evidence.target_inside ? "" : "\nWarning: ",
                           r->evidence.target_inside ? "" : r->evidence.warning);
  } else {
    text = g_strdup_printf("No evidence: %s", r->message);
  }
  gtk_label_set_text(self->evidence_label, text);
  g_free(text);
  update_actions(self);
}

gboolean sph_inference_page_compute_evidence(SphInferencePage *self)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), FALSE);
  if (self->chain_snapshot == NULL || self->evidence_running || self->job != NULL)
    return FALSE;
  EvidenceRequest *r = g_new0(EvidenceRequest, 1);
  r->snapshot = sph_snapshot_ref(self->chain_snapshot);
  r->spec = g_strdup(self->target_spec);
  r->burn = MIN(self->burn, ((const SphChain *)sph_snapshot_data(r->snapshot))->steps / 2);
  self->evidence_running = TRUE;
  self->have_evidence = FALSE;
  gtk_label_set_text(self->evidence_label, "Computing the evidence…");
  GTask *task = g_task_new(self, NULL, evidence_done, NULL);
  g_task_set_name(task, "sphaera: evidence");
  g_task_set_task_data(task, r, sph_inference_evidence_request_free);
  g_task_run_in_thread(task, sph_inference_evidence_thread);
  g_object_unref(task);
  update_actions(self);
  return TRUE;
}

gboolean sph_inference_page_get_evidence(SphInferencePage *self, SphEvidence *out)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), FALSE);
  if (!self->have_evidence)
    return FALSE;
  *out = self->evidence;
  return TRUE;
}

/* ---- export ---- */

gboolean sph_inference_page_export_to(SphInferencePage *self, const char *dir, const char *ext,
                                      GError **error)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), FALSE);
  const SphCorner *corner = sph_corner_plot_get_corner(self->corner_plot);
  int side = corner != NULL && corner->dim > 4 ? 1200 : 800;
  char *names[3];
  for (int i = 0; i < 3; i++) {
    static const char *const stems[3] = {"corner", "trace", "autocorr"};
    char *base = g_strdup_printf("%s.%s", stems[i], ext);
    names[i] = g_build_filename(dir, base, NULL);
    g_free(base);
  }
  gboolean ok = sph_corner_plot_export(self->corner_plot, names[0], side, side, error) &&
                sph_trace_plot_export(self->trace_plot, names[1], 1000, 700, error) &&
                sph_trace_plot_export(self->acf_plot, names[2], 800, 450, error);
  for (int i = 0; i < 3; i++)
    g_free(names[i]);
  return ok;
}

static void export_response(GtkNativeDialog *dialog, int response, gpointer data)
{
  SphInferencePage *self = data;
  if (response == GTK_RESPONSE_ACCEPT) {
    GFile *folder = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
    char *dir = folder != NULL ? g_file_get_path(folder) : NULL;
    guint f = MIN(gtk_drop_down_get_selected(self->format_dropdown), 2u);
    GError *error = NULL;
    if (dir != NULL && sph_inference_page_export_to(self, dir, format_exts[f], &error)) {
      char *text = g_strdup_printf("Wrote corner, trace and autocorr .%s in %s", format_exts[f],
                                   dir);
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

/* ---- actions ---- */

static void run_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  sph_inference_page_run(SPH_INFERENCE_PAGE(widget));
}

static void cancel_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  sph_inference_page_cancel(SPH_INFERENCE_PAGE(widget));
}

static void evidence_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  sph_inference_page_compute_evidence(SPH_INFERENCE_PAGE(widget));
}

static void export_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  GtkRoot *root = gtk_widget_get_root(widget);
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new(
      "Export the inference figures into a folder", GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
      GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Export", "_Cancel");
  gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dialog), TRUE);
  g_signal_connect(dialog, "response", G_CALLBACK(export_response), g_object_ref(widget));
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

static gboolean select_target(SphInferencePage *self, const char *spec);

static void plugin_response(GtkNativeDialog *dialog, int response, gpointer data)
{
  SphInferencePage *self = data;
  if (response == GTK_RESPONSE_ACCEPT) {
    GFile *file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
    char *path = file != NULL ? g_file_get_path(file) : NULL;
    if (path != NULL) {
      char *spec = g_strconcat("plugin:", path, NULL);
      select_target(self, spec);
      g_free(spec);
    }
    g_free(path);
    g_clear_object(&file);
  }
  gtk_native_dialog_destroy(dialog);
  g_object_unref(dialog);
  g_object_unref(self);
}

static void plugin_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  GtkRoot *root = gtk_widget_get_root(widget);
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new(
      "Load a target plugin (a shared library implementing sphaera/target_plugin.h)",
      GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL, GTK_FILE_CHOOSER_ACTION_OPEN, "_Load",
      "_Cancel");
  GtkFileFilter *filter = gtk_file_filter_new();
  gtk_file_filter_set_name(filter, "Shared libraries");
  gtk_file_filter_add_pattern(filter, "*.so");
  gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
  g_object_unref(filter);
  gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dialog), TRUE);
  g_signal_connect(dialog, "response", G_CALLBACK(plugin_response), g_object_ref(widget));
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

/* ---- public accessors ---- */

static gboolean select_string(GtkDropDown *dropdown, const char *const *items, guint n,
                              const char *want)
{
  for (guint i = 0; i < n; i++) {
    if (strcmp(items[i], want) == 0) {
      gtk_drop_down_set_selected(dropdown, i);
      return TRUE;
    }
  }
  return FALSE;
}

/* Selects spec in the target list, adding a plugin spec that is not there yet. */
static gboolean select_target(SphInferencePage *self, const char *spec)
{
  GtkStringList *targets = GTK_STRING_LIST(gtk_drop_down_get_model(self->target_dropdown));
  guint n = g_list_model_get_n_items(G_LIST_MODEL(targets));
  for (guint i = 0; i < n; i++) {
    if (strcmp(gtk_string_list_get_string(targets, i), spec) == 0) {
      gtk_drop_down_set_selected(self->target_dropdown, i);
      return TRUE;
    }
  }
  if (!g_str_has_prefix(spec, "plugin:"))
    return FALSE;
  gtk_string_list_append(targets, spec);
  gtk_drop_down_set_selected(self->target_dropdown, n);
  return TRUE;
}

gboolean sph_inference_page_configure(SphInferencePage *self, const char *target,
                                      const char *sampler, guint walkers, guint steps, guint burn,
                                      guint seed)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), FALSE);
  if (!select_string(self->sampler_dropdown, sampler_ids, G_N_ELEMENTS(sampler_ids), sampler) ||
      !select_target(self, target))
    return FALSE;
  gtk_spin_button_set_value(self->walkers_spin, walkers);
  gtk_spin_button_set_value(self->steps_spin, steps);
  gtk_spin_button_set_value(self->burn_spin, burn);
  gtk_spin_button_set_value(self->seed_spin, seed);
  return TRUE;
}

gboolean sph_inference_page_is_running(SphInferencePage *self)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), FALSE);
  return self->job != NULL;
}

SphJob *sph_inference_page_get_job(SphInferencePage *self)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), NULL);
  return self->job;
}

const SphChain *sph_inference_page_get_chain(SphInferencePage *self)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), NULL);
  return self->chain_snapshot != NULL ? sph_snapshot_data(self->chain_snapshot) : NULL;
}

const char *sph_inference_page_get_message(SphInferencePage *self)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), "");
  return self->message != NULL ? self->message : "";
}

gboolean sph_inference_page_is_summarising(SphInferencePage *self)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), FALSE);
  return self->summarising || self->waiting != NULL;
}

SphCornerPlot *sph_inference_page_get_corner_plot(SphInferencePage *self)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), NULL);
  return self->corner_plot;
}

SphTracePlot *sph_inference_page_get_trace_plot(SphInferencePage *self)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), NULL);
  return self->trace_plot;
}

SphTracePlot *sph_inference_page_get_autocorr_plot(SphInferencePage *self)
{
  g_return_val_if_fail(SPH_IS_INFERENCE_PAGE(self), NULL);
  return self->acf_plot;
}

/* ---- GObject ---- */

GtkWidget *sph_inference_page_new(void)
{
  return g_object_new(SPH_TYPE_INFERENCE_PAGE, NULL);
}

static void sph_inference_page_dispose(GObject *object)
{
  SphInferencePage *self = SPH_INFERENCE_PAGE(object);
  self->disposed = TRUE;
  if (self->job != NULL)
    sph_job_cancel(self->job);
  if (self->poll_id != 0)
    g_source_remove(self->poll_id);
  self->poll_id = 0;
  gtk_widget_dispose_template(GTK_WIDGET(self), SPH_TYPE_INFERENCE_PAGE);
  G_OBJECT_CLASS(sph_inference_page_parent_class)->dispose(object);
}

static void sph_inference_page_finalize(GObject *object)
{
  SphInferencePage *self = SPH_INFERENCE_PAGE(object);
  g_clear_pointer(&self->job, sph_job_unref);
  g_clear_pointer(&self->chain_snapshot, sph_snapshot_release);
  g_clear_pointer(&self->waiting, sph_snapshot_release);
  g_free(self->target_spec);
  g_free(self->message);
  G_OBJECT_CLASS(sph_inference_page_parent_class)->finalize(object);
}

static void sph_inference_page_class_init(SphInferencePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = sph_inference_page_dispose;
  object_class->finalize = sph_inference_page_finalize;
  g_type_ensure(SPH_TYPE_JOB_STATUS);
  g_type_ensure(SPH_TYPE_CORNER_PLOT);
  g_type_ensure(SPH_TYPE_TRACE_PLOT);
  gtk_widget_class_set_template_from_resource(widget_class,
                                              "/org/sphaera/Sphaera/ui/sph-inference-page.ui");
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, target_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, sampler_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, format_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, walkers_spin);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, steps_spin);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, burn_spin);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, seed_spin);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, job_status);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, corner_plot);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, trace_plot);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, acf_plot);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, diagnostics_label);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, warning_label);
  gtk_widget_class_bind_template_child(widget_class, SphInferencePage, evidence_label);

  gtk_widget_class_install_action(widget_class, "inference.run", NULL, run_action);
  gtk_widget_class_install_action(widget_class, "inference.cancel", NULL, cancel_action);
  gtk_widget_class_install_action(widget_class, "inference.evidence", NULL, evidence_action);
  gtk_widget_class_install_action(widget_class, "inference.export", NULL, export_action);
  gtk_widget_class_install_action(widget_class, "inference.load-plugin", NULL, plugin_action);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                      "inference.run", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_period, GDK_CONTROL_MASK,
                                      "inference.cancel", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_l, GDK_CONTROL_MASK,
                                      "inference.evidence", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                      "inference.load-plugin", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_E,
                                      GDK_CONTROL_MASK | GDK_SHIFT_MASK, "inference.export", NULL);
}

static void sph_inference_page_init(SphInferencePage *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  update_actions(self);
}
