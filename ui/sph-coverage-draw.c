/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-coverage-draw.h"

#include <math.h>
#include <stdio.h>

#include "sphaera/corner.h"

#define BAND_POINTS 101
#define HPD_COLOUR 0.122, 0.467, 0.706
#define TARP_COLOUR 0.9, 0.45, 0.05

void sph_coverage_box(double width, double height, SphPlotBox *b)
{
  double top = 30.0, bottom = 44.0, left = 58.0, right = 14.0;
  double side = fmax(1.0, fmin(width - left - right, height - top - bottom));
  b->x = left + fmax(0.0, (width - left - right - side) / 2.0);
  b->y = top;
  b->w = b->h = side;
  b->xmin = b->ymin = 0.0;
  b->xmax = b->ymax = 1.0;
}

static void draw_curve(cairo_t *cr, const SphPlotBox *b, const double *x, const double *y,
                       size_t n)
{
  for (size_t k = 0; k < n; k++) {
    double px = sph_plot_box_x(b, x[k]), py = sph_plot_box_y(b, y[k]);
    if (k == 0)
      cairo_move_to(cr, px, py);
    else
      cairo_line_to(cr, px, py);
  }
  cairo_stroke(cr);
}

SphStatus sph_coverage_draw(cairo_t *cr, double width, double height,
                            const SphCoverageFigure *f, SphError *err)
{
  cairo_save(cr);
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_paint(cr);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  SphPlotBox b;
  sph_coverage_box(width, height, &b);
  double font = fmin(12.0, fmax(8.0, b.w / 32.0));
  SphStatus status = SPH_OK;
  cairo_save(cr);
  cairo_rectangle(cr, b.x, b.y, b.w, b.h);
  cairo_clip(cr);
  if (f != NULL && f->tests > 0) {
    double lo[BAND_POINTS], hi[BAND_POINTS], a[BAND_POINTS];
    for (int k = 0; k < BAND_POINTS && status == SPH_OK; k++) {
      a[k] = k / (double)(BAND_POINTS - 1);
      status = sph_binomial_band(f->tests, a[k], 0.95, &lo[k], &hi[k], err);
    }
    if (status == SPH_OK) {
      cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
      for (int k = 0; k < BAND_POINTS; k++)
        cairo_line_to(cr, sph_plot_box_x(&b, a[k]), sph_plot_box_y(&b, hi[k]));
      for (int k = BAND_POINTS - 1; k >= 0; k--)
        cairo_line_to(cr, sph_plot_box_x(&b, a[k]), sph_plot_box_y(&b, lo[k]));
      cairo_close_path(cr);
      cairo_fill(cr);
    }
  }
  static const double dash[2] = {5.0, 4.0};
  cairo_set_dash(cr, dash, 2, 0.0);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_set_line_width(cr, 1.0);
  cairo_move_to(cr, b.x, b.y + b.h);
  cairo_line_to(cr, b.x + b.w, b.y);
  cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0.0);
  cairo_set_line_width(cr, 2.0);
  if (f != NULL && f->npoints > 0 && f->credibility != NULL) {
    if (f->hpd != NULL) {
      cairo_set_source_rgb(cr, HPD_COLOUR);
      draw_curve(cr, &b, f->credibility, f->hpd, f->npoints);
    }
    if (f->tarp != NULL) {
      cairo_set_source_rgb(cr, TARP_COLOUR);
      draw_curve(cr, &b, f->credibility, f->tarp, f->npoints);
    }
  }
  cairo_restore(cr);
  sph_plot_axes(cr, &b, 5, true, true, font);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_set_font_size(cr, font * 1.1);
  sph_plot_text(cr, b.x + b.w / 2, b.y + b.h + 2.2 * font, "credibility level", 0.5, 0.0);
  sph_plot_text_vertical(cr, b.x - 3.8 * font, b.y + b.h / 2, "expected coverage");
  char text[128];
  if (f != NULL && f->title != NULL)
    sph_plot_text(cr, b.x, b.y - 0.8 * font, f->title, 0.0, 1.0);
  if (f != NULL && f->tests > 0) {
    if (f->tests_planned > f->tests)
      snprintf(text, sizeof text, "%zu of %zu tests", f->tests, f->tests_planned);
    else
      snprintf(text, sizeof text, "%zu tests", f->tests);
    sph_plot_text(cr, b.x + b.w, b.y - 0.8 * font, text, 1.0, 1.0);
  }
  /* legend, top left inside the box where curves seldom go */
  double lx = b.x + 0.8 * font, ly = b.y + 0.9 * font, row = 1.5 * font;
  cairo_set_font_size(cr, font);
  int entry = 0;
  if (f != NULL && f->hpd != NULL) {
    cairo_set_source_rgb(cr, HPD_COLOUR);
    cairo_rectangle(cr, lx, ly + entry * row, 1.6 * font, 0.35 * font);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    sph_plot_text(cr, lx + 2.1 * font, ly + entry * row + 0.18 * font, "highest density", 0.0, 0.5);
    entry++;
  }
  if (f != NULL && f->tarp != NULL) {
    cairo_set_source_rgb(cr, TARP_COLOUR);
    cairo_rectangle(cr, lx, ly + entry * row, 1.6 * font, 0.35 * font);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    sph_plot_text(cr, lx + 2.1 * font, ly + entry * row + 0.18 * font, "TARP", 0.0, 0.5);
    entry++;
  }
  if (f != NULL && f->tests > 0) {
    cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
    cairo_rectangle(cr, lx, ly + entry * row - 0.3 * font, 1.6 * font, 0.9 * font);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    sph_plot_text(cr, lx + 2.1 * font, ly + entry * row + 0.18 * font, "95% binomial band", 0.0,
                  0.5);
  }
  cairo_restore(cr);
  return status;
}

static SphStatus draw_coverage_figure(cairo_t *cr, double w, double h, void *user,
                                      SphError *err)
{
  return sph_coverage_draw(cr, w, h, user, err);
}

SphStatus sph_coverage_write(const char *path, int width, int height,
                             const SphCoverageFigure *figure, SphError *err)
{
  return sph_plot_write(path, width, height, draw_coverage_figure, (void *)figure, err);
}
