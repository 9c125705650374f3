/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The statistics behind posterior figures (corner, trace and coverage plots), kept out
 * of the drawing code so the CLI, the app and the tests share them:
 *
 *  - 1-D and 2-D histograms over a range, optionally weighted, and Gaussian smoothing
 *    measured in bins (as getdist's smoothing, corner.py's `smooth`);
 *  - the density levels enclosing a given share of the mass: bins sorted by density,
 *    cumulative sum, the level where it reaches the share (corner.py and getdist);
 *  - contours of a 2-D histogram at a level, by marching squares over the bin centres,
 *    as line segments and as the polygons filling the region above the level;
 *  - weighted quantiles (corner.py's `quantile`; numpy's linear percentile without
 *    weights);
 *  - the walker-averaged autocorrelation function of one parameter of a chain;
 *  - the central band of the binomial noise of an empirical coverage measured with N
 *    tests;
 *  - SphCorner: everything a corner plot shows, computed once from samples. */

#include <stdbool.h>
#include <stddef.h>

#include "sphaera/chain.h"
#include "sphaera/error.h"

/* Counts (or summed weights) of x[0], x[stride], ..., x[(n-1) stride] in `bins` equal
 * bins over [lo, hi] (the last bin closed, as numpy.histogram). weights (may be NULL)
 * are read with the same stride as x: weights[i * wstride]. Non-finite values are
 * skipped. counts must hold bins values; they are overwritten. */
SphStatus sph_hist1d(const double *x, size_t n, size_t stride, const double *weights,
                     size_t wstride, double lo, double hi, size_t bins, double *counts,
                     SphError *err);

/* The 2-D histogram of (x[i stride], y[i stride]): counts[iy * nx + ix], x bins over
 * [xlo, xhi] and y bins over [ylo, yhi], as numpy.histogram2d transposed. */
SphStatus sph_hist2d(const double *x, const double *y, size_t n, size_t stride,
                     const double *weights, size_t wstride, double xlo, double xhi, size_t nx,
                     double ylo, double yhi, size_t ny, double *counts, SphError *err);

/* Convolves counts (ny rows of nx) in place with a Gaussian of standard deviation sigma
 * bins along each axis (ny = 1 for a 1-D histogram), truncated at 4 sigma, outside the
 * grid taken as zero. sigma = 0 leaves the counts as they are. */
SphStatus sph_hist_smooth(double *counts, size_t nx, size_t ny, double sigma, SphError *err);

/* For each share masses[k] in (0, 1): the density level whose region {counts >= level}
 * holds that share of the total. The bins are sorted by density, highest first, and
 * the level is the density of the bin at which the cumulative share first reaches
 * masses[k]. Fails when the total is not positive. */
SphStatus sph_density_levels(const double *counts, size_t n, const double *masses,
                             size_t nmasses, double *levels, SphError *err);

/* The geometry of a histogram's bins: bin ix spans [xlo + ix dx, xlo + (ix+1) dx). */
typedef struct {
  size_t nx, ny;
  double xlo, xhi, ylo, yhi;
} SphGrid2d;

/* The contour of a 2-D histogram at a level. The field is sampled at the bin centres,
 * linear along cell edges, with a ring of zero-density centres outside the grid so
 * contours close at its border.
 *  segments: nsegments x (x0, y0, x1, y1) in data coordinates, the boundary;
 *  polygons: the cells' pieces of the region at or above the level, each with
 *    poly_sizes[p] vertices (3..6) stored from poly_start[p] in poly_xy as (x, y)
 *    pairs, all counter-clockwise in (x, y), so their union fills with one path under
 *    the winding rule. */
typedef struct {
  double level;
  size_t nsegments;
  double *segments;
  size_t npolygons;
  size_t *poly_start; /* index of the first vertex (not of the double) */
  unsigned char *poly_sizes;
  double *poly_xy;
} SphContour;

SphStatus sph_contour_new(const double *counts, const SphGrid2d *grid, double level,
                          SphContour **out, SphError *err);
void sph_contour_free(SphContour *contour);

