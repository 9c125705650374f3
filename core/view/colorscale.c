/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Colour scales (linear, log, histogram-equalised, symmetric log) and their ranges. */
#include "sphaera/colorscale.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sphaera/healpix.h"
#include "sphaera/mem.h"

static const char *const norm_names[SPH_NORM_COUNT] = {
    [SPH_NORM_LINEAR] = "linear",
    [SPH_NORM_LOG] = "log",
    [SPH_NORM_HIST] = "hist",
    [SPH_NORM_SYMLOG] = "symlog",
};

const char *sph_norm_name(SphNorm norm)
{
  return (int)norm >= 0 && norm < SPH_NORM_COUNT ? norm_names[norm] : NULL;
}

bool sph_norm_from_name(const char *name, SphNorm *norm)
{
  if (name == NULL)
    return false;
  SphNorm found = SPH_NORM_COUNT;
  for (int i = 0; i < SPH_NORM_COUNT; i++)
    if (strcasecmp(name, norm_names[i]) == 0)
      found = (SphNorm)i;
  if (strcasecmp(name, "lin") == 0)
    found = SPH_NORM_LINEAR;
  if (strcasecmp(name, "histogram") == 0)
    found = SPH_NORM_HIST;
  if (found == SPH_NORM_COUNT)
    return false;
  if (norm != NULL)
    *norm = found;
  return true;
}

/* ---- histogram equalisation ---- */

struct SphHistEq {
  size_t npoints;
  double *xval, *yval; /* npoints each, xval increasing */
};

/* numpy.histogram's bin of v among nbins equal bins of [lo, hi] with edges
 * edge[i] = lo + i * step (edge[nbins] = hi): the arithmetic guess, then corrected
 * against the edges themselves as numpy does; -1 outside. */
static long histogram_bin(double v, double lo, double hi, double step, long nbins)
{
  if (!(v >= lo && v <= hi))
    return -1;
  double norm = nbins / (hi - lo);
  long k = (long)((v - lo) * norm);
  if (k >= nbins)
    k = nbins - 1;
  if (k < 0)
    k = 0;
  double left = lo + k * step;
  if (v < left)
    k--;
  else if (k != nbins - 1 && v >= (k + 1 == nbins ? hi : lo + (k + 1) * step))
    k++;
  return k;
}

SphHistEq *sph_histeq_new(const double *values, size_t n, double vmin, double vmax,
                          SphError *err)
{
  if (!isfinite(vmin) || !isfinite(vmax) || !(vmin < vmax)) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "histogram equalisation needs a range with min < max, not [%g, %g]", vmin,
                  vmax);
    return NULL;
  }
  size_t nfinite = 0;
  for (size_t i = 0; i < n; i++)
    nfinite += isfinite(values[i]) && !sph_hp_is_unseen(values[i]);

  SphHistEq *h = calloc(1, sizeof *h);
  if (h == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for a histogram equalisation");
    return NULL;
  }
  size_t nbins = nfinite / 20 < 5000 ? nfinite / 20 : 5000;
  if (nbins < 3)
    nbins = nfinite;
  h->npoints = nfinite < 3 ? 2 : nbins + 2;
  h->xval = malloc(h->npoints * sizeof(double));
  h->yval = malloc(h->npoints * sizeof(double));
  size_t *counts = nfinite < 3 ? NULL : calloc(nbins, sizeof(size_t));
  if (h->xval == NULL || h->yval == NULL || (nfinite >= 3 && counts == NULL)) {
    free(counts);
    sph_histeq_free(h);
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for a histogram of %zu bins", nbins);
    return NULL;
  }
  h->xval[0] = vmin;
  h->yval[0] = 0.0;
  h->xval[h->npoints - 1] = vmax;
  h->yval[h->npoints - 1] = 1.0;
  if (counts == NULL)
    return h;

  /* numpy.linspace(vmin, vmax, nbins + 1): edge i = i * step + vmin. */
  double step = (vmax - vmin) / (double)nbins;
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    double v = values[i];
    if (!isfinite(v) || sph_hp_is_unseen(v))
      continue;
    long k = histogram_bin(v, vmin, vmax, step, (long)nbins);
    if (k >= 0) {
      counts[k]++;
      total++;
    }
  }
  if (total == 0) {
    /* Nothing in range (numpy would divide 0 by 0): a straight line instead. */
    h->npoints = 2;
    h->xval[1] = vmax;
    h->yval[1] = 1.0;
    free(counts);
    return h;
  }
  /* healpy: x at the bin centres, edge + (edge1 - edge0) / 2, y the running sum of the
   * normalised counts (numpy's cumsum of hist / hist.sum()). */
  double half = 0.5 * ((vmin + step) - vmin);
  double run = 0.0;
  for (size_t k = 0; k < nbins; k++) {
    run += (double)counts[k] / (double)total;
    h->xval[k + 1] = ((double)k * step + vmin) + half;
    h->yval[k + 1] = run;
  }
  free(counts);
  return h;
}

