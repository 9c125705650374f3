/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Scattering coefficients: the first order against the scale j (log axis), and the
 * second order as a heat map over (j1, j2) of log10 S2, blank where a path does not
 * exist. Scales run j_lo .. j_lo + nj - 1. */

#define SPH_TYPE_SCATTERING_PLOT (sph_scattering_plot_get_type())
G_DECLARE_FINAL_TYPE(SphScatteringPlot, sph_scattering_plot, SPH, SCATTERING_PLOT, GtkWidget)

GtkWidget *sph_scattering_plot_new(void);

/* first: nj values S1[j]; second: nj x nj values, S2 for (j1, j2) at [(j1 - j_lo) nj +
 * (j2 - j_lo)], NAN where there is no path; either may be NULL. The values are copied. */
void sph_scattering_plot_set(SphScatteringPlot *plot, const char *title, int j_lo, int nj,
                             const double *first, const double *second);
void sph_scattering_plot_clear(SphScatteringPlot *plot);
int sph_scattering_plot_get_n_scales(SphScatteringPlot *plot);
/* S1 at scale j (NAN when out of range or unset) and S2 at (j1, j2). */
double sph_scattering_plot_get_first(SphScatteringPlot *plot, int j);
double sph_scattering_plot_get_second(SphScatteringPlot *plot, int j1, int j2);

G_END_DECLS
