/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sph-corner-plot.h"
#include "sph-trace-plot.h"
#include "sphaera/chain.h"
#include "sphaera/evidence.h"
#include "sphaera/job.h"

G_BEGIN_DECLS

/* The Inference page: pick a target and a sampler, run it as a job on a worker thread
 * and watch the corner plot, the traces and the autocorrelation fill in (a worker turns
 * each new snapshot of the chain into the plots' statistics, at most one at a time, so
 * the main loop only draws); the diagnostics (acceptance, tau, ESS, R-hat, the 50 tau
 * warning), the evidence with its error, and export of the figures.
 *
 * Actions (group "inference"): run (Ctrl+Return), cancel (Ctrl+.), evidence (Ctrl+L),
 * export (Ctrl+Shift+E), load-plugin (Ctrl+P: a target from a shared library). */

#define SPH_TYPE_INFERENCE_PAGE (sph_inference_page_get_type())
G_DECLARE_FINAL_TYPE(SphInferencePage, sph_inference_page, SPH, INFERENCE_PAGE, GtkBox)

GtkWidget *sph_inference_page_new(void);

/* Sets the controls: target spec as listed ("gauss:2", "rosenbrock", ...) or
 * "plugin:PATH" (added to the list), sampler "ensemble", "de", "hmc" or "nuts". FALSE
 * when the target or sampler is not offered. */
gboolean sph_inference_page_configure(SphInferencePage *page, const char *target,
                                      const char *sampler, guint walkers, guint steps, guint burn,
                                      guint seed);
/* Starts the sampler (as the run action); FALSE when one is running already. */
gboolean sph_inference_page_run(SphInferencePage *page);
/* Asks the running sampler to stop (as the cancel action). */
void sph_inference_page_cancel(SphInferencePage *page);
gboolean sph_inference_page_is_running(SphInferencePage *page);
/* The sampler's job while it runs (no new reference), else NULL. */
SphJob *sph_inference_page_get_job(SphInferencePage *page);
/* The chain of the last finished (or stopped) run, NULL before. */
const SphChain *sph_inference_page_get_chain(SphInferencePage *page);
/* The last run's outcome text ("" before): says when it was stopped. */
const char *sph_inference_page_get_message(SphInferencePage *page);
/* TRUE while the statistics of a snapshot are being computed. */
gboolean sph_inference_page_is_summarising(SphInferencePage *page);

/* Starts the evidence computation on the last chain (as the evidence action). */
gboolean sph_inference_page_compute_evidence(SphInferencePage *page);
/* The last evidence; FALSE when none was computed (or it is running). */
gboolean sph_inference_page_get_evidence(SphInferencePage *page, SphEvidence *out);

SphCornerPlot *sph_inference_page_get_corner_plot(SphInferencePage *page);
SphTracePlot *sph_inference_page_get_trace_plot(SphInferencePage *page);
SphTracePlot *sph_inference_page_get_autocorr_plot(SphInferencePage *page);

/* Writes corner.EXT, trace.EXT and autocorr.EXT into dir (ext "png", "svg" or "pdf"). */
gboolean sph_inference_page_export_to(SphInferencePage *page, const char *dir, const char *ext,
                                      GError **error);

G_END_DECLS