void sph_histeq_free(SphHistEq *h)
{
  if (h == NULL)
    return;
  free(h->xval);
  free(h->yval);
  free(h);
}

/* numpy.interp(v, xp, fp): the end values outside, linear between. */
static double interp(double v, const double *xp, const double *fp, size_t n)
{
  if (isnan(v))
    return NAN;
  if (v <= xp[0])
    return fp[0];
  if (v >= xp[n - 1])
    return fp[n - 1];
  size_t lo = 0, hi = n - 1; /* xp[lo] <= v < xp[hi] */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (xp[mid] <= v)
      lo = mid;
    else
      hi = mid;
  }
  double slope = (fp[hi] - fp[lo]) / (xp[hi] - xp[lo]);
  return slope * (v - xp[lo]) + fp[lo];
}

double sph_histeq_apply(const SphHistEq *h, double value)
{
  return interp(value, h->xval, h->yval, h->npoints);
}

double sph_histeq_inverse(const SphHistEq *h, double t)
{
  if (isnan(t))
    return NAN;
  size_t n = h->npoints;
  if (t <= h->yval[0])
    return h->xval[0];
  if (t >= h->yval[n - 1])
    return h->xval[n - 1];
  /* The first segment that reaches t (yval is non-decreasing). */
  size_t k = 1;
  while (k < n - 1 && !(h->yval[k] >= t))
    k++;
  double dy = h->yval[k] - h->yval[k - 1];
  if (!(dy > 0.0))
    return h->xval[k - 1];
  return h->xval[k - 1] + (t - h->yval[k - 1]) / dy * (h->xval[k] - h->xval[k - 1]);
}

/* ---- positions along the colormap ---- */

static double clamp01(double t)
{
  if (!(t > 0.0))
    return 0.0;
  return t < 1.0 ? t : 1.0;
}

/* matplotlib's SymmetricalLogTransform with base 10. */
static double symlog_forward(double v, double linthresh, double linscale_adj)
{
  double a = fabs(v);
  if (a <= linthresh)
    return v * linscale_adj;
  return copysign(linthresh * (linscale_adj + log10(a / linthresh)), v);
}

static double symlog_inverse(double y, double linthresh, double linscale_adj)
{
  double inner = linthresh * linscale_adj;
  if (fabs(y) <= inner)
    return y / linscale_adj;
  return copysign(linthresh * pow(10.0, fabs(y) / linthresh - linscale_adj), y);
}

static void symlog_params(const SphColorScale *s, double *linthresh, double *linscale_adj)
{
  *linthresh = s->linthresh > 0.0 ? s->linthresh : SPH_SYMLOG_DEFAULT_LINTHRESH;
  double linscale = s->linscale > 0.0 ? s->linscale : SPH_SYMLOG_DEFAULT_LINSCALE;
  *linscale_adj = linscale / (1.0 - 1.0 / 10.0);
}

