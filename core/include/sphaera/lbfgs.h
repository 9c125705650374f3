/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "sphaera/autodiff.h"
#include "sphaera/job.h"

/* Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4 and
 * 7.5) for full-batch losses: the loss of all the data at once, deterministic, as a
 * PINN's residual on fixed collocation points. Each iteration takes the two-loop
 * quasi-Newton direction from the last `history` steps and a line search along it:
 * the strong Wolfe conditions (Alg. 3.5 and 3.6, cubic interpolation in the zoom) or
 * backtracking until the Armijo condition holds. The parameters' values are worked on in
 * float64 whatever their dtype. */

typedef enum { SPH_LINE_SEARCH_STRONG_WOLFE = 0, SPH_LINE_SEARCH_BACKTRACKING } SphLineSearch;

typedef struct {
  size_t history;            /* correction pairs kept (default 10) */
  size_t max_iterations;     /* default 500 */
  double gradient_tolerance; /* stop when max |g_i| <= this (default 1e-10) */
  double change_tolerance;   /* stop when |f_k - f_k+1| <= this (1 + |f_k|) (default 1e-15) */
  SphLineSearch line_search;
  double c1, c2;             /* sufficient decrease and curvature constants (1e-4, 0.9) */
  size_t max_evaluations;    /* per line search (default 25) */
} SphLbfgsConfig;

SphLbfgsConfig sph_lbfgs_defaults(void);

typedef enum {
  SPH_LBFGS_GRADIENT = 0, /* the gradient tolerance was met */
  SPH_LBFGS_CHANGE,       /* the loss stopped changing */
  SPH_LBFGS_ITERATIONS,   /* max_iterations reached */
  SPH_LBFGS_LINE_SEARCH   /* no step along the direction lowered the loss (rounding floor) */
} SphLbfgsStop;

typedef struct {
  size_t iterations, evaluations;
  double loss, gradient_max;
  SphLbfgsStop stop;
} SphLbfgsResult;

/* The snapshot an L-BFGS job publishes every iteration: the loss after each one. */
typedef struct {
  size_t n, planned;
  double loss[];
} SphLossCurve;

/* Minimises fn (a one-element loss built on the tape from params) over params, leaving
 * them at the best point found. A non-finite loss or gradient at the start is
 * SPH_ERR_INVALID; inside a line search it counts as too long a step. Cancel is checked
 * between iterations (SPH_ERR_CANCELLED, the parameters at the last iterate). result
 * (may be NULL) says how it ended. */
SphStatus sph_lbfgs_minimize(const SphLbfgsConfig *config, SphLossFn fn, void *ctx,
                             SphVar *const *params, size_t nparams, SphJob *job,
                             SphLbfgsResult *result, SphError *err);
