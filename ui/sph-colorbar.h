/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/colormap.h"

G_BEGIN_DECLS

/* A horizontal colour bar, as healpy's mollview draws one under the map: the colormap's
 * 256 entries as a gradient across the middle of the widget, the range's ends labelled at
 * either side, ticks under the bar (labelled where the labels fit) and the unit centred
 * beneath. */

#define SPH_TYPE_COLORBAR (sph_colorbar_get_type())
G_DECLARE_FINAL_TYPE(SphColorbar, sph_colorbar, SPH, COLORBAR, GtkDrawingArea)

GtkWidget *sph_colorbar_new(void);

void sph_colorbar_set_colormap(SphColorbar *bar, SphColormap cmap);
void sph_colorbar_set_range(SphColorbar *bar, double vmin, double vmax);
void sph_colorbar_set_unit(SphColorbar *bar, const char *unit);
/* Ticks: n values and where they fall along the bar, in [0, 1] (for a non-linear scale,
 * sph_color_scale_position of each; the bar does no arithmetic of its own). Copied. */
void sph_colorbar_set_ticks(SphColorbar *bar, const double *values, const double *positions,
                            int n);
/* The ticks set (borrowed); returns their number. Either pointer may be NULL. */
int sph_colorbar_get_ticks(SphColorbar *bar, const double **values, const double **positions);

G_END_DECLS
