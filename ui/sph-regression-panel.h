/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/regression.h"

G_BEGIN_DECLS

/* Regression with uncertainty, live: the noisy 1-D data with its gap and, for MC
 * dropout, Bayes by backprop and the deep ensemble, the predictive mean +- 2 sigma band
 * of each as it trains (one GTask per model, a SphJob each; the bands follow their
 * snapshots, redrawn at most ten times a second), with the held-out rmse and 95%
 * coverage of each in the legend.
 *
 * Actions (the buttons use them): regression.train (Ctrl+Return) starts all three
 * from the seed and epochs controls, cancelling runs in progress; regression.cancel
 * (Escape) stops them. */
#define SPH_TYPE_REGRESSION_PANEL (sph_regression_panel_get_type())
G_DECLARE_FINAL_TYPE(SphRegressionPanel, sph_regression_panel, SPH, REGRESSION_PANEL, GtkBox)

GtkWidget *sph_regression_panel_new(void);

void sph_regression_panel_set_seed(SphRegressionPanel *panel, guint64 seed);
void sph_regression_panel_set_epochs(SphRegressionPanel *panel, guint epochs);
void sph_regression_panel_train(SphRegressionPanel *panel);
void sph_regression_panel_cancel(SphRegressionPanel *panel);
/* TRUE while any model trains. */
gboolean sph_regression_panel_running(SphRegressionPanel *panel);
/* The newest snapshot the panel shows for model (NULL before the first), owned by it. */
const SphRegressionSnapshot *sph_regression_panel_get_snapshot(SphRegressionPanel *panel,
                                                               SphRegModel model);
/* How many snapshots the panel has taken up (each one a redraw). */
guint sph_regression_panel_get_updates(SphRegressionPanel *panel);
/* The status line ("mcdropout: cancelled", ...). */
const char *sph_regression_panel_get_status(SphRegressionPanel *panel);
/* Draws the plot into cr at width x height (the widget's own drawing, for export and
 * tests); returns the number of bands drawn. */
int sph_regression_panel_draw(SphRegressionPanel *panel, cairo_t *cr, int width, int height);
/* The colour of model's band and line. */
void sph_regression_panel_model_colour(SphRegModel model, double rgb[3]);

G_END_DECLS
