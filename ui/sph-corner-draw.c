/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-corner-draw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define RGB8_(r, g, b) (r) / 255.0, (g) / 255.0, (b) / 255.0
#define RGB8(c) RGB8_(c)
/* getdist's default blues; corner.py's steel blue for truths would vanish in them, so
 * truths are orange. */
#define LINE_COLOUR 0.0, 0.25, 0.6
#define TRUTH_COLOUR 0.9, 0.45, 0.05

static void fill_rgb(cairo_t *cr, double r, double g, double b)
{
  cairo_set_source_rgb(cr, r, g, b);
}

void sph_corner_style_init(SphCornerStyle *style)
{
  memset(style, 0, sizeof *style);
  style->contour_labels = true;
}

void sph_corner_layout(double width, double height, size_t dim, SphCornerLayout *l)
{
  if (dim == 0)
    dim = 1;
  l->dim = dim;
  double side = fmin(width, height);
  double font = side / (dim <= 3 ? 45.0 : 55.0);
  font = font < 7.0 ? 7.0 : font > 13.0 ? 13.0 : font;
  double left = 5.2 * font, bottom = 4.6 * font, top = 3.4 * font, right = 1.2 * font;
  double avail_w = width - left - right, avail_h = height - top - bottom;
  double cell = fmin(avail_w, avail_h) / (double)dim;
  if (cell < 4.0)
    cell = 4.0;
  l->font = font;
  l->gap = dim > 1 ? fmin(0.05 * cell, 6.0) : 0.0;
  l->panel = cell - l->gap;
  l->x0 = left + fmax(0.0, (avail_w - cell * (double)dim) / 2.0);
  l->y0 = top;
}

void sph_corner_panel_box(const SphCornerLayout *l, const SphCorner *c, size_t i, size_t j,
                          SphPlotBox *box)
{
  box->x = l->x0 + (double)j * (l->panel + l->gap);
  box->y = l->y0 + (double)i * (l->panel + l->gap);
  box->w = box->h = l->panel;
  if (i == j) {
    box->xmin = c->lo[i];
    box->xmax = c->hi[i];
    box->ymin = 0.0;
    box->ymax = 1.1;
  } else {
    box->xmin = c->lo[j];
    box->xmax = c->hi[j];
    box->ymin = c->lo[i];
    box->ymax = c->hi[i];
  }
}

static const char *param_name(const SphCornerStyle *s, size_t k, char *buf, size_t size)
{
  if (s->names != NULL && s->names[k] != NULL)
    return s->names[k];
  snprintf(buf, size, "x%zu", k);
  return buf;
}

/* Decimals that show the smaller error bar with two significant digits. */
static int title_decimals(double minus, double plus)
{
  double e = fmin(fabs(minus), fabs(plus));
  if (!(e > 0.0) || !isfinite(e))
    return 2;
  int d = 1 - (int)floor(log10(e));
  return d < 0 ? 0 : d > 8 ? 8 : d;
}

/* "name = median" then +plus over -minus in smaller type, centred at cx above baseline. */
static void draw_title(cairo_t *cr, const char *name, const double *q, double cx, double baseline,
                       double font, double max_width)
{
  double median = q[1], plus = q[2] - q[1], minus = q[1] - q[0];
  int dec = title_decimals(minus, plus);
  char main_text[128], up[48], down[48];
  if (fabs(median) < 0.5 * pow(10.0, -dec))
    median = 0.0; /* no "-0.00" */
  snprintf(main_text, sizeof main_text, "%s = %.*f", name, dec, median);
  snprintf(up, sizeof up, "+%.*f", dec, plus);
  snprintf(down, sizeof down, "\xe2\x88\x92%.*f", dec, minus);
  for (int shrink = 0; shrink < 6; shrink++) {
    cairo_set_font_size(cr, font);
    cairo_text_extents_t em, eu, ed;
    cairo_text_extents(cr, main_text, &em);
    cairo_set_font_size(cr, font * 0.72);
    cairo_text_extents(cr, up, &eu);
    cairo_text_extents(cr, down, &ed);
    double script_w = fmax(eu.x_advance, ed.x_advance);
    double total = em.x_advance + 0.15 * font + script_w;
    if (total > max_width && shrink < 5) {
      font *= 0.88;
      continue;
    }
    double x = cx - total / 2.0;
    cairo_set_font_size(cr, font);
    cairo_move_to(cr, x, baseline);
    cairo_show_text(cr, main_text);
    double sx = x + em.x_advance + 0.15 * font;
    cairo_set_font_size(cr, font * 0.72);
    cairo_move_to(cr, sx, baseline - 0.42 * font);
    cairo_show_text(cr, up);
    cairo_move_to(cr, sx, baseline + 0.30 * font);
    cairo_show_text(cr, down);
    break;
  }
}

