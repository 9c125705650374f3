/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The drawn parts of a figure: the map image, the graticule as vector paths, the colour
 * bar with its ticks. */
#include "sph-figure-draw.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/graticule.h"

/* Cairo's ARGB32: native-endian 32-bit words, premultiplied alpha. */
static inline uint32_t argb32(const uint8_t rgba[4])
{
  uint32_t a = rgba[3];
  uint32_t r = (rgba[0] * a + 127) / 255, g = (rgba[1] * a + 127) / 255,
           b = (rgba[2] * a + 127) / 255;
  return a << 24 | r << 16 | g << 8 | b;
}

SphStatus figure_draw_rgba(cairo_t *cr, const uint8_t *rgba, int rw, int rh,
                           const SphFigureLayout *l, double alpha, SphError *err)
{
  cairo_surface_t *image = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, rw, rh);
  if (cairo_surface_status(image) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(image);
    return sph_error_set(err, SPH_ERR_NOMEM, "no memory for a %d x %d map image", rw, rh);
  }
  cairo_surface_flush(image);
  unsigned char *data = cairo_image_surface_get_data(image);
  int stride = cairo_image_surface_get_stride(image);
  for (int j = 0; j < rh; j++) {
    uint32_t *row = (uint32_t *)(void *)(data + (size_t)j * (size_t)stride);
    const uint8_t *src = rgba + (size_t)j * 4 * (size_t)rw;
    for (int i = 0; i < rw; i++)
      row[i] = argb32(src + 4 * i);
  }
  cairo_surface_mark_dirty(image);

  cairo_save(cr);
  cairo_translate(cr, l->map_x, l->map_y);
  cairo_scale(cr, (double)l->map_width / rw, (double)l->map_height / rh);
  cairo_set_source_surface(cr, image, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle(cr, 0, 0, rw, rh);
  if (alpha >= 1.0) {
    cairo_fill(cr);
  } else {
    cairo_clip(cr);
    cairo_paint_with_alpha(cr, alpha);
  }
  cairo_restore(cr);
  cairo_surface_destroy(image);
  return SPH_OK;
}

/* ---- graticule ---- */

SphStatus figure_draw_graticule(cairo_t *cr, const SphProjection *view,
                                const SphFigureOptions *o, const SphFigureLayout *l,
                                SphError *err)
{
  SphGraticuleOptions go = {
      .dlon = o->graticule_dlon, .dlat = o->graticule_dlat, .frame = o->graticule_frame};
  SphGraticule *g = sph_graticule_new(view, l->map_width, l->map_height, &go, err);
  if (g == NULL)
    return err != NULL ? err->code : SPH_ERR_INVALID;
  double s = l->width / 800.0;
  cairo_save(cr);
  cairo_translate(cr, l->map_x, l->map_y);
  cairo_rectangle(cr, 0, 0, l->map_width, l->map_height);
  cairo_clip(cr);
  /* healpy's graticule: thin, dark, half transparent, so the map shows through. */
  cairo_set_source_rgba(cr, 0, 0, 0, 0.55);
  cairo_set_line_width(cr, fmax(0.8 * s, 0.4));
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (size_t i = 0; i < sph_graticule_line_count(g); i++) {
    const SphGraticuleLine *line = sph_graticule_line(g, i);
    cairo_new_sub_path(cr);
    cairo_move_to(cr, line->xy[0], line->xy[1]);
    for (size_t k = 1; k < line->npoints; k++)
      cairo_line_to(cr, line->xy[2 * k], line->xy[2 * k + 1]);
  }
  cairo_stroke(cr);

  if (o->graticule_labels) {
    double size = fmax(11.0 * s, 6.0);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.8);
    /* Labels drawn so far, as boxes: one that would overlap them is left out (meridians
     * crowd where they converge). */
    size_t nlabels = sph_graticule_label_count(g), ndrawn = 0;
    double(*drawn)[4] = malloc((nlabels > 0 ? nlabels : 1) * sizeof *drawn);
    for (size_t i = 0; drawn != NULL && i < nlabels; i++) {
      const SphGraticuleLabel *lab = sph_graticule_label(g, i);
      cairo_text_extents_t ext;
      cairo_text_extents(cr, lab->text, &ext);
      double x, y;
      if (lab->kind == SPH_GRATICULE_MERIDIAN) {
        /* Centred on the meridian, just above the point, kept inside the box. */
        x = lab->x - (ext.x_bearing + 0.5 * ext.width);
        y = lab->y - 0.4 * size;
      } else {
        /* Just right of where the parallel begins, sitting on it. */
        x = lab->x + 0.3 * size - ext.x_bearing;
        y = lab->y - 0.3 * size;
      }
      x = fmin(fmax(x, 1.0 - ext.x_bearing), l->map_width - 1.0 - ext.x_advance);
      y = fmin(fmax(y, 1.0 - ext.y_bearing), l->map_height - 1.0);
      double box[4] = {x + ext.x_bearing - 1.0, y + ext.y_bearing - 1.0,
                       x + ext.x_bearing + ext.width + 1.0, y + ext.y_bearing + ext.height + 1.0};
      bool clear = true;
      for (size_t k = 0; k < ndrawn && clear; k++)
        clear = box[2] < drawn[k][0] || box[0] > drawn[k][2] || box[3] < drawn[k][1] ||
                box[1] > drawn[k][3];
      if (!clear)
        continue;
      memcpy(drawn[ndrawn++], box, sizeof box);
      cairo_move_to(cr, x, y);
      cairo_show_text(cr, lab->text);
    }
    free(drawn);
  }
  cairo_restore(cr);
  sph_graticule_free(g);
  return SPH_OK;
}

