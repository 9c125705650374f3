/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/corner.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/diagnostics.h"
#include "sphaera/mem.h"

/* ---- histograms ---- */

static SphStatus check_range(double lo, double hi, size_t bins, SphError *err)
{
  if (!(isfinite(lo) && isfinite(hi) && lo < hi))
    return sph_error_set(err, SPH_ERR_INVALID, "histogram range [%g, %g] is empty or not finite",
                         lo, hi);
  if (bins == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "a histogram needs at least one bin");
  return SPH_OK;
}

/* The bin of v over [lo, hi], the last closed; -1 outside. */
static long bin_of(double v, double lo, double hi, size_t bins)
{
  if (!(v >= lo && v <= hi))
    return -1;
  if (v == hi)
    return (long)bins - 1;
  long b = (long)((v - lo) / (hi - lo) * (double)bins);
  return b >= (long)bins ? (long)bins - 1 : b;
}

SphStatus sph_hist1d(const double *x, size_t n, size_t stride, const double *weights,
                     size_t wstride, double lo, double hi, size_t bins, double *counts,
                     SphError *err)
{
  if (check_range(lo, hi, bins, err) != SPH_OK)
    return SPH_ERR_INVALID;
  memset(counts, 0, bins * sizeof *counts);
  for (size_t i = 0; i < n; i++) {
    long b = bin_of(x[i * stride], lo, hi, bins);
    if (b >= 0)
      counts[b] += weights != NULL ? weights[i * wstride] : 1.0;
  }
  return SPH_OK;
}

SphStatus sph_hist2d(const double *x, const double *y, size_t n, size_t stride,
                     const double *weights, size_t wstride, double xlo, double xhi, size_t nx,
                     double ylo, double yhi, size_t ny, double *counts, SphError *err)
{
  if (check_range(xlo, xhi, nx, err) != SPH_OK || check_range(ylo, yhi, ny, err) != SPH_OK)
    return SPH_ERR_INVALID;
  memset(counts, 0, nx * ny * sizeof *counts);
  for (size_t i = 0; i < n; i++) {
    long bx = bin_of(x[i * stride], xlo, xhi, nx);
    long by = bin_of(y[i * stride], ylo, yhi, ny);
    if (bx >= 0 && by >= 0)
      counts[(size_t)by * nx + (size_t)bx] += weights != NULL ? weights[i * wstride] : 1.0;
  }
  return SPH_OK;
}

/* One pass of the separable convolution: count lines of len values, step apart by
 * `step`, lines starting `line_step` apart. */
static void smooth_lines(double *v, size_t len, size_t step, size_t count, size_t line_step,
                         const double *kernel, long half, double *tmp)
{
  for (size_t l = 0; l < count; l++) {
    double *line = v + l * line_step;
    for (size_t i = 0; i < len; i++) {
      double s = 0.0;
      for (long k = -half; k <= half; k++) {
        long j = (long)i + k;
        if (j >= 0 && j < (long)len)
          s += kernel[k + half] * line[(size_t)j * step];
      }
      tmp[i] = s;
    }
    for (size_t i = 0; i < len; i++)
      line[i * step] = tmp[i];
  }
}

SphStatus sph_hist_smooth(double *counts, size_t nx, size_t ny, double sigma, SphError *err)
{
  if (!(sigma >= 0.0) || !isfinite(sigma))
    return sph_error_set(err, SPH_ERR_INVALID, "smoothing width %g bins is not a finite value >= 0",
                         sigma);
  if (sigma == 0.0 || nx == 0 || ny == 0)
    return SPH_OK;
  long half = (long)ceil(4.0 * sigma);
  double *kernel = malloc((size_t)(2 * half + 1) * sizeof *kernel);
  double *tmp = malloc((nx > ny ? nx : ny) * sizeof *tmp);
  if (kernel == NULL || tmp == NULL) {
    free(kernel);
    free(tmp);
    return sph_error_set(err, SPH_ERR_NOMEM, "out of memory smoothing a histogram");
  }
  double total = 0.0;
  for (long k = -half; k <= half; k++) {
    kernel[k + half] = exp(-0.5 * (double)(k * k) / (sigma * sigma));
    total += kernel[k + half];
  }
  for (long k = 0; k <= 2 * half; k++)
    kernel[k] /= total;
  smooth_lines(counts, nx, 1, ny, nx, kernel, half, tmp);
  if (ny > 1)
    smooth_lines(counts, ny, nx, nx, 1, kernel, half, tmp);
  free(kernel);
  free(tmp);
  return SPH_OK;
}

