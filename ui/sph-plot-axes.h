/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Small pieces the Cairo figures of inference share (corner, trace, coverage): text
 * anchored at a point, "nice" tick steps, an axis box with ticks, and writing a figure
 * to PNG, SVG or PDF atomically by the path's extension. Cairo only, no GTK. */

#include <cairo.h>
#include <stdbool.h>

#include "sph-figure.h"
#include "sphaera/error.h"

/* Shows text with its ink box anchored: ax = 0 left, 0.5 centre, 1 right; ay = 0 top,
 * 0.5 middle, 1 bottom (of the ink box), at (x, y). */
void sph_plot_text(cairo_t *cr, double x, double y, const char *text, double ax, double ay);
/* As sph_plot_text, rotated a quarter turn anticlockwise (for a y-axis label), centred
 * on (x, y). */
void sph_plot_text_vertical(cairo_t *cr, double x, double y, const char *text);

/* A round step (1, 2 or 5 times a power of ten) giving about `target` ticks over span. */
double sph_plot_tick_step(double span, int target);
/* Formats v for a tick of that step (as many decimals as the step needs). */
void sph_plot_format_tick(double v, double step, char *buf, int size);

/* A rectangle in user units and the data range it shows. */
typedef struct {
  double x, y, w, h;
  double xmin, xmax, ymin, ymax;
} SphPlotBox;

static inline double sph_plot_box_x(const SphPlotBox *b, double v)
{
  return b->x + (v - b->xmin) / (b->xmax - b->xmin) * b->w;
}
static inline double sph_plot_box_y(const SphPlotBox *b, double v)
{
  return b->y + b->h - (v - b->ymin) / (b->ymax - b->ymin) * b->h;
}

/* Ticks (and their labels when asked) along the bottom and the left of box, about
 * `target` of each, and the frame. */
void sph_plot_axes(cairo_t *cr, const SphPlotBox *box, int target, bool xlabels,
                   bool ylabels, double font_size);

/* Draws a figure of width x height user units into a cairo_t. */
typedef SphFigureDrawFunc SphPlotDrawFunc;

/* Writes the figure draw makes to path, as PNG (pixels), SVG or PDF (points) by the
 * extension, atomically: a temporary file in the same directory renamed over path once
 * complete, so a failure leaves no partial file and any earlier one intact. */
SphStatus sph_plot_write(const char *path, int width, int height, SphPlotDrawFunc draw,
                         void *user, SphError *err);
