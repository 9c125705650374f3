/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Gaussian mixtures fitted by expectation-maximisation, for the harmonic estimator. */
#include "gauss_mixture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/mem.h"

void gauss_mixture_free(GaussMixture *m)
{
  if (m == NULL)
    return;
  sph_free_aligned(m->log_weight);
  sph_free_aligned(m->mean);
  sph_free_aligned(m->chol);
  sph_free_aligned(m->half_logdet);
  sph_free_aligned(m->work);
  free(m);
}

/* In-place lower Cholesky factor of the n x n symmetric a; false when not positive
 * definite. */
static bool cholesky(double *a, size_t n)
{
  for (size_t j = 0; j < n; j++) {
    double d = a[j * n + j];
    for (size_t k = 0; k < j; k++)
      d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0))
      return false;
    d = sqrt(d);
    a[j * n + j] = d;
    for (size_t i = j + 1; i < n; i++) {
      double s = a[i * n + j];
      for (size_t k = 0; k < j; k++)
        s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / d;
    }
    for (size_t i = 0; i < j; i++)
      a[i * n + j] = 0;
  }
  return true;
}

/* ln N(x; mean, L L^T) of component c. */
static double component_log_density(GaussMixture *m, size_t c, const double *x)
{
  size_t dim = m->dim;
  const double *mean = m->mean + c * dim, *chol = m->chol + c * dim * dim;
  double q = 0, *z = m->work;
  for (size_t i = 0; i < dim; i++) {
    double s = x[i] - mean[i];
    for (size_t k = 0; k < i; k++)
      s -= chol[i * dim + k] * z[k];
    z[i] = s / chol[i * dim + i];
    q += z[i] * z[i];
  }
  return -0.5 * q - m->half_logdet[c] - 0.5 * (double)dim * log(2 * M_PI);
}

double gauss_mixture_log_density(GaussMixture *m, const double *x)
{
  if (m->components == 1)
    return component_log_density(m, 0, x);
  double *lc = m->work + m->dim, top = -INFINITY;
  for (size_t c = 0; c < m->components; c++) {
    lc[c] = m->log_weight[c] + component_log_density(m, c, x);
    top = fmax(top, lc[c]);
  }
  double sum = 0;
  for (size_t c = 0; c < m->components; c++)
    sum += exp(lc[c] - top);
  return top + log(sum);
}

double gauss_mixture_draw(GaussMixture *m, SphRng *rng, double *x)
{
  size_t dim = m->dim, c = 0;
  double u = sph_rng_uniform(rng), acc = 0;
  for (c = 0; c + 1 < m->components; c++) {
    acc += exp(m->log_weight[c]);
    if (u < acc)
      break;
  }
  const double *mean = m->mean + c * dim, *chol = m->chol + c * dim * dim;
  double *z = m->work;
  for (size_t i = 0; i < dim; i++)
    z[i] = sph_rng_normal(rng);
  for (size_t i = dim; i-- > 0;) {
    double s = mean[i];
    for (size_t j = 0; j <= i; j++)
      s += chol[i * dim + j] * z[j];
    x[i] = s;
  }
  return gauss_mixture_log_density(m, x);
}

/* Copies the training samples into one n x dim array. */
static double *gather(const SphChain *chain, size_t burn, size_t w0, size_t w1, size_t *n,
                      SphError *err)
{
  size_t dim = chain->dim;
  *n = (chain->steps - burn) * (w1 - w0);
  double *x = sph_alloc_aligned(*n * dim, sizeof(double), err);
  if (x == NULL)
    return NULL;
  size_t k = 0;
  for (size_t s = burn; s < chain->steps; s++)
    for (size_t w = w0; w < w1; w++, k++)
      memcpy(x + k * dim, sph_chain_sample(chain, s, w), dim * sizeof(double));
  return x;
}

static double dist2(const double *a, const double *b, size_t dim)
{
  double d = 0;
  for (size_t i = 0; i < dim; i++)
    d += (a[i] - b[i]) * (a[i] - b[i]);
  return d;
}

