/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-confusion-view.h"

#include <math.h>

#define FONT_SIZE 11.0
#define LABEL_BAND 40.0 /* room for the axis titles and class labels */

struct _SphConfusionView {
  GtkDrawingArea parent_instance;
  size_t *counts;
  size_t k;
  char *message;
  long hover_row, hover_col;
};

G_DEFINE_FINAL_TYPE(SphConfusionView, sph_confusion_view, GTK_TYPE_DRAWING_AREA)

static void draw_text(cairo_t *cr, double x, double y, const char *text, double ax, double ay)
{
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text, &ext);
  cairo_move_to(cr, x - ax * ext.width - ext.x_bearing, y - ay * ext.height - ext.y_bearing);
  cairo_show_text(cr, text);
}

typedef struct {
  double x0, y0, cell;
} Grid;

static gboolean grid_layout(SphConfusionView *self, int width, int height, Grid *g)
{
  if (self->k == 0)
    return FALSE;
  double side = fmin(width - LABEL_BAND - 8.0, height - LABEL_BAND - 26.0);
  if (side < 40.0)
    return FALSE;
  g->cell = floor(side / (double)self->k);
  double used = g->cell * (double)self->k;
  g->x0 = floor(LABEL_BAND + (width - LABEL_BAND - 8.0 - used) / 2.0);
  g->y0 = LABEL_BAND;
  return TRUE;
}

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  (void)data;
  SphConfusionView *self = SPH_CONFUSION_VIEW(area);
  GdkRGBA fg;
  gtk_style_context_get_color(gtk_widget_get_style_context(GTK_WIDGET(area)), &fg);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, FONT_SIZE);
  Grid g;
  if (self->counts == NULL || !grid_layout(self, width, height, &g)) {
    cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.55 * fg.alpha);
    draw_text(cr, width / 2.0, height / 2.0,
              self->message != NULL ? self->message : "No confusion matrix yet", 0.5, 0.5);
    return;
  }
  size_t k = self->k, total = 0, correct = 0;
  char text[32];
  for (size_t r = 0; r < k; r++) {
    size_t row_sum = 0;
    for (size_t c = 0; c < k; c++)
      row_sum += self->counts[r * k + c];
    total += row_sum;
    correct += self->counts[r * k + r];
    for (size_t c = 0; c < k; c++) {
      size_t n = self->counts[r * k + c];
      double share = row_sum > 0 ? (double)n / (double)row_sum : 0.0;
      double x = g.x0 + (double)c * g.cell, y = g.y0 + (double)r * g.cell;
      /* Off-diagonal shares are small: a square root keeps a single mistake visible. */
      double t = r == c ? share : sqrt(share);
      if (r == c)
        cairo_set_source_rgb(cr, 1.0 - 0.88 * t, 1.0 - 0.60 * t, 1.0 - 0.25 * t);
      else
        cairo_set_source_rgb(cr, 1.0 - 0.15 * t, 1.0 - 0.80 * t, 1.0 - 0.80 * t);
      cairo_rectangle(cr, x, y, g.cell, g.cell);
      cairo_fill(cr);
      if (n > 0) {
        g_snprintf(text, sizeof text, "%zu", n);
        double dark = r == c ? t : 0.8 * t;
        if (dark > 0.55)
          cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
        else
          cairo_set_source_rgb(cr, 0.12, 0.12, 0.12);
        draw_text(cr, x + g.cell / 2.0, y + g.cell / 2.0, text, 0.5, 0.5);
      }
    }
  }
  /* Grid lines, frame and the hovered cell. */
  cairo_set_source_rgba(cr, 0.0, 0.0, 0.0, 0.08);
  cairo_set_line_width(cr, 1.0);
  for (size_t i = 1; i < k; i++) {
    cairo_move_to(cr, g.x0 + (double)i * g.cell + 0.5, g.y0);
    cairo_line_to(cr, g.x0 + (double)i * g.cell + 0.5, g.y0 + (double)k * g.cell);
    cairo_move_to(cr, g.x0, g.y0 + (double)i * g.cell + 0.5);
    cairo_line_to(cr, g.x0 + (double)k * g.cell, g.y0 + (double)i * g.cell + 0.5);
  }
  cairo_stroke(cr);
  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.5 * fg.alpha);
  cairo_rectangle(cr, g.x0 + 0.5, g.y0 + 0.5, (double)k * g.cell, (double)k * g.cell);
  cairo_stroke(cr);

  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.85 * fg.alpha);
  for (size_t i = 0; i < k; i++) {
    g_snprintf(text, sizeof text, "%zu", i);
    draw_text(cr, g.x0 + ((double)i + 0.5) * g.cell, g.y0 - 5.0, text, 0.5, 1.0);
    draw_text(cr, g.x0 - 6.0, g.y0 + ((double)i + 0.5) * g.cell, text, 1.0, 0.5);
  }
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  draw_text(cr, g.x0 + (double)k * g.cell / 2.0, g.y0 - 22.0, "predicted class", 0.5, 1.0);
  cairo_save(cr);
  cairo_translate(cr, g.x0 - 24.0, g.y0 + (double)k * g.cell / 2.0);
  cairo_rotate(cr, -G_PI / 2.0);
  draw_text(cr, 0.0, 0.0, "true class", 0.5, 1.0);
  cairo_restore(cr);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

  char line[160];
  if (self->hover_row >= 0 && self->hover_col >= 0) {
    size_t r = (size_t)self->hover_row, c = (size_t)self->hover_col;
    cairo_set_source_rgba(cr, 0.0, 0.0, 0.0, 0.8);
    cairo_set_line_width(cr, 2.0);
    cairo_rectangle(cr, g.x0 + (double)c * g.cell + 1.0, g.y0 + (double)r * g.cell + 1.0,
                    g.cell - 2.0, g.cell - 2.0);
    cairo_stroke(cr);
    size_t row_sum = 0;
    for (size_t j = 0; j < k; j++)
      row_sum += self->counts[r * k + j];
    g_snprintf(line, sizeof line, "true %zu, predicted %zu: %zu of %zu (%.1f%%)", r, c,
               self->counts[r * k + c], row_sum,
               row_sum > 0 ? 100.0 * (double)self->counts[r * k + c] / (double)row_sum : 0.0);
  } else {
    g_snprintf(line, sizeof line, "%zu of %zu test images on the diagonal (%.2f%%)", correct,
               total, total > 0 ? 100.0 * (double)correct / (double)total : 0.0);
  }
  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.85 * fg.alpha);
  draw_text(cr, g.x0 + (double)k * g.cell / 2.0, g.y0 + (double)k * g.cell + 8.0, line, 0.5, 0.0);
}