/* ---- density levels ---- */

static int compare_desc(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

SphStatus sph_density_levels(const double *counts, size_t n, const double *masses,
                             size_t nmasses, double *levels, SphError *err)
{
  for (size_t k = 0; k < nmasses; k++)
    if (!(masses[k] > 0.0 && masses[k] < 1.0))
      return sph_error_set(err, SPH_ERR_INVALID, "a contour's share of the mass must be in "
                           "(0, 1), not %g", masses[k]);
  double *sorted = malloc((n > 0 ? n : 1) * sizeof *sorted);
  if (sorted == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "out of memory sorting %zu bins", n);
  double total = 0.0;
  for (size_t i = 0; i < n; i++) {
    sorted[i] = counts[i] > 0.0 ? counts[i] : 0.0;
    total += sorted[i];
  }
  if (!(total > 0.0) || !isfinite(total)) {
    free(sorted);
    return sph_error_set(err, SPH_ERR_INVALID,
                         "the histogram is empty: no samples fall inside the plotted range");
  }
  qsort(sorted, n, sizeof *sorted, compare_desc);
  for (size_t k = 0; k < nmasses; k++) {
    double want = masses[k] * total, sum = 0.0;
    levels[k] = sorted[0];
    for (size_t i = 0; i < n && sorted[i] > 0.0; i++) {
      sum += sorted[i];
      levels[k] = sorted[i];
      if (sum >= want)
        break;
    }
  }
  free(sorted);
  return SPH_OK;
}

/* ---- contours by marching squares ---- */

typedef struct {
  double *v;
  size_t n, cap;
} DoubleVec;

static bool vec_push(DoubleVec *vec, const double *values, size_t count)
{
  if (vec->n + count > vec->cap) {
    size_t cap = vec->cap > 0 ? vec->cap * 2 : 256;
    while (cap < vec->n + count)
      cap *= 2;
    double *v = realloc(vec->v, cap * sizeof *v);
    if (v == NULL)
      return false;
    vec->v = v;
    vec->cap = cap;
  }
  memcpy(vec->v + vec->n, values, count * sizeof *values);
  vec->n += count;
  return true;
}

void sph_contour_free(SphContour *c)
{
  if (c == NULL)
    return;
  free(c->segments);
  free(c->poly_start);
  free(c->poly_sizes);
  free(c->poly_xy);
  free(c);
}

/* The field on the padded grid: centre (ix, iy), ix in -1..nx, zero outside. */
static double field_at(const double *counts, const SphGrid2d *g, long ix, long iy)
{
  if (ix < 0 || iy < 0 || ix >= (long)g->nx || iy >= (long)g->ny)
    return 0.0;
  return counts[(size_t)iy * g->nx + (size_t)ix];
}

SphStatus sph_contour_new(const double *counts, const SphGrid2d *g, double level,
                          SphContour **out, SphError *err)
{
  *out = NULL;
  if (check_range(g->xlo, g->xhi, g->nx, err) != SPH_OK ||
      check_range(g->ylo, g->yhi, g->ny, err) != SPH_OK)
    return SPH_ERR_INVALID;
  if (!(level > 0.0) || !isfinite(level))
    return sph_error_set(err, SPH_ERR_INVALID, "contour level %g is not a positive density",
                         level);
  double dx = (g->xhi - g->xlo) / (double)g->nx, dy = (g->yhi - g->ylo) / (double)g->ny;
  DoubleVec segs = {0}, xy = {0}, starts = {0}, sizes = {0};
  bool ok = true;
  for (long iy = -1; iy < (long)g->ny && ok; iy++) {
    for (long ix = -1; ix < (long)g->nx && ok; ix++) {
      /* corners counter-clockwise: bottom-left, bottom-right, top-right, top-left */
      const long cx[4] = {ix, ix + 1, ix + 1, ix}, cy[4] = {iy, iy, iy + 1, iy + 1};
      double v[4], px[4], py[4];
      int above = 0;
      for (int c = 0; c < 4; c++) {
        v[c] = field_at(counts, g, cx[c], cy[c]);
        px[c] = g->xlo + ((double)cx[c] + 0.5) * dx;
        py[c] = g->ylo + ((double)cy[c] + 0.5) * dy;
        above += v[c] >= level;
      }
      if (above == 0)
        continue;
      double poly[12];
      bool crossing[6];
      int m = 0;
      for (int c = 0; c < 4; c++) {
        int d = (c + 1) % 4;
        if (v[c] >= level) {
          poly[2 * m] = px[c];
          poly[2 * m + 1] = py[c];
          crossing[m++] = false;
        }
        if ((v[c] >= level) != (v[d] >= level)) {
          double t = (level - v[c]) / (v[d] - v[c]);
          poly[2 * m] = px[c] + t * (px[d] - px[c]);
          poly[2 * m + 1] = py[c] + t * (py[d] - py[c]);
          crossing[m++] = true;
        }
      }
      for (int a = 0; a < m && ok; a++) {
        int b = (a + 1) % m;
        if (crossing[a] && crossing[b]) {
          double s[4] = {poly[2 * a], poly[2 * a + 1], poly[2 * b], poly[2 * b + 1]};
          ok = vec_push(&segs, s, 4);
        }
      }
      double start = (double)(xy.n / 2), size = (double)m;
      ok = ok && vec_push(&xy, poly, (size_t)(2 * m)) && vec_push(&starts, &start, 1) &&
           vec_push(&sizes, &size, 1);
    }
  }
  SphContour *c = ok ? calloc(1, sizeof *c) : NULL;
  if (c != NULL) {
    c->level = level;
    c->nsegments = segs.n / 4;
    c->segments = segs.v;
    c->npolygons = starts.n;
    c->poly_xy = xy.v;
    c->poly_start = malloc((starts.n > 0 ? starts.n : 1) * sizeof *c->poly_start);
    c->poly_sizes = malloc(starts.n > 0 ? starts.n : 1);
    segs.v = xy.v = NULL;
    if (c->poly_start == NULL || c->poly_sizes == NULL) {
      sph_contour_free(c);
      c = NULL;
    } else {
      for (size_t p = 0; p < starts.n; p++) {
        c->poly_start[p] = (size_t)starts.v[p];
        c->poly_sizes[p] = (unsigned char)sizes.v[p];
      }
    }
  }
  free(segs.v);
  free(xy.v);
  free(starts.v);
  free(sizes.v);
  if (c == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "out of memory tracing a contour");
  *out = c;
  return SPH_OK;
}

/* ---- quantiles ---- */

typedef struct {
  double x, w;
} WeightedValue;

static int compare_weighted(const void *a, const void *b)
{
  double x = ((const WeightedValue *)a)->x, y = ((const WeightedValue *)b)->x;
  return (x > y) - (x < y);
}

SphStatus sph_weighted_quantiles(const double *x, size_t n, size_t stride,
                                 const double *weights, size_t wstride, const double *q,
                                 size_t nq, double *out, SphError *err)
{
  if (n == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "quantiles of no samples");
  for (size_t k = 0; k < nq; k++)
    if (!(q[k] >= 0.0 && q[k] <= 1.0))
      return sph_error_set(err, SPH_ERR_INVALID, "quantile %g is not in [0, 1]", q[k]);
  WeightedValue *v = sph_alloc_aligned(n, sizeof *v, err);
  if (v == NULL)
    return SPH_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    v[i].x = x[i * stride];
    v[i].w = weights != NULL ? weights[i * wstride] : 1.0;
    if (!isfinite(v[i].x) || !isfinite(v[i].w) || v[i].w < 0.0) {
      sph_free_aligned(v);
      return sph_error_set(err, SPH_ERR_INVALID,
                           "sample %zu is not finite (or has a negative weight): quantiles "
                           "need finite samples",
                           i);
    }
  }
  qsort(v, n, sizeof *v, compare_weighted);
  if (weights == NULL || n == 1) {
    for (size_t k = 0; k < nq; k++) {
      double pos = q[k] * (double)(n - 1);
      size_t i = (size_t)floor(pos);
      if (i >= n - 1) {
        out[k] = v[n - 1].x;
      } else {
        double t = pos - (double)i;
        out[k] = v[i].x + t * (v[i + 1].x - v[i].x);
      }
    }
    sph_free_aligned(v);
    return SPH_OK;
  }
  /* corner.py: cdf = [0, cumsum(w)[:-1] / sum(w[:-1])], np.interp(q, cdf, x). Stored in
   * the weight slots, which are no longer needed. */
  double sum = 0.0;
  for (size_t i = 0; i + 1 < n; i++)
    sum += v[i].w;
  if (!(sum > 0.0)) {
    sph_free_aligned(v);
    return sph_error_set(err, SPH_ERR_INVALID, "the weights of the samples sum to zero");
  }
  double run = 0.0;
  for (size_t i = 0; i < n; i++) {
    double w = v[i].w;
    v[i].w = run / sum;
    run += w;
  }
  for (size_t k = 0; k < nq; k++) {
    double t = q[k];
    if (t <= v[0].w) {
      out[k] = v[0].x;
      continue;
    }
    if (t >= v[n - 1].w) {
      out[k] = v[n - 1].x;
      continue;
    }
    size_t a = 0, b = n - 1; /* v[a].w < t <= v[b].w */
    while (b - a > 1) {
      size_t mid = a + (b - a) / 2;
      if (v[mid].w < t)
        a = mid;
      else
        b = mid;
    }
    double span = v[b].w - v[a].w;
    out[k] = span > 0.0 ? v[a].x + (t - v[a].w) / span * (v[b].x - v[a].x) : v[b].x;
  }
  sph_free_aligned(v);
  return SPH_OK;
}

