/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/corner.h"

G_BEGIN_DECLS

/* A corner plot on screen: sph-corner-draw's figure of the SphCorner it is given (the
 * statistics of a chain, computed by a worker from a sampler's snapshot), redrawn when
 * a new one arrives. It never computes anything itself, so a redraw costs only the
 * drawing. */

#define SPH_TYPE_CORNER_PLOT (sph_corner_plot_get_type())
G_DECLARE_FINAL_TYPE(SphCornerPlot, sph_corner_plot, SPH, CORNER_PLOT, GtkDrawingArea)

GtkWidget *sph_corner_plot_new(void);

/* Shows corner (taking ownership; NULL clears) with parameter names (copied; NULL: x0,
 * ...) and truths (corner->dim values copied, NaN for none; NULL: none). */
void sph_corner_plot_set_corner(SphCornerPlot *plot, SphCorner *corner,
                                const char *const *names, const double *truth);
const SphCorner *sph_corner_plot_get_corner(SphCornerPlot *plot);
/* How many corners it was given, and how many times it drew one (for tests). */
guint sph_corner_plot_get_updates(SphCornerPlot *plot);
guint sph_corner_plot_get_draws(SphCornerPlot *plot);

/* Writes the figure shown to path (.png, .svg, .pdf) at width x height. */
gboolean sph_corner_plot_export(SphCornerPlot *plot, const char *path, int width, int height,
                                GError **error);

G_END_DECLS
