/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/rng.h"

#include <math.h>

/* Constants of Philox4x32 (Salmon et al. 2011, Random123). */
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static inline void mulhilo32(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo)
{
  uint64_t product = (uint64_t)a * (uint64_t)b;
  *hi = (uint32_t)(product >> 32);
  *lo = (uint32_t)product;
}

void sph_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4])
{
  uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; round++) {
    if (round > 0) {
      k0 += PHILOX_W0;
      k1 += PHILOX_W1;
    }
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo32(PHILOX_M0, c0, &hi0, &lo0);
    mulhilo32(PHILOX_M1, c2, &hi1, &lo1);
    uint32_t n0 = hi1 ^ c1 ^ k0;
    uint32_t n1 = lo1;
    uint32_t n2 = hi0 ^ c3 ^ k1;
    uint32_t n3 = lo0;
    c0 = n0;
    c1 = n1;
    c2 = n2;
    c3 = n3;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

void sph_rng_init(SphRng *rng, uint64_t seed, uint64_t stream)
{
  rng->key[0] = (uint32_t)seed;
  rng->key[1] = (uint32_t)(seed >> 32);
  rng->counter[0] = 0;
  rng->counter[1] = 0;
  rng->counter[2] = (uint32_t)stream;
  rng->counter[3] = (uint32_t)(stream >> 32);
  rng->used = 4; /* no block generated yet */
  rng->has_spare_normal = 0;
  rng->spare_normal = 0.0;
}

void sph_rng_split(const SphRng *rng, uint64_t stream, SphRng *out)
{
  uint64_t seed = (uint64_t)rng->key[0] | ((uint64_t)rng->key[1] << 32);
  sph_rng_init(out, seed, stream);
}

uint32_t sph_rng_u32(SphRng *rng)
{
  if (rng->used == 4) {
    sph_philox4x32_10(rng->counter, rng->key, rng->block);
    if (++rng->counter[0] == 0)
      ++rng->counter[1];
    rng->used = 0;
  }
  return rng->block[rng->used++];
}

uint64_t sph_rng_u64(SphRng *rng)
{
  uint64_t lo = sph_rng_u32(rng);
  uint64_t hi = sph_rng_u32(rng);
  return lo | (hi << 32);
}

double sph_rng_uniform(SphRng *rng)
{
  return (double)(sph_rng_u64(rng) >> 11) * 0x1.0p-53;
}

uint64_t sph_rng_below(SphRng *rng, uint64_t n)
{
  /* Reject the lowest (2^64 mod n) values so every residue is equally likely. */
  uint64_t threshold = (0 - n) % n;
  for (;;) {
    uint64_t r = sph_rng_u64(rng);
    if (r >= threshold)
      return r % n;
  }
}

double sph_rng_normal(SphRng *rng)
{
  if (rng->has_spare_normal) {
    rng->has_spare_normal = 0;
    return rng->spare_normal;
  }
  double u, v, s;
  do {
    u = 2.0 * sph_rng_uniform(rng) - 1.0;
    v = 2.0 * sph_rng_uniform(rng) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  double factor = sqrt(-2.0 * log(s) / s);
  rng->spare_normal = v * factor;
  rng->has_spare_normal = 1;
  return u * factor;
}
