/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-trace-draw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* matplotlib's tab10, so each parameter keeps one colour in every figure */
static const double palette[10][3] = {
    {0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173}, {0.839, 0.153, 0.157},
    {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294}, {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498},
    {0.737, 0.741, 0.133}, {0.090, 0.745, 0.812},
};

void sph_trace_style_init(SphTraceStyle *style)
{
  memset(style, 0, sizeof *style);
  style->max_params = 10;
  style->max_points = 400;
}

static void paint_message(cairo_t *cr, double width, double height, const char *text)
{
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
  cairo_set_font_size(cr, 14.0);
  sph_plot_text(cr, width / 2, height / 2, text, 0.5, 0.5);
}

#define LEFT 64.0
#define RIGHT 12.0
#define TOP 10.0
#define BOTTOM 34.0

void sph_trace_row_box(double width, double height, size_t rows, size_t k, SphPlotBox *box)
{
  if (rows == 0)
    rows = 1;
  double gap = 4.0, h = (height - TOP - BOTTOM - gap * (double)(rows - 1)) / (double)rows;
  box->x = LEFT;
  box->w = fmax(1.0, width - LEFT - RIGHT);
  box->h = fmax(1.0, h);
  box->y = TOP + (double)k * (h + gap);
  box->xmin = 0.0;
  box->xmax = 1.0;
  box->ymin = 0.0;
  box->ymax = 1.0;
}

SphStatus sph_trace_draw(cairo_t *cr, double width, double height, const SphChain *chain,
                         const SphTraceStyle *style, SphError *err)
{
  (void)err;
  SphTraceStyle defaults;
  if (style == NULL) {
    sph_trace_style_init(&defaults);
    style = &defaults;
  }
  cairo_save(cr);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  if (chain == NULL || chain->steps < 2) {
    paint_message(cr, width, height, "No chain yet");
    cairo_restore(cr);
    return SPH_OK;
  }
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_paint(cr);
  size_t rows = chain->dim < style->max_params ? chain->dim : style->max_params;
  size_t points = style->max_points > 0 ? style->max_points : 1;
  size_t stride = (chain->steps + points - 1) / points;
  if (stride < 1)
    stride = 1;
  double font = 10.0, walker_alpha = chain->walkers > 16 ? 0.35 : 0.6;
  for (size_t k = 0; k < rows; k++) {
    SphPlotBox b;
    sph_trace_row_box(width, height, rows, k, &b);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t s = 0; s < chain->steps; s += stride)
      for (size_t w = 0; w < chain->walkers; w++) {
        double v = sph_chain_sample(chain, s, w)[k];
        if (isfinite(v)) {
          lo = fmin(lo, v);
          hi = fmax(hi, v);
        }
      }
    if (!(lo < hi)) {
      lo = isfinite(lo) ? lo - 1.0 : -1.0;
      hi = isfinite(hi) ? hi + 1.0 : 1.0;
    }
    double pad = 0.05 * (hi - lo);
    b.xmin = 0.0;
    b.xmax = (double)(chain->steps - 1);
    b.ymin = lo - pad;
    b.ymax = hi + pad;
    cairo_save(cr);
    cairo_rectangle(cr, b.x, b.y, b.w, b.h);
    cairo_clip(cr);
    if (style->burn > 0) {
      double xb = sph_plot_box_x(&b, fmin((double)style->burn, b.xmax));
      cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
      cairo_rectangle(cr, b.x, b.y, xb - b.x, b.h);
      cairo_fill(cr);
    }
    const double *rgb = palette[k % 10];
    cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], walker_alpha);
    cairo_set_line_width(cr, 0.8);
    for (size_t w = 0; w < chain->walkers; w++) {
      bool started = false;
      for (size_t s = 0; s < chain->steps; s += stride) {
        double v = sph_chain_sample(chain, s, w)[k];
        if (!isfinite(v))
          continue;
        double x = sph_plot_box_x(&b, (double)s), y = sph_plot_box_y(&b, v);
        if (!started)
          cairo_move_to(cr, x, y);
        else
          cairo_line_to(cr, x, y);
        started = true;
      }
      cairo_stroke(cr);
    }
    if (style->truth != NULL && isfinite(style->truth[k])) {
      cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
      cairo_set_line_width(cr, 1.2);
      double y = sph_plot_box_y(&b, style->truth[k]);
      cairo_move_to(cr, b.x, y);
      cairo_line_to(cr, b.x + b.w, y);
      cairo_stroke(cr);
    }
    cairo_restore(cr);
    sph_plot_axes(cr, &b, b.h > 80 ? 4 : 2, k + 1 == rows, b.h > 28, font);
    const char *name = style->names != NULL ? style->names[k] : chain->names[k];
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_font_size(cr, font * 1.1);
    sph_plot_text_vertical(cr, 14.0, b.y + b.h / 2, name);
  }
  SphPlotBox last;
  sph_trace_row_box(width, height, rows, rows - 1, &last);
  cairo_set_font_size(cr, font * 1.1);
  sph_plot_text(cr, last.x + last.w / 2, height - 4.0, "step", 0.5, 1.0);
  cairo_restore(cr);
  return SPH_OK;
}

