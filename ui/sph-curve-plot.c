/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-curve-plot.h"

#include <math.h>

#include "sphaera/classify_eval.h"

#define MARGIN_LEFT 62.0
#define MARGIN_RIGHT 16.0
#define MARGIN_TOP 22.0
#define MARGIN_BOTTOM 34.0
#define PANEL_GAP 30.0
#define FONT_SIZE 11.0
#define MAX_SMOOTHING 0.99

typedef struct {
  double r, g, b;
} Rgb;

static const Rgb loss_colour = {0.91, 0.44, 0.04};  /* TensorBoard's orange */
static const Rgb train_colour = {0.12, 0.47, 0.71};
static const Rgb test_colour = {0.80, 0.15, 0.16};
/* The validation loss is the test rows' loss: it shares their colour. */
static const Rgb validation_colour = {0.80, 0.15, 0.16};

struct _SphCurvePlot {
  GtkDrawingArea parent_instance;
  SphEpochStats *epochs;
  size_t nepochs, planned;
  char *message;
  gboolean log_loss;
  double smoothing;
  double hover_x; /* pointer x in widget coordinates, or NAN */
  size_t hover_epoch;
  guint draw_count;
};

enum { PROP_0, PROP_LOG_LOSS, PROP_SMOOTHING, N_PROPS };
static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE(SphCurvePlot, sph_curve_plot, GTK_TYPE_DRAWING_AREA)

typedef struct {
  double x0, x1, y0, y1;
  double emin, emax, vmin, vmax;
  gboolean log_y;
} Panel;

static double panel_x(const Panel *p, double epoch)
{
  return p->x0 + (p->x1 - p->x0) * (epoch - p->emin) / (p->emax - p->emin);
}

static double panel_y(const Panel *p, double v)
{
  double t = p->log_y ? (log10(v) - log10(p->vmin)) / (log10(p->vmax) - log10(p->vmin))
                      : (v - p->vmin) / (p->vmax - p->vmin);
  return p->y1 - (p->y1 - p->y0) * t;
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

/* Index i of the epoch axis holds epoch i + 1. */
static void stroke_series(cairo_t *cr, const Panel *p, const double *v, size_t n, Rgb c,
                          double alpha, double width)
{
  gboolean pen_down = FALSE;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(v[i]) || (p->log_y && !(v[i] > 0.0))) {
      pen_down = FALSE;
      continue;
    }
    double x = panel_x(p, (double)(i + 1)), y = panel_y(p, v[i]);
    if (pen_down)
      cairo_line_to(cr, x, y);
    else
      cairo_move_to(cr, x, y);
    pen_down = TRUE;
  }
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
  cairo_set_line_width(cr, width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_stroke(cr);
  /* A lone epoch has no line to draw: mark the points. */
  if (n <= 2 || (p->x1 - p->x0) / (p->emax - p->emin) > 14.0)
    for (size_t i = 0; i < n; i++)
      if (isfinite(v[i]) && (!p->log_y || v[i] > 0.0)) {
        cairo_arc(cr, panel_x(p, (double)(i + 1)), panel_y(p, v[i]), width + 1.0, 0, 2 * G_PI);
        cairo_fill(cr);
      }
}

/* The raw series faint and its moving average bold, as TensorBoard does. */
static void draw_series(SphCurvePlot *self, cairo_t *cr, const Panel *p, const double *raw,
                        double *smooth, Rgb c)
{
  if (self->smoothing > 0.0) {
    stroke_series(cr, p, raw, self->nepochs, c, 0.28, 1.2);
    sph_curve_smooth_ema(raw, self->nepochs, self->smoothing, smooth);
    stroke_series(cr, p, smooth, self->nepochs, c, 1.0, 2.0);
  } else {
    stroke_series(cr, p, raw, self->nepochs, c, 1.0, 2.0);
  }
}