/* Weighted mean and covariance (resp[i * stride] weights, sum wsum, covariance divided
 * by denom) of the n samples into mean and cov. */
static void moments(const double *x, size_t n, size_t dim, const double *resp, size_t stride,
                    double wsum, double denom, double *mean, double *cov)
{
  memset(mean, 0, dim * sizeof *mean);
  memset(cov, 0, dim * dim * sizeof *cov);
  for (size_t p = 0; p < n; p++) {
    double w = resp ? resp[p * stride] : 1;
    for (size_t i = 0; i < dim; i++)
      mean[i] += w * x[p * dim + i];
  }
  for (size_t i = 0; i < dim; i++)
    mean[i] /= wsum;
  for (size_t p = 0; p < n; p++) {
    double w = resp ? resp[p * stride] : 1;
    const double *y = x + p * dim;
    for (size_t i = 0; i < dim; i++)
      for (size_t j = 0; j <= i; j++)
        cov[i * dim + j] += w * (y[i] - mean[i]) * (y[j] - mean[j]);
  }
  for (size_t i = 0; i < dim; i++)
    for (size_t j = 0; j <= i; j++) {
      cov[i * dim + j] /= denom;
      cov[j * dim + i] = cov[i * dim + j];
    }
}

/* The temperature-scaled Cholesky factors from the covariances in m->chol. */
static bool finish(GaussMixture *m, double temperature)
{
  size_t dim = m->dim;
  for (size_t c = 0; c < m->components; c++) {
    double *a = m->chol + c * dim * dim;
    for (size_t i = 0; i < dim * dim; i++)
      a[i] *= temperature;
    if (!cholesky(a, dim))
      return false;
    m->half_logdet[c] = 0;
    for (size_t i = 0; i < dim; i++)
      m->half_logdet[c] += log(a[i * dim + i]);
  }
  return true;
}

