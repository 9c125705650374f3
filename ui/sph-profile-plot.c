/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-profile-plot.h"

#include <math.h>

#define MARGIN_LEFT 64.0
#define MARGIN_RIGHT 12.0
#define MARGIN_TOP 18.0
#define MARGIN_BOTTOM 30.0
#define FONT_SIZE 11.0

struct _SphProfilePlot {
  GtkDrawingArea parent_instance;
  double *distance;
  double *values;
  size_t n;
  char *y_label;
};

G_DEFINE_FINAL_TYPE(SphProfilePlot, sph_profile_plot, GTK_TYPE_DRAWING_AREA)

/* A tick step of 1, 2 or 5 times a power of ten giving about `target` intervals. */
static double tick_step(double span, int target)
{
  if (!(span > 0.0) || !isfinite(span))
    return 1.0;
  double raw = span / target;
  double power = pow(10.0, floor(log10(raw)));
  double m = raw / power;
  return power * (m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0);
}

static void draw_text(cairo_t *cr, double x, double y, const char *text, double ax, double ay)
{
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text, &ext);
  cairo_move_to(cr, x - ax * ext.width - ext.x_bearing, y - ay * ext.height - ext.y_bearing);
  cairo_show_text(cr, text);
}

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  (void)data;
  SphProfilePlot *self = SPH_PROFILE_PLOT(area);
  GdkRGBA fg;
  gtk_style_context_get_color(gtk_widget_get_style_context(GTK_WIDGET(area)), &fg);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, FONT_SIZE);

  if (self->n == 0) {
    cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.55 * fg.alpha);
    draw_text(cr, width / 2.0, height / 2.0,
              "Shift+drag on the map to plot the values along a great circle", 0.5, 0.5);
    return;
  }

  double x0 = MARGIN_LEFT, x1 = width - MARGIN_RIGHT;
  double y0 = MARGIN_TOP, y1 = height - MARGIN_BOTTOM;
  if (x1 - x0 < 20.0 || y1 - y0 < 20.0)
    return;

  double dmax = self->distance[self->n - 1];
  double vmin = INFINITY, vmax = -INFINITY;
  for (size_t k = 0; k < self->n; k++) {
    if (isnan(self->values[k]))
      continue;
    vmin = MIN(vmin, self->values[k]);
    vmax = MAX(vmax, self->values[k]);
  }
  gboolean any = vmin <= vmax;
  if (!any) {
    vmin = 0.0;
    vmax = 1.0;
  } else if (vmin == vmax) {
    double pad = vmin != 0.0 ? fabs(vmin) * 0.05 : 1.0;
    vmin -= pad;
    vmax += pad;
  } else {
    double pad = (vmax - vmin) * 0.05;
    vmin -= pad;
    vmax += pad;
  }
  if (!(dmax > 0.0))
    dmax = 1.0;

  /* Frame, ticks and labels. */
  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.8 * fg.alpha);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, x0 + 0.5, y0 + 0.5, x1 - x0 - 1.0, y1 - y0 - 1.0);
  cairo_stroke(cr);
  char text[64];
  double step = tick_step(dmax, 8);
  for (double d = 0.0; d <= dmax * (1.0 + 1e-9); d += step) {
    double x = x0 + (x1 - x0) * d / dmax;
    cairo_move_to(cr, round(x) + 0.5, y1);
    cairo_line_to(cr, round(x) + 0.5, y1 + 4.0);
    cairo_stroke(cr);
    g_snprintf(text, sizeof text, "%g°", d);
    draw_text(cr, x, y1 + 6.0, text, 0.5, 0.0);
  }
  step = tick_step(vmax - vmin, 4);
  for (double v = ceil(vmin / step) * step; v <= vmax; v += step) {
    double y = y1 - (y1 - y0) * (v - vmin) / (vmax - vmin);
    cairo_move_to(cr, x0 - 4.0, round(y) + 0.5);
    cairo_line_to(cr, x0, round(y) + 0.5);
    cairo_stroke(cr);
    g_snprintf(text, sizeof text, "%.4g", fabs(v) < step * 1e-9 ? 0.0 : v);
    draw_text(cr, x0 - 6.0, y, text, 1.0, 0.5);
  }
  if (self->y_label != NULL)
    draw_text(cr, x0, 2.0, self->y_label, 0.0, 0.0);
  draw_text(cr, x1, 2.0, "angle along the great circle", 1.0, 0.0);
  if (!any)
    return;

  /* The profile, broken at missing values. */
  cairo_save(cr);
  cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
  cairo_clip(cr);
  gboolean pen_down = FALSE;
  for (size_t k = 0; k < self->n; k++) {
    if (isnan(self->values[k])) {
      pen_down = FALSE;
      continue;
    }
    double x = x0 + (x1 - x0) * self->distance[k] / dmax;
    double y = y1 - (y1 - y0) * (self->values[k] - vmin) / (vmax - vmin);
    if (pen_down)
      cairo_line_to(cr, x, y);
    else
      cairo_move_to(cr, x, y);
    pen_down = TRUE;
  }
  cairo_set_source_rgb(cr, 0.12, 0.40, 0.75);
  cairo_set_line_width(cr, 1.5);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cr);
  cairo_restore(cr);
}

GtkWidget *sph_profile_plot_new(void)
{
  return g_object_new(SPH_TYPE_PROFILE_PLOT, NULL);
}

void sph_profile_plot_set_data(SphProfilePlot *self, const double *distance_deg,
                               const double *values, size_t n, const char *y_label)
{
  g_return_if_fail(SPH_IS_PROFILE_PLOT(self));
  g_clear_pointer(&self->distance, g_free);
  g_clear_pointer(&self->values, g_free);
  g_clear_pointer(&self->y_label, g_free);
  self->n = n;
  if (n > 0) {
    self->distance = g_memdup2(distance_deg, n * sizeof(double));
    self->values = g_memdup2(values, n * sizeof(double));
  }
  self->y_label = g_strdup(y_label);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

size_t sph_profile_plot_get_n_points(SphProfilePlot *self)
{
  g_return_val_if_fail(SPH_IS_PROFILE_PLOT(self), 0);
  return self->n;
}

const double *sph_profile_plot_get_values(SphProfilePlot *self, const double **distance_deg)
{
  g_return_val_if_fail(SPH_IS_PROFILE_PLOT(self), NULL);
  if (distance_deg != NULL)
    *distance_deg = self->distance;
  return self->values;
}

static void sph_profile_plot_finalize(GObject *object)
{
  SphProfilePlot *self = SPH_PROFILE_PLOT(object);
  g_free(self->distance);
  g_free(self->values);
  g_free(self->y_label);
  G_OBJECT_CLASS(sph_profile_plot_parent_class)->finalize(object);
}

static void sph_profile_plot_class_init(SphProfilePlotClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = sph_profile_plot_finalize;
  gtk_widget_class_set_css_name(GTK_WIDGET_CLASS(klass), "profileplot");
}

static void sph_profile_plot_init(SphProfilePlot *self)
{
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(self), 170);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self), draw, NULL, NULL);
}
