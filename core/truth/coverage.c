/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Expected HPD coverage, TARP and simulation-based calibration of a posterior sampler. */
#include "sphaera/coverage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/mem.h"

void sph_coverage_options_init(SphCoverageOptions *opts)
{
  *opts = (SphCoverageOptions){.tests = 1000, .samples = 999, .levels = 0, .sbc_bins = 20,
                               .seed = 1, .snapshot_every = 0};
}

/* Regularised lower incomplete gamma P(a, x) by its series (x < a + 1). */
static double gamma_p_series(double a, double x)
{
  double term = 1 / a, sum = term;
  for (int n = 1; n < 10000; n++) {
    term *= x / (a + n);
    sum += term;
    if (fabs(term) < fabs(sum) * 1e-16)
      break;
  }
  return sum * exp(-x + a * log(x) - lgamma(a));
}

/* Regularised upper incomplete gamma Q(a, x) by its continued fraction (x >= a + 1),
 * evaluated with the modified Lentz method. */
static double gamma_q_fraction(double a, double x)
{
  const double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 10000; i++) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (fabs(d) < tiny)
      d = tiny;
    c = b + an / c;
    if (fabs(c) < tiny)
      c = tiny;
    d = 1 / d;
    double delta = d * c;
    h *= delta;
    if (fabs(delta - 1) < 1e-16)
      break;
  }
  return exp(-x + a * log(x) - lgamma(a)) * h;
}

double sph_chi2_sf(double chi2, double dof)
{
  if (!(chi2 > 0))
    return 1;
  double a = 0.5 * dof, x = 0.5 * chi2;
  return x < a + 1 ? 1 - gamma_p_series(a, x) : gamma_q_fraction(a, x);
}

void sph_coverage_result_free(SphCoverageResult *r)
{
  if (r == NULL)
    return;
  free(r->credibility);
  free(r->hpd_coverage);
  free(r->tarp_coverage);
  free(r->sbc_histogram);
  free(r->sbc_pvalues);
  free(r);
}

static int compare_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The fraction of sorted[0..n) strictly below each grid point k / levels, 1 at the end. */
static void coverage_curve(const double *sorted, size_t n, size_t levels, double *curve)
{
  size_t below = 0;
  for (size_t k = 0; k < levels; k++) {
    double alpha = (double)k / (double)levels;
    while (below < n && sorted[below] < alpha)
      below++;
    curve[k] = n ? (double)below / (double)n : 0;
  }
  curve[levels] = 1;
}

static double max_deviation(const double *curve, size_t levels)
{
  double worst = 0;
  for (size_t k = 0; k <= levels; k++)
    worst = fmax(worst, fabs(curve[k] - (double)k / (double)levels));
  return worst;
}

/* The summary of the first `done` tests. */
static SphCoverageResult *summarise(const double *hpd, const double *tarp, const size_t *ranks,
                                    size_t done, size_t dim, size_t samples, size_t levels,
                                    size_t bins, SphError *err)
{
  SphCoverageResult *r = calloc(1, sizeof *r);
  double *sorted = malloc((done ? done : 1) * sizeof *sorted);
  if (r != NULL) {
    r->credibility = malloc((levels + 1) * sizeof(double));
    r->hpd_coverage = malloc((levels + 1) * sizeof(double));
    r->tarp_coverage = malloc((levels + 1) * sizeof(double));
    r->sbc_histogram = calloc(dim * bins, sizeof(size_t));
    r->sbc_pvalues = malloc(dim * sizeof(double));
  }
  if (r == NULL || sorted == NULL || r->credibility == NULL || r->hpd_coverage == NULL ||
      r->tarp_coverage == NULL || r->sbc_histogram == NULL || r->sbc_pvalues == NULL) {
    sph_coverage_result_free(r);
    free(sorted);
    sph_error_set(err, SPH_ERR_NOMEM, "coverage: out of memory summarising %zu tests", done);
    return NULL;
  }
  r->tests = done;
  r->dim = dim;
  r->levels = levels;
  r->sbc_bins = bins;
  for (size_t k = 0; k <= levels; k++)
    r->credibility[k] = (double)k / (double)levels;
  memcpy(sorted, hpd, done * sizeof *sorted);
  qsort(sorted, done, sizeof *sorted, compare_double);
  coverage_curve(sorted, done, levels, r->hpd_coverage);
  memcpy(sorted, tarp, done * sizeof *sorted);
  qsort(sorted, done, sizeof *sorted, compare_double);
  coverage_curve(sorted, done, levels, r->tarp_coverage);
  free(sorted);
  r->hpd_max_deviation = max_deviation(r->hpd_coverage, levels);
  r->tarp_max_deviation = max_deviation(r->tarp_coverage, levels);
  double atc = 0;
  for (size_t k = 0; k < levels; k++) {
    double a0 = r->credibility[k], a1 = r->credibility[k + 1];
    if (a0 < 0.5)
      continue;
    atc += 0.5 * (a1 - a0) * (r->tarp_coverage[k] - a0 + r->tarp_coverage[k + 1] - a1);
  }
  r->tarp_atc = atc;
  /* Ranks 0..samples fall in bins of (samples + 1) / bins ranks each. */
  for (size_t t = 0; t < done; t++)
    for (size_t i = 0; i < dim; i++) {
      size_t b = ranks[t * dim + i] * bins / (samples + 1);
      r->sbc_histogram[i * bins + b]++;
    }
  double pmin = 1;
  for (size_t i = 0; i < dim; i++) {
    double expect = (double)done / (double)bins, chi2 = 0;
    for (size_t b = 0; b < bins; b++) {
      double d = (double)r->sbc_histogram[i * bins + b] - expect;
      chi2 += expect > 0 ? d * d / expect : 0;
    }
    r->sbc_pvalues[i] = done ? sph_chi2_sf(chi2, (double)(bins - 1)) : 1;
    pmin = fmin(pmin, r->sbc_pvalues[i]);
  }
  r->sbc_pvalue = fmin(1, pmin * (double)dim);
  return r;
}

