/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-scattering-plot.h"

#include <math.h>

#include "sph-plot-axes.h"
#include "sphaera/colormap.h"

struct _SphScatteringPlot {
  GtkWidget parent_instance;
  char *title;
  int j_lo, nj;
  double *first;  /* nj, or NULL */
  double *second; /* nj * nj, or NULL */
};

G_DEFINE_FINAL_TYPE(SphScatteringPlot, sph_scattering_plot, GTK_TYPE_WIDGET)

GtkWidget *sph_scattering_plot_new(void)
{
  return g_object_new(SPH_TYPE_SCATTERING_PLOT, NULL);
}

void sph_scattering_plot_clear(SphScatteringPlot *self)
{
  g_return_if_fail(SPH_IS_SCATTERING_PLOT(self));
  g_clear_pointer(&self->title, g_free);
  g_clear_pointer(&self->first, g_free);
  g_clear_pointer(&self->second, g_free);
  self->nj = 0;
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_scattering_plot_set(SphScatteringPlot *self, const char *title, int j_lo, int nj,
                             const double *first, const double *second)
{
  g_return_if_fail(SPH_IS_SCATTERING_PLOT(self));
  sph_scattering_plot_clear(self);
  if (nj <= 0)
    return;
  self->title = g_strdup(title);
  self->j_lo = j_lo;
  self->nj = nj;
  if (first != NULL)
    self->first = g_memdup2(first, sizeof(double) * (gsize)nj);
  if (second != NULL)
    self->second = g_memdup2(second, sizeof(double) * (gsize)nj * nj);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

int sph_scattering_plot_get_n_scales(SphScatteringPlot *self)
{
  g_return_val_if_fail(SPH_IS_SCATTERING_PLOT(self), 0);
  return self->nj;
}

double sph_scattering_plot_get_first(SphScatteringPlot *self, int j)
{
  g_return_val_if_fail(SPH_IS_SCATTERING_PLOT(self), NAN);
  if (self->first == NULL || j < self->j_lo || j >= self->j_lo + self->nj)
    return NAN;
  return self->first[j - self->j_lo];
}

double sph_scattering_plot_get_second(SphScatteringPlot *self, int j1, int j2)
{
  g_return_val_if_fail(SPH_IS_SCATTERING_PLOT(self), NAN);
  int a = j1 - self->j_lo, b = j2 - self->j_lo;
  if (self->second == NULL || a < 0 || b < 0 || a >= self->nj || b >= self->nj)
    return NAN;
  return self->second[(gsize)a * self->nj + b];
}

/* log10 of the positive finite values' range; FALSE when there are none. */
static gboolean log_range(const double *v, gsize n, double *lo, double *hi)
{
  gboolean any = FALSE;
  for (gsize i = 0; i < n; i++) {
    if (!(v[i] > 0) || !isfinite(v[i]))
      continue;
    double x = log10(v[i]);
    if (!any || x < *lo)
      *lo = x;
    if (!any || x > *hi)
      *hi = x;
    any = TRUE;
  }
  if (any && *hi - *lo < 1e-3) {
    *lo -= 0.5;
    *hi += 0.5;
  }
  return any;
}

static void draw_first(SphScatteringPlot *self, cairo_t *cr, double x, double y, double w,
                       double h)
{
  double lo = 0, hi = 0;
  if (self->first == NULL || !log_range(self->first, (gsize)self->nj, &lo, &hi))
    return;
  double pad = 0.05 * (hi - lo);
  SphPlotBox box = {.x = x + 44, .y = y + 20, .w = w - 56, .h = h - 52,
                    .xmin = self->j_lo - 0.5, .xmax = self->j_lo + self->nj - 0.5,
                    .ymin = lo - pad, .ymax = hi + pad};
  if (box.w < 20 || box.h < 20)
    return;
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  sph_plot_axes(cr, &box, self->nj < 5 ? self->nj : 5, true, true, 10);
  sph_plot_text(cr, box.x + box.w / 2, y + h - 4, "scale j", 0.5, 1);
  sph_plot_text(cr, box.x, y + 4, "First order: log10 S1", 0, 0);
  cairo_set_source_rgb(cr, 0.13, 0.4, 0.7);
  cairo_set_line_width(cr, 1.5);
  gboolean started = FALSE;
  for (int i = 0; i < self->nj; i++) {
    if (!(self->first[i] > 0))
      continue;
    double px = sph_plot_box_x(&box, self->j_lo + i), py = sph_plot_box_y(&box, log10(self->first[i]));
    if (!started)
      cairo_move_to(cr, px, py);
    else
      cairo_line_to(cr, px, py);
    started = TRUE;
  }
  cairo_stroke(cr);
  for (int i = 0; i < self->nj; i++) {
    if (!(self->first[i] > 0))
      continue;
    cairo_arc(cr, sph_plot_box_x(&box, self->j_lo + i), sph_plot_box_y(&box, log10(self->first[i])),
              3, 0, 2 * G_PI);
    cairo_fill(cr);
  }
}

static void draw_second(SphScatteringPlot *self, cairo_t *cr, double x, double y, double w,
                        double h)
{
  double lo = 0, hi = 0;
  int n = self->nj;
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  sph_plot_text(cr, x + 44, y + 4, "Second order: log10 S2 over (j1, j2)", 0, 0);
  if (self->second == NULL || !log_range(self->second, (gsize)n * n, &lo, &hi)) {
    sph_plot_text(cr, x + w / 2, y + h / 2, "no second order", 0.5, 0.5);
    return;
  }
  double side = fmin(w - 110, h - 52);
  if (side < 20)
    return;
  SphPlotBox box = {.x = x + 44, .y = y + 20, .w = side, .h = side,
                    .xmin = self->j_lo - 0.5, .xmax = self->j_lo + n - 0.5,
                    .ymin = self->j_lo - 0.5, .ymax = self->j_lo + n - 0.5};
  const uint8_t *table = sph_colormap_table(SPH_CMAP_VIRIDIS);
  double cell = side / n;
  for (int a = 0; a < n; a++) {
    for (int b = 0; b < n; b++) {
      double v = self->second[(gsize)a * n + b];
      if (!(v > 0) || !isfinite(v))
        continue;
      double t = (log10(v) - lo) / (hi - lo);
      int k = (int)lround(fmin(fmax(t, 0), 1) * (SPH_CMAP_SIZE - 1));
      cairo_set_source_rgb(cr, table[3 * k] / 255.0, table[3 * k + 1] / 255.0,
                           table[3 * k + 2] / 255.0);
      cairo_rectangle(cr, box.x + a * cell, box.y + box.h - (b + 1) * cell, cell, cell);
      cairo_fill(cr);
    }
  }
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  sph_plot_axes(cr, &box, n < 6 ? n : 6, true, true, 10);
  sph_plot_text(cr, box.x + box.w / 2, y + h - 4, "j1", 0.5, 1);
  sph_plot_text_vertical(cr, box.x - 34, box.y + box.h / 2, "j2");
  /* The colour bar with its two ends. */
  double bx = box.x + box.w + 12, bw = 12;
  for (int i = 0; i < 64; i++) {
    int k = (int)lround((SPH_CMAP_SIZE - 1) * (i + 0.5) / 64.0);
    cairo_set_source_rgb(cr, table[3 * k] / 255.0, table[3 * k + 1] / 255.0,
                         table[3 * k + 2] / 255.0);
    cairo_rectangle(cr, bx, box.y + box.h * (1 - (i + 1) / 64.0), bw, box.h / 64.0 + 0.5);
    cairo_fill(cr);
  }
  char text[32];
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  g_snprintf(text, sizeof text, "%.2f", hi);
  sph_plot_text(cr, bx + bw + 3, box.y, text, 0, 0);
  g_snprintf(text, sizeof text, "%.2f", lo);
  sph_plot_text(cr, bx + bw + 3, box.y + box.h, text, 0, 1);
}

static void sph_scattering_plot_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
  SphScatteringPlot *self = SPH_SCATTERING_PLOT(widget);
  int w = gtk_widget_get_width(widget), h = gtk_widget_get_height(widget);
  if (w <= 0 || h <= 0)
    return;
  cairo_t *cr = gtk_snapshot_append_cairo(snapshot, &GRAPHENE_RECT_INIT(0, 0, w, h));
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 11);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  if (self->nj == 0) {
    sph_plot_text(cr, w / 2.0, h / 2.0, "Compute to see the scattering coefficients", 0.5, 0.5);
  } else {
    double top = 18;
    if (self->title != NULL)
      sph_plot_text(cr, 8, 3, self->title, 0, 0);
    draw_first(self, cr, 0, top, w / 2.0, h - top);
    draw_second(self, cr, w / 2.0, top, w / 2.0, h - top);
  }
  cairo_destroy(cr);
}

static void sph_scattering_plot_measure(GtkWidget *widget, GtkOrientation orientation,
                                        int for_size, int *minimum, int *natural,
                                        int *minimum_baseline, int *natural_baseline)
{
  (void)widget;
  (void)for_size;
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 180;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 560 : 260;
  *minimum_baseline = *natural_baseline = -1;
}

static void sph_scattering_plot_finalize(GObject *object)
{
  SphScatteringPlot *self = SPH_SCATTERING_PLOT(object);
  g_free(self->title);
  g_free(self->first);
  g_free(self->second);
  G_OBJECT_CLASS(sph_scattering_plot_parent_class)->finalize(object);
}

static void sph_scattering_plot_class_init(SphScatteringPlotClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = sph_scattering_plot_finalize;
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  widget_class->snapshot = sph_scattering_plot_snapshot;
  widget_class->measure = sph_scattering_plot_measure;
}

static void sph_scattering_plot_init(SphScatteringPlot *self)
{
  gtk_widget_set_hexpand(GTK_WIDGET(self), TRUE);
  gtk_widget_set_vexpand(GTK_WIDGET(self), TRUE);
}