SphStatus sph_sample_range(const double *x, size_t n, size_t stride, double *lo, double *hi,
                           SphError *err)
{
  static const double q[2] = {0.005, 0.995};
  double r[2];
  if (sph_weighted_quantiles(x, n, stride, NULL, 0, q, 2, r, err) != SPH_OK)
    return err != NULL ? err->code : SPH_ERR_INVALID;
  double span = r[1] - r[0];
  double pad = span > 0.0 ? 0.1 * span : 1.0;
  *lo = r[0] - pad;
  *hi = r[1] + pad;
  return SPH_OK;
}

/* ---- autocorrelation ---- */

SphStatus sph_chain_autocorr(const SphChain *chain, size_t burn, size_t k, size_t nlags,
                             double *acf, SphError *err)
{
  if (k >= chain->dim)
    return sph_error_set(err, SPH_ERR_INVALID, "parameter %zu is not in the chain's %zu", k,
                         chain->dim);
  if (chain->steps < burn + 2)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "an autocorrelation needs 2 steps after the %zu burnt, and the chain "
                         "has %zu",
                         burn, chain->steps);
  size_t n = chain->steps - burn;
  if (nlags > n)
    return sph_error_set(err, SPH_ERR_INVALID, "%zu lags asked of a chain of %zu steps", nlags,
                         n);
  double *one = sph_alloc_aligned(n, sizeof *one, err);
  if (one == NULL)
    return SPH_ERR_NOMEM;
  memset(acf, 0, nlags * sizeof *acf);
  size_t used = 0;
  for (size_t w = 0; w < chain->walkers; w++) {
    const double *x = sph_chain_sample(chain, burn, w) + k;
    if (sph_autocorr_function(x, n, chain->walkers * chain->dim, one, NULL) != SPH_OK)
      continue; /* a walker that never moved */
    for (size_t t = 0; t < nlags; t++)
      acf[t] += one[t];
    used++;
  }
  sph_free_aligned(one);
  if (used == 0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "parameter %s never changes in the chain: it has no autocorrelation",
                         chain->names != NULL ? chain->names[k] : "?");
  for (size_t t = 0; t < nlags; t++)
    acf[t] /= (double)used;
  return SPH_OK;
}

