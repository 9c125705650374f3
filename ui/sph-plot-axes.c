/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-plot-axes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sph-figure.h"

void sph_plot_text(cairo_t *cr, double x, double y, const char *text, double ax, double ay)
{
  cairo_text_extents_t e;
  cairo_text_extents(cr, text, &e);
  cairo_move_to(cr, x - ax * e.width - e.x_bearing, y - ay * e.height - e.y_bearing);
  cairo_show_text(cr, text);
}

void sph_plot_text_vertical(cairo_t *cr, double x, double y, const char *text)
{
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -M_PI / 2.0);
  sph_plot_text(cr, 0.0, 0.0, text, 0.5, 0.5);
  cairo_restore(cr);
}

double sph_plot_tick_step(double span, int target)
{
  if (!(span > 0.0) || !isfinite(span) || target < 1)
    return 1.0;
  double raw = span / target;
  double power = pow(10.0, floor(log10(raw)));
  double m = raw / power;
  return power * (m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0);
}

void sph_plot_format_tick(double v, double step, char *buf, int size)
{
  int decimals = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
  if (decimals > 8)
    decimals = 8;
  if (fabs(v) < 0.5 * step * 1e-6)
    v = 0.0; /* no "-0" */
  if (fabs(v) >= 1e5 || (fabs(v) < 1e-4 && v != 0.0))
    snprintf(buf, (size_t)size, "%.2g", v);
  else
    snprintf(buf, (size_t)size, "%.*f", decimals, v);
}

void sph_plot_axes(cairo_t *cr, const SphPlotBox *b, int target, bool xlabels, bool ylabels,
                   double font_size)
{
  char text[64];
  cairo_save(cr);
  cairo_set_line_width(cr, 1.0);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_set_font_size(cr, font_size);
  double tick = fmax(3.0, font_size * 0.4);
  double step = sph_plot_tick_step(b->xmax - b->xmin, target);
  for (double v = ceil(b->xmin / step) * step; v <= b->xmax + 1e-9 * step; v += step) {
    double x = sph_plot_box_x(b, v);
    cairo_move_to(cr, x, b->y + b->h);
    cairo_line_to(cr, x, b->y + b->h - tick);
    cairo_stroke(cr);
    if (xlabels) {
      sph_plot_format_tick(v, step, text, sizeof text);
      sph_plot_text(cr, x, b->y + b->h + 0.4 * font_size, text, 0.5, 0.0);
    }
  }
  step = sph_plot_tick_step(b->ymax - b->ymin, target);
  for (double v = ceil(b->ymin / step) * step; v <= b->ymax + 1e-9 * step; v += step) {
    double y = sph_plot_box_y(b, v);
    cairo_move_to(cr, b->x, y);
    cairo_line_to(cr, b->x + tick, y);
    cairo_stroke(cr);
    if (ylabels) {
      sph_plot_format_tick(v, step, text, sizeof text);
      sph_plot_text(cr, b->x - 0.4 * font_size, y, text, 1.0, 0.5);
    }
  }
  cairo_rectangle(cr, b->x, b->y, b->w, b->h);
  cairo_stroke(cr);
  cairo_restore(cr);
}

SphStatus sph_plot_write(const char *path, int width, int height, SphPlotDrawFunc draw,
                         void *user, SphError *err)
{
  SphFigureFormat format;
  if (path == NULL || path[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "figure: no output path");
  if (!sph_figure_format_from_path(path, &format))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "%s: unknown figure format: the name must end in .png, .svg or .pdf",
                         path);
  if (width < SPH_FIGURE_MIN_WIDTH || width > SPH_FIGURE_MAX_WIDTH ||
      height < SPH_FIGURE_MIN_WIDTH || height > SPH_FIGURE_MAX_WIDTH)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: size %d x %d is not in %d..%d", path, width,
                         height, SPH_FIGURE_MIN_WIDTH, SPH_FIGURE_MAX_WIDTH);
  return sph_figure_write_drawing(path, format, width, height, draw, user, err);
}
