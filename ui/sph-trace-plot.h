/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/job.h"

G_BEGIN_DECLS

/* The walkers' traces of a chain, or its autocorrelation functions (the "autocorr"
 * property), drawn by sph-trace-draw. The chain is held through an immutable snapshot
 * (a sampler's, or one wrapping the finished chain), so showing it copies nothing. */

#define SPH_TYPE_TRACE_PLOT (sph_trace_plot_get_type())
G_DECLARE_FINAL_TYPE(SphTracePlot, sph_trace_plot, SPH, TRACE_PLOT, GtkDrawingArea)

GtkWidget *sph_trace_plot_new(void);

/* Shows the chain of snapshot (whose data is a const SphChain *; a new reference is
 * taken; NULL clears) with the first burn steps shaded. */
void sph_trace_plot_set_snapshot(SphTracePlot *plot, SphSnapshot *snapshot, size_t burn);
/* The autocorrelation functions acf[k * nlags + t] of dim parameters and their
 * integrated times tau (dim values, may be NULL), copied; names likewise (NULL: x0...). */
void sph_trace_plot_set_autocorr(SphTracePlot *plot, const double *acf, size_t dim, size_t nlags,
                                 const double *tau, const char *const *names);
void sph_trace_plot_set_show_autocorr(SphTracePlot *plot, gboolean show);
gboolean sph_trace_plot_get_show_autocorr(SphTracePlot *plot);
guint sph_trace_plot_get_updates(SphTracePlot *plot);

gboolean sph_trace_plot_export(SphTracePlot *plot, const char *path, int width, int height,
                               GError **error);

G_END_DECLS