static void draw_frame(cairo_t *cr, const Panel *p, GdkRGBA fg, const char *title,
                       gboolean percent)
{
  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.06 * fg.alpha);
  cairo_rectangle(cr, p->x0, p->y0, p->x1 - p->x0, p->y1 - p->y0);
  cairo_fill(cr);
  char text[64];
  cairo_set_line_width(cr, 1.0);
  /* Horizontal grid and labels. */
  if (p->log_y) {
    for (double decade = pow(10.0, floor(log10(p->vmin))); decade <= p->vmax; decade *= 10.0)
      for (int k = 1; k < 10; k++) {
        double v = k * decade;
        if (v < p->vmin || v > p->vmax)
          continue;
        double y = round(panel_y(p, v)) + 0.5;
        cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, (k == 1 ? 0.18 : 0.07) * fg.alpha);
        cairo_move_to(cr, p->x0, y);
        cairo_line_to(cr, p->x1, y);
        cairo_stroke(cr);
        if (k == 1 || k == 2 || k == 5) {
          cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.8 * fg.alpha);
          g_snprintf(text, sizeof text, "%g", v);
          draw_text(cr, p->x0 - 6.0, y, text, 1.0, 0.5);
        }
      }
  } else {
    double step = tick_step(p->vmax - p->vmin, 4);
    for (double v = ceil(p->vmin / step) * step; v <= p->vmax + 1e-9 * step; v += step) {
      double y = round(panel_y(p, v)) + 0.5;
      cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.14 * fg.alpha);
      cairo_move_to(cr, p->x0, y);
      cairo_line_to(cr, p->x1, y);
      cairo_stroke(cr);
      cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.8 * fg.alpha);
      if (percent)
        g_snprintf(text, sizeof text, "%.4g%%", 100.0 * v);
      else
        g_snprintf(text, sizeof text, "%.3g", fabs(v) < 1e-9 * step ? 0.0 : v);
      draw_text(cr, p->x0 - 6.0, y, text, 1.0, 0.5);
    }
  }
  /* Vertical grid at whole epochs. */
  double estep = fmax(1.0, tick_step(p->emax - p->emin, 8));
  for (double e = ceil(p->emin / estep) * estep; e <= p->emax; e += estep) {
    double x = round(panel_x(p, e)) + 0.5;
    cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.10 * fg.alpha);
    cairo_move_to(cr, x, p->y0);
    cairo_line_to(cr, x, p->y1);
    cairo_stroke(cr);
    cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.8 * fg.alpha);
    g_snprintf(text, sizeof text, "%g", e);
    draw_text(cr, x, p->y1 + 5.0, text, 0.5, 0.0);
  }
  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.45 * fg.alpha);
  cairo_rectangle(cr, p->x0 + 0.5, p->y0 + 0.5, p->x1 - p->x0 - 1.0, p->y1 - p->y0 - 1.0);
  cairo_stroke(cr);
  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, fg.alpha);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  draw_text(cr, p->x0, p->y0 - 6.0, title, 0.0, 1.0);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
}

static void draw_legend(cairo_t *cr, const Panel *p, const char *const *names, const Rgb *colours,
                        int n, GdkRGBA fg)
{
  double x = p->x1;
  for (int i = n - 1; i >= 0; i--) {
    cairo_text_extents_t ext;
    cairo_text_extents(cr, names[i], &ext);
    x -= ext.x_advance;
    cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.85 * fg.alpha);
    draw_text(cr, x, p->y0 - 6.0, names[i], 0.0, 1.0);
    x -= 22.0;
    cairo_set_source_rgb(cr, colours[i].r, colours[i].g, colours[i].b);
    cairo_set_line_width(cr, 2.5);
    cairo_move_to(cr, x, p->y0 - 6.0 - 0.35 * FONT_SIZE);
    cairo_line_to(cr, x + 16.0, p->y0 - 6.0 - 0.35 * FONT_SIZE);
    cairo_stroke(cr);
    x -= 14.0;
  }
}

