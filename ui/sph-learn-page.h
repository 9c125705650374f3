/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sph-confusion-view.h"
#include "sph-curve-plot.h"
#include "sph-digit-grid.h"
#include "sph-job-status.h"

G_BEGIN_DECLS

/* The Learn page, in two tabs. "Digits": the digits classifier (MLP or CNN) trained as a
 * job on a worker thread, its curves
 * drawn live from the job's snapshots (at most ten redraws a second), then the test
 * accuracy, the confusion matrix and the misclassified test digits; the trained network
 * can be saved as a .sphm file. Its commands are the actions learn.train (Ctrl+Return),
 * learn.cancel (Escape), learn.save (Ctrl+S) and learn.log-loss (Ctrl+L). "Regression
 * with uncertainty": the SphRegressionPanel. */

#define SPH_TYPE_LEARN_PAGE (sph_learn_page_get_type())
G_DECLARE_FINAL_TYPE(SphLearnPage, sph_learn_page, SPH, LEARN_PAGE, GtkBox)

GtkWidget *sph_learn_page_new(void);

/* The training settings the controls hold; model is "mlp" or "cnn" (FALSE for others). */
gboolean sph_learn_page_set_model(SphLearnPage *page, const char *model);
void sph_learn_page_set_epochs(SphLearnPage *page, guint epochs);
void sph_learn_page_set_seed(SphLearnPage *page, guint seed);
void sph_learn_page_set_learning_rate(SphLearnPage *page, double learning_rate);

/* Starts training (FALSE when a run is already going). */
gboolean sph_learn_page_train(SphLearnPage *page);
/* Asks the running training to stop (FALSE when none runs). */
gboolean sph_learn_page_cancel(SphLearnPage *page);
gboolean sph_learn_page_is_training(SphLearnPage *page);
/* The last finished run's test accuracy, NAN when there is none; the number of test
 * images it was measured on. */
double sph_learn_page_get_test_accuracy(SphLearnPage *page, size_t *test_size);
/* What the page says about the last run (its outcome or error). */
const char *sph_learn_page_get_result_text(SphLearnPage *page);
/* Writes the trained network to path (.sphm); FALSE with error when there is none or the
 * file cannot be written. */
gboolean sph_learn_page_save_model(SphLearnPage *page, const char *path, GError **error);

SphCurvePlot *sph_learn_page_get_curve_plot(SphLearnPage *page);
SphConfusionView *sph_learn_page_get_confusion_view(SphLearnPage *page);
SphDigitGrid *sph_learn_page_get_digit_grid(SphLearnPage *page);
SphJobStatus *sph_learn_page_get_job_status(SphLearnPage *page);

G_END_DECLS