static void draw_diagonal(cairo_t *cr, const SphCorner *c, const SphCornerStyle *s,
                          const SphPlotBox *b, size_t k)
{
  const double *h = c->hist1d + k * c->bins;
  double dx = (c->hi[k] - c->lo[k]) / (double)c->bins;
  cairo_save(cr);
  cairo_rectangle(cr, b->x, b->y, b->w, b->h);
  cairo_clip(cr);
  cairo_set_line_width(cr, 1.4);
  fill_rgb(cr, LINE_COLOUR);
  for (size_t i = 0; i < c->bins; i++) {
    double x = sph_plot_box_x(b, c->lo[k] + ((double)i + 0.5) * dx), y = sph_plot_box_y(b, h[i]);
    if (i == 0)
      cairo_move_to(cr, x, y);
    else
      cairo_line_to(cr, x, y);
  }
  cairo_stroke(cr);
  static const double dash[2] = {4.0, 3.0};
  cairo_set_dash(cr, dash, 2, 0.0);
  cairo_set_line_width(cr, 1.0);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  for (int q = 0; q < 3; q++) {
    double x = sph_plot_box_x(b, c->quantiles[3 * k + (size_t)q]);
    cairo_move_to(cr, x, b->y);
    cairo_line_to(cr, x, b->y + b->h);
    cairo_stroke(cr);
  }
  cairo_set_dash(cr, NULL, 0, 0.0);
  if (s->truth != NULL && isfinite(s->truth[k])) {
    fill_rgb(cr, TRUTH_COLOUR);
    cairo_set_line_width(cr, 1.5);
    double x = sph_plot_box_x(b, s->truth[k]);
    cairo_move_to(cr, x, b->y);
    cairo_line_to(cr, x, b->y + b->h);
    cairo_stroke(cr);
  }
  cairo_restore(cr);
}

static void contour_fill_path(cairo_t *cr, const SphContour *ct, const SphPlotBox *b)
{
  for (size_t p = 0; p < ct->npolygons; p++) {
    const double *v = ct->poly_xy + 2 * ct->poly_start[p];
    for (size_t m = 0; m < ct->poly_sizes[p]; m++) {
      double x = sph_plot_box_x(b, v[2 * m]), y = sph_plot_box_y(b, v[2 * m + 1]);
      if (m == 0)
        cairo_move_to(cr, x, y);
      else
        cairo_line_to(cr, x, y);
    }
    cairo_close_path(cr);
  }
}

/* The label goes where the contour is highest on the page, nudged inside it. */
static void contour_label(cairo_t *cr, const SphContour *ct, const SphPlotBox *b,
                          const char *text, double font)
{
  double best_y = INFINITY, best_x = 0.0;
  for (size_t s = 0; s < ct->nsegments; s++) {
    double x = sph_plot_box_x(b, 0.5 * (ct->segments[4 * s] + ct->segments[4 * s + 2]));
    double y = sph_plot_box_y(b, 0.5 * (ct->segments[4 * s + 1] + ct->segments[4 * s + 3]));
    if (y < best_y) {
      best_y = y;
      best_x = x;
    }
  }
  if (!isfinite(best_y))
    return;
  cairo_set_font_size(cr, font);
  cairo_text_extents_t e;
  cairo_text_extents(cr, text, &e);
  double pad = 0.15 * font;
  double x = fmin(fmax(best_x, b->x + e.width / 2 + pad), b->x + b->w - e.width / 2 - pad);
  double y = fmax(best_y, b->y + e.height / 2 + pad);
  cairo_set_source_rgba(cr, 1.0, 1.0, 1.0, 0.8);
  cairo_rectangle(cr, x - e.width / 2 - pad, y - e.height / 2 - pad, e.width + 2 * pad,
                  e.height + 2 * pad);
  cairo_fill(cr);
  fill_rgb(cr, LINE_COLOUR);
  sph_plot_text(cr, x, y, text, 0.5, 0.5);
}