static void value_range(const double *v, size_t n, gboolean positive, double *lo, double *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (size_t i = 0; i < n; i++)
    if (isfinite(v[i]) && (!positive || v[i] > 0.0)) {
      *lo = fmin(*lo, v[i]);
      *hi = fmax(*hi, v[i]);
    }
}

static void draw_readout(SphCurvePlot *self, cairo_t *cr, const Panel *loss, const Panel *acc,
                         const double *loss_smooth, const double *validation_smooth, GdkRGBA fg)
{
  size_t e = self->hover_epoch;
  if (e == 0 || e > self->nepochs)
    return;
  const SphEpochStats *s = &self->epochs[e - 1];
  double x = round(panel_x(loss, (double)e)) + 0.5;
  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.5 * fg.alpha);
  cairo_set_line_width(cr, 1.0);
  cairo_set_dash(cr, (double[]){3.0, 3.0}, 2, 0.0);
  cairo_move_to(cr, x, loss->y0);
  cairo_line_to(cr, x, acc->y1);
  cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0.0);

  char lines[5][96];
  g_snprintf(lines[0], sizeof lines[0], "epoch %zu   (%.1f s)", s->epoch, s->seconds);
  if (self->smoothing > 0.0)
    g_snprintf(lines[1], sizeof lines[1], "training loss %.4g  (smoothed %.4g)", s->train_loss,
               loss_smooth[e - 1]);
  else
    g_snprintf(lines[1], sizeof lines[1], "training loss %.4g", s->train_loss);
  if (!isfinite(s->test_loss))
    g_snprintf(lines[2], sizeof lines[2], "validation loss —");
  else if (self->smoothing > 0.0)
    g_snprintf(lines[2], sizeof lines[2], "validation loss %.4g  (smoothed %.4g)", s->test_loss,
               validation_smooth[e - 1]);
  else
    g_snprintf(lines[2], sizeof lines[2], "validation loss %.4g", s->test_loss);
  g_snprintf(lines[3], sizeof lines[3], "training accuracy %.2f%%", 100.0 * s->train_accuracy);
  if (isfinite(s->test_accuracy))
    g_snprintf(lines[4], sizeof lines[4], "test accuracy %.2f%%", 100.0 * s->test_accuracy);
  else
    g_snprintf(lines[4], sizeof lines[4], "test accuracy —");
  const Rgb colours[5] = {{0, 0, 0}, loss_colour, validation_colour, train_colour, test_colour};
  double w = 0.0, line_h = FONT_SIZE + 5.0;
  for (int i = 0; i < 5; i++) {
    cairo_text_extents_t ext;
    cairo_text_extents(cr, lines[i], &ext);
    w = fmax(w, ext.x_advance);
  }
  w += 30.0;
  double h = 5 * line_h + 10.0;
  double bx = x + 12.0 + w > loss->x1 ? x - 12.0 - w : x + 12.0;
  double by = loss->y0 + 8.0;
  cairo_set_source_rgba(cr, 1.0, 1.0, 1.0, 0.94);
  cairo_rectangle(cr, bx, by, w, h);
  cairo_fill_preserve(cr);
  cairo_set_source_rgba(cr, 0.0, 0.0, 0.0, 0.35);
  cairo_set_line_width(cr, 1.0);
  cairo_stroke(cr);
  for (int i = 0; i < 5; i++) {
    double ly = by + 5.0 + i * line_h;
    if (i > 0) {
      cairo_set_source_rgb(cr, colours[i].r, colours[i].g, colours[i].b);
      cairo_rectangle(cr, bx + 8.0, ly + 3.0, 10.0, line_h - 6.0);
      cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    draw_text(cr, bx + 24.0, ly + line_h / 2.0, lines[i], 0.0, 0.5);
  }
}