static void free_result_snapshot(void *data)
{
  sph_coverage_result_free(data);
}

SphStatus sph_coverage_run(const SphSimulationProblem *problem, const SphCoverageOptions *opts,
                           SphJob *job, SphCoverageResult **out, SphError *err)
{
  *out = NULL;
  SphCoverageOptions defaults;
  sph_coverage_options_init(&defaults);
  if (opts == NULL)
    opts = &defaults;
  size_t n = opts->tests, dim = problem->dim, ns = opts->samples, bins = opts->sbc_bins;
  size_t levels = opts->levels ? opts->levels : n / 10;
  if (n < 1 || ns < 1 || dim < 1 || bins < 2 || bins > ns + 1 || levels < 2)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "coverage: needs tests >= 1, samples >= 1, a dimension, 2..samples+1 "
                         "SBC bins and at least 2 credibility levels (got %zu tests, %zu "
                         "samples, dim %zu, %zu bins, %zu levels; with the default levels "
                         "= tests / 10 use at least 20 tests)", n, ns, dim, bins, levels);
  for (size_t i = 0; i < dim; i++)
    if (!(problem->upper[i] > problem->lower[i]))
      return sph_error_set(err, SPH_ERR_INVALID,
                           "coverage: the prior box has zero width in coordinate %zu", i);
  size_t every = opts->snapshot_every ? opts->snapshot_every : (n >= 20 ? n / 20 : 1);
  double *hpd = sph_alloc_aligned(n, sizeof(double), err);
  double *tarp = hpd ? sph_alloc_aligned(n, sizeof(double), err) : NULL;
  size_t *ranks = tarp ? sph_alloc_aligned(n * dim, sizeof(size_t), err) : NULL;
  double *draws = ranks ? sph_alloc_aligned(ns * dim, sizeof(double), err) : NULL;
  double *work = draws ? sph_alloc_aligned(3 * dim + problem->data_dim, sizeof(double), err)
                       : NULL;
  SphStatus st = SPH_OK;
  if (work == NULL) {
    st = err ? err->code : SPH_ERR_NOMEM;
    goto done;
  }
  double *theta = work, *ref = work + dim, *x = work + 3 * dim;
  SphRng base;
  sph_rng_init(&base, opts->seed, 0);
  size_t t = 0;
  for (; t < n; t++) {
    if (sph_job_is_cancelled(job)) {
      st = SPH_ERR_CANCELLED;
      break;
    }
    SphRng rng;
    sph_rng_split(&base, t + 1, &rng);
    problem->simulate(problem->user, &rng, theta, x);
    problem->sample_posterior(problem->user, x, &rng, ns, draws);
    for (size_t i = 0; i < dim; i++)
      ref[i] = problem->lower[i] + (problem->upper[i] - problem->lower[i]) * sph_rng_uniform(&rng);
    double lq_true = problem->log_posterior(problem->user, x, theta);
    double d_true = 0;
    for (size_t i = 0; i < dim; i++)
      d_true += (ref[i] - theta[i]) * (ref[i] - theta[i]);
    size_t denser = 0, nearer = 0;
    for (size_t i = 0; i < dim; i++)
      ranks[t * dim + i] = 0;
    for (size_t s = 0; s < ns; s++) {
      const double *y = draws + s * dim;
      denser += problem->log_posterior(problem->user, x, y) > lq_true;
      double d = 0;
      for (size_t i = 0; i < dim; i++) {
        d += (ref[i] - y[i]) * (ref[i] - y[i]);
        ranks[t * dim + i] += y[i] < theta[i];
      }
      nearer += d < d_true;
    }
    hpd[t] = (double)denser / (double)ns;
    tarp[t] = (double)nearer / (double)ns;
    if ((t + 1) % every == 0 && t + 1 < n) {
      sph_job_set_progress(job, (double)(t + 1) / (double)n, "coverage tests");
      if (job != NULL) {
        SphCoverageResult *snap = summarise(hpd, tarp, ranks, t + 1, dim, ns, levels, bins, err);
        if (snap == NULL) {
          st = SPH_ERR_NOMEM;
          goto done;
        }
        sph_job_publish(job, sph_snapshot_new(snap, free_result_snapshot));
      }
    }
  }
  *out = summarise(hpd, tarp, ranks, t, dim, ns, levels, bins, err);
  if (*out == NULL) {
    st = SPH_ERR_NOMEM;
    goto done;
  }
  if (st == SPH_ERR_CANCELLED)
    sph_error_set(err, SPH_ERR_CANCELLED, "coverage: cancelled after %zu of %zu tests", t, n);
  else
    sph_job_set_progress(job, 1, "coverage tests");
done:
  sph_free_aligned(hpd);
  sph_free_aligned(tarp);
  sph_free_aligned(ranks);
  sph_free_aligned(draws);
  sph_free_aligned(work);
  return st;
}