double sph_color_scale_position(const SphColorScale *s, double value)
{
  if (sph_hp_is_unseen(value) || isnan(value))
    return NAN;
  double vmin = s->vmin, vmax = s->vmax;
  switch (s->norm) {
  case SPH_NORM_LOG:
    if (!(value > 0.0))
      return NAN;
    if (!(vmin > 0.0) || !(vmax > vmin))
      return 0.0;
    return clamp01(log(value / vmin) / log(vmax / vmin));
  case SPH_NORM_HIST:
    if (s->histeq != NULL)
      return clamp01(sph_histeq_apply(s->histeq, value));
    break;
  case SPH_NORM_SYMLOG: {
    if (!(vmax > vmin))
      return 0.0;
    double lt, ls;
    symlog_params(s, &lt, &ls);
    double v = value < vmin ? vmin : value > vmax ? vmax : value;
    double t0 = symlog_forward(vmin, lt, ls), t1 = symlog_forward(vmax, lt, ls);
    return clamp01((symlog_forward(v, lt, ls) - t0) / (t1 - t0));
  }
  default:
    break;
  }
  /* matplotlib's Normalize maps everything to 0 when the range is empty. */
  return vmax > vmin ? clamp01((value - vmin) / (vmax - vmin)) : 0.0;
}

double sph_color_scale_value(const SphColorScale *s, double t)
{
  double vmin = s->vmin, vmax = s->vmax;
  t = clamp01(t);
  switch (s->norm) {
  case SPH_NORM_LOG:
    if (vmin > 0.0 && vmax > vmin)
      return vmin * pow(vmax / vmin, t);
    return vmin;
  case SPH_NORM_HIST:
    if (s->histeq != NULL)
      return sph_histeq_inverse(s->histeq, t);
    break;
  case SPH_NORM_SYMLOG: {
    double lt, ls;
    symlog_params(s, &lt, &ls);
    double t0 = symlog_forward(vmin, lt, ls), t1 = symlog_forward(vmax, lt, ls);
    return symlog_inverse(t0 + t * (t1 - t0), lt, ls);
  }
  default:
    break;
  }
  return vmin + t * (vmax - vmin);
}

/* The smallest 1-2-5 step that spans [lo, hi] in at most five intervals between
 * multiples of it (matplotlib's MaxNLocator(nbins=5, steps=[1, 2, 5, 10])). */
static double nice_step(double lo, double hi)
{
  double p = pow(10.0, floor(log10((hi - lo) / 5.0)));
  static const double mult[] = { 1.0, 2.0, 5.0, 10.0, 20.0 };
  for (int m = 0; m < 5; m++)
    if (ceil(hi / (mult[m] * p)) - floor(lo / (mult[m] * p)) <= 5.0)
      return mult[m] * p;
  return 50.0 * p;
}

static int linear_ticks(double lo, double hi, double *ticks, int max)
{
  double step = nice_step(lo, hi);
  int n = 0;
  for (double k = floor(lo / step); k * step < hi && n < max; k++) {
    double v = k * step;
    if (v <= lo)
      continue;
    ticks[n++] = fabs(v) < 1e-9 * step ? 0.0 : v;
  }
  return n;
}

/* Decades inside (lo, hi); with fewer than two, the 2s and 5s of each decade as well
 * (matplotlib's LogLocator labels those too over a short span). */
static int log_ticks(double lo, double hi, double *ticks, int max)
{
  int decades = 0;
  for (double e = ceil(log10(lo)); e <= floor(log10(hi)); e++)
    decades += pow(10.0, e) > lo && pow(10.0, e) < hi;
  /* Every stride-th decade when there are too many to label (LogLocator's numdecs). */
  int stride = decades > 8 ? (decades + 7) / 8 : 1;
  static const double mult[] = { 1.0, 2.0, 5.0 };
  int n = 0;
  for (double e = floor(log10(lo)); e <= floor(log10(hi)) && n < max; e++) {
    if (stride > 1 && fmod(e, stride) != 0.0)
      continue;
    for (int m = 0; m < (decades >= 2 ? 1 : 3) && n < max; m++) {
      double v = mult[m] * pow(10.0, e);
      if (v > lo && v < hi)
        ticks[n++] = v;
    }
  }
  return n;
}

/* Zero and the decades from the linear threshold out, on each side (matplotlib's
 * SymmetricalLogLocator), every stride-th decade when there are many. */