/* ---- binomial band ---- */

SphStatus sph_binomial_band(size_t ntests, double p, double confidence, double *lo,
                            double *hi, SphError *err)
{
  if (ntests == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "a binomial band needs at least one test");
  if (!(p >= 0.0 && p <= 1.0) || !(confidence > 0.0 && confidence < 1.0))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "binomial band: probability %g or confidence %g is not in range", p,
                         confidence);
  if (p == 0.0 || p == 1.0) {
    *lo = *hi = p;
    return SPH_OK;
  }
  double n = (double)ntests, lq = (1.0 - confidence) / 2.0, hq = (1.0 + confidence) / 2.0;
  /* scipy's ppf compares the cdf with q less a relative 1e-10 slack, so a cdf equal to
   * q up to rounding counts as reaching it. */
  double lq_s = lq * (1.0 - 1e-10), hq_s = hq * (1.0 - 1e-10);
  double lnorm = lgamma(n + 1.0), lp = log(p), lq1 = log1p(-p), cdf = 0.0;
  bool have_lo = false;
  *lo = 0.0;
  *hi = 1.0;
  for (size_t k = 0; k <= ntests; k++) {
    double kk = (double)k;
    cdf += exp(lnorm - lgamma(kk + 1.0) - lgamma(n - kk + 1.0) + kk * lp + (n - kk) * lq1);
    if (!have_lo && cdf >= lq_s) {
      *lo = kk / n;
      have_lo = true;
    }
    if (cdf >= hq_s) {
      *hi = kk / n;
      break;
    }
  }
  return SPH_OK;
}