/* The quantiles q[k] in [0, 1] of x[i stride] (n values). Without weights: numpy's
 * default percentile (linear interpolation between order statistics at q (n - 1)).
 * With weights: corner.py's rule, the sorted values interpolated at q on the cumulative
 * share of weight. Non-finite values are an error. */
SphStatus sph_weighted_quantiles(const double *x, size_t n, size_t stride,
                                 const double *weights, size_t wstride, const double *q,
                                 size_t nq, double *out, SphError *err);

/* The normalised autocorrelation function of parameter k of chain's steps burn..steps-1,
 * averaged over walkers (emcee's integrated_time averages the same functions), at lags
 * 0..nlags-1 (nlags at most the steps used). Needs 2 steps; a walker stuck at one value
 * is left out of the average, and when all are, the call fails. */
SphStatus sph_chain_autocorr(const SphChain *chain, size_t burn, size_t k, size_t nlags,
                             double *acf, SphError *err);

/* The binomial noise of a coverage measured with ntests tests: with X ~ Binomial(ntests,
 * p), *lo and *hi are the fractions a / ntests and b / ntests of the smallest a with
 * P(X <= a) >= (1 - confidence) / 2 and the smallest b with P(X <= b) >=
 * (1 + confidence) / 2, so [lo, hi] holds X / ntests with probability at least
 * confidence (as scipy.stats.binom.ppf at those two levels). */
SphStatus sph_binomial_band(size_t ntests, double p, double confidence, double *lo,
                            double *hi, SphError *err);

/* The plotting range of a parameter: the 0.5% and 99.5% quantiles widened by a tenth of
 * their span on each side (and by 1 around a constant value). */
SphStatus sph_sample_range(const double *x, size_t n, size_t stride, double *lo, double *hi,
                           SphError *err);

/* ---- a whole corner plot's statistics ---- */

#define SPH_CORNER_MAX_DIM 10
#define SPH_CORNER_DEFAULT_BINS 40
#define SPH_CORNER_NLEVELS 2

typedef struct {
  size_t bins;   /* per axis; default SPH_CORNER_DEFAULT_BINS */
  double smooth; /* Gaussian smoothing of the histograms, in bins; default 1 */
  double masses[SPH_CORNER_NLEVELS]; /* default 0.68, 0.95 */
  /* Fixed ranges (dim values each); NULL (default) for sph_sample_range's. */
  const double *lo, *hi;
} SphCornerOptions;

void sph_corner_options_init(SphCornerOptions *opts);

typedef struct {
  size_t dim, bins, samples;
  double masses[SPH_CORNER_NLEVELS];
  double *lo, *hi;     /* dim: the axis ranges */
  double *hist1d;      /* dim x bins, smoothed, scaled to a peak of 1 */
  double *quantiles;   /* dim x 3: 16%, 50%, 84% (of the samples, not smoothed) */
  double *mean, *sd;   /* dim */
  /* For i > j, panel (i, j) has parameter j across and i up: hist2d + (i dim + j) bins^2
   * (rows along parameter i) and its levels at levels + (i dim + j) SPH_CORNER_NLEVELS,
   * highest mass first. Entries with i <= j are unused. */
  double *hist2d;
  double *levels;
} SphCorner;

/* The statistics of n samples of dim parameters (sample s at samples + s * dim), with
 * optional weights (n values). dim is 1..SPH_CORNER_MAX_DIM and n at least 2. */
SphStatus sph_corner_new(const double *samples, size_t n, size_t dim, const double *weights,
                         const SphCornerOptions *opts, SphCorner **out, SphError *err);
/* Of the chain's steps burn.., all walkers, its first min(dim, SPH_CORNER_MAX_DIM)
 * parameters. */
SphStatus sph_corner_from_chain(const SphChain *chain, size_t burn,
                                const SphCornerOptions *opts, SphCorner **out, SphError *err);
void sph_corner_free(SphCorner *corner);

/* The grid of panel (i, j), i > j: parameter j across, parameter i up. */
void sph_corner_panel_grid(const SphCorner *corner, size_t i, size_t j, SphGrid2d *grid);
