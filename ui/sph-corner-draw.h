/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A corner plot, as corner.py and getdist draw one, onto any cairo_t: 1-D marginals on
 * the diagonal with dashed 16/50/84% quantiles and the titles "x = 0.01 +0.99 -1.00",
 * filled 2-D contours holding 68% and 95% of the mass (labelled on the lines and in a
 * legend), truth lines and markers, ticks and names along the bottom row and the left
 * column. The statistics come from core (sphaera/corner.h); this file only draws. */

#include <cairo.h>
#include <stdbool.h>

#include "sph-plot-axes.h"
#include "sphaera/corner.h"

typedef struct {
  const char *const *names; /* corner->dim names; NULL: x0, x1, ... */
  const double *truth;      /* corner->dim values (NaN: none for that one); NULL: none */
  const char *title;        /* above the legend; NULL: none */
  bool contour_labels;      /* "68%" / "95%" on the lines of panels large enough; default */
} SphCornerStyle;

void sph_corner_style_init(SphCornerStyle *style);

/* Where the panels lie in a figure of width x height. */
typedef struct {
  size_t dim;
  double font;  /* tick label size */
  double x0, y0; /* top-left corner of panel (0, 0) */
  double panel, gap;
} SphCornerLayout;

void sph_corner_layout(double width, double height, size_t dim, SphCornerLayout *layout);
/* The box of panel (i, j), row i and column j (i >= j), and the data range it shows:
 * a 2-D panel shows parameter j across and i up; a diagonal one parameter i across and
 * the marginal scaled to a peak of 1 up to 1.1. */
void sph_corner_panel_box(const SphCornerLayout *layout, const SphCorner *corner, size_t i,
                          size_t j, SphPlotBox *box);

/* The colours of the filled regions, for tests reading pixels back: 8-bit sRGB. */
#define SPH_CORNER_FILL_68 0x00, 0x6f, 0xed
#define SPH_CORNER_FILL_95 0x8c, 0xb5, 0xe6

/* Draws the whole figure, white page included; with no corner, says that there are no
 * samples yet. Fails only when memory runs out. */
SphStatus sph_corner_draw(cairo_t *cr, double width, double height, const SphCorner *corner,
                          const SphCornerStyle *style, SphError *err);

/* Writes it to path (.png, .svg or .pdf) atomically. */
SphStatus sph_corner_write(const char *path, int width, int height, const SphCorner *corner,
                           const SphCornerStyle *style, SphError *err);
