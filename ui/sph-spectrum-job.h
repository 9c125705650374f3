/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sph-spectrum-plot.h"
#include "sphaera/map.h"

G_BEGIN_DECLS

/* The spectrum panel's worker: sph_anafast of one field of a map on a GTask thread (a
 * SphJob that a newer request cancels), the result handed to the plot on the main
 * thread. The options are lmax = min(3 NSIDE - 1, 2 NSIDE) and one Jacobi iteration: the
 * band where a pixel's harmonics are well measured, at a few transforms' cost. */
#define SPH_SPECTRUM_JOB_ITERATIONS 1
int sph_spectrum_job_lmax(int64_t nside);

/* Copies field `field` of map and starts its spectrum; the plot shows "Computing ..."
 * until it is done (or the failure's message). A request still running for the same plot
 * is cancelled and its result dropped. map NULL just clears the plot. */
void sph_spectrum_job_start(SphSpectrumPlot *plot, const SphMap *map, int field);
/* TRUE while a request for plot runs. */
gboolean sph_spectrum_job_running(SphSpectrumPlot *plot);

G_END_DECLS
