/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-spectrum-plot.h"

#include <math.h>

#define MARGIN_LEFT 64.0
#define MARGIN_RIGHT 12.0
#define MARGIN_TOP 18.0
#define MARGIN_BOTTOM 30.0
#define FONT_SIZE 11.0
#define L_MIN 2 /* the monopole and dipole carry no D_l worth plotting */

struct _SphSpectrumPlot {
  GtkDrawingArea parent_instance;
  double *dl;
  int lmax;
  char *unit;
  double *theory_dl;
  int theory_lmax;
  char *theory_label;
  char *message;
  gboolean log_l;
};

enum { PROP_0, PROP_LOG_L, N_PROPS };
static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE(SphSpectrumPlot, sph_spectrum_plot, GTK_TYPE_DRAWING_AREA)

static double *dl_from_cl(const double *cl, int lmax)
{
  double *dl = g_new(double, (size_t)lmax + 1);
  for (int l = 0; l <= lmax; l++)
    dl[l] = (double)l * (l + 1.0) * cl[l] / (2.0 * G_PI);
  return dl;
}

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

typedef struct {
  double x0, x1, y0, y1;
  double lmin, lmax, vmin, vmax;
  gboolean log_l;
} Axes;

static double axes_x(const Axes *a, double l)
{
  if (a->log_l)
    return a->x0 + (a->x1 - a->x0) * (log(l) - log(a->lmin)) / (log(a->lmax) - log(a->lmin));
  return a->x0 + (a->x1 - a->x0) * (l - a->lmin) / (a->lmax - a->lmin);
}

static double axes_y(const Axes *a, double v)
{
  return a->y1 - (a->y1 - a->y0) * (v - a->vmin) / (a->vmax - a->vmin);
}

