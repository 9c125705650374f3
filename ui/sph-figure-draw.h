/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The parts sph-figure.c composes into a figure: private to the figure library. */

#include <cairo.h>
#include <stdint.h>

#include "sph-figure.h"

/* Paints rw x rh RGBA bytes (R, G, B, A, unpremultiplied, rows of 4 rw bytes) into the
 * layout's map box, nearest-neighbour, at the given opacity. */
SphStatus figure_draw_rgba(cairo_t *cr, const uint8_t *rgba, int rw, int rh,
                           const SphFigureLayout *layout, double alpha, SphError *err);

/* The graticule of the view in the map box as stroked paths, with labels when asked. */
SphStatus figure_draw_graticule(cairo_t *cr, const SphProjection *view,
                                const SphFigureOptions *options, const SphFigureLayout *layout,
                                SphError *err);

/* The colour bar under the map: the colormap's entries left to right, a frame, tick
 * marks at both ends labelled with the range, and with ticks the nice values between
 * them at the positions the scale gives them. */
void figure_draw_colorbar(cairo_t *cr, const SphColorScale *scale,
                          const SphFigureLayout *layout, bool ticks);

void figure_show_text_centred(cairo_t *cr, const char *text, double size, double cx,
                              double baseline);