SphStatus gauss_mixture_fit(const SphChain *chain, size_t burn, size_t w0, size_t w1,
                            size_t components, double temperature, GaussMixture **out,
                            SphError *err)
{
  *out = NULL;
  size_t dim = chain->dim, kc = components, n = 0;
  GaussMixture *m = calloc(1, sizeof *m);
  if (m == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "harmonic evidence: out of memory");
  m->components = kc;
  m->dim = dim;
  m->log_weight = sph_alloc_aligned(kc, sizeof(double), err);
  m->mean = sph_alloc_aligned(kc * dim, sizeof(double), err);
  m->chol = sph_alloc_aligned(kc * dim * dim, sizeof(double), err);
  m->half_logdet = sph_alloc_aligned(kc, sizeof(double), err);
  m->work = sph_alloc_aligned(dim + kc, sizeof(double), err);
  double *x = NULL, *resp = NULL;
  SphStatus st = SPH_OK;
  if (m->log_weight == NULL || m->mean == NULL || m->chol == NULL || m->half_logdet == NULL ||
      m->work == NULL || (x = gather(chain, burn, w0, w1, &n, err)) == NULL) {
    st = err ? err->code : SPH_ERR_NOMEM;
    goto fail;
  }
  if (n <= dim * kc) {
    st = sph_error_set(err, SPH_ERR_INVALID,
                       "harmonic evidence: %zu training samples cannot fit %zu Gaussian(s) in "
                       "%zu dimensions; run the sampler longer", n, kc, dim);
    goto fail;
  }
  if (kc == 1) {
    m->log_weight[0] = 0;
    moments(x, n, dim, NULL, 0, (double)n, (double)(n - 1), m->mean, m->chol);
  } else {
    resp = sph_alloc_aligned(n * kc, sizeof(double), err);
    if (resp == NULL) {
      st = err ? err->code : SPH_ERR_NOMEM;
      goto fail;
    }
    /* Farthest-point start, then k-means. */
    memcpy(m->mean, x, dim * sizeof(double));
    for (size_t c = 1; c < kc; c++) {
      size_t best = 0;
      double best_d = -1;
      for (size_t p = 0; p < n; p++) {
        double d = INFINITY;
        for (size_t j = 0; j < c; j++)
          d = fmin(d, dist2(x + p * dim, m->mean + j * dim, dim));
        if (d > best_d) {
          best_d = d;
          best = p;
        }
      }
      memcpy(m->mean + c * dim, x + best * dim, dim * sizeof(double));
    }
    for (int iter = 0; iter < 20; iter++) {
      memset(resp, 0, n * kc * sizeof *resp);
      for (size_t p = 0; p < n; p++) {
        size_t best = 0;
        for (size_t c = 1; c < kc; c++)
          if (dist2(x + p * dim, m->mean + c * dim, dim) <
              dist2(x + p * dim, m->mean + best * dim, dim))
            best = c;
        resp[p * kc + best] = 1;
      }
      for (size_t c = 0; c < kc; c++) {
        double nk = 0;
        for (size_t p = 0; p < n; p++)
          nk += resp[p * kc + c];
        if (nk > dim)
          moments(x, n, dim, resp + c, kc, nk, nk, m->mean + c * dim, m->chol + c * dim * dim);
      }
    }
    /* Expectation-maximisation from the k-means clusters (hard responsibilities). */
    for (int iter = 0; iter < 100; iter++) {
      for (size_t c = 0; c < kc; c++) {
        double nk = 0, *cov = m->chol + c * dim * dim;
        for (size_t p = 0; p < n; p++)
          nk += resp[p * kc + c];
        if (!(nk > dim)) {
          st = sph_error_set(err, SPH_ERR_INVALID,
                             "harmonic evidence: a component of the %zu-Gaussian mixture "
                             "holds too few samples; use fewer components", kc);
          goto fail;
        }
        moments(x, n, dim, resp + c, kc, nk, nk, m->mean + c * dim, cov);
        double trace = 0;
        for (size_t i = 0; i < dim; i++)
          trace += cov[i * dim + i];
        for (size_t i = 0; i < dim; i++)
          cov[i * dim + i] += 1e-10 * trace / (double)dim;
        m->log_weight[c] = log(nk / (double)n);
      }
      if (!finish(m, 1.0))
        break; /* reported below */
      for (size_t p = 0; p < n; p++) {
        double top = -INFINITY;
        for (size_t c = 0; c < kc; c++) {
          resp[p * kc + c] = m->log_weight[c] + component_log_density(m, c, x + p * dim);
          top = fmax(top, resp[p * kc + c]);
        }
        double sum = 0;
        for (size_t c = 0; c < kc; c++)
          sum += (resp[p * kc + c] = exp(resp[p * kc + c] - top));
        for (size_t c = 0; c < kc; c++)
          resp[p * kc + c] /= sum;
      }
    }
    /* The final M step leaves covariances (not factors) in m->chol. */
    for (size_t c = 0; c < kc; c++) {
      double nk = 0;
      for (size_t p = 0; p < n; p++)
        nk += resp[p * kc + c];
      if (!(nk > dim)) {
        st = sph_error_set(err, SPH_ERR_INVALID,
                           "harmonic evidence: a component of the %zu-Gaussian mixture holds "
                           "too few samples; use fewer components", kc);
        goto fail;
      }
      moments(x, n, dim, resp + c, kc, nk, nk, m->mean + c * dim, m->chol + c * dim * dim);
      m->log_weight[c] = log(nk / (double)n);
    }
  }
  if (!finish(m, temperature)) {
    st = sph_error_set(err, SPH_ERR_INVALID,
                       "harmonic evidence: the training samples' covariance is singular (a "
                       "parameter that never moves?); the chain cannot fit a Gaussian target");
    goto fail;
  }
  sph_free_aligned(x);
  sph_free_aligned(resp);
  *out = m;
  return SPH_OK;
fail:
  sph_free_aligned(x);
  sph_free_aligned(resp);
  gauss_mixture_free(m);
  return st;
}