static void draw_curve(cairo_t *cr, const Axes *a, const double *dl, int lmax, double r,
                       double g, double b, double width)
{
  int last = MIN(lmax, (int)a->lmax);
  for (int l = L_MIN; l <= last; l++) {
    double x = axes_x(a, l), y = axes_y(a, dl[l]);
    if (l == L_MIN)
      cairo_move_to(cr, x, y);
    else
      cairo_line_to(cr, x, y);
  }
  cairo_set_source_rgb(cr, r, g, b);
  cairo_set_line_width(cr, width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cr);
}

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  (void)data;
  SphSpectrumPlot *self = SPH_SPECTRUM_PLOT(area);
  GdkRGBA fg;
  gtk_style_context_get_color(gtk_widget_get_style_context(GTK_WIDGET(area)), &fg);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, FONT_SIZE);

  if (self->dl == NULL || self->lmax <= L_MIN) {
    cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.55 * fg.alpha);
    draw_text(cr, width / 2.0, height / 2.0,
              self->message != NULL ? self->message : "No power spectrum", 0.5, 0.5);
    return;
  }
  Axes a = { MARGIN_LEFT, width - MARGIN_RIGHT, MARGIN_TOP, height - MARGIN_BOTTOM,
             L_MIN, self->lmax, INFINITY, -INFINITY, self->log_l };
  if (a.x1 - a.x0 < 20.0 || a.y1 - a.y0 < 20.0)
    return;
  for (int l = L_MIN; l <= self->lmax; l++) {
    a.vmin = MIN(a.vmin, self->dl[l]);
    a.vmax = MAX(a.vmax, self->dl[l]);
  }
  if (self->theory_dl != NULL)
    for (int l = L_MIN; l <= MIN(self->lmax, self->theory_lmax); l++) {
      a.vmin = MIN(a.vmin, self->theory_dl[l]);
      a.vmax = MAX(a.vmax, self->theory_dl[l]);
    }
  if (!isfinite(a.vmin) || !isfinite(a.vmax))
    return;
  if (a.vmin == a.vmax)
    a.vmax = a.vmin + 1.0;
  double pad = 0.05 * (a.vmax - a.vmin);
  a.vmin = MIN(a.vmin - pad, 0.0);
  a.vmax += pad;

  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.8 * fg.alpha);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, a.x0 + 0.5, a.y0 + 0.5, a.x1 - a.x0 - 1.0, a.y1 - a.y0 - 1.0);
  cairo_stroke(cr);
  char text[64];
  if (self->log_l) {
    for (double decade = 1.0; decade <= a.lmax; decade *= 10.0)
      for (int k = 1; k < 10; k++) {
        double l = k * decade;
        if (l < a.lmin || l > a.lmax)
          continue;
        double x = round(axes_x(&a, l)) + 0.5;
        cairo_move_to(cr, x, a.y1);
        cairo_line_to(cr, x, a.y1 + (k == 1 ? 5.0 : 2.5));
        cairo_stroke(cr);
        if (k == 1 || (k == 2 && decade == 1.0) || k == 5) {
          g_snprintf(text, sizeof text, "%g", l);
          draw_text(cr, x, a.y1 + 6.0, text, 0.5, 0.0);
        }
      }
  } else {
    double step = tick_step(a.lmax - a.lmin, 8);
    for (double l = ceil(a.lmin / step) * step; l <= a.lmax; l += step) {
      double x = round(axes_x(&a, l)) + 0.5;
      cairo_move_to(cr, x, a.y1);
      cairo_line_to(cr, x, a.y1 + 4.0);
      cairo_stroke(cr);
      g_snprintf(text, sizeof text, "%g", l);
      draw_text(cr, x, a.y1 + 6.0, text, 0.5, 0.0);
    }
  }
  double step = tick_step(a.vmax - a.vmin, 4);
  for (double v = ceil(a.vmin / step) * step; v <= a.vmax; v += step) {
    double y = round(axes_y(&a, v)) + 0.5;
    cairo_move_to(cr, a.x0 - 4.0, y);
    cairo_line_to(cr, a.x0, y);
    cairo_stroke(cr);
    g_snprintf(text, sizeof text, "%.4g", fabs(v) < step * 1e-9 ? 0.0 : v);
    draw_text(cr, a.x0 - 6.0, y, text, 1.0, 0.5);
  }
  char *label = g_strdup_printf("D_ℓ = ℓ(ℓ+1)C_ℓ/2π [%s²]",
                                self->unit != NULL && self->unit[0] != '\0' ? self->unit
                                                                            : "unit");
  draw_text(cr, a.x0, 2.0, label, 0.0, 0.0);
  g_free(label);
  draw_text(cr, a.x1, 2.0, self->log_l ? "ℓ (log)" : "ℓ", 1.0, 0.0);

  cairo_save(cr);
  cairo_rectangle(cr, a.x0, a.y0, a.x1 - a.x0, a.y1 - a.y0);
  cairo_clip(cr);
  draw_curve(cr, &a, self->dl, self->lmax, 0.12, 0.40, 0.75, 1.0);
  if (self->theory_dl != NULL)
    draw_curve(cr, &a, self->theory_dl, self->theory_lmax, 0.85, 0.20, 0.15, 2.0);
  cairo_restore(cr);
  if (self->theory_dl != NULL && self->theory_label != NULL) {
    cairo_set_source_rgb(cr, 0.85, 0.20, 0.15);
    draw_text(cr, a.x1 - 8.0, a.y0 + 8.0, self->theory_label, 1.0, 0.0);
  }
}

GtkWidget *sph_spectrum_plot_new(void)
{
  return g_object_new(SPH_TYPE_SPECTRUM_PLOT, NULL);
}

