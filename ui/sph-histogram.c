/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-histogram.h"

#include <math.h>

#include "sphaera/healpix.h"

#define PAD 4.0
#define LABEL_HEIGHT 14.0

struct _SphHistogram {
  GtkDrawingArea parent_instance;
  guint64 *counts;
  guint8 *colours; /* RGB per bin */
  int nbins;
  guint64 total;
  double vmin, vmax;
};

G_DEFINE_FINAL_TYPE(SphHistogram, sph_histogram, GTK_TYPE_DRAWING_AREA)

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  (void)data;
  SphHistogram *self = SPH_HISTOGRAM(area);
  GdkRGBA fg;
  gtk_style_context_get_color(gtk_widget_get_style_context(GTK_WIDGET(area)), &fg);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 10.0);
  if (self->nbins == 0)
    return;
  guint64 peak = 0;
  for (int b = 0; b < self->nbins; b++)
    peak = MAX(peak, self->counts[b]);
  double x0 = PAD, x1 = width - PAD, y0 = PAD, y1 = height - LABEL_HEIGHT;
  if (x1 <= x0 || y1 <= y0 || peak == 0)
    return;
  double bar = (x1 - x0) / self->nbins;
  double top = log1p((double)peak);
  for (int b = 0; b < self->nbins; b++) {
    if (self->counts[b] == 0)
      continue;
    double h = (y1 - y0) * log1p((double)self->counts[b]) / top;
    const guint8 *rgb = self->colours + 3 * b;
    cairo_set_source_rgb(cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
    cairo_rectangle(cr, x0 + b * bar, y1 - h, MAX(bar - 0.5, 0.5), h);
    cairo_fill(cr);
  }
  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.7 * fg.alpha);
  cairo_set_line_width(cr, 1.0);
  cairo_move_to(cr, x0, y1 + 0.5);
  cairo_line_to(cr, x1, y1 + 0.5);
  cairo_stroke(cr);
  char text[32];
  cairo_text_extents_t ext;
  g_snprintf(text, sizeof text, "%.4g", self->vmin);
  cairo_move_to(cr, x0, height - 2.0);
  cairo_show_text(cr, text);
  g_snprintf(text, sizeof text, "%.4g", self->vmax);
  cairo_text_extents(cr, text, &ext);
  cairo_move_to(cr, x1 - ext.x_advance, height - 2.0);
  cairo_show_text(cr, text);
}

GtkWidget *sph_histogram_new(void)
{
  return g_object_new(SPH_TYPE_HISTOGRAM, NULL);
}

void sph_histogram_set_values(SphHistogram *self, const double *values, size_t n, int nbins,
                              const SphColorScale *scale)
{
  g_return_if_fail(SPH_IS_HISTOGRAM(self));
  g_clear_pointer(&self->counts, g_free);
  g_clear_pointer(&self->colours, g_free);
  self->nbins = 0;
  self->total = 0;
  if (n == 0 || nbins <= 0 || scale == NULL || !(scale->vmin < scale->vmax)) {
    gtk_widget_queue_draw(GTK_WIDGET(self));
    return;
  }
  self->nbins = nbins;
  self->vmin = scale->vmin;
  self->vmax = scale->vmax;
  self->counts = g_new0(guint64, nbins);
  self->colours = g_new(guint8, 3 * (gsize)nbins);
  double width = (scale->vmax - scale->vmin) / nbins;
  for (size_t i = 0; i < n; i++) {
    double v = values[i];
    if (sph_hp_is_unseen(v) || !(v >= scale->vmin && v <= scale->vmax))
      continue;
    int b = (int)((v - scale->vmin) / width);
    self->counts[MIN(b, nbins - 1)]++; /* vmax itself closes the last bin, as numpy's */
    self->total++;
  }
  for (int b = 0; b < nbins; b++)
    sph_color_scale_rgb(scale, scale->vmin + (b + 0.5) * width, self->colours + 3 * b);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

const guint64 *sph_histogram_get_counts(SphHistogram *self, int *nbins, guint64 *total)
{
  g_return_val_if_fail(SPH_IS_HISTOGRAM(self), NULL);
  if (nbins != NULL)
    *nbins = self->nbins;
  if (total != NULL)
    *total = self->total;
  return self->counts;
}

static void sph_histogram_finalize(GObject *object)
{
  SphHistogram *self = SPH_HISTOGRAM(object);
  g_free(self->counts);
  g_free(self->colours);
  G_OBJECT_CLASS(sph_histogram_parent_class)->finalize(object);
}

static void sph_histogram_class_init(SphHistogramClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = sph_histogram_finalize;
  gtk_widget_class_set_css_name(GTK_WIDGET_CLASS(klass), "histogram");
}

static void sph_histogram_init(SphHistogram *self)
{
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(self), 90);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self), draw, NULL, NULL);
}