static SphStatus draw_pair(cairo_t *cr, const SphCorner *c, const SphCornerStyle *s,
                           const SphPlotBox *b, size_t i, size_t j, double font, SphError *err)
{
  SphGrid2d grid;
  sph_corner_panel_grid(c, i, j, &grid);
  const double *h = c->hist2d + (i * c->dim + j) * c->bins * c->bins;
  const double *levels = c->levels + (i * c->dim + j) * SPH_CORNER_NLEVELS;
  SphContour *ct[SPH_CORNER_NLEVELS] = {NULL};
  for (int k = 0; k < SPH_CORNER_NLEVELS; k++) {
    if (sph_contour_new(h, &grid, levels[k], &ct[k], err) != SPH_OK) {
      for (int m = 0; m < k; m++)
        sph_contour_free(ct[m]);
      return err != NULL ? err->code : SPH_ERR_NOMEM;
    }
  }
  cairo_save(cr);
  cairo_rectangle(cr, b->x, b->y, b->w, b->h);
  cairo_clip(cr);
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
  /* 95% first (outer, light), then 68% over it */
  fill_rgb(cr, RGB8(SPH_CORNER_FILL_95));
  contour_fill_path(cr, ct[1], b);
  cairo_fill(cr);
  fill_rgb(cr, RGB8(SPH_CORNER_FILL_68));
  contour_fill_path(cr, ct[0], b);
  cairo_fill(cr);
  fill_rgb(cr, LINE_COLOUR);
  cairo_set_line_width(cr, 1.0);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (int k = 0; k < SPH_CORNER_NLEVELS; k++) {
    for (size_t sg = 0; sg < ct[k]->nsegments; sg++) {
      const double *v = ct[k]->segments + 4 * sg;
      cairo_move_to(cr, sph_plot_box_x(b, v[0]), sph_plot_box_y(b, v[1]));
      cairo_line_to(cr, sph_plot_box_x(b, v[2]), sph_plot_box_y(b, v[3]));
    }
    cairo_stroke(cr);
  }
  if (s->truth != NULL) {
    fill_rgb(cr, TRUTH_COLOUR);
    cairo_set_line_width(cr, 1.5);
    if (isfinite(s->truth[j])) {
      double x = sph_plot_box_x(b, s->truth[j]);
      cairo_move_to(cr, x, b->y);
      cairo_line_to(cr, x, b->y + b->h);
      cairo_stroke(cr);
    }
    if (isfinite(s->truth[i])) {
      double y = sph_plot_box_y(b, s->truth[i]);
      cairo_move_to(cr, b->x, y);
      cairo_line_to(cr, b->x + b->w, y);
      cairo_stroke(cr);
    }
    if (isfinite(s->truth[i]) && isfinite(s->truth[j])) {
      cairo_arc(cr, sph_plot_box_x(b, s->truth[j]), sph_plot_box_y(b, s->truth[i]),
                fmax(2.5, 0.3 * font), 0, 2 * M_PI);
      cairo_fill(cr);
    }
  }
  if (s->contour_labels && b->w >= 110.0) {
    char text[16];
    for (int k = SPH_CORNER_NLEVELS - 1; k >= 0; k--) {
      snprintf(text, sizeof text, "%.0f%%", 100.0 * c->masses[k]);
      contour_label(cr, ct[k], b, text, 0.8 * font);
    }
  }
  cairo_restore(cr);
  for (int k = 0; k < SPH_CORNER_NLEVELS; k++)
    sph_contour_free(ct[k]);
  return SPH_OK;
}