static gboolean layout_panels(SphCurvePlot *self, int width, int height, Panel *loss, Panel *acc)
{
  double emax = (double)MAX(MAX(self->planned, self->nepochs), 2);
  double x0 = MARGIN_LEFT, x1 = width - MARGIN_RIGHT;
  double top = MARGIN_TOP, bottom = height - MARGIN_BOTTOM;
  double ph = (bottom - top - PANEL_GAP) / 2.0;
  if (x1 - x0 < 40.0 || ph < 30.0)
    return FALSE;
  *loss = (Panel){x0, x1, top, top + ph, 1.0, emax, 0.0, 1.0, self->log_loss};
  *acc = (Panel){x0, x1, bottom - ph, bottom, 1.0, emax, 0.0, 1.0, FALSE};
  return TRUE;
}

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  (void)data;
  SphCurvePlot *self = SPH_CURVE_PLOT(area);
  self->draw_count++;
  GdkRGBA fg;
  gtk_style_context_get_color(gtk_widget_get_style_context(GTK_WIDGET(area)), &fg);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, FONT_SIZE);
  Panel loss, acc;
  if (!layout_panels(self, width, height, &loss, &acc))
    return;
  if (self->nepochs == 0) {
    cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.55 * fg.alpha);
    draw_text(cr, width / 2.0, height / 2.0,
              self->message != NULL ? self->message : "No training yet", 0.5, 0.5);
    return;
  }
  size_t n = self->nepochs;
  double *buf = g_new(double, 7 * n);
  double *loss_raw = buf, *train_raw = buf + n, *test_raw = buf + 2 * n;
  double *loss_smooth = buf + 3 * n, *smooth = buf + 4 * n;
  double *validation_raw = buf + 5 * n, *validation_smooth = buf + 6 * n;
  for (size_t i = 0; i < n; i++) {
    loss_raw[i] = self->epochs[i].train_loss;
    validation_raw[i] = self->epochs[i].test_loss;
    train_raw[i] = self->epochs[i].train_accuracy;
    test_raw[i] = self->epochs[i].test_accuracy;
  }
  sph_curve_smooth_ema(loss_raw, n, self->smoothing, loss_smooth);
  sph_curve_smooth_ema(validation_raw, n, self->smoothing, validation_smooth);

  double lo, hi, lo2, hi2;
  value_range(loss_raw, n, self->log_loss, &lo, &hi);
  value_range(validation_raw, n, self->log_loss, &lo2, &hi2);
  lo = fmin(lo, lo2);
  hi = fmax(hi, hi2);
  if (!isfinite(lo)) {
    lo = self->log_loss ? 0.1 : 0.0;
    hi = 1.0;
  }
  if (self->log_loss) {
    loss.vmin = pow(10.0, floor(log10(lo) * 4.0) / 4.0);
    loss.vmax = pow(10.0, ceil(log10(hi) * 4.0 + 1e-9) / 4.0);
  } else {
    loss.vmin = 0.0;
    loss.vmax = hi > 0.0 ? 1.08 * hi : 1.0;
  }
  value_range(train_raw, n, FALSE, &lo, &hi);
  value_range(test_raw, n, FALSE, &lo2, &hi2);
  lo = fmin(lo, lo2);
  acc.vmin = isfinite(lo) ? fmax(0.0, floor(lo * 10.0 - 1e-9) / 10.0) : 0.0;
  acc.vmax = 1.0;
  if (acc.vmax - acc.vmin < 0.1)
    acc.vmin = 0.9;

  draw_frame(cr, &loss, fg, self->log_loss ? "Loss (log)" : "Loss", FALSE);
  draw_frame(cr, &acc, fg, "Accuracy", TRUE);
  static const char *const loss_names[] = {"training", "validation"};
  static const char *const acc_names[] = {"training", "test"};
  const Rgb loss_colours[] = {loss_colour, validation_colour};
  const Rgb acc_colours[] = {train_colour, test_colour};
  draw_legend(cr, &loss, loss_names, loss_colours, 2, fg);
  draw_legend(cr, &acc, acc_names, acc_colours, 2, fg);
  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.8 * fg.alpha);
  draw_text(cr, (acc.x0 + acc.x1) / 2.0, height - 2.0, "epoch", 0.5, 1.0);

  cairo_save(cr);
  cairo_rectangle(cr, loss.x0, loss.y0, loss.x1 - loss.x0, loss.y1 - loss.y0);
  cairo_clip(cr);
  draw_series(self, cr, &loss, loss_raw, smooth, loss_colour);
  draw_series(self, cr, &loss, validation_raw, smooth, validation_colour);
  cairo_restore(cr);
  cairo_save(cr);
  cairo_rectangle(cr, acc.x0 - 4.0, acc.y0 - 4.0, acc.x1 - acc.x0 + 8.0, acc.y1 - acc.y0 + 8.0);
  cairo_clip(cr);
  draw_series(self, cr, &acc, train_raw, smooth, train_colour);
  draw_series(self, cr, &acc, test_raw, smooth, test_colour);
  cairo_restore(cr);
  draw_readout(self, cr, &loss, &acc, loss_smooth, validation_smooth, fg);
  g_free(buf);
}