void sph_spectrum_plot_set_spectrum(SphSpectrumPlot *self, const double *cl, int lmax,
                                    const char *unit)
{
  g_return_if_fail(SPH_IS_SPECTRUM_PLOT(self));
  g_clear_pointer(&self->dl, g_free);
  g_clear_pointer(&self->unit, g_free);
  g_clear_pointer(&self->message, g_free);
  self->lmax = 0;
  if (cl != NULL && lmax >= 0) {
    self->dl = dl_from_cl(cl, lmax);
    self->lmax = lmax;
    self->unit = g_strdup(unit);
  }
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_spectrum_plot_set_theory(SphSpectrumPlot *self, const double *cl, int lmax,
                                  const char *label)
{
  g_return_if_fail(SPH_IS_SPECTRUM_PLOT(self));
  g_clear_pointer(&self->theory_dl, g_free);
  g_clear_pointer(&self->theory_label, g_free);
  self->theory_lmax = 0;
  if (cl != NULL && lmax >= 0) {
    self->theory_dl = dl_from_cl(cl, lmax);
    self->theory_lmax = lmax;
    self->theory_label = g_strdup(label);
  }
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_spectrum_plot_set_message(SphSpectrumPlot *self, const char *message)
{
  g_return_if_fail(SPH_IS_SPECTRUM_PLOT(self));
  g_free(self->message);
  self->message = g_strdup(message);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_spectrum_plot_set_log_l(SphSpectrumPlot *self, gboolean log_l)
{
  g_return_if_fail(SPH_IS_SPECTRUM_PLOT(self));
  log_l = log_l != FALSE;
  if (self->log_l == log_l)
    return;
  self->log_l = log_l;
  gtk_widget_queue_draw(GTK_WIDGET(self));
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_LOG_L]);
}

gboolean sph_spectrum_plot_get_log_l(SphSpectrumPlot *self)
{
  g_return_val_if_fail(SPH_IS_SPECTRUM_PLOT(self), FALSE);
  return self->log_l;
}

const double *sph_spectrum_plot_get_dl(SphSpectrumPlot *self, int *lmax)
{
  g_return_val_if_fail(SPH_IS_SPECTRUM_PLOT(self), NULL);
  if (lmax != NULL)
    *lmax = self->lmax;
  return self->dl;
}

const double *sph_spectrum_plot_get_theory_dl(SphSpectrumPlot *self, int *lmax)
{
  g_return_val_if_fail(SPH_IS_SPECTRUM_PLOT(self), NULL);
  if (lmax != NULL)
    *lmax = self->theory_lmax;
  return self->theory_dl;
}

static void sph_spectrum_plot_get_property(GObject *object, guint id, GValue *value,
                                           GParamSpec *pspec)
{
  SphSpectrumPlot *self = SPH_SPECTRUM_PLOT(object);
  if (id == PROP_LOG_L)
    g_value_set_boolean(value, self->log_l);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
}

static void sph_spectrum_plot_set_property(GObject *object, guint id, const GValue *value,
                                           GParamSpec *pspec)
{
  SphSpectrumPlot *self = SPH_SPECTRUM_PLOT(object);
  if (id == PROP_LOG_L)
    sph_spectrum_plot_set_log_l(self, g_value_get_boolean(value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
}

static void sph_spectrum_plot_finalize(GObject *object)
{
  SphSpectrumPlot *self = SPH_SPECTRUM_PLOT(object);
  g_free(self->dl);
  g_free(self->unit);
  g_free(self->theory_dl);
  g_free(self->theory_label);
  g_free(self->message);
  G_OBJECT_CLASS(sph_spectrum_plot_parent_class)->finalize(object);
}

static void sph_spectrum_plot_class_init(SphSpectrumPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->finalize = sph_spectrum_plot_finalize;
  object_class->get_property = sph_spectrum_plot_get_property;
  object_class->set_property = sph_spectrum_plot_set_property;
  props[PROP_LOG_L] = g_param_spec_boolean("log-l", NULL, NULL, FALSE,
                                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                             G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, props);
  gtk_widget_class_set_css_name(GTK_WIDGET_CLASS(klass), "spectrumplot");
}

static void sph_spectrum_plot_init(SphSpectrumPlot *self)
{
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(self), 150);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self), draw, NULL, NULL);
}
