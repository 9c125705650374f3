/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/train.h"

G_BEGIN_DECLS

/* Training curves as TensorBoard draws them: the mean training loss and the validation
 * (test-set) loss per epoch (top) and the training and test accuracy (bottom) against the epoch, each smoothed by a debiased
 * moving average (the "smoothing" property, 0 = raw) drawn bold over the faint raw curve,
 * the loss on a linear or logarithmic axis ("log-loss"). Hovering shows the numbers of
 * the epoch under the pointer. The plot copies a SphTrainCurve snapshot and only draws. */

#define SPH_TYPE_CURVE_PLOT (sph_curve_plot_get_type())
G_DECLARE_FINAL_TYPE(SphCurvePlot, sph_curve_plot, SPH, CURVE_PLOT, GtkDrawingArea)

GtkWidget *sph_curve_plot_new(void);

/* Copies curve's epochs (NULL clears the plot). */
void sph_curve_plot_set_curve(SphCurvePlot *plot, const SphTrainCurve *curve);
/* The epochs shown (0 when none). */
size_t sph_curve_plot_get_n_epochs(SphCurvePlot *plot);
/* The epochs shown (owned by the plot), NULL when none. */
const SphEpochStats *sph_curve_plot_get_epochs(SphCurvePlot *plot, size_t *n);
/* Text shown instead of the curves while there are none. */
void sph_curve_plot_set_message(SphCurvePlot *plot, const char *message);

void sph_curve_plot_set_log_loss(SphCurvePlot *plot, gboolean log_loss);
gboolean sph_curve_plot_get_log_loss(SphCurvePlot *plot);
/* The moving average's weight in [0, 0.99]. */
void sph_curve_plot_set_smoothing(SphCurvePlot *plot, double smoothing);
double sph_curve_plot_get_smoothing(SphCurvePlot *plot);

/* The epoch under the pointer (1-based), 0 when none: what the read-out shows. */
size_t sph_curve_plot_get_hover_epoch(SphCurvePlot *plot);
/* How many times the plot has drawn itself (to check live updates). */
guint sph_curve_plot_get_draw_count(SphCurvePlot *plot);

G_END_DECLS
