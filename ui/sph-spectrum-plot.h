/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The angular power spectrum of a map as D_l = l(l+1) C_l / 2 pi against l (from l = 2,
 * linear or logarithmic l axis, the "log-l" property), with an optional theory curve drawn
 * over it. The spectrum is computed elsewhere (a worker job); the plot only draws it. */

#define SPH_TYPE_SPECTRUM_PLOT (sph_spectrum_plot_get_type())
G_DECLARE_FINAL_TYPE(SphSpectrumPlot, sph_spectrum_plot, SPH, SPECTRUM_PLOT, GtkDrawingArea)

GtkWidget *sph_spectrum_plot_new(void);

/* Copies C_l for l = 0..lmax (NULL clears the plot); unit is the map's unit, the D_l axis
 * is in its square. Clears the message. */
void sph_spectrum_plot_set_spectrum(SphSpectrumPlot *plot, const double *cl, int lmax,
                                    const char *unit);
/* The theory C_l (l = 0..lmax) drawn as a second curve; NULL removes it. */
void sph_spectrum_plot_set_theory(SphSpectrumPlot *plot, const double *cl, int lmax,
                                  const char *label);
/* Text shown instead of the plot when there is no spectrum ("Computing ..."). */
void sph_spectrum_plot_set_message(SphSpectrumPlot *plot, const char *message);
void sph_spectrum_plot_set_log_l(SphSpectrumPlot *plot, gboolean log_l);
gboolean sph_spectrum_plot_get_log_l(SphSpectrumPlot *plot);
/* The plotted D_l (l = 0..*lmax) of the map and of the theory; NULL when none. Owned by
 * the plot. */
const double *sph_spectrum_plot_get_dl(SphSpectrumPlot *plot, int *lmax);
const double *sph_spectrum_plot_get_theory_dl(SphSpectrumPlot *plot, int *lmax);

G_END_DECLS
