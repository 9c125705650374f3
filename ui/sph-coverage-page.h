/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sph-coverage-plot.h"
#include "sphaera/job.h"

G_BEGIN_DECLS

/* The Truthfulness page: runs a coverage test of a posterior (the conjugate Gaussian
 * demo cases of sphaera/coverage.h) as a job on a worker and shows its curves filling
 * in against the diagonal and the binomial band, with the summary numbers (maximum
 * deviations, TARP's area, the SBC p-value).
 *
 * Actions (group "coverage"): run (Ctrl+Return), cancel (Ctrl+.), export (Ctrl+Shift+E). */

#define SPH_TYPE_COVERAGE_PAGE (sph_coverage_page_get_type())
G_DECLARE_FINAL_TYPE(SphCoveragePage, sph_coverage_page, SPH, COVERAGE_PAGE, GtkBox)

GtkWidget *sph_coverage_page_new(void);

/* case_name: "calibrated", "overconfident", "underconfident" or "biased". */
gboolean sph_coverage_page_configure(SphCoveragePage *page, const char *case_name, guint tests,
                                     guint dim, guint seed);
gboolean sph_coverage_page_run(SphCoveragePage *page);
void sph_coverage_page_cancel(SphCoveragePage *page);
gboolean sph_coverage_page_is_running(SphCoveragePage *page);
/* The finished (or stopped) run's result, NULL before. */
const SphCoverageResult *sph_coverage_page_get_result(SphCoveragePage *page);
SphCoveragePlot *sph_coverage_page_get_plot(SphCoveragePage *page);
/* Writes coverage.EXT into dir. */
gboolean sph_coverage_page_export_to(SphCoveragePage *page, const char *dir, const char *ext,
                                     GError **error);

G_END_DECLS
