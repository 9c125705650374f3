/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/chain.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sphaera/mem.h"

/* A sampler writes its chain once, front to back: with 4 KiB pages a long chain costs a
 * page fault per 512 values, which in a virtual machine can outweigh the sampling
 * itself. Asking for transparent huge pages on the whole-page interior of a large buffer
 * cuts that by 512; a hint only (ignored where THP is off). */
static void advise_huge_pages(void *buf, size_t bytes)
{
  const size_t huge = (size_t)2 << 20;
  if (buf == NULL || bytes < 2 * huge)
    return;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0)
    return;
  uintptr_t start = ((uintptr_t)buf + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  uintptr_t end = ((uintptr_t)buf + bytes) & ~((uintptr_t)page - 1);
  if (end > start)
    (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}

void sph_chain_free(SphChain *c)
{
  if (c == NULL)
    return;
  for (size_t i = 0; i < c->dim; i++) {
    if (c->names != NULL)
      free(c->names[i]);
    if (c->labels != NULL)
      free(c->labels[i]);
  }
  free(c->names);
  free(c->labels);
  free(c->accepted);
  sph_free_aligned(c->samples);
  sph_free_aligned(c->log_prob);
  free(c);
}

SphStatus sph_chain_new(size_t capacity, size_t walkers, size_t dim, const char *const *names,
                        const char *const *labels, SphChain **out, SphError *err)
{
  *out = NULL;
  if (walkers == 0 || dim == 0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "a chain needs at least one walker and one parameter (got %zu "
                         "walkers, %zu parameters)", walkers, dim);
  if (capacity > SIZE_MAX / walkers / dim)
    return sph_error_set(err, SPH_ERR_NOMEM, "a chain of %zu x %zu x %zu values is too large",
                         capacity, walkers, dim);
  SphChain *c = calloc(1, sizeof *c);
  if (c == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "chain: out of memory");
  c->capacity = capacity;
  c->walkers = walkers;
  c->dim = dim;
  size_t cap = capacity > 0 ? capacity : 1;
  c->samples = sph_alloc_aligned(cap * walkers * dim, sizeof(double), err);
  c->log_prob = c->samples ? sph_alloc_aligned(cap * walkers, sizeof(double), err) : NULL;
  advise_huge_pages(c->samples, cap * walkers * dim * sizeof(double));
  c->names = calloc(dim, sizeof *c->names);
  c->labels = calloc(dim, sizeof *c->labels);
  c->accepted = calloc(walkers, sizeof *c->accepted);
  if (c->samples == NULL || c->log_prob == NULL || c->names == NULL || c->labels == NULL ||
      c->accepted == NULL) {
    sph_chain_free(c);
    return sph_error_set(err, SPH_ERR_NOMEM, "chain of %zu steps x %zu walkers x %zu: out "
                         "of memory", capacity, walkers, dim);
  }
  for (size_t i = 0; i < dim; i++) {
    char buf[48];
    if (names != NULL && names[i] != NULL) {
      c->names[i] = sph_strdup(names[i]);
    } else {
      snprintf(buf, sizeof buf, "x%zu", i);
      c->names[i] = sph_strdup(buf);
    }
    if (labels != NULL && labels[i] != NULL) {
      c->labels[i] = sph_strdup(labels[i]);
    } else if (names != NULL && names[i] != NULL) {
      c->labels[i] = sph_strdup(names[i]);
    } else {
      snprintf(buf, sizeof buf, "x_{%zu}", i);
      c->labels[i] = sph_strdup(buf);
    }
    if (c->names[i] == NULL || c->labels[i] == NULL) {
      sph_chain_free(c);
      return sph_error_set(err, SPH_ERR_NOMEM, "chain: out of memory");
    }
  }
  *out = c;
  return SPH_OK;
}

SphStatus sph_chain_copy(const SphChain *c, size_t steps, SphChain **out, SphError *err)
{
  if (steps > c->steps)
    steps = c->steps;
  SphStatus st = sph_chain_new(steps, c->walkers, c->dim, (const char *const *)c->names,
                               (const char *const *)c->labels, out, err);
  if (st != SPH_OK)
    return st;
  SphChain *d = *out;
  d->steps = steps;
  memcpy(d->samples, c->samples, steps * c->walkers * c->dim * sizeof(double));
  memcpy(d->log_prob, c->log_prob, steps * c->walkers * sizeof(double));
  memcpy(d->accepted, c->accepted, c->walkers * sizeof(size_t));
  return SPH_OK;
}

double sph_chain_acceptance_fraction(const SphChain *c, double *per_walker)
{
  double sum = 0.0;
  for (size_t w = 0; w < c->walkers; w++) {
    double f = c->steps > 0 ? (double)c->accepted[w] / (double)c->steps : 0.0;
    if (per_walker != NULL)
      per_walker[w] = f;
    sum += f;
  }
  return sum / (double)c->walkers;
}

SphStatus sph_chain_reserve(SphChain *c, size_t steps, SphError *err)
{
  if (steps <= c->capacity)
    return SPH_OK;
  if (steps > SIZE_MAX / c->walkers / c->dim)
    return sph_error_set(err, SPH_ERR_NOMEM, "a chain of %zu steps is too large", steps);
  double *samples = sph_alloc_aligned(steps * c->walkers * c->dim, sizeof(double), err);
  double *log_prob = samples ? sph_alloc_aligned(steps * c->walkers, sizeof(double), err) : NULL;
  if (log_prob == NULL) {
    sph_free_aligned(samples);
    return sph_error_prefix(err, "chain of %zu steps x %zu walkers x %zu", steps, c->walkers,
                            c->dim);
  }
  advise_huge_pages(samples, steps * c->walkers * c->dim * sizeof(double));
  memcpy(samples, c->samples, c->steps * c->walkers * c->dim * sizeof(double));
  memcpy(log_prob, c->log_prob, c->steps * c->walkers * sizeof(double));
  sph_free_aligned(c->samples);
  sph_free_aligned(c->log_prob);
  c->samples = samples;
  c->log_prob = log_prob;
  c->capacity = steps;
  return SPH_OK;
}
