/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/coverage.h"

G_BEGIN_DECLS

/* Empirical coverage against credibility (highest-density regions and TARP) with the
 * diagonal and the binomial band of the tests done so far, drawn by sph-coverage-draw;
 * fed the curves of a running coverage job's snapshots, so it fills in as tests finish. */

#define SPH_TYPE_COVERAGE_PLOT (sph_coverage_plot_get_type())
G_DECLARE_FINAL_TYPE(SphCoveragePlot, sph_coverage_plot, SPH, COVERAGE_PLOT, GtkDrawingArea)

GtkWidget *sph_coverage_plot_new(void);

/* Copies the curves of result (NULL clears); planned is the number of tests the run will
 * make (0: result->tests), title a line above the plot (may be NULL). */
void sph_coverage_plot_set_result(SphCoveragePlot *plot, const SphCoverageResult *result,
                                  size_t planned, const char *title);
/* Tests behind the curves shown, and how many results it was given. */
size_t sph_coverage_plot_get_tests(SphCoveragePlot *plot);
guint sph_coverage_plot_get_updates(SphCoveragePlot *plot);

gboolean sph_coverage_plot_export(SphCoveragePlot *plot, const char *path, int width,
                                  int height, GError **error);

G_END_DECLS