/* ---- the corner plot's statistics ---- */

void sph_corner_options_init(SphCornerOptions *opts)
{
  memset(opts, 0, sizeof *opts);
  opts->bins = SPH_CORNER_DEFAULT_BINS;
  opts->smooth = 1.0;
  opts->masses[0] = 0.68;
  opts->masses[1] = 0.95;
}

void sph_corner_free(SphCorner *c)
{
  if (c == NULL)
    return;
  sph_free_aligned(c->lo);
  sph_free_aligned(c->hi);
  sph_free_aligned(c->hist1d);
  sph_free_aligned(c->quantiles);
  sph_free_aligned(c->mean);
  sph_free_aligned(c->sd);
  sph_free_aligned(c->hist2d);
  sph_free_aligned(c->levels);
  free(c);
}

void sph_corner_panel_grid(const SphCorner *c, size_t i, size_t j, SphGrid2d *grid)
{
  grid->nx = grid->ny = c->bins;
  grid->xlo = c->lo[j];
  grid->xhi = c->hi[j];
  grid->ylo = c->lo[i];
  grid->yhi = c->hi[i];
}

static int compare_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* numpy's linear percentile of n sorted values. */
static double sorted_quantile(const double *v, size_t n, double q)
{
  double pos = q * (double)(n - 1);
  size_t i = (size_t)floor(pos);
  return i + 1 >= n ? v[n - 1] : v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

/* Without weights the range and the quantiles come from one sort of the column, as
 * sph_sample_range and sph_weighted_quantiles would give them. */
static SphStatus unweighted_range_quantiles(const double *x, size_t n, size_t stride,
                                            bool want_range, double *lo, double *hi,
                                            double *quantiles, SphError *err)
{
  double *v = sph_alloc_aligned(n, sizeof *v, err);
  if (v == NULL)
    return SPH_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    v[i] = x[i * stride];
    if (!isfinite(v[i])) {
      sph_free_aligned(v);
      return sph_error_set(err, SPH_ERR_INVALID,
                           "sample %zu is not finite: quantiles need finite samples", i);
    }
  }
  qsort(v, n, sizeof *v, compare_double);
  if (want_range) {
    double a = sorted_quantile(v, n, 0.005), b = sorted_quantile(v, n, 0.995);
    double pad = b > a ? 0.1 * (b - a) : 1.0;
    *lo = a - pad;
    *hi = b + pad;
  }
  quantiles[0] = sorted_quantile(v, n, 0.16);
  quantiles[1] = sorted_quantile(v, n, 0.5);
  quantiles[2] = sorted_quantile(v, n, 0.84);
  sph_free_aligned(v);
  return SPH_OK;
}