typedef struct {
  const SphChain *chain;
  const SphTraceStyle *style;
} TraceFigure;

static SphStatus draw_trace_figure(cairo_t *cr, double w, double h, void *user, SphError *err)
{
  const TraceFigure *f = user;
  return sph_trace_draw(cr, w, h, f->chain, f->style, err);
}

SphStatus sph_trace_write(const char *path, int width, int height, const SphChain *chain,
                          const SphTraceStyle *style, SphError *err)
{
  TraceFigure f = {chain, style};
  return sph_plot_write(path, width, height, draw_trace_figure, &f, err);
}

SphStatus sph_autocorr_draw(cairo_t *cr, double width, double height,
                            const SphAutocorrFigure *f, SphError *err)
{
  (void)err;
  cairo_save(cr);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  if (f == NULL || f->acf == NULL || f->nlags < 2 || f->dim == 0) {
    paint_message(cr, width, height, "No autocorrelation yet");
    cairo_restore(cr);
    return SPH_OK;
  }
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_paint(cr);
  double font = 10.0;
  SphPlotBox b = {LEFT, TOP + 6.0, fmax(1.0, width - LEFT - RIGHT - 120.0),
                  fmax(1.0, height - TOP - 6.0 - BOTTOM), 0.0, (double)(f->nlags - 1), -0.25,
                  1.05};
  cairo_save(cr);
  cairo_rectangle(cr, b.x, b.y, b.w, b.h);
  cairo_clip(cr);
  cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
  cairo_set_line_width(cr, 1.0);
  cairo_move_to(cr, b.x, sph_plot_box_y(&b, 0.0));
  cairo_line_to(cr, b.x + b.w, sph_plot_box_y(&b, 0.0));
  cairo_stroke(cr);
  cairo_set_line_width(cr, 1.4);
  for (size_t k = 0; k < f->dim; k++) {
    const double *rgb = palette[k % 10];
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    for (size_t t = 0; t < f->nlags; t++) {
      double x = sph_plot_box_x(&b, (double)t), y = sph_plot_box_y(&b, f->acf[k * f->nlags + t]);
      if (t == 0)
        cairo_move_to(cr, x, y);
      else
        cairo_line_to(cr, x, y);
    }
    cairo_stroke(cr);
  }
  cairo_restore(cr);
  sph_plot_axes(cr, &b, 5, true, true, font);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_set_font_size(cr, font * 1.1);
  sph_plot_text(cr, b.x + b.w / 2, height - 4.0, "lag (steps)", 0.5, 1.0);
  sph_plot_text_vertical(cr, 14.0, b.y + b.h / 2, "autocorrelation");
  double lx = b.x + b.w + 12.0, ly = b.y + 4.0, row = fmin(16.0, b.h / (double)f->dim);
  cairo_set_font_size(cr, fmin(font, row * 0.8));
  for (size_t k = 0; k < f->dim; k++) {
    const double *rgb = palette[k % 10];
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_rectangle(cr, lx, ly + row * (double)k + 0.2 * row, 12.0, 0.5 * row);
    cairo_fill(cr);
    char text[96], buf[24];
    const char *name = f->names != NULL ? f->names[k] : NULL;
    if (name == NULL) {
      snprintf(buf, sizeof buf, "x%zu", k);
      name = buf;
    }
    if (f->tau != NULL && isfinite(f->tau[k]))
      snprintf(text, sizeof text, "%s  \xcf\x84 = %.1f", name, f->tau[k]);
    else
      snprintf(text, sizeof text, "%s", name);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    sph_plot_text(cr, lx + 16.0, ly + row * ((double)k + 0.45), text, 0.0, 0.5);
  }
  cairo_restore(cr);
  return SPH_OK;
}

static SphStatus draw_autocorr_figure(cairo_t *cr, double w, double h, void *user,
                                      SphError *err)
{
  return sph_autocorr_draw(cr, w, h, user, err);
}

SphStatus sph_autocorr_write(const char *path, int width, int height,
                             const SphAutocorrFigure *figure, SphError *err)
{
  return sph_plot_write(path, width, height, draw_autocorr_figure, (void *)figure, err);
}
