/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the files of the SHT (sht.c, sht_fft.c, sht_mw.c, sht_spin.c,
 * sht_iterate.c); not a public header. */

#include <stddef.h>
#include <stdint.h>

#include <fftw3.h>
#include <pthread.h>

#include "legendre.h"
#include "sphaera/sht.h"

/* Per distinct ring length n, FFTW plans made with the SHT plan and executed with the
 * new-array functions (which are thread-safe) on 64-byte-aligned scratch. A geometry
 * with few lengths gets FFTW's real transforms; one with many (HEALPix: every polar
 * ring has its own) gets, for even n, one complex FFT of length n/2 with the real
 * packing around it, because FFTW plans complex transforms several times faster than
 * real ones and one forward plan serves both directions. */
typedef struct {
  int64_t n;
  fftw_plan r2c, c2r; /* real transforms of length n, or NULL */
  fftw_plan half;     /* forward complex transform of length n/2, or NULL */
} SphRingFftPlan;

typedef struct {
  int nplans;
  SphRingFftPlan *plans;
  int *ring_plan;       /* per ring: index into plans */
  int *ring_shift;      /* per ring: index of its e^{i m phi0} table, -1 when phi0 = 0 */
  int nshift;
  int shift_lo, shift_hi; /* e^{i m phi0} = hi[m / lo] lo[m % lo] */
  double _Complex *shift; /* nshift tables of shift_lo + shift_hi values */
  int64_t max_nphi;
} SphRingFfts;

SphStatus sph_ring_ffts_init(SphRingFfts *f, const SphRingGeometry *geometry, int mmax,
                             unsigned fftw_flags, SphError *err);
void sph_ring_ffts_free(SphRingFfts *f);

/* Per-thread scratch for one ring FFT. */
typedef struct {
  double _Complex *spectrum; /* max_nphi/2 + 1 */
  double _Complex *work;     /* max_nphi/2 + 1 */
  double _Complex *twiddle;  /* max_nphi/2 + 1 */
  double *real;              /* max_nphi + 2 */
} SphRingFftScratch;

int sph_ring_fft_scratch_init(SphRingFftScratch *s, const SphRingFfts *f);
void sph_ring_fft_scratch_free(SphRingFftScratch *s);

/* phase[0..mmax] (F_m of ring r) -> the ring's nphi pixel values
 * f_j = sum_{m=-mmax}^{mmax} F_m e^{i m (phi0 + 2 pi j/nphi)}, F_-m = conj F_m. */
void sph_ring_phase_to_ring(const SphRingFfts *f, const SphRing *ring, int r, int mmax,
                            const double _Complex *phase, double *out, SphRingFftScratch *s);
/* The adjoint: ring values (times scale) -> phase[0..mmax]. */
void sph_ring_ring_to_phase(const SphRingFfts *f, const SphRing *ring, int r, int mmax,
                            const double *in, double scale, double _Complex *phase,
                            SphRingFftScratch *s);

/* Blocks of ring pairs as the Legendre kernels take them. */
typedef struct {
  int lanes;       /* pairs per block */
  int npairs;
  int nblocks;
  const SphRingPair *pairs;
  double *x, *s;   /* cos, sin theta: nblocks * lanes, the last block padded with its last pair */
  double *s2, *c2; /* sin(theta/2), cos(theta/2) likewise (spin transforms) */
  int *mlim;       /* per block: largest m with a significant value in the block */
  int *form;       /* per block: +1 / -1 all lanes near the north / south pole, else 0 */
} SphPairBlocks;

SphStatus sph_pair_blocks_init(SphPairBlocks *b, const SphRingGeometry *geometry, int lanes,
                               int lmax, int spin, SphError *err);
void sph_pair_blocks_free(SphPairBlocks *b);

/* Execution buffers kept with the plan between calls, so large transforms do not pay
 * for fresh pages every time; a call that finds them taken (another thread is running
 * the plan) allocates its own. */
typedef struct {
  size_t ct_doubles;
  size_t phase_values;
  double *ct;
  double _Complex *phase;
} SphShtWork;

SphShtWork *sph_sht_work_take(const SphShtPlan *plan, size_t ct_doubles, size_t phase_values,
                              SphError *err);
void sph_sht_work_give(const SphShtPlan *plan, SphShtWork *work);

struct SphShtPlan {
  pthread_mutex_t work_lock;
  SphShtWork *work;
  SphRingGeometry *geometry;
  int lmax, mmax;
  unsigned flags;
  int nthreads;
  const SphLegKernel *kernel;
  SphLegTables tables;
  SphPairBlocks blocks;
  SphRingFfts ffts;
  int chunk_blocks;        /* blocks per chunk of the ring loop */
  struct SphMwResampler *mw; /* McEwen-Wiaux analysis: resampling to Clenshaw-Curtis */
};

/* Threads to use for a plan. */
int sph_sht_threads(const SphShtPlan *plan);

/* Per-thread scratch of the Legendre stage. */
typedef struct {
  double *nr, *ni, *sr, *si; /* SPH_LEG_LANES_MAX each */
  double *acc;               /* [K][4][acc_width] for the adjoint */
} SphLegScratch;

int sph_leg_scratch_init(SphLegScratch *s, const SphShtPlan *plan);
void sph_leg_scratch_free(SphLegScratch *s);

/* The Legendre stage of one m over blocks [b0, b1) of B. Phase slots are relative to
 * the chunk: pair p has its north ring at slot 2 (p - b0 lanes), its south at the next;
 * slot q, m is at phase[q * stride + m].
 * Synthesis writes every slot's value for m (zeros where the pair is negligible);
 * the adjoint adds to ct (the transformed coefficients c~ of m, 4K doubles). */
void sph_leg_synthesis_m(const SphShtPlan *plan, const SphPairBlocks *B, int m, const double *ct,
                         int b0, int b1, double _Complex *phase, size_t stride, SphLegScratch *ls);
void sph_leg_adjoint_m(const SphShtPlan *plan, const SphPairBlocks *B, int m,
                       const double _Complex *phase, size_t stride, int b0, int b1, double *ct,
                       SphLegScratch *ls);

/* A chunk of the ring loop: blocks [b0, b1), pairs [p0, p1). */
typedef struct {
  int b0, b1, p0, p1;
} SphChunk;

static inline SphChunk sph_chunk_at(const SphShtPlan *plan, int b0)
{
  const SphPairBlocks *B = &plan->blocks;
  SphChunk c;
  c.b0 = b0;
  c.b1 = b0 + plan->chunk_blocks < B->nblocks ? b0 + plan->chunk_blocks : B->nblocks;
  c.p0 = c.b0 * B->lanes;
  c.p1 = c.b1 * B->lanes < B->npairs ? c.b1 * B->lanes : B->npairs;
  return c;
}

/* The ring of a phase slot of a chunk (-1: the missing south ring of a lone ring). */
static inline int sph_slot_ring(const SphPairBlocks *B, const SphChunk *c, int slot)
{
  const SphRingPair *pair = &B->pairs[c->p0 + slot / 2];
  return (slot & 1) ? pair->south : pair->north;
}

/* Offset of m's transformed coefficients in an array of all of them. */
static inline int64_t sph_ct_offset(const SphLegTables *t, int m)
{
  return 2 * t->offset[m];
}