static SphStatus corner_param(SphCorner *c, const double *samples, const double *weights,
                              const SphCornerOptions *o, size_t k, SphError *err)
{
  size_t n = c->samples, d = c->dim, bins = c->bins;
  const double *x = samples + k;
  bool fixed = o->lo != NULL && o->hi != NULL;
  if (fixed) {
    c->lo[k] = o->lo[k];
    c->hi[k] = o->hi[k];
  }
  static const double q[3] = {0.16, 0.5, 0.84};
  if (weights == NULL) {
    if (unweighted_range_quantiles(x, n, d, !fixed, &c->lo[k], &c->hi[k], c->quantiles + 3 * k,
                                   err) != SPH_OK)
      return err != NULL ? err->code : SPH_ERR_INVALID;
  } else if ((!fixed && sph_sample_range(x, n, d, &c->lo[k], &c->hi[k], err) != SPH_OK) ||
             sph_weighted_quantiles(x, n, d, weights, 1, q, 3, c->quantiles + 3 * k, err) !=
                 SPH_OK) {
    return err != NULL ? err->code : SPH_ERR_INVALID;
  }
  double *h = c->hist1d + k * bins;
  if (sph_hist1d(x, n, d, weights, 1, c->lo[k], c->hi[k], bins, h, err) != SPH_OK ||
      sph_hist_smooth(h, bins, 1, o->smooth, err) != SPH_OK)
    return err != NULL ? err->code : SPH_ERR_INVALID;
  double peak = 0.0;
  for (size_t b = 0; b < bins; b++)
    peak = fmax(peak, h[b]);
  for (size_t b = 0; peak > 0.0 && b < bins; b++)
    h[b] /= peak;
  double sw = 0.0, s1 = 0.0, s2 = 0.0;
  for (size_t s = 0; s < n; s++) {
    double w = weights != NULL ? weights[s] : 1.0;
    sw += w;
    s1 += w * x[s * d];
  }
  c->mean[k] = sw > 0.0 ? s1 / sw : NAN;
  for (size_t s = 0; s < n; s++) {
    double w = weights != NULL ? weights[s] : 1.0, r = x[s * d] - c->mean[k];
    s2 += w * r * r;
  }
  c->sd[k] = sw > 0.0 ? sqrt(s2 / sw) : NAN;
  return SPH_OK;
}

