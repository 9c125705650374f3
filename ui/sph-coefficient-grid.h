/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A grid of small labelled pictures, one per wavelet band or filter (Mollweide
 * thumbnails of coefficient maps, or filtered planar images). Clicking one (or
 * Enter on it) emits "activated" with its index. */

#define SPH_TYPE_COEFFICIENT_GRID (sph_coefficient_grid_get_type())
G_DECLARE_FINAL_TYPE(SphCoefficientGrid, sph_coefficient_grid, SPH, COEFFICIENT_GRID, GtkWidget)

GtkWidget *sph_coefficient_grid_new(void);

void sph_coefficient_grid_clear(SphCoefficientGrid *grid);
/* Appends a picture of texture (a new reference is taken) captioned label, with a
 * tooltip (may be NULL). */
void sph_coefficient_grid_append(SphCoefficientGrid *grid, GdkTexture *texture,
                                 const char *label, const char *tooltip);
guint sph_coefficient_grid_get_n_items(SphCoefficientGrid *grid);
GdkTexture *sph_coefficient_grid_get_texture(SphCoefficientGrid *grid, guint index);
/* Emits "activated" for item index, as a click on it does. */
void sph_coefficient_grid_activate(SphCoefficientGrid *grid, guint index);

G_END_DECLS
