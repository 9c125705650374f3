/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The Bayesian evidence z = integral of L(theta) pi(theta) d theta of a target, from a
 * chain by the learned harmonic mean estimator (McEwen et al. 2021, arXiv 2111.12720,
 * as the `harmonic` package does it) or by nested sampling (Skilling 2004).
 *
 * Learned harmonic mean. For any normalised density phi inside the posterior,
 *   1/z = E_posterior[ phi(theta) / (L(theta) pi(theta)) ].
 * The walkers are split in two halves: phi is fitted on the first half of the walkers
 * (the training chains) and the expectation is the mean over the second half (the
 * inference chains). phi is the Gaussian N(mean, T x covariance) of the training
 * samples (or a mixture of such Gaussians fitted by expectation-maximisation): the temperature T < 1 multiplies the covariance, so phi is concentrated
 * inside the posterior and the ratio stays bounded. Its error follows harmonic's
 * estimator over chains: with rho_j the mean ratio of inference chain j (n_j samples),
 * rho the mean over all N samples and C chains,
 *   var(rho) = [sum_j n_j (rho_j - rho)^2 / N] / (C - 1),
 * and ln z = -ln rho with error sqrt(var(rho)) / rho. Everything is summed with the
 * largest log ratio factored out, so no exponential overflows.
 *
 * When phi is not inside the posterior (a multimodal posterior, a temperature too
 * large, too few samples) a few samples carry most of the sum and the estimate can be
 * confidently wrong; the result then says so (target_inside false and a warning). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sphaera/chain.h"
#include "sphaera/error.h"
#include "sphaera/job.h"
#include "sphaera/target.h"

/* The covariance factor T of the fitted Gaussian: phi = N(mean, T x covariance). */
#define SPH_HARMONIC_DEFAULT_TEMPERATURE 0.8
/* The largest share of the sum one inference sample may carry before the target is
 * judged to leave the posterior. */
#define SPH_HARMONIC_MAX_WEIGHT_SHARE 0.01

/* How far (in ln) the ratio phi / (L pi) at draws from phi may exceed its largest value
 * over the posterior samples: more means phi puts mass where the posterior has little. */
#define SPH_HARMONIC_MAX_DRAW_EXCESS 4.605170185988091 /* ln 100 */

typedef struct {
  double temperature; /* T in (0, 1]; default SPH_HARMONIC_DEFAULT_TEMPERATURE */
  size_t burn;        /* leading steps left out (warm-up); default 0 */
  /* Gaussians in the fitted mixture (expectation-maximisation, each covariance x T);
   * default 1, the plain Gaussian. More for a multimodal posterior. */
  size_t components;
  /* When not NULL, the target the chain samples: check_draws points drawn from phi are
   * evaluated on it, to see whether phi reaches where the posterior is thin (a check
   * the chain alone cannot make: its samples never go there). */
  const SphTarget *target;
  size_t check_draws; /* default 2000 */
  uint64_t seed;      /* for those draws; default 1 */
} SphHarmonicOptions;

typedef struct {
  double ln_evidence;
  double ln_evidence_err;
  size_t train_samples, infer_samples, infer_chains;
  /* The largest single ratio phi / (L pi) over the inference samples as a share of
   * their sum: about T^(-D/2) / N for a Gaussian posterior, near 1 when phi pokes out. */
  double max_weight_share;
  /* Sample variance of the ratios over their squared mean: (T (2 - T))^(-D/2) - 1 for a
   * Gaussian posterior fitted exactly, finite only when phi has lighter tails than the
   * posterior. */
  double relative_variance;
  /* With a target: the largest ln ratio at draws from phi minus the largest over the
   * inference samples (0 without a target). */
  double draw_excess;
  bool target_inside;
  char warning[256]; /* empty when target_inside */
} SphEvidence;

void sph_harmonic_options_init(SphHarmonicOptions *opts);

/* The learned harmonic mean estimate from chain (its log_prob must be ln L + ln pi,
 * finite for every kept sample, as samplers record). Needs at least 4 walkers (two
 * training and two inference chains) and more kept samples per half than dim. */
SphStatus sph_evidence_harmonic(const SphChain *chain, const SphHarmonicOptions *opts,
                                SphEvidence *out, SphError *err);

/* Nested sampling (Skilling 2004, Bayesian Analysis 1, 833): live points drawn from the
 * prior box; each iteration the lowest-likelihood point is replaced by one drawn from the
 * prior above that likelihood, found by a short random walk from a random live point
 * with steps scaled to the live points' spread. Stops when the live points' largest
 * possible remaining contribution is below stop_ratio of the evidence so far. The
 * error is sqrt(H / N) with H the information (Skilling's estimate). The target's log
 * density is ln L + ln pi with pi the uniform density on its box. */
typedef struct {
  size_t live_points;  /* N; default 400 */
  size_t walk_steps;   /* random-walk steps per replacement; default 25 */
  double stop_ratio;   /* default 1e-4 */
  size_t max_iterations; /* default 200000 */
  uint64_t seed;       /* default 1 */
} SphNestedOptions;

void sph_nested_options_init(SphNestedOptions *opts);

/* Runs nested sampling on target; job (may be NULL) gets progress and cancellation
 * (then SPH_ERR_CANCELLED). out->infer_samples counts the iterations; the harmonic
 * diagnostics are left as for a well-behaved run (target_inside true). */
SphStatus sph_evidence_nested(const SphTarget *target, const SphNestedOptions *opts,
                              SphJob *job, SphEvidence *out, SphError *err);
