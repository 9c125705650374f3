/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A Gaussian mixture fitted to samples, each covariance multiplied by a temperature:
 * the concentrated target of the learned harmonic mean estimator. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sphaera/chain.h"
#include "sphaera/error.h"
#include "sphaera/rng.h"

typedef struct {
  size_t components, dim;
  double *log_weight;  /* components */
  double *mean;        /* components x dim */
  double *chol;        /* components x dim x dim: lower Cholesky factor of T x covariance */
  double *half_logdet; /* components: sum of ln chol_ii */
  double *work;        /* dim + components scratch values */
} GaussMixture;

/* Fits to steps burn.. of walkers [w0, w1) of chain. One component: the sample mean
 * and covariance (denominator n - 1). More: expectation-maximisation from a k-means
 * start seeded by farthest-point traversal (deterministic). Fails when a covariance is
 * singular. */
SphStatus gauss_mixture_fit(const SphChain *chain, size_t burn, size_t w0, size_t w1,
                            size_t components, double temperature, GaussMixture **out,
                            SphError *err);
void gauss_mixture_free(GaussMixture *m);
/* ln phi(x); uses m->work, so one thread per mixture. */
double gauss_mixture_log_density(GaussMixture *m, const double *x);
/* A draw from phi into x; also returns its ln phi. */
double gauss_mixture_draw(GaussMixture *m, SphRng *rng, double *x);
