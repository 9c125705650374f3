/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Are the posteriors right? Calibration tests of a posterior sampler against a
 * simulator (prior -> theta -> x). Each test pair draws theta from the prior and data x
 * from theta, then asks the sampler for `samples` posterior draws given x, and records:
 *
 *  - HPD: the credibility of the highest-density region whose boundary passes through
 *    the true theta, alpha_i = the fraction of posterior draws denser than theta
 *    (Hermans et al. 2022, arXiv 2110.06581). The expected coverage at credibility c is
 *    the fraction of tests with alpha_i < c; calibrated when it equals c.
 *  - TARP (Lemos et al. 2023, arXiv 2302.03026, as the `tarp` package's
 *    get_tarp_coverage with references="random", metric="euclidean", norm=False): a
 *    reference point drawn uniformly over the prior box, and f_i = the fraction of draws
 *    nearer the reference than theta. The coverage curve is ECP(alpha_k) = the fraction
 *    of tests with f_i < alpha_k on alpha_k = k / levels (numpy's histogram bins, the
 *    last closed, so ECP(1) = 1); `tarp` uses levels = tests / 10. The area summary
 *    ATC (the paper's "area to curve") is the integral of ECP(alpha) - alpha over
 *    alpha in [0.5, 1] (trapezoid rule on the grid; the `tarp` package has no ATC of
 *    its own): about 0 when calibrated, positive when under-confident (too wide),
 *    negative when over-confident.
 *  - SBC (Talts et al. 2018, arXiv 1804.06788): the rank of each coordinate of theta
 *    among the draws (0..samples), histogrammed in `sbc_bins` bins of equal rank range
 *    (samples + 1 should be a multiple of sbc_bins), with Pearson's chi-square test of
 *    uniformity per coordinate; the summary p-value is the smallest coordinate's times
 *    the number of coordinates (Bonferroni), capped at 1.
 *
 * The maximum deviation of a curve is max_k |coverage(alpha_k) - alpha_k|. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sphaera/error.h"
#include "sphaera/job.h"
#include "sphaera/rng.h"

typedef struct {
  size_t dim;      /* parameters */
  size_t data_dim; /* values in one simulated data set x */
  const double *lower, *upper; /* the prior box, where TARP's references are drawn */
  void *user;
  /* Draws theta from the prior and x from theta. */
  void (*simulate)(void *user, SphRng *rng, double *theta, double *x);
  /* n posterior draws given x, n x dim values. */
  void (*sample_posterior)(void *user, const double *x, SphRng *rng, size_t n, double *draws);
  /* The sampler's posterior log-density at theta given x, up to a constant in theta. */
  double (*log_posterior)(void *user, const double *x, const double *theta);
} SphSimulationProblem;

typedef struct {
  size_t tests;    /* test pairs; default 1000 */
  size_t samples;  /* posterior draws per test; default 999 */
  size_t levels;   /* credibility grid steps; 0 (default) means tests / 10, as tarp */
  size_t sbc_bins; /* default 20 */
  uint64_t seed;   /* default 1; test i uses stream i, so results do not depend on timing */
  size_t snapshot_every; /* tests between snapshots; 0 (default) means tests / 20 */
} SphCoverageOptions;

typedef struct {
  size_t tests; /* tests summarised (fewer than asked in a snapshot or a cancelled run) */
  size_t dim, levels, sbc_bins;
  double *credibility;   /* levels + 1 values k / levels */
  double *hpd_coverage;  /* levels + 1 */
  double *tarp_coverage; /* levels + 1 */
  double hpd_max_deviation, tarp_max_deviation, tarp_atc;
  size_t *sbc_histogram; /* dim x sbc_bins */
  double *sbc_pvalues;   /* dim */
  double sbc_pvalue;
} SphCoverageResult;

void sph_coverage_options_init(SphCoverageOptions *opts);

/* Runs the tests. Through job it reports progress, publishes snapshots whose data is a
 * `const SphCoverageResult *` (the curves of the tests so far) and stops when
 * cancelled: it then returns SPH_ERR_CANCELLED with *out the result of the tests
 * completed (free it). On other failures *out is NULL. */
SphStatus sph_coverage_run(const SphSimulationProblem *problem, const SphCoverageOptions *opts,
                           SphJob *job, SphCoverageResult **out, SphError *err);
void sph_coverage_result_free(SphCoverageResult *result);

/* The upper tail probability of the chi-square distribution with dof degrees of
 * freedom: Q(dof / 2, chi2 / 2), the regularised upper incomplete gamma function. */
double sph_chi2_sf(double chi2, double dof);

/* The demo cases: prior theta ~ N(0, I), data x = theta + N(0, I), whose exact
 * conjugate posterior is N(x / 2, I / 2); the sampler draws from it calibrated, with its
 * width x 0.5 (over-confident), x 2 (under-confident), or shifted by +1 sigma in every
 * coordinate (biased). The prior box is [-5, 5]^dim. */
typedef enum {
  SPH_COVERAGE_CALIBRATED,
  SPH_COVERAGE_OVERCONFIDENT,
  SPH_COVERAGE_UNDERCONFIDENT,
  SPH_COVERAGE_BIASED,
} SphCoverageCase;

typedef struct SphGaussianCase SphGaussianCase;

/* "calibrated", "overconfident", "underconfident", "biased". */
SphStatus sph_coverage_case_parse(const char *name, SphCoverageCase *out, SphError *err);
const char *sph_coverage_case_name(SphCoverageCase kind);
SphStatus sph_gaussian_case_new(SphCoverageCase kind, size_t dim, SphGaussianCase **out,
                                SphError *err);
void sph_gaussian_case_free(SphGaussianCase *gc);
const SphSimulationProblem *sph_gaussian_case_problem(const SphGaussianCase *gc);
