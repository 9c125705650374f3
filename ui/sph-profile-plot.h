/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A line plot of a map's values along a great circle: angle from the start (degrees) on
 * x, the value on y, with ticks, axis labels and gaps where a value is missing (NaN). */

#define SPH_TYPE_PROFILE_PLOT (sph_profile_plot_get_type())
G_DECLARE_FINAL_TYPE(SphProfilePlot, sph_profile_plot, SPH, PROFILE_PLOT, GtkDrawingArea)

GtkWidget *sph_profile_plot_new(void);

/* Copies n points (distance in degrees, value; NaN for a missing value). y_label names
 * the value (field and unit); n == 0 clears the plot. */
void sph_profile_plot_set_data(SphProfilePlot *plot, const double *distance_deg,
                               const double *values, size_t n, const char *y_label);
size_t sph_profile_plot_get_n_points(SphProfilePlot *plot);
/* The plotted values (NaN where missing) and, optionally, their distances; NULL when
 * empty. Owned by the plot. */
const double *sph_profile_plot_get_values(SphProfilePlot *plot, const double **distance_deg);

G_END_DECLS