/* ---- colour bar ---- */

void figure_show_text_centred(cairo_t *cr, const char *text, double size, double cx,
                              double baseline)
{
  if (text == NULL || text[0] == '\0' || !(size > 0.0))
    return;
  cairo_set_font_size(cr, size);
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text, &ext);
  cairo_move_to(cr, cx - (ext.x_bearing + 0.5 * ext.width), baseline);
  cairo_show_text(cr, text);
}

void figure_draw_colorbar(cairo_t *cr, const SphColorScale *scale, const SphFigureLayout *l,
                          bool ticks)
{
  cairo_surface_t *strip = cairo_image_surface_create(CAIRO_FORMAT_RGB24, SPH_CMAP_SIZE, 1);
  if (cairo_surface_status(strip) == CAIRO_STATUS_SUCCESS) {
    const uint8_t *table = sph_colormap_table(scale->cmap);
    cairo_surface_flush(strip);
    uint32_t *row = (uint32_t *)(void *)cairo_image_surface_get_data(strip);
    for (int i = 0; i < SPH_CMAP_SIZE; i++) {
      const uint8_t px[4] = {table[3 * i], table[3 * i + 1], table[3 * i + 2], 255};
      row[i] = argb32(px);
    }
    cairo_surface_mark_dirty(strip);
    cairo_save(cr);
    cairo_translate(cr, l->bar_x, l->bar_y);
    cairo_scale(cr, (double)l->bar_width / SPH_CMAP_SIZE, l->bar_height);
    cairo_set_source_surface(cr, strip, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr, 0, 0, SPH_CMAP_SIZE, 1);
    cairo_fill(cr);
    cairo_restore(cr);
  }
  cairo_surface_destroy(strip);

  double s = l->width / 800.0;
  double line = s > 0.5 ? s : 0.5;
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, line);
  cairo_rectangle(cr, l->bar_x - 0.5 * line, l->bar_y - 0.5 * line, l->bar_width + line,
                  l->bar_height + line);
  cairo_stroke(cr);
  /* Tick marks at both ends, pointing down, as matplotlib's. */
  double bottom = l->bar_y + l->bar_height + line;
  for (int end = 0; end < 2; end++) {
    double x = end == 0 ? l->bar_x : l->bar_x + l->bar_width;
    cairo_move_to(cr, x, bottom);
    cairo_line_to(cr, x, bottom + 3.5 * s);
  }
  cairo_stroke(cr);

  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  char label[64];
  snprintf(label, sizeof label, "%g", scale->vmin);
  figure_show_text_centred(cr, label, l->tick_size, l->bar_x, l->tick_baseline);
  cairo_text_extents_t ext;
  cairo_set_font_size(cr, l->tick_size);
  cairo_text_extents(cr, label, &ext);
  double taken_right = l->bar_x + 0.5 * ext.x_advance; /* right end of the last label */
  snprintf(label, sizeof label, "%g", scale->vmax);
  figure_show_text_centred(cr, label, l->tick_size, l->bar_x + l->bar_width, l->tick_baseline);
  cairo_text_extents(cr, label, &ext);
  double free_right = l->bar_x + l->bar_width - 0.5 * ext.x_advance;
  if (!ticks)
    return;

  /* The core's ticks, as the window's colour bar has them. */
  double values[32];
  int n = sph_color_scale_ticks(scale, values, 32);
  double gap = 0.6 * l->tick_size;
  for (int k = 0; k < n; k++) {
    double t = sph_color_scale_position(scale, values[k]);
    if (isnan(t))
      continue;
    double x = l->bar_x + t * l->bar_width;
    cairo_move_to(cr, x, bottom);
    cairo_line_to(cr, x, bottom + 3.5 * s);
    cairo_stroke(cr);
    /* A label where it fits between its neighbours; the mark alone otherwise. */
    snprintf(label, sizeof label, "%g", values[k]);
    cairo_text_extents(cr, label, &ext);
    double left = x - 0.5 * ext.x_advance, right = x + 0.5 * ext.x_advance;
    if (left < taken_right + gap || right > free_right - gap)
      continue;
    figure_show_text_centred(cr, label, l->tick_size, x, l->tick_baseline);
    taken_right = right;
  }
}