SphStatus sph_corner_new(const double *samples, size_t n, size_t dim, const double *weights,
                         const SphCornerOptions *opts, SphCorner **out, SphError *err)
{
  *out = NULL;
  SphCornerOptions defaults;
  if (opts == NULL) {
    sph_corner_options_init(&defaults);
    opts = &defaults;
  }
  if (dim == 0 || dim > SPH_CORNER_MAX_DIM)
    return sph_error_set(err, SPH_ERR_INVALID, "a corner plot shows 1 to %d parameters, not %zu",
                         SPH_CORNER_MAX_DIM, dim);
  if (n < 2)
    return sph_error_set(err, SPH_ERR_INVALID, "a corner plot needs at least 2 samples, not %zu",
                         n);
  if (opts->bins < 2 || opts->bins > 1000)
    return sph_error_set(err, SPH_ERR_INVALID, "%zu bins per axis is not in 2..1000", opts->bins);
  SphCorner *c = calloc(1, sizeof *c);
  if (c == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "out of memory for a corner plot");
  size_t bins = opts->bins;
  c->dim = dim;
  c->bins = bins;
  c->samples = n;
  memcpy(c->masses, opts->masses, sizeof c->masses);
  c->lo = sph_alloc_aligned(dim, sizeof(double), err);
  c->hi = sph_alloc_aligned(dim, sizeof(double), err);
  c->mean = sph_alloc_aligned(dim, sizeof(double), err);
  c->sd = sph_alloc_aligned(dim, sizeof(double), err);
  c->quantiles = sph_alloc_aligned(3 * dim, sizeof(double), err);
  c->hist1d = sph_alloc_aligned(dim * bins, sizeof(double), err);
  c->hist2d = sph_calloc_aligned(dim * dim * bins * bins, sizeof(double), err);
  c->levels = sph_calloc_aligned(dim * dim * SPH_CORNER_NLEVELS, sizeof(double), err);
  if (c->lo == NULL || c->hi == NULL || c->mean == NULL || c->sd == NULL ||
      c->quantiles == NULL || c->hist1d == NULL || c->hist2d == NULL || c->levels == NULL) {
    sph_corner_free(c);
    return SPH_ERR_NOMEM;
  }
  SphStatus status = SPH_OK;
  for (size_t k = 0; k < dim && status == SPH_OK; k++) {
    status = corner_param(c, samples, weights, opts, k, err);
    if (status != SPH_OK)
      sph_error_prefix(err, "parameter %zu", k);
  }
  for (size_t i = 1; i < dim && status == SPH_OK; i++) {
    for (size_t j = 0; j < i && status == SPH_OK; j++) {
      double *h = c->hist2d + (i * dim + j) * bins * bins;
      status = sph_hist2d(samples + j, samples + i, n, dim, weights, 1, c->lo[j], c->hi[j], bins,
                          c->lo[i], c->hi[i], bins, h, err);
      if (status == SPH_OK)
        status = sph_hist_smooth(h, bins, bins, opts->smooth, err);
      if (status == SPH_OK)
        status = sph_density_levels(h, bins * bins, c->masses, SPH_CORNER_NLEVELS,
                                    c->levels + (i * dim + j) * SPH_CORNER_NLEVELS, err);
      if (status != SPH_OK)
        sph_error_prefix(err, "parameters %zu and %zu", j, i);
    }
  }
  if (status != SPH_OK) {
    sph_corner_free(c);
    return status;
  }
  *out = c;
  return SPH_OK;
}

SphStatus sph_corner_from_chain(const SphChain *chain, size_t burn,
                                const SphCornerOptions *opts, SphCorner **out, SphError *err)
{
  *out = NULL;
  if (chain->steps <= burn)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "the chain has %zu steps, none left after burning %zu", chain->steps,
                         burn);
  size_t dim = chain->dim < SPH_CORNER_MAX_DIM ? chain->dim : SPH_CORNER_MAX_DIM;
  size_t n = (chain->steps - burn) * chain->walkers;
  const double *first = sph_chain_sample(chain, burn, 0);
  if (dim == chain->dim)
    return sph_corner_new(first, n, dim, NULL, opts, out, err);
  double *cut = sph_alloc_aligned(n * dim, sizeof *cut, err);
  if (cut == NULL)
    return SPH_ERR_NOMEM;
  for (size_t s = 0; s < n; s++)
    memcpy(cut + s * dim, first + s * chain->dim, dim * sizeof *cut);
  SphStatus status = sph_corner_new(cut, n, dim, NULL, opts, out, err);
  sph_free_aligned(cut);
  return status;
}