static void update_hover(SphCurvePlot *self)
{
  size_t epoch = 0;
  Panel loss, acc;
  int w = gtk_widget_get_width(GTK_WIDGET(self)), h = gtk_widget_get_height(GTK_WIDGET(self));
  if (self->nepochs > 0 && isfinite(self->hover_x) && layout_panels(self, w, h, &loss, &acc) &&
      self->hover_x >= loss.x0 - 8.0 && self->hover_x <= loss.x1 + 8.0) {
    double e = loss.emin + (self->hover_x - loss.x0) / (loss.x1 - loss.x0) * (loss.emax - loss.emin);
    long nearest = lround(e);
    epoch = (size_t)CLAMP(nearest, 1L, (long)self->nepochs);
  }
  if (epoch != self->hover_epoch) {
    self->hover_epoch = epoch;
    gtk_widget_queue_draw(GTK_WIDGET(self));
  }
}

static void on_motion(GtkEventControllerMotion *motion, double x, double y, gpointer data)
{
  (void)motion;
  (void)y;
  SphCurvePlot *self = data;
  self->hover_x = x;
  update_hover(self);
}

static void on_leave(GtkEventControllerMotion *motion, gpointer data)
{
  (void)motion;
  SphCurvePlot *self = data;
  self->hover_x = NAN;
  update_hover(self);
}

GtkWidget *sph_curve_plot_new(void)
{
  return g_object_new(SPH_TYPE_CURVE_PLOT, NULL);
}

void sph_curve_plot_set_curve(SphCurvePlot *self, const SphTrainCurve *curve)
{
  g_return_if_fail(SPH_IS_CURVE_PLOT(self));
  g_clear_pointer(&self->epochs, g_free);
  self->nepochs = 0;
  self->planned = 0;
  if (curve != NULL) {
    self->epochs = g_memdup2(curve->epochs, curve->nepochs * sizeof curve->epochs[0]);
    self->nepochs = curve->nepochs;
    self->planned = curve->epochs_planned;
  }
  update_hover(self);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

size_t sph_curve_plot_get_n_epochs(SphCurvePlot *self)
{
  g_return_val_if_fail(SPH_IS_CURVE_PLOT(self), 0);
  return self->nepochs;
}

const SphEpochStats *sph_curve_plot_get_epochs(SphCurvePlot *self, size_t *n)
{
  g_return_val_if_fail(SPH_IS_CURVE_PLOT(self), NULL);
  if (n != NULL)
    *n = self->nepochs;
  return self->epochs;
}

void sph_curve_plot_set_message(SphCurvePlot *self, const char *message)
{
  g_return_if_fail(SPH_IS_CURVE_PLOT(self));
  g_free(self->message);
  self->message = g_strdup(message);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_curve_plot_set_log_loss(SphCurvePlot *self, gboolean log_loss)
{
  g_return_if_fail(SPH_IS_CURVE_PLOT(self));
  log_loss = log_loss != FALSE;
  if (self->log_loss == log_loss)
    return;
  self->log_loss = log_loss;
  gtk_widget_queue_draw(GTK_WIDGET(self));
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_LOG_LOSS]);
}

