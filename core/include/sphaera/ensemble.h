/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The affine-invariant ensemble sampler (Goodman & Weare 2010; Foreman-Mackey et al.
 * 2013) with emcee's moves: the stretch move (StretchMove, a = 2) and the
 * differential-evolution move (DEMove, ter Braak 2006). As in emcee, the walkers are
 * split at random each step into sets (two for the stretch move, three for DE) that are
 * updated in turn, each set moving with proposals built from the others, which keeps
 * detailed balance and lets one set's densities be evaluated in parallel. */

#include <stdint.h>

#include "sphaera/chain.h"
#include "sphaera/error.h"
#include "sphaera/job.h"
#include "sphaera/target.h"

typedef enum {
  SPH_ENSEMBLE_STRETCH, /* emcee.moves.StretchMove */
  SPH_ENSEMBLE_DE,      /* emcee.moves.DEMove */
} SphEnsembleMove;

typedef struct {
  size_t walkers;  /* at least 2 x dim (and 3 for DE); default 32 */
  size_t steps;    /* default 1000 */
  uint64_t seed;   /* default 1 */
  SphEnsembleMove move;
  double stretch_a;  /* stretch scale a > 1; default 2 */
  double de_sigma;   /* DE jitter; default 1e-5 */
  double de_gamma0;  /* DE scale; 0 (default) means 2.38 / sqrt(2 dim) */
  /* Starting positions, walkers x dim; NULL (default) draws each walker as the target's
   * start point plus init_scale x N(0, 1) per coordinate, redrawn until inside the box. */
  const double *initial;
  double init_scale; /* default 0.1 */
  /* Spread one set's density evaluations over OpenMP threads: 1 yes, 0 no, -1 (default)
   * when the target says it is expensive. Results do not depend on it. */
  int parallel;
  /* Seconds between live snapshots (a copy of the chain so far); default 0.25. */
  double snapshot_interval;
} SphEnsembleOptions;

void sph_ensemble_options_init(SphEnsembleOptions *opts);

/* Runs the sampler and returns the chain (steps x walkers x dim, log-densities, names
 * and labels from the target, accepted counts). Through job it reports progress,
 * publishes snapshots whose data is a `const SphChain *` (a copy of the chain so far)
 * and stops on cancellation: it then returns SPH_ERR_CANCELLED with *out still set to a
 * valid chain of the steps completed (free it). On any other failure (bad options, a
 * walker starting where the density is -inf, a NaN density) *out is NULL and err says
 * what happened. The same seed gives the same chain, threads or not. */
SphStatus sph_ensemble_run(const SphTarget *target, const SphEnsembleOptions *opts,
                           SphJob *job, SphChain **out, SphError *err);