static void draw_legend(cairo_t *cr, const SphCorner *c, const SphCornerStyle *s,
                        const SphCornerLayout *l, double width)
{
  double font = l->font * 1.1;
  double right = fmin(width - 1.2 * l->font, l->x0 + (double)l->dim * (l->panel + l->gap));
  if (l->dim == 1)
    return; /* no empty corner to put it in */
  cairo_set_font_size(cr, font);
  cairo_text_extents_t e;
  cairo_text_extents(cr, "95% of the mass", &e);
  double x = right - 2.1 * font - e.x_advance, y = l->y0 + 0.5 * font;
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  if (s->title != NULL && s->title[0] != '\0') {
    sph_plot_text(cr, right, y, s->title, 1.0, 0.0);
    y += 1.8 * font;
  }
  for (int k = 0; k < SPH_CORNER_NLEVELS; k++) {
    if (k == 0)
      fill_rgb(cr, RGB8(SPH_CORNER_FILL_68));
    else
      fill_rgb(cr, RGB8(SPH_CORNER_FILL_95));
    cairo_rectangle(cr, x, y, 1.6 * font, 0.9 * font);
    cairo_fill(cr);
    char text[64];
    snprintf(text, sizeof text, "%.0f%% of the mass", 100.0 * c->masses[k]);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    sph_plot_text(cr, x + 2.1 * font, y + 0.45 * font, text, 0.0, 0.5);
    y += 1.4 * font;
  }
  char text[64];
  snprintf(text, sizeof text, "%zu samples", c->samples);
  sph_plot_text(cr, x, y + 0.2 * font, text, 0.0, 0.0);
  if (s->truth != NULL) {
    y += 1.4 * font;
    fill_rgb(cr, TRUTH_COLOUR);
    cairo_set_line_width(cr, 1.5);
    cairo_move_to(cr, x, y + 0.65 * font);
    cairo_line_to(cr, x + 1.6 * font, y + 0.65 * font);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    sph_plot_text(cr, x + 2.1 * font, y + 0.65 * font, "truth", 0.0, 0.5);
  }
}

SphStatus sph_corner_draw(cairo_t *cr, double width, double height, const SphCorner *c,
                          const SphCornerStyle *style, SphError *err)
{
  SphCornerStyle defaults;
  if (style == NULL) {
    sph_corner_style_init(&defaults);
    style = &defaults;
  }
  cairo_save(cr);
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_paint(cr);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  if (c == NULL || c->dim == 0) {
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    cairo_set_font_size(cr, 14.0);
    sph_plot_text(cr, width / 2, height / 2, "No samples yet", 0.5, 0.5);
    cairo_restore(cr);
    return SPH_OK;
  }
  SphCornerLayout l;
  sph_corner_layout(width, height, c->dim, &l);
  SphStatus status = SPH_OK;
  char buf[32];
  for (size_t i = 0; i < c->dim && status == SPH_OK; i++) {
    for (size_t j = 0; j <= i && status == SPH_OK; j++) {
      SphPlotBox b;
      sph_corner_panel_box(&l, c, i, j, &b);
      bool bottom = i + 1 == c->dim, left = j == 0 && i > 0;
      if (i == j)
        draw_diagonal(cr, c, style, &b, i);
      else
        status = draw_pair(cr, c, style, &b, i, j, l.font, err);
      sph_plot_axes(cr, &b, b.w > 150 ? 4 : 3, bottom, left, l.font);
      cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
      cairo_set_font_size(cr, l.font * 1.15);
      if (bottom)
        sph_plot_text(cr, b.x + b.w / 2, b.y + b.h + 2.3 * l.font,
                      param_name(style, j, buf, sizeof buf), 0.5, 0.0);
      if (left)
        sph_plot_text_vertical(cr, b.x - 4.2 * l.font, b.y + b.h / 2,
                               param_name(style, i, buf, sizeof buf));
      if (i == j) {
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        draw_title(cr, param_name(style, i, buf, sizeof buf), c->quantiles + 3 * i,
                   b.x + b.w / 2, b.y - 0.9 * l.font, l.font * 1.1, b.w + l.gap);
      }
    }
  }
  if (status == SPH_OK)
    draw_legend(cr, c, style, &l, width);
  cairo_restore(cr);
  return status;
}

typedef struct {
  const SphCorner *corner;
  const SphCornerStyle *style;
} CornerFigure;

static SphStatus draw_corner_figure(cairo_t *cr, double w, double h, void *user, SphError *err)
{
  const CornerFigure *f = user;
  return sph_corner_draw(cr, w, h, f->corner, f->style, err);
}

SphStatus sph_corner_write(const char *path, int width, int height, const SphCorner *corner,
                           const SphCornerStyle *style, SphError *err)
{
  CornerFigure f = {corner, style};
  return sph_plot_write(path, width, height, draw_corner_figure, &f, err);
}