static int symlog_ticks(double lo, double hi, double linthresh, double *ticks, int max)
{
  double top = fmax(fabs(lo), fabs(hi));
  double e0 = floor(log10(linthresh)), e1 = floor(log10(top));
  int stride = e1 - e0 + 1.0 > 5.0 ? (int)ceil((e1 - e0 + 1.0) / 5.0) : 1;
  int n = 0;
  for (double e = e1; e >= e0 && n < max; e--)
    if (fmod(e - e0, stride) == 0.0 && -pow(10.0, e) > lo)
      ticks[n++] = -pow(10.0, e);
  if (lo < 0.0 && hi > 0.0 && n < max)
    ticks[n++] = 0.0;
  for (double e = e0; e <= e1 && n < max; e++)
    if (fmod(e - e0, stride) == 0.0 && pow(10.0, e) < hi && pow(10.0, e) > lo)
      ticks[n++] = pow(10.0, e);
  return n;
}

int sph_color_scale_ticks(const SphColorScale *scale, double *ticks, int max)
{
  double lo = scale->vmin, hi = scale->vmax;
  if (max <= 0 || !(hi > lo) || !isfinite(lo) || !isfinite(hi))
    return 0;
  if (scale->norm == SPH_NORM_LOG && lo > 0.0)
    return log_ticks(lo, hi, ticks, max);
  if (scale->norm == SPH_NORM_SYMLOG) {
    double lt, ls;
    symlog_params(scale, &lt, &ls);
    return symlog_ticks(lo, hi, lt, ticks, max);
  }
  /* Linear, and hist: round values, placed where the curve puts them. */
  return linear_ticks(lo, hi, ticks, max);
}

void sph_color_scale_rgb(const SphColorScale *scale, double value, uint8_t rgb[3])
{
  double t = sph_color_scale_position(scale, value);
  if (isnan(t)) {
    rgb[0] = SPH_BAD_R;
    rgb[1] = SPH_BAD_G;
    rgb[2] = SPH_BAD_B;
    return;
  }
  const uint8_t *entry = sph_colormap_table(scale->cmap);
  if (entry == NULL)
    entry = sph_colormap_table(SPH_CMAP_VIRIDIS);
  entry += 3 * sph_colormap_index(t);
  rgb[0] = entry[0];
  rgb[1] = entry[1];
  rgb[2] = entry[2];
}

/* ---- ranges ---- */

bool sph_data_range(const double *values, size_t n, bool positive_only, double *lo, double *hi)
{
  double mn = INFINITY, mx = -INFINITY;
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    double v = values[i];
    if (isnan(v) || sph_hp_is_unseen(v) || (positive_only && !(v > 0.0)))
      continue;
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
    any = true;
  }
  if (any) {
    *lo = mn;
    *hi = mx;
  }
  return any;
}

static void swap(double *a, double *b)
{
  double t = *a;
  *a = *b;
  *b = t;
}

static int compare_doubles(const void *pa, const void *pb)
{
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

/* Rearranges a[0..n-1] so that a[k] is the k-th smallest, everything before it <= it and
 * everything after it >= it (quickselect with a median-of-three pivot; after too many
 * rounds, a sort of what is left bounds the worst case). */
static void select_kth(double *a, size_t n, size_t k, const SphJob *job)
{
  ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
  int rounds = 0;
  while (hi > lo) {
    if (sph_job_is_cancelled(job))
      return;
    if (++rounds > 64) {
      qsort(a + lo, (size_t)(hi - lo + 1), sizeof *a, compare_doubles);
      return;
    }
    ptrdiff_t mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo])
      swap(&a[mid], &a[lo]);
    if (a[hi] < a[lo])
      swap(&a[hi], &a[lo]);
    if (a[hi] < a[mid])
      swap(&a[hi], &a[mid]);
    double pivot = a[mid];
    /* Hoare partition around the pivot value; a[lo] <= pivot <= a[hi] stop the scans. */
    ptrdiff_t i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot)
        i++;
      while (a[j] > pivot)
        j--;
      if (i <= j) {
        swap(&a[i], &a[j]);
        i++;
        j--;
      }
    }
    /* Now a[lo..j] <= pivot <= a[i..hi], and anything between equals the pivot. */
    if (kk <= j)
      hi = j;
    else if (kk >= i)
      lo = i;
    else
      return;
  }
}

