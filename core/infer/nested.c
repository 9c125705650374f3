/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Nested sampling (Skilling 2004) with constrained random-walk replacements. */
#include <math.h>
#include <string.h>

#include "sphaera/evidence.h"
#include "sphaera/mem.h"
#include "sphaera/rng.h"

void sph_nested_options_init(SphNestedOptions *opts)
{
  *opts = (SphNestedOptions){.live_points = 400, .walk_steps = 25, .stop_ratio = 1e-4,
                             .max_iterations = 200000, .seed = 1};
}

static double log_add(double a, double b)
{
  if (a == -INFINITY)
    return b;
  if (b == -INFINITY)
    return a;
  return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

/* Lower Cholesky factor of the live points' covariance, falling back to the diagonal
 * when the points are (numerically) degenerate. */
static void live_proposal(const double *live, size_t n, size_t dim, double *mean, double *chol)
{
  memset(mean, 0, dim * sizeof *mean);
  memset(chol, 0, dim * dim * sizeof *chol);
  for (size_t p = 0; p < n; p++)
    for (size_t i = 0; i < dim; i++)
      mean[i] += live[p * dim + i] / (double)n;
  for (size_t p = 0; p < n; p++)
    for (size_t i = 0; i < dim; i++)
      for (size_t j = 0; j <= i; j++)
        chol[i * dim + j] += (live[p * dim + i] - mean[i]) * (live[p * dim + j] - mean[j]) /
                             (double)(n - 1);
  for (size_t j = 0; j < dim; j++) {
    double d = chol[j * dim + j];
    for (size_t k = 0; k < j; k++)
      d -= chol[j * dim + k] * chol[j * dim + k];
    if (!(d > 1e-300)) {
      for (size_t i = 0; i < dim; i++)
        for (size_t k = 0; k < dim; k++)
          chol[i * dim + k] = i == k ? 1e-3 : 0;
      return;
    }
    d = sqrt(d);
    chol[j * dim + j] = d;
    for (size_t i = j + 1; i < dim; i++) {
      double s = chol[i * dim + j];
      for (size_t k = 0; k < j; k++)
        s -= chol[i * dim + k] * chol[j * dim + k];
      chol[i * dim + j] = s / d;
    }
  }
  for (size_t i = 0; i < dim; i++)
    for (size_t j = i + 1; j < dim; j++)
      chol[i * dim + j] = 0;
}

SphStatus sph_evidence_nested(const SphTarget *target, const SphNestedOptions *opts,
                              SphJob *job, SphEvidence *out, SphError *err)
{
  SphNestedOptions defaults;
  sph_nested_options_init(&defaults);
  if (opts == NULL)
    opts = &defaults;
  memset(out, 0, sizeof *out);
  size_t n = opts->live_points, dim = sph_target_dim(target);
  if (n < 2 || opts->walk_steps == 0 || !(opts->stop_ratio > 0) || opts->max_iterations == 0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "nested sampling: needs at least 2 live points, 1 walk step, a "
                         "positive stop ratio and iterations (got %zu, %zu, %g, %zu)",
                         n, opts->walk_steps, opts->stop_ratio, opts->max_iterations);
  const double *lo = sph_target_lower(target), *hi = sph_target_upper(target);
  double ln_prior = 0;
  for (size_t i = 0; i < dim; i++) {
    if (!(hi[i] > lo[i]))
      return sph_error_set(err, SPH_ERR_INVALID,
                           "nested sampling: the prior box of %s has zero width in %s",
                           sph_target_spec(target), sph_target_name(target, i));
    ln_prior -= log(hi[i] - lo[i]);
  }
  double *live = sph_alloc_aligned(n * dim, sizeof(double), err);
  double *live_ll = live ? sph_alloc_aligned(n, sizeof(double), err) : NULL;
  double *mean = live_ll ? sph_alloc_aligned(dim, sizeof(double), err) : NULL;
  double *chol = mean ? sph_alloc_aligned(dim * dim, sizeof(double), err) : NULL;
  double *trial = chol ? sph_alloc_aligned(2 * dim, sizeof(double), err) : NULL;
  SphStatus st = SPH_OK;
  if (trial == NULL) {
    st = err ? err->code : SPH_ERR_NOMEM;
    goto done;
  }
  double *z = trial + dim;
  SphRng rng;
  sph_rng_init(&rng, opts->seed, 0);
  for (size_t p = 0; p < n; p++) {
    double *x = live + p * dim;
    for (size_t i = 0; i < dim; i++)
      x[i] = lo[i] + (hi[i] - lo[i]) * sph_rng_uniform(&rng);
    double lp;
    st = sph_target_eval(target, x, NULL, &lp, err);
    if (st != SPH_OK)
      goto done;
    live_ll[p] = lp - ln_prior;
  }
  double log_z = -INFINITY, info = 0, scale = 1.0;
  double log_width = log1p(-exp(-1.0 / (double)n)); /* ln(X_0 - X_1), X_i = e^(-i/N) */
  size_t it = 0;
  for (; it < opts->max_iterations; it++) {
    size_t worst = 0;
    double ll_max = live_ll[0];
    for (size_t p = 1; p < n; p++) {
      if (live_ll[p] < live_ll[worst])
        worst = p;
      if (live_ll[p] > ll_max)
        ll_max = live_ll[p];
    }
    double ln_x = -(double)it / (double)n;
    if (it > 0 && ll_max + ln_x < log_z + log(opts->stop_ratio))
      break;
    double ll_star = live_ll[worst];
    double log_wt = ll_star + log_width - (double)it / (double)n;
    double log_z_new = log_add(log_z, log_wt);
    info = exp(log_wt - log_z_new) * ll_star +
           (log_z == -INFINITY ? 0 : exp(log_z - log_z_new) * (info + log_z)) - log_z_new;
    log_z = log_z_new;

    if (it % n == 0) {
      live_proposal(live, n, dim, mean, chol);
      if (sph_job_is_cancelled(job)) {
        st = sph_error_set(err, SPH_ERR_CANCELLED, "nested sampling: cancelled");
        goto done;
      }
      sph_job_set_progress(job, fmin(1, (double)it / (double)(n * (dim * 4 + 10))),
                           "nested sampling");
    }
    /* A random walk from a copy of another live point, staying above ll_star. */
    size_t from = sph_rng_below(&rng, n - 1);
    if (from >= worst)
      from++;
    double *x = live + worst * dim;
    memcpy(x, live + from * dim, dim * sizeof *x);
    double x_ll = live_ll[from];
    size_t accept = 0, reject = 0;
    for (size_t k = 0; k < opts->walk_steps; k++) {
      for (size_t i = 0; i < dim; i++)
        z[i] = sph_rng_normal(&rng);
      bool inside = true;
      for (size_t i = 0; i < dim; i++) {
        double s = 0;
        for (size_t j = 0; j <= i; j++)
          s += chol[i * dim + j] * z[j];
        trial[i] = x[i] + scale * s;
        inside = inside && trial[i] >= lo[i] && trial[i] <= hi[i];
      }
      double lp = -INFINITY;
      if (inside) {
        st = sph_target_eval(target, trial, NULL, &lp, err);
        if (st != SPH_OK)
          goto done;
      }
      if (inside && lp - ln_prior > ll_star) {
        memcpy(x, trial, dim * sizeof *x);
        x_ll = lp - ln_prior;
        accept++;
      } else {
        reject++;
      }
    }
    live_ll[worst] = x_ll;
    /* Keep roughly half the steps accepted (Skilling's adjustment). */
    if (accept > reject)
      scale *= exp(1.0 / (double)accept);
    else if (accept < reject)
      scale /= exp(1.0 / (double)reject);
    scale = fmin(scale, 10.0);
  }
  /* The live points share the remaining prior mass X = e^(-it/N) equally. */
  for (size_t p = 0; p < n; p++) {
    double log_wt = live_ll[p] - (double)it / (double)n - log((double)n);
    double log_z_new = log_add(log_z, log_wt);
    info = exp(log_wt - log_z_new) * live_ll[p] + exp(log_z - log_z_new) * (info + log_z) -
           log_z_new;
    log_z = log_z_new;
  }
  out->ln_evidence = log_z;
  out->ln_evidence_err = sqrt(fmax(info, 0) / (double)n);
  out->infer_samples = it;
  out->target_inside = true;
  sph_job_set_progress(job, 1, "nested sampling");
done:
  sph_free_aligned(live);
  sph_free_aligned(live_ll);
  sph_free_aligned(mean);
  sph_free_aligned(chol);
  sph_free_aligned(trial);
  return st;
}
