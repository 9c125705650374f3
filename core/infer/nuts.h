/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* One No-U-Turn transition (Hoffman & Gelman 2014) in the multinomial form Stan uses
 * (Betancourt 2017, arXiv 1701.02434): identity mass matrix, trajectory doubled in a
 * random direction until the generalised no-U-turn criterion fails on the whole
 * trajectory or on any balanced subtree (with Stan's extra checks across merged
 * subtrees), a subtree that diverges (energy error > 1000) ends it, and the new point is
 * drawn from the trajectory with weights exp(-H), biased towards the newest subtree. */

#include <stdbool.h>
#include <stddef.h>

#include "sphaera/rng.h"
#include "sphaera/target.h"

/* Doubles the work buffer of a transition needs, for dim parameters and trees up to
 * max_depth. */
size_t sph_nuts_work_size(size_t dim, size_t max_depth);

typedef struct {
  double accept_stat; /* mean of min(1, exp(H0 - H)) over the trajectory's new points */
  size_t leapfrog;    /* leapfrog steps taken */
  size_t depth;       /* tree depth reached */
  bool moved;         /* the sample is not the starting point */
  bool divergent;
} SphNutsInfo;

/* Moves (x, grad, lp) (lp finite) by one transition of step eps. Fails only when the
 * target does (a NaN or +inf density), with err set. */
SphStatus sph_nuts_transition(const SphTarget *target, SphRng *rng, double eps,
                              size_t max_depth, double *x, double *grad, double *lp,
                              double *work, SphNutsInfo *info, SphError *err);