/* The smallest of a[0..n-1]. */
static double min_of(const double *a, size_t n)
{
  double m = a[0];
  for (size_t i = 1; i < n; i++)
    m = a[i] < m ? a[i] : m;
  return m;
}

/* numpy's linear percentile of the seen values in a (n of them, rearranged), given that
 * a[0..from-1] are already no larger than anything after them. */
static double percentile_of(double *a, size_t n, double p, size_t from, const SphJob *job)
{
  double q = p / 100.0;
  double h = (double)(n - 1) * q;
  double fl = floor(h);
  size_t below = (size_t)fl;
  if (below > n - 1)
    below = n - 1;
  size_t above = below + 1 < n ? below + 1 : n - 1;
  select_kth(a + from, n - from, below - from, job);
  double prev = a[below];
  /* After selection the next order statistic is the smallest of what follows. */
  double next = above == below ? prev : min_of(a + below + 1, n - below - 1);
  double gamma = h - fl;
  /* numpy's _lerp, with its two branches. */
  double diff = next - prev;
  return gamma >= 0.5 ? next - diff * (1.0 - gamma) : prev + diff * gamma;
}

SphStatus sph_percentile_range(const double *values, size_t n, double p_lo, double p_hi,
                               double *lo, double *hi, SphError *err)
{
  return sph_percentile_range_job(values, n, p_lo, p_hi, NULL, lo, hi, err);
}

/* How many values pass between two looks at the job: a few milliseconds of work. */
#define PERCENTILE_CANCEL_STRIDE ((size_t)1 << 20)

SphStatus sph_percentile_range_job(const double *values, size_t n, double p_lo, double p_hi,
                                   SphJob *job, double *lo, double *hi, SphError *err)
{
  if (!(p_lo >= 0.0 && p_lo <= 100.0) || !(p_hi >= 0.0 && p_hi <= 100.0))
    return sph_error_set(err, SPH_ERR_INVALID, "percentiles %g and %g are not in [0, 100]",
                         p_lo, p_hi);
  size_t nseen = 0;
  for (size_t start = 0; start < n; start += PERCENTILE_CANCEL_STRIDE) {
    if (sph_job_is_cancelled(job))
      return sph_error_set(err, SPH_ERR_CANCELLED, "percentile range cancelled");
    size_t end = n - start > PERCENTILE_CANCEL_STRIDE ? start + PERCENTILE_CANCEL_STRIDE : n;
    for (size_t i = start; i < end; i++)
      nseen += !isnan(values[i]) && !sph_hp_is_unseen(values[i]);
  }
  if (nseen == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "no seen pixel to take percentiles of");
  double *a = sph_alloc_aligned(nseen, sizeof(double), err);
  if (a == NULL)
    return err != NULL ? err->code : SPH_ERR_NOMEM;
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(values[i]) && !sph_hp_is_unseen(values[i]))
      a[m++] = values[i];
  sph_job_set_progress(job, 0.25, "percentile range");

  /* The lower percentile first; the upper one then only searches what lies above it. */
  bool ordered = p_lo <= p_hi;
  double first = ordered ? p_lo : p_hi, second = ordered ? p_hi : p_lo;
  double v1 = percentile_of(a, nseen, first, 0, job);
  sph_job_set_progress(job, 0.6, NULL);
  size_t from = (size_t)floor((double)(nseen - 1) * (first / 100.0));
  if (from > nseen - 1)
    from = nseen - 1;
  double v2 = percentile_of(a, nseen, second, from, job);
  sph_free_aligned(a);
  /* A selection cut short leaves no order statistic: report the cancellation instead. */
  if (sph_job_is_cancelled(job))
    return sph_error_set(err, SPH_ERR_CANCELLED, "percentile range cancelled");
  sph_job_set_progress(job, 1.0, NULL);
  *lo = ordered ? v1 : v2;
  *hi = ordered ? v2 : v1;
  return SPH_OK;
}
