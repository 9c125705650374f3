/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-coverage-plot.h"

#include "sph-coverage-draw.h"

struct _SphCoveragePlot {
  GtkDrawingArea parent_instance;
  double *credibility, *hpd, *tarp;
  size_t npoints, tests, planned;
  char *title;
  guint updates;
};

G_DEFINE_FINAL_TYPE(SphCoveragePlot, sph_coverage_plot, GTK_TYPE_DRAWING_AREA)

static SphCoverageFigure figure_of(SphCoveragePlot *self)
{
  return (SphCoverageFigure){
      .npoints = self->npoints,
      .credibility = self->credibility,
      .hpd = self->hpd,
      .tarp = self->tarp,
      .tests = self->tests,
      .tests_planned = self->planned,
      .title = self->title,
  };
}

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  (void)data;
  SphCoverageFigure f = figure_of(SPH_COVERAGE_PLOT(area));
  sph_coverage_draw(cr, width, height, &f, NULL);
}

GtkWidget *sph_coverage_plot_new(void)
{
  return g_object_new(SPH_TYPE_COVERAGE_PLOT, NULL);
}

void sph_coverage_plot_set_result(SphCoveragePlot *self, const SphCoverageResult *r,
                                  size_t planned, const char *title)
{
  g_return_if_fail(SPH_IS_COVERAGE_PLOT(self));
  g_clear_pointer(&self->credibility, g_free);
  g_clear_pointer(&self->hpd, g_free);
  g_clear_pointer(&self->tarp, g_free);
  g_clear_pointer(&self->title, g_free);
  self->npoints = self->tests = self->planned = 0;
  if (r != NULL && r->tests > 0) {
    self->npoints = r->levels + 1;
    self->credibility = g_memdup2(r->credibility, self->npoints * sizeof(double));
    self->hpd = g_memdup2(r->hpd_coverage, self->npoints * sizeof(double));
    self->tarp = g_memdup2(r->tarp_coverage, self->npoints * sizeof(double));
    self->tests = r->tests;
    self->planned = planned > 0 ? planned : r->tests;
  }
  self->title = g_strdup(title);
  self->updates++;
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

size_t sph_coverage_plot_get_tests(SphCoveragePlot *self)
{
  g_return_val_if_fail(SPH_IS_COVERAGE_PLOT(self), 0);
  return self->tests;
}

guint sph_coverage_plot_get_updates(SphCoveragePlot *self)
{
  g_return_val_if_fail(SPH_IS_COVERAGE_PLOT(self), 0);
  return self->updates;
}

gboolean sph_coverage_plot_export(SphCoveragePlot *self, const char *path, int width, int height,
                                  GError **error)
{
  g_return_val_if_fail(SPH_IS_COVERAGE_PLOT(self), FALSE);
  SphCoverageFigure f = figure_of(self);
  SphError err = SPH_ERROR_INIT;
  if (sph_coverage_write(path, width, height, &f, &err) != SPH_OK) {
    g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, err.message);
    return FALSE;
  }
  return TRUE;
}

static void sph_coverage_plot_finalize(GObject *object)
{
  SphCoveragePlot *self = SPH_COVERAGE_PLOT(object);
  g_free(self->credibility);
  g_free(self->hpd);
  g_free(self->tarp);
  g_free(self->title);
  G_OBJECT_CLASS(sph_coverage_plot_parent_class)->finalize(object);
}

static void sph_coverage_plot_class_init(SphCoveragePlotClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = sph_coverage_plot_finalize;
}

static void sph_coverage_plot_init(SphCoveragePlot *self)
{
  gtk_widget_set_hexpand(GTK_WIDGET(self), TRUE);
  gtk_widget_set_vexpand(GTK_WIDGET(self), TRUE);
  gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(self), 420);
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(self), 420);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self), draw, NULL, NULL);
}