gboolean sph_curve_plot_get_log_loss(SphCurvePlot *self)
{
  g_return_val_if_fail(SPH_IS_CURVE_PLOT(self), FALSE);
  return self->log_loss;
}

void sph_curve_plot_set_smoothing(SphCurvePlot *self, double smoothing)
{
  g_return_if_fail(SPH_IS_CURVE_PLOT(self));
  smoothing = isfinite(smoothing) ? CLAMP(smoothing, 0.0, MAX_SMOOTHING) : 0.0;
  if (self->smoothing == smoothing)
    return;
  self->smoothing = smoothing;
  gtk_widget_queue_draw(GTK_WIDGET(self));
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_SMOOTHING]);
}

double sph_curve_plot_get_smoothing(SphCurvePlot *self)
{
  g_return_val_if_fail(SPH_IS_CURVE_PLOT(self), 0.0);
  return self->smoothing;
}

size_t sph_curve_plot_get_hover_epoch(SphCurvePlot *self)
{
  g_return_val_if_fail(SPH_IS_CURVE_PLOT(self), 0);
  return self->hover_epoch;
}

guint sph_curve_plot_get_draw_count(SphCurvePlot *self)
{
  g_return_val_if_fail(SPH_IS_CURVE_PLOT(self), 0);
  return self->draw_count;
}

static void sph_curve_plot_get_property(GObject *object, guint id, GValue *value,
                                        GParamSpec *pspec)
{
  SphCurvePlot *self = SPH_CURVE_PLOT(object);
  switch (id) {
  case PROP_LOG_LOSS: g_value_set_boolean(value, self->log_loss); break;
  case PROP_SMOOTHING: g_value_set_double(value, self->smoothing); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
}

static void sph_curve_plot_set_property(GObject *object, guint id, const GValue *value,
                                        GParamSpec *pspec)
{
  SphCurvePlot *self = SPH_CURVE_PLOT(object);
  switch (id) {
  case PROP_LOG_LOSS: sph_curve_plot_set_log_loss(self, g_value_get_boolean(value)); break;
  case PROP_SMOOTHING: sph_curve_plot_set_smoothing(self, g_value_get_double(value)); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
}

static void sph_curve_plot_finalize(GObject *object)
{
  SphCurvePlot *self = SPH_CURVE_PLOT(object);
  g_free(self->epochs);
  g_free(self->message);
  G_OBJECT_CLASS(sph_curve_plot_parent_class)->finalize(object);
}

static void sph_curve_plot_class_init(SphCurvePlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->finalize = sph_curve_plot_finalize;
  object_class->get_property = sph_curve_plot_get_property;
  object_class->set_property = sph_curve_plot_set_property;
  props[PROP_LOG_LOSS] = g_param_spec_boolean("log-loss", NULL, NULL, FALSE,
                                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  props[PROP_SMOOTHING] = g_param_spec_double("smoothing", NULL, NULL, 0.0, MAX_SMOOTHING, 0.0,
                                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, props);
  gtk_widget_class_set_css_name(GTK_WIDGET_CLASS(klass), "curveplot");
}

static void sph_curve_plot_init(SphCurvePlot *self)
{
  self->hover_x = NAN;
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(self), 260);
  gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(self), 360);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self), draw, NULL, NULL);
  GtkEventController *motion = gtk_event_controller_motion_new();
  g_signal_connect(motion, "motion", G_CALLBACK(on_motion), self);
  g_signal_connect(motion, "leave", G_CALLBACK(on_leave), self);
  gtk_widget_add_controller(GTK_WIDGET(self), motion);
}
