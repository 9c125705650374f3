/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The coverage figure of a calibration test onto any cairo_t: empirical coverage against
 * credibility for highest-density regions and TARP, the diagonal a calibrated posterior
 * follows, and the band the binomial noise of the number of tests allows around it
 * (95% of the outcomes of a calibrated sampler, from sph_binomial_band). */

#include <cairo.h>
#include <stddef.h>

#include "sph-plot-axes.h"

typedef struct {
  size_t npoints;
  const double *credibility; /* npoints levels in [0, 1] */
  const double *hpd;         /* npoints coverages, or NULL */
  const double *tarp;        /* npoints coverages, or NULL */
  size_t tests;              /* tests the curves come from (0: no band) */
  size_t tests_planned;      /* when more than tests: "tests of planned" (still running) */
  const char *title;         /* NULL: none */
} SphCoverageFigure;

/* The plotting box of a figure of width x height (credibility across, coverage up). */
void sph_coverage_box(double width, double height, SphPlotBox *box);

SphStatus sph_coverage_draw(cairo_t *cr, double width, double height,
                            const SphCoverageFigure *figure, SphError *err);
SphStatus sph_coverage_write(const char *path, int width, int height,
                             const SphCoverageFigure *figure, SphError *err);
