/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-job-status.h"

#define POLL_INTERVAL_MS 100
#define JOB_TEXT_SIZE 256

struct _SphJobStatus {
  GtkBox parent_instance;
  GtkWidget *label;
  GtkWidget *progress;
  GtkWidget *cancel;
  SphJob *job;
  char *title;
  gint64 started_us;
  guint poll_id;
};

G_DEFINE_FINAL_TYPE(SphJobStatus, sph_job_status, GTK_TYPE_BOX)

enum { PROP_0, PROP_BUSY, N_PROPS };
static GParamSpec *props[N_PROPS];

static void show_progress(SphJobStatus *self)
{
  char text[JOB_TEXT_SIZE];
  double fraction = sph_job_get_progress(self->job, text, sizeof text);
  double elapsed = (double)(g_get_monotonic_time() - self->started_us) / G_USEC_PER_SEC;
  const char *what = text[0] != '\0' ? text : self->title;
  char *line = sph_job_is_cancelled(self->job)
                   ? g_strdup_printf("Cancelling %s…", self->title)
                   : g_strdup_printf("%s (%.1f s)", what, elapsed);
  gtk_label_set_text(GTK_LABEL(self->label), line);
  g_free(line);
  if (fraction > 0.0)
    gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(self->progress), fraction);
  else
    gtk_progress_bar_pulse(GTK_PROGRESS_BAR(self->progress));
}

static gboolean poll_job(gpointer data)
{
  SphJobStatus *self = data;
  if (self->job == NULL) {
    self->poll_id = 0;
    return G_SOURCE_REMOVE;
  }
  show_progress(self);
  return G_SOURCE_CONTINUE;
}

static void set_busy(SphJobStatus *self, gboolean busy)
{
  gtk_widget_set_visible(self->progress, busy);
  gtk_widget_set_visible(self->cancel, busy);
  gtk_widget_set_sensitive(self->cancel, busy);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_BUSY]);
}

GtkWidget *sph_job_status_new(void)
{
  return g_object_new(SPH_TYPE_JOB_STATUS, NULL);
}

void sph_job_status_watch(SphJobStatus *self, SphJob *job, const char *title)
{
  g_return_if_fail(SPH_IS_JOB_STATUS(self));
  g_return_if_fail(job != NULL);
  sph_job_ref(job);
  g_clear_pointer(&self->job, sph_job_unref);
  self->job = job;
  g_free(self->title);
  self->title = g_strdup(title != NULL ? title : "Working");
  self->started_us = g_get_monotonic_time();
  gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(self->progress), 0.0);
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add(POLL_INTERVAL_MS, poll_job, self);
  show_progress(self);
  set_busy(self, TRUE);
}

void sph_job_status_finish(SphJobStatus *self, SphJob *job, const char *message)
{
  g_return_if_fail(SPH_IS_JOB_STATUS(self));
  if (job != self->job)
    return;
  g_clear_pointer(&self->job, sph_job_unref);
  g_clear_handle_id(&self->poll_id, g_source_remove);
  gtk_label_set_text(GTK_LABEL(self->label), message != NULL ? message : "");
  set_busy(self, FALSE);
}

gboolean sph_job_status_cancel(SphJobStatus *self)
{
  g_return_val_if_fail(SPH_IS_JOB_STATUS(self), FALSE);
  if (self->job == NULL)
    return FALSE;
  sph_job_cancel(self->job);
  gtk_widget_set_sensitive(self->cancel, FALSE);
  show_progress(self);
  return TRUE;
}

SphJob *sph_job_status_get_job(SphJobStatus *self)
{
  g_return_val_if_fail(SPH_IS_JOB_STATUS(self), NULL);
  return self->job;
}

static void on_cancel_clicked(GtkButton *button, gpointer data)
{
  (void)button;
  sph_job_status_cancel(SPH_JOB_STATUS(data));
}

static void sph_job_status_get_property(GObject *object, guint id, GValue *value,
                                        GParamSpec *pspec)
{
  SphJobStatus *self = SPH_JOB_STATUS(object);
  switch (id) {
  case PROP_BUSY:
    g_value_set_boolean(value, self->job != NULL);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
}

static void sph_job_status_dispose(GObject *object)
{
  SphJobStatus *self = SPH_JOB_STATUS(object);
  g_clear_handle_id(&self->poll_id, g_source_remove);
  g_clear_pointer(&self->job, sph_job_unref);
  G_OBJECT_CLASS(sph_job_status_parent_class)->dispose(object);
}

static void sph_job_status_finalize(GObject *object)
{
  SphJobStatus *self = SPH_JOB_STATUS(object);
  g_free(self->title);
  G_OBJECT_CLASS(sph_job_status_parent_class)->finalize(object);
}

static void sph_job_status_class_init(SphJobStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->get_property = sph_job_status_get_property;
  object_class->dispose = sph_job_status_dispose;
  object_class->finalize = sph_job_status_finalize;
  props[PROP_BUSY] = g_param_spec_boolean("busy", NULL, NULL, FALSE,
                                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, props);
  gtk_widget_class_set_css_name(GTK_WIDGET_CLASS(klass), "jobstatus");
}

static void sph_job_status_init(SphJobStatus *self)
{
  GtkBox *box = GTK_BOX(self);
  gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_HORIZONTAL);
  gtk_box_set_spacing(box, 12);
  gtk_widget_set_margin_start(GTK_WIDGET(self), 12);
  gtk_widget_set_margin_end(GTK_WIDGET(self), 12);
  gtk_widget_set_margin_top(GTK_WIDGET(self), 4);
  gtk_widget_set_margin_bottom(GTK_WIDGET(self), 4);

  self->label = gtk_label_new("Ready");
  gtk_label_set_xalign(GTK_LABEL(self->label), 0.0f);
  gtk_label_set_ellipsize(GTK_LABEL(self->label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand(self->label, TRUE);
  gtk_box_append(box, self->label);

  self->progress = gtk_progress_bar_new();
  gtk_progress_bar_set_pulse_step(GTK_PROGRESS_BAR(self->progress), 0.1);
  gtk_widget_set_size_request(self->progress, 240, -1);
  gtk_widget_set_valign(self->progress, GTK_ALIGN_CENTER);
  gtk_box_append(box, self->progress);

  self->cancel = gtk_button_new_with_mnemonic("_Cancel");
  gtk_widget_set_tooltip_text(self->cancel, "Stop the running job (Escape)");
  g_signal_connect(self->cancel, "clicked", G_CALLBACK(on_cancel_clicked), self);
  gtk_box_append(box, self->cancel);

  gtk_widget_set_visible(self->progress, FALSE);
  gtk_widget_set_visible(self->cancel, FALSE);
}
