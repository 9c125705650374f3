/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/classify_eval.h"

G_BEGIN_DECLS

/* Misclassified 8x8 digits, most confident mistakes first: each image in grey (ink
 * dark), captioned "true → predicted" with the probability the network gave its answer
 * and the true class. The cells grow to fill the widget. The ranking comes from core
 * (sph_misclassified_top); the grid only draws. */

#define SPH_DIGIT_GRID_SIDE 8

#define SPH_TYPE_DIGIT_GRID (sph_digit_grid_get_type())
G_DECLARE_FINAL_TYPE(SphDigitGrid, sph_digit_grid, SPH, DIGIT_GRID, GtkDrawingArea)

GtkWidget *sph_digit_grid_new(void);

/* Copies n items and their images (n x 64 pixels in [0, 1], row-major); total is how
 * many mistakes there were in all (n may show only the first); n = 0 says there were
 * none. */
void sph_digit_grid_set_digits(SphDigitGrid *grid, const SphMisclassified *items,
                               const float *images, size_t n, size_t total);
/* Back to "no results yet". */
void sph_digit_grid_clear(SphDigitGrid *grid);
/* The items shown (owned by the grid) and their number. */
const SphMisclassified *sph_digit_grid_get_items(SphDigitGrid *grid, size_t *n);
void sph_digit_grid_set_message(SphDigitGrid *grid, const char *message);

G_END_DECLS
