/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-corner-plot.h"

#include <math.h>

#include "sph-corner-draw.h"

struct _SphCornerPlot {
  GtkDrawingArea parent_instance;
  SphCorner *corner;
  char **names;
  double *truth;
  guint updates, draws;
};

G_DEFINE_FINAL_TYPE(SphCornerPlot, sph_corner_plot, GTK_TYPE_DRAWING_AREA)

static void fill_style(SphCornerPlot *self, SphCornerStyle *style)
{
  sph_corner_style_init(style);
  style->names = (const char *const *)self->names;
  style->truth = self->truth;
}

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  (void)data;
  SphCornerPlot *self = SPH_CORNER_PLOT(area);
  SphCornerStyle style;
  fill_style(self, &style);
  SphError err = SPH_ERROR_INIT;
  if (sph_corner_draw(cr, width, height, self->corner, &style, &err) != SPH_OK) {
    cairo_set_source_rgb(cr, 0.6, 0.1, 0.1);
    cairo_move_to(cr, 12, 24);
    cairo_show_text(cr, err.message);
  }
  self->draws++;
}

GtkWidget *sph_corner_plot_new(void)
{
  return g_object_new(SPH_TYPE_CORNER_PLOT, NULL);
}

void sph_corner_plot_set_corner(SphCornerPlot *self, SphCorner *corner, const char *const *names,
                                const double *truth)
{
  g_return_if_fail(SPH_IS_CORNER_PLOT(self));
  sph_corner_free(self->corner);
  self->corner = corner;
  g_clear_pointer(&self->names, g_strfreev);
  g_clear_pointer(&self->truth, g_free);
  if (corner != NULL && names != NULL) {
    self->names = g_new0(char *, corner->dim + 1);
    for (size_t k = 0; k < corner->dim; k++)
      self->names[k] = g_strdup(names[k]);
  }
  if (corner != NULL && truth != NULL)
    self->truth = g_memdup2(truth, corner->dim * sizeof *truth);
  self->updates++;
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

const SphCorner *sph_corner_plot_get_corner(SphCornerPlot *self)
{
  g_return_val_if_fail(SPH_IS_CORNER_PLOT(self), NULL);
  return self->corner;
}

guint sph_corner_plot_get_updates(SphCornerPlot *self)
{
  g_return_val_if_fail(SPH_IS_CORNER_PLOT(self), 0);
  return self->updates;
}

guint sph_corner_plot_get_draws(SphCornerPlot *self)
{
  g_return_val_if_fail(SPH_IS_CORNER_PLOT(self), 0);
  return self->draws;
}

gboolean sph_corner_plot_export(SphCornerPlot *self, const char *path, int width, int height,
                                GError **error)
{
  g_return_val_if_fail(SPH_IS_CORNER_PLOT(self), FALSE);
  SphCornerStyle style;
  fill_style(self, &style);
  SphError err = SPH_ERROR_INIT;
  if (sph_corner_write(path, width, height, self->corner, &style, &err) != SPH_OK) {
    g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, err.message);
    return FALSE;
  }
  return TRUE;
}

static void sph_corner_plot_finalize(GObject *object)
{
  SphCornerPlot *self = SPH_CORNER_PLOT(object);
  sph_corner_free(self->corner);
  g_strfreev(self->names);
  g_free(self->truth);
  G_OBJECT_CLASS(sph_corner_plot_parent_class)->finalize(object);
}

static void sph_corner_plot_class_init(SphCornerPlotClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = sph_corner_plot_finalize;
}

static void sph_corner_plot_init(SphCornerPlot *self)
{
  gtk_widget_set_hexpand(GTK_WIDGET(self), TRUE);
  gtk_widget_set_vexpand(GTK_WIDGET(self), TRUE);
  gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(self), 420);
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(self), 420);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self), draw, NULL, NULL);
}
