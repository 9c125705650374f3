/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The conjugate Gaussian demo problems for the calibration tests, calibrated and broken. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/coverage.h"

struct SphGaussianCase {
  SphSimulationProblem problem;
  SphCoverageCase kind;
  double width; /* posterior sigma multiplier */
  double shift; /* posterior mean shift in sigmas */
  double *lower, *upper;
};

/* Prior N(0, 1), noise N(0, 1): the posterior of each coordinate is N(x / 2, 1 / 2). */
static const double posterior_sigma = 0.70710678118654752440;

static void simulate(void *user, SphRng *rng, double *theta, double *x)
{
  const SphGaussianCase *gc = user;
  for (size_t i = 0; i < gc->problem.dim; i++) {
    theta[i] = sph_rng_normal(rng);
    x[i] = theta[i] + sph_rng_normal(rng);
  }
}

static void sample_posterior(void *user, const double *x, SphRng *rng, size_t n, double *draws)
{
  const SphGaussianCase *gc = user;
  size_t dim = gc->problem.dim;
  double sigma = gc->width * posterior_sigma;
  for (size_t s = 0; s < n; s++)
    for (size_t i = 0; i < dim; i++)
      draws[s * dim + i] = 0.5 * x[i] + gc->shift * posterior_sigma + sigma * sph_rng_normal(rng);
}

static double log_posterior(void *user, const double *x, const double *theta)
{
  const SphGaussianCase *gc = user;
  double sigma = gc->width * posterior_sigma, q = 0;
  for (size_t i = 0; i < gc->problem.dim; i++) {
    double z = (theta[i] - 0.5 * x[i] - gc->shift * posterior_sigma) / sigma;
    q += z * z;
  }
  return -0.5 * q;
}

static const char *const case_names[] = {"calibrated", "overconfident", "underconfident",
                                         "biased"};

SphStatus sph_coverage_case_parse(const char *name, SphCoverageCase *out, SphError *err)
{
  for (int k = 0; k < 4; k++)
    if (strcmp(name, case_names[k]) == 0) {
      *out = (SphCoverageCase)k;
      return SPH_OK;
    }
  return sph_error_set(err, SPH_ERR_INVALID,
                       "unknown coverage case '%s' (use calibrated, overconfident, "
                       "underconfident or biased)", name);
}

const char *sph_coverage_case_name(SphCoverageCase kind)
{
  return (unsigned)kind < 4 ? case_names[kind] : "unknown";
}

SphStatus sph_gaussian_case_new(SphCoverageCase kind, size_t dim, SphGaussianCase **out,
                                SphError *err)
{
  *out = NULL;
  if ((unsigned)kind >= 4 || dim < 1 || dim > 1000)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "coverage case: dimension %zu is not in 1..1000 (or unknown case)",
                         dim);
  SphGaussianCase *gc = calloc(1, sizeof *gc);
  if (gc == NULL || (gc->lower = malloc(dim * sizeof(double))) == NULL ||
      (gc->upper = malloc(dim * sizeof(double))) == NULL) {
    sph_gaussian_case_free(gc);
    return sph_error_set(err, SPH_ERR_NOMEM, "coverage case: out of memory");
  }
  for (size_t i = 0; i < dim; i++) {
    gc->lower[i] = -5;
    gc->upper[i] = 5;
  }
  gc->kind = kind;
  gc->width = kind == SPH_COVERAGE_OVERCONFIDENT ? 0.5 : kind == SPH_COVERAGE_UNDERCONFIDENT ? 2 : 1;
  gc->shift = kind == SPH_COVERAGE_BIASED ? 1 : 0;
  gc->problem = (SphSimulationProblem){.dim = dim, .data_dim = dim, .lower = gc->lower,
                                       .upper = gc->upper, .user = gc, .simulate = simulate,
                                       .sample_posterior = sample_posterior,
                                       .log_posterior = log_posterior};
  *out = gc;
  return SPH_OK;
}

void sph_gaussian_case_free(SphGaussianCase *gc)
{
  if (gc == NULL)
    return;
  free(gc->lower);
  free(gc->upper);
  free(gc);
}

const SphSimulationProblem *sph_gaussian_case_problem(const SphGaussianCase *gc)
{
  return &gc->problem;
}
