/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sphaera/colormap.h"
#include "sphaera/error.h"
#include "sphaera/job.h"

/* Colour scales: how a value becomes a position t in [0, 1] along a colormap, as healpy's
 * mollview norm= does, and the ranges they span.
 *
 *   linear  t = (v - vmin) / (vmax - vmin), clamped; 0 when vmax <= vmin (matplotlib's
 *           Normalize on an empty range).
 *   log     t = log(v / vmin) / log(vmax / vmin), clamped; values <= 0 are bad (healpy's
 *           LogNorm2 masks them, so they show in the bad colour); needs 0 < vmin.
 *   hist    histogram equalisation, healpy's HistEqNorm: a histogram of the data over
 *           [vmin, vmax] in min(n / 20, 5000) bins (n when that is under 3), its running
 *           fraction interpolated at the bin centres (see SphHistEq).
 *   symlog  matplotlib's SymLogNorm(linthresh, linscale, base=10, clip=True), the scale
 *           healpy's norm='symlog' asks for: linear within +-linthresh, logarithmic
 *           outside, T(v) = v * L for |v| <= linthresh, sign(v) linthresh (L +
 *           log10(|v| / linthresh)) beyond, with L = linscale / (1 - 1/10); t = (T(v) -
 *           T(vmin)) / (T(vmax) - T(vmin)).
 *
 * UNSEEN and NaN are always bad. Infinite values clamp to an end (linear, symlog) as
 * large finite ones do. */

typedef enum {
  SPH_NORM_LINEAR = 0,
  SPH_NORM_LOG,
  SPH_NORM_HIST,
  SPH_NORM_SYMLOG,
  SPH_NORM_COUNT
} SphNorm;

#define SPH_SYMLOG_DEFAULT_LINTHRESH 1.0 /* healpy's default */
#define SPH_SYMLOG_DEFAULT_LINSCALE 0.1  /* healpy's default (matplotlib's own is 1) */

const char *sph_norm_name(SphNorm norm); /* "linear", "log", "hist", "symlog"; NULL */
/* Case-insensitive; also "lin" and "histogram". */
bool sph_norm_from_name(const char *name, SphNorm *norm);

/* healpy's HistEqNorm fitted to data: xval = [vmin, bin centres..., vmax] and
 * yval = [0, cumulative fractions..., 1], and t = np.interp(v, xval, yval). Values that
 * are UNSEEN, NaN or infinite are left out of the histogram, and those outside
 * [vmin, vmax] fall in no bin, as in numpy.histogram. */
typedef struct SphHistEq SphHistEq;

/* Needs vmin < vmax, both finite. */
SphHistEq *sph_histeq_new(const double *values, size_t n, double vmin, double vmax,
                          SphError *err);
void sph_histeq_free(SphHistEq *histeq);
/* t in [0, 1] for v (NaN for NaN). */
double sph_histeq_apply(const SphHistEq *histeq, double value);
/* The value whose t is the given one (the first, where the curve is flat): for ticks. */
double sph_histeq_inverse(const SphHistEq *histeq, double t);

/* Everything that turns a value into a colour. A zero-filled struct with vmin, vmax and
 * cmap set is healpy's linear scale; the members after background were added later and
 * their zeros mean the defaults. */
typedef struct {
  double vmin, vmax;     /* the values mapped to the ends of the colormap */
  SphColormap cmap;
  uint8_t background[4]; /* RGBA outside the sphere */
  SphNorm norm;
  double linthresh;      /* symlog; <= 0: SPH_SYMLOG_DEFAULT_LINTHRESH */
  double linscale;       /* symlog; <= 0: SPH_SYMLOG_DEFAULT_LINSCALE */
  const SphHistEq *histeq; /* hist: the fitted curve (borrowed); NULL: linear instead */
  bool transparent_bad;  /* bad pixels get alpha 0 (an overlay), not the bad grey */
} SphColorScale;

/* t in [0, 1] along the colormap for a value, or NaN when the value is bad for this
 * scale (UNSEEN, NaN; <= 0 on a log scale). */
double sph_color_scale_position(const SphColorScale *scale, double value);
/* The value at position t (the inverse of sph_color_scale_position where it is one to
 * one): where a colour bar puts a tick. */
double sph_color_scale_value(const SphColorScale *scale, double t);

/* Round values for a colour bar's labels, strictly inside (vmin, vmax), ascending, at
 * most max of them; returns how many. Linear and hist: the smallest 1-2-5 step with at
 * most five intervals (hist places them along its curve); log: the decades inside (with their 2s
 * and 5s when fewer than two); symlog: zero and the decades from linthresh outwards on
 * each side, as matplotlib's locators give them. Place each at
 * sph_color_scale_position(scale, tick) along the bar. */
int sph_color_scale_ticks(const SphColorScale *scale, double *ticks, int max);

/* The colour of one value: grey (SPH_BAD_*) when bad, else the colormap entry
 * sph_colormap_index(sph_color_scale_position(...)). */
void sph_color_scale_rgb(const SphColorScale *scale, double value, uint8_t rgb[3]);

/* The smallest and largest seen values (not UNSEEN, not NaN; infinite ones count), or of
 * the positive ones only (a log scale's range); false, outputs untouched, when none. */
bool sph_data_range(const double *values, size_t n, bool positive_only, double *lo,
                    double *hi);

/* numpy.percentile(seen, [p_lo, p_hi]) with its default linear interpolation, over the
 * values that are neither UNSEEN nor NaN: exact order statistics found by selection
 * (expected O(n)), not by sorting. Percentages in [0, 100]. SPH_ERR_INVALID when a
 * percentage is out of range or nothing is seen. */
SphStatus sph_percentile_range(const double *values, size_t n, double p_lo, double p_hi,
                               double *lo, double *hi, SphError *err);
/* The same on a worker thread: it looks at job (may be NULL) every million values or so
 * and returns SPH_ERR_CANCELLED, outputs untouched, once it is cancelled; progress goes
 * to job. values must stay alive and unchanged until it returns. */
SphStatus sph_percentile_range_job(const double *values, size_t n, double p_lo, double p_hi,
                                   SphJob *job, double *lo, double *hi, SphError *err);
#define SPH_PERCENTILE_DEFAULT_LO 0.5
#define SPH_PERCENTILE_DEFAULT_HI 99.5
