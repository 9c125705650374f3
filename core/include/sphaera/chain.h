/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A Markov chain from an ensemble (or several independent chains): samples laid out
 * steps x walkers x dims in C order, as emcee's get_chain() and the .npy export, and
 * the log-density of each sample, steps x walkers. */

#include <stddef.h>

#include "sphaera/error.h"

typedef struct {
  size_t steps;    /* steps recorded so far (a cancelled run keeps what it finished) */
  size_t capacity; /* steps allocated */
  size_t walkers;
  size_t dim;
  double *samples;  /* capacity x walkers x dim */
  double *log_prob; /* capacity x walkers */
  char **names;     /* dim plain names, "x0" ... when none were given */
  char **labels;    /* dim plot labels */
  /* Proposals accepted by each walker over the recorded steps (walkers entries). */
  size_t *accepted;
} SphChain;

/* An empty chain (steps = 0) with room for capacity steps. names and labels may be
 * NULL (then "x0", "x1", ... and "x_{0}", ...); either holds dim strings, copied. */
SphStatus sph_chain_new(size_t capacity, size_t walkers, size_t dim, const char *const *names,
                        const char *const *labels, SphChain **out, SphError *err);
void sph_chain_free(SphChain *chain);

/* A new chain holding the first `steps` recorded steps of chain (all when steps exceeds
 * them), its capacity exactly those steps. */
SphStatus sph_chain_copy(const SphChain *chain, size_t steps, SphChain **out, SphError *err);

/* Makes room for at least `steps` steps, keeping what is recorded. */
SphStatus sph_chain_reserve(SphChain *chain, size_t steps, SphError *err);

/* The sample of walker w at step s: dim values. */
static inline double *sph_chain_sample(const SphChain *chain, size_t step, size_t walker)
{
  return chain->samples + (step * chain->walkers + walker) * chain->dim;
}

/* Accepted proposals over recorded steps, per walker (out: walkers values) and the mean
 * over walkers (returned); 0 for an empty chain. */
double sph_chain_acceptance_fraction(const SphChain *chain, double *per_walker);
