/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

/* Philox4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3"),
 * a counter-based generator: the output is a pure function of (seed, stream, counter),
 * so the same seed gives the same numbers on every machine, and streams never overlap
 * (each stream owns 2^64 blocks of four 32-bit words). Give each worker thread, walker
 * or minibatch its own stream instead of sharing one generator. */
typedef struct {
  uint32_t key[2];
  uint32_t counter[4]; /* counter[0..1]: block index, counter[2..3]: stream */
  uint32_t block[4];   /* the current output block */
  int used;            /* words of block already handed out */
  int has_spare_normal;
  double spare_normal;
} SphRng;

void sph_rng_init(SphRng *rng, uint64_t seed, uint64_t stream);

/* A generator on another stream of the same seed: independent of rng. */
void sph_rng_split(const SphRng *rng, uint64_t stream, SphRng *out);

uint32_t sph_rng_u32(SphRng *rng);
uint64_t sph_rng_u64(SphRng *rng);
/* Uniform on [0, 1), 53 random bits. */
double sph_rng_uniform(SphRng *rng);
/* Uniform integer in [0, n), without modulo bias; n > 0. */
uint64_t sph_rng_below(SphRng *rng, uint64_t n);
/* Standard normal (Marsaglia's polar method). */
double sph_rng_normal(SphRng *rng);

/* The raw Philox4x32-10 bijection, exposed for the known-answer tests. */
void sph_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);