static void on_motion(GtkEventControllerMotion *motion, double x, double y, gpointer data)
{
  (void)motion;
  SphConfusionView *self = data;
  Grid g;
  long r = -1, c = -1;
  if (self->counts != NULL && grid_layout(self, gtk_widget_get_width(GTK_WIDGET(self)),
                                          gtk_widget_get_height(GTK_WIDGET(self)), &g)) {
    double fc = (x - g.x0) / g.cell, fr = (y - g.y0) / g.cell;
    if (fc >= 0.0 && fr >= 0.0 && fc < (double)self->k && fr < (double)self->k) {
      c = (long)fc;
      r = (long)fr;
    }
  }
  if (r != self->hover_row || c != self->hover_col) {
    self->hover_row = r;
    self->hover_col = c;
    gtk_widget_queue_draw(GTK_WIDGET(self));
  }
}

static void on_leave(GtkEventControllerMotion *motion, gpointer data)
{
  on_motion(motion, -1.0, -1.0, data);
}

GtkWidget *sph_confusion_view_new(void)
{
  return g_object_new(SPH_TYPE_CONFUSION_VIEW, NULL);
}

void sph_confusion_view_set_counts(SphConfusionView *self, const size_t *counts, size_t k)
{
  g_return_if_fail(SPH_IS_CONFUSION_VIEW(self));
  g_clear_pointer(&self->counts, g_free);
  self->k = 0;
  if (counts != NULL && k > 0) {
    self->counts = g_memdup2(counts, k * k * sizeof *counts);
    self->k = k;
  }
  self->hover_row = self->hover_col = -1;
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

const size_t *sph_confusion_view_get_counts(SphConfusionView *self, size_t *k)
{
  g_return_val_if_fail(SPH_IS_CONFUSION_VIEW(self), NULL);
  if (k != NULL)
    *k = self->k;
  return self->counts;
}

void sph_confusion_view_set_message(SphConfusionView *self, const char *message)
{
  g_return_if_fail(SPH_IS_CONFUSION_VIEW(self));
  g_free(self->message);
  self->message = g_strdup(message);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

static void sph_confusion_view_finalize(GObject *object)
{
  SphConfusionView *self = SPH_CONFUSION_VIEW(object);
  g_free(self->counts);
  g_free(self->message);
  G_OBJECT_CLASS(sph_confusion_view_parent_class)->finalize(object);
}

static void sph_confusion_view_class_init(SphConfusionViewClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = sph_confusion_view_finalize;
  gtk_widget_class_set_css_name(GTK_WIDGET_CLASS(klass), "confusionview");
}

static void sph_confusion_view_init(SphConfusionView *self)
{
  self->hover_row = self->hover_col = -1;
  gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(self), 300);
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(self), 300);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self), draw, NULL, NULL);
  GtkEventController *motion = gtk_event_controller_motion_new();
  g_signal_connect(motion, "motion", G_CALLBACK(on_motion), self);
  g_signal_connect(motion, "leave", G_CALLBACK(on_leave), self);
  gtk_widget_add_controller(GTK_WIDGET(self), motion);
}
