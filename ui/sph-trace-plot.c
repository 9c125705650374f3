/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-trace-plot.h"

#include "sph-trace-draw.h"
#include "sphaera/chain.h"

struct _SphTracePlot {
  GtkDrawingArea parent_instance;
  SphSnapshot *snapshot;
  size_t burn;
  double *acf, *tau;
  size_t dim, nlags;
  char **names;
  gboolean show_autocorr;
  guint updates;
};

enum { PROP_0, PROP_AUTOCORR, N_PROPS };
static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE(SphTracePlot, sph_trace_plot, GTK_TYPE_DRAWING_AREA)

static SphStatus draw_figure(SphTracePlot *self, cairo_t *cr, double width, double height,
                             SphError *err)
{
  if (self->show_autocorr) {
    SphAutocorrFigure f = {self->dim, self->nlags, self->acf, self->tau,
                           (const char *const *)self->names};
    return sph_autocorr_draw(cr, width, height, &f, err);
  }
  SphTraceStyle style;
  sph_trace_style_init(&style);
  style.burn = self->burn;
  const SphChain *chain = self->snapshot != NULL ? sph_snapshot_data(self->snapshot) : NULL;
  return sph_trace_draw(cr, width, height, chain, &style, err);
}

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  (void)data;
  draw_figure(SPH_TRACE_PLOT(area), cr, width, height, NULL);
}

GtkWidget *sph_trace_plot_new(void)
{
  return g_object_new(SPH_TYPE_TRACE_PLOT, NULL);
}

void sph_trace_plot_set_snapshot(SphTracePlot *self, SphSnapshot *snapshot, size_t burn)
{
  g_return_if_fail(SPH_IS_TRACE_PLOT(self));
  if (snapshot != NULL)
    sph_snapshot_ref(snapshot);
  g_clear_pointer(&self->snapshot, sph_snapshot_release);
  self->snapshot = snapshot;
  self->burn = burn;
  self->updates++;
  if (!self->show_autocorr)
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_trace_plot_set_autocorr(SphTracePlot *self, const double *acf, size_t dim, size_t nlags,
                                 const double *tau, const char *const *names)
{
  g_return_if_fail(SPH_IS_TRACE_PLOT(self));
  g_clear_pointer(&self->acf, g_free);
  g_clear_pointer(&self->tau, g_free);
  g_clear_pointer(&self->names, g_strfreev);
  self->dim = acf != NULL ? dim : 0;
  self->nlags = acf != NULL ? nlags : 0;
  if (acf != NULL) {
    self->acf = g_memdup2(acf, dim * nlags * sizeof *acf);
    if (tau != NULL)
      self->tau = g_memdup2(tau, dim * sizeof *tau);
    if (names != NULL) {
      self->names = g_new0(char *, dim + 1);
      for (size_t k = 0; k < dim; k++)
        self->names[k] = g_strdup(names[k]);
    }
  }
  self->updates++;
  if (self->show_autocorr)
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_trace_plot_set_show_autocorr(SphTracePlot *self, gboolean show)
{
  g_return_if_fail(SPH_IS_TRACE_PLOT(self));
  show = !!show;
  if (self->show_autocorr == show)
    return;
  self->show_autocorr = show;
  gtk_widget_queue_draw(GTK_WIDGET(self));
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_AUTOCORR]);
}

gboolean sph_trace_plot_get_show_autocorr(SphTracePlot *self)
{
  g_return_val_if_fail(SPH_IS_TRACE_PLOT(self), FALSE);
  return self->show_autocorr;
}

guint sph_trace_plot_get_updates(SphTracePlot *self)
{
  g_return_val_if_fail(SPH_IS_TRACE_PLOT(self), 0);
  return self->updates;
}

static SphStatus export_draw(cairo_t *cr, double width, double height, void *user, SphError *err)
{
  return draw_figure(user, cr, width, height, err);
}

gboolean sph_trace_plot_export(SphTracePlot *self, const char *path, int width, int height,
                               GError **error)
{
  g_return_val_if_fail(SPH_IS_TRACE_PLOT(self), FALSE);
  SphError err = SPH_ERROR_INIT;
  if (sph_plot_write(path, width, height, export_draw, self, &err) != SPH_OK) {
    g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, err.message);
    return FALSE;
  }
  return TRUE;
}

static void sph_trace_plot_get_property(GObject *object, guint id, GValue *value,
                                        GParamSpec *pspec)
{
  SphTracePlot *self = SPH_TRACE_PLOT(object);
  if (id == PROP_AUTOCORR)
    g_value_set_boolean(value, self->show_autocorr);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
}

static void sph_trace_plot_set_property(GObject *object, guint id, const GValue *value,
                                        GParamSpec *pspec)
{
  SphTracePlot *self = SPH_TRACE_PLOT(object);
  if (id == PROP_AUTOCORR)
    sph_trace_plot_set_show_autocorr(self, g_value_get_boolean(value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
}

static void sph_trace_plot_finalize(GObject *object)
{
  SphTracePlot *self = SPH_TRACE_PLOT(object);
  g_clear_pointer(&self->snapshot, sph_snapshot_release);
  g_free(self->acf);
  g_free(self->tau);
  g_strfreev(self->names);
  G_OBJECT_CLASS(sph_trace_plot_parent_class)->finalize(object);
}

static void sph_trace_plot_class_init(SphTracePlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->finalize = sph_trace_plot_finalize;
  object_class->get_property = sph_trace_plot_get_property;
  object_class->set_property = sph_trace_plot_set_property;
  props[PROP_AUTOCORR] = g_param_spec_boolean("autocorr", NULL, NULL, FALSE,
                                              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, props);
}

static void sph_trace_plot_init(SphTracePlot *self)
{
  gtk_widget_set_hexpand(GTK_WIDGET(self), TRUE);
  gtk_widget_set_vexpand(GTK_WIDGET(self), TRUE);
  gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(self), 360);
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(self), 240);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self), draw, NULL, NULL);
}
