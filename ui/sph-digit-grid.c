/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-digit-grid.h"

#include <math.h>

#define FONT_SIZE 11.0
#define HEADER 26.0
#define CAPTION_LINES 2
#define PIXELS (SPH_DIGIT_GRID_SIDE * SPH_DIGIT_GRID_SIDE)
#define MIN_CELL_WIDTH 118.0 /* room for the probability caption */

struct _SphDigitGrid {
  GtkDrawingArea parent_instance;
  SphMisclassified *items;
  float *images;
  size_t n, total;
  gboolean shown; /* set_digits was called with items */
  char *message;
};

G_DEFINE_FINAL_TYPE(SphDigitGrid, sph_digit_grid, GTK_TYPE_DRAWING_AREA)

static void draw_text(cairo_t *cr, double x, double y, const char *text, double ax, double ay)
{
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text, &ext);
  cairo_move_to(cr, x - ax * ext.width - ext.x_bearing, y - ay * ext.height - ext.y_bearing);
  cairo_show_text(cr, text);
}

/* The image side that lets all n cells fit width x height, and the columns for it. */
static double best_side(size_t n, double width, double height, size_t *cols_out)
{
  double caption = CAPTION_LINES * (FONT_SIZE + 4.0) + 6.0;
  double best = 0.0;
  size_t best_cols = 1;
  for (size_t cols = 1; cols <= n; cols++) {
    if (cols > 1 && width / (double)cols < MIN_CELL_WIDTH)
      break; /* the captions would run into each other */
    size_t rows = (n + cols - 1) / cols;
    double s = fmin(width / (double)cols - 12.0, height / (double)rows - caption - 8.0);
    if (s > best) {
      best = s;
      best_cols = cols;
    }
  }
  *cols_out = best_cols;
  return fmin(floor(best / SPH_DIGIT_GRID_SIDE) * SPH_DIGIT_GRID_SIDE, 12.0 * SPH_DIGIT_GRID_SIDE);
}

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  (void)data;
  SphDigitGrid *self = SPH_DIGIT_GRID(area);
  GdkRGBA fg;
  gtk_style_context_get_color(gtk_widget_get_style_context(GTK_WIDGET(area)), &fg);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, FONT_SIZE);
  if (!self->shown || self->n == 0) {
    cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.55 * fg.alpha);
    const char *text = self->message != NULL ? self->message
                       : self->shown        ? "No test digit was misclassified"
                                            : "No misclassified digits yet";
    draw_text(cr, width / 2.0, height / 2.0, text, 0.5, 0.5);
    return;
  }
  char text[96];
  cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, fg.alpha);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  if (self->n < self->total)
    g_snprintf(text, sizeof text, "Misclassified test digits: the %zu most confident of %zu",
               self->n, self->total);
  else
    g_snprintf(text, sizeof text, "Misclassified test digits: %zu, most confident first",
               self->total);
  draw_text(cr, 8.0, 6.0, text, 0.0, 0.0);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

  size_t cols = 1;
  double side = best_side(self->n, width - 8.0, height - HEADER, &cols);
  if (side < SPH_DIGIT_GRID_SIDE)
    return;
  double px = side / SPH_DIGIT_GRID_SIDE;
  double caption = CAPTION_LINES * (FONT_SIZE + 4.0) + 6.0;
  double cell_w = floor((width - 8.0) / (double)cols), cell_h = side + caption + 8.0;
  for (size_t i = 0; i < self->n; i++) {
    const SphMisclassified *m = &self->items[i];
    double cx = 4.0 + (double)(i % cols) * cell_w + cell_w / 2.0;
    double y = HEADER + (double)(i / cols) * cell_h;
    double x = floor(cx - side / 2.0);
    const float *img = self->images + i * PIXELS;
    for (int r = 0; r < SPH_DIGIT_GRID_SIDE; r++)
      for (int c = 0; c < SPH_DIGIT_GRID_SIDE; c++) {
        double v = CLAMP((double)img[r * SPH_DIGIT_GRID_SIDE + c], 0.0, 1.0);
        cairo_set_source_rgb(cr, 1.0 - 0.92 * v, 1.0 - 0.92 * v, 1.0 - 0.88 * v);
        cairo_rectangle(cr, x + c * px, y + r * px, px, px);
        cairo_fill(cr);
      }
    cairo_set_source_rgba(cr, 0.8, 0.15, 0.16, 0.9);
    cairo_set_line_width(cr, 1.0);
    cairo_rectangle(cr, x + 0.5, y + 0.5, side - 1.0, side - 1.0);
    cairo_stroke(cr);
    cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, fg.alpha);
    cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    g_snprintf(text, sizeof text, "%d → %d", (int)m->truth, (int)m->predicted);
    draw_text(cr, cx, y + side + 4.0, text, 0.5, 0.0);
    cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.7 * fg.alpha);
    g_snprintf(text, sizeof text, "p=%.2f (true %.2f)", m->p_predicted, m->p_truth);
    draw_text(cr, cx, y + side + 4.0 + FONT_SIZE + 4.0, text, 0.5, 0.0);
  }
}

GtkWidget *sph_digit_grid_new(void)
{
  return g_object_new(SPH_TYPE_DIGIT_GRID, NULL);
}

void sph_digit_grid_set_digits(SphDigitGrid *self, const SphMisclassified *items,
                               const float *images, size_t n, size_t total)
{
  g_return_if_fail(SPH_IS_DIGIT_GRID(self));
  g_clear_pointer(&self->items, g_free);
  g_clear_pointer(&self->images, g_free);
  g_clear_pointer(&self->message, g_free);
  self->n = self->total = 0;
  self->shown = TRUE;
  if (items != NULL && n > 0 && images != NULL) {
    self->items = g_memdup2(items, n * sizeof *items);
    self->images = g_memdup2(images, n * PIXELS * sizeof *images);
    self->n = n;
    self->total = MAX(total, n);
  }
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_digit_grid_clear(SphDigitGrid *self)
{
  g_return_if_fail(SPH_IS_DIGIT_GRID(self));
  sph_digit_grid_set_digits(self, NULL, NULL, 0, 0);
  self->shown = FALSE;
}

const SphMisclassified *sph_digit_grid_get_items(SphDigitGrid *self, size_t *n)
{
  g_return_val_if_fail(SPH_IS_DIGIT_GRID(self), NULL);
  if (n != NULL)
    *n = self->n;
  return self->items;
}

void sph_digit_grid_set_message(SphDigitGrid *self, const char *message)
{
  g_return_if_fail(SPH_IS_DIGIT_GRID(self));
  g_free(self->message);
  self->message = g_strdup(message);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

static void sph_digit_grid_finalize(GObject *object)
{
  SphDigitGrid *self = SPH_DIGIT_GRID(object);
  g_free(self->items);
  g_free(self->images);
  g_free(self->message);
  G_OBJECT_CLASS(sph_digit_grid_parent_class)->finalize(object);
}

static void sph_digit_grid_class_init(SphDigitGridClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = sph_digit_grid_finalize;
  gtk_widget_class_set_css_name(GTK_WIDGET_CLASS(klass), "digitgrid");
}

static void sph_digit_grid_init(SphDigitGrid *self)
{
  gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(self), 320);
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(self), 300);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self), draw, NULL, NULL);
}
