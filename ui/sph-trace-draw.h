/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Trace and autocorrelation figures of a chain onto any cairo_t: one row per parameter
 * with every walker's path (thinned to a few hundred points), the burn-in shaded and
 * the truth drawn; and the walker-averaged autocorrelation functions (computed by
 * sph_chain_autocorr) with each parameter's integrated time. */

#include <cairo.h>

#include "sph-plot-axes.h"
#include "sphaera/chain.h"

typedef struct {
  size_t burn;              /* steps shaded as burn-in */
  const char *const *names; /* NULL: the chain's names */
  const double *truth;      /* dim values (NaN: none); NULL: none */
  size_t max_params;        /* rows drawn; default 10 */
  size_t max_points;        /* points per walker path; default 400 */
} SphTraceStyle;

void sph_trace_style_init(SphTraceStyle *style);

/* The box of row k of a trace figure of width x height with rows rows (data range
 * unset). */
void sph_trace_row_box(double width, double height, size_t rows, size_t k, SphPlotBox *box);

/* The traces of chain (NULL or empty: a message instead). */
SphStatus sph_trace_draw(cairo_t *cr, double width, double height, const SphChain *chain,
                         const SphTraceStyle *style, SphError *err);
SphStatus sph_trace_write(const char *path, int width, int height, const SphChain *chain,
                          const SphTraceStyle *style, SphError *err);

/* Autocorrelation functions acf[k * nlags + t] of dim parameters at lags 0..nlags-1, with
 * names (NULL: x0, ...) and integrated times tau (NULL or NaN: not shown) in the legend. */
typedef struct {
  size_t dim, nlags;
  const double *acf;
  const double *tau;
  const char *const *names;
} SphAutocorrFigure;

SphStatus sph_autocorr_draw(cairo_t *cr, double width, double height,
                            const SphAutocorrFigure *figure, SphError *err);
SphStatus sph_autocorr_write(const char *path, int width, int height,
                             const SphAutocorrFigure *figure, SphError *err);
