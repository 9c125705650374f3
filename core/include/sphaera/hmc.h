/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Hamiltonian Monte Carlo (Duane et al. 1987; Neal 2011) with an identity mass matrix,
 * a fixed number L of leapfrog steps, and the step size tuned during warm-up by dual
 * averaging (Hoffman & Gelman 2014, JMLR 15, algorithm 5: gamma = 0.05, t0 = 10,
 * kappa = 0.75, mu = ln(10 eps0)) towards a target mean acceptance probability.
 * Several independent chains run side by side; each has its own random stream and its
 * own adapted step size. With algorithm SPH_HMC_NUTS the path length is chosen per
 * transition by the No-U-Turn criterion (see core/infer/nuts.h) and dual averaging
 * drives Stan's accept_stat towards target_accept. */

#include <stdbool.h>
#include <stdint.h>

#include "sphaera/chain.h"
#include "sphaera/error.h"
#include "sphaera/job.h"
#include "sphaera/target.h"

typedef enum {
  SPH_HMC_STATIC = 0, /* L leapfrog steps and a Metropolis test */
  /* the No-U-Turn sampler (Hoffman & Gelman 2014) in Stan's multinomial form with the
   * generalised no-U-turn criterion; leapfrog_steps is unused */
  SPH_HMC_NUTS = 1,
} SphHmcAlgorithm;

typedef struct {
  size_t chains;         /* default 4 */
  size_t steps;          /* transitions kept after warm-up; default 1000 */
  size_t warmup;         /* transitions before, not kept; default 500 */
  double step_size;      /* initial (or, without adaptation, fixed) step; default 0.1 */
  size_t leapfrog_steps; /* L; default 10 */
  bool adapt;            /* dual averaging during warm-up; default true */
  double target_accept;  /* in (0, 1); default 0.8 */
  uint64_t seed;         /* default 1 */
  /* Starting points, chains x dim; NULL draws them as the ensemble sampler does. */
  const double *initial;
  double init_scale;        /* default 0.1 */
  int parallel;             /* chains on OpenMP threads: 1, 0, -1 (default) if expensive */
  double snapshot_interval; /* seconds; default 0.25 */
  SphHmcAlgorithm algorithm; /* default SPH_HMC_STATIC */
  size_t max_tree_depth;     /* NUTS: at most 2^depth leapfrog steps; default 10 */
} SphHmcOptions;

typedef struct {
  double step_size;        /* mean over chains of the step size used after warm-up */
  /* mean of min(1, exp(-dH)) over the kept transitions (NUTS: Stan's accept_stat, the
   * mean over each trajectory's points) */
  double mean_accept_prob;
  double mean_leapfrog;    /* leapfrog steps per kept transition */
  size_t divergences;      /* NUTS: kept transitions ended by an energy error > 1000 */
} SphHmcStats;

void sph_hmc_options_init(SphHmcOptions *opts);

/* Runs the chains and returns them as one SphChain (steps x chains x dim; "walkers"
 * are the chains; accepted counts over the kept steps). stats may be NULL. The target
 * must provide a gradient. Progress, snapshots (`const SphChain *`, the kept steps so
 * far) and cancellation behave as sph_ensemble_run: a cancelled run returns
 * SPH_ERR_CANCELLED with *out a valid chain of the kept steps completed. */
SphStatus sph_hmc_run(const SphTarget *target, const SphHmcOptions *opts, SphJob *job,
                      SphChain **out, SphHmcStats *stats, SphError *err);
