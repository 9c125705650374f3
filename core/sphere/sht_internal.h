/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the files of the SHT (sht.c, sht_fft.c, sht_mw.c, sht_spin.c,
 * sht_iterate.c); not a public header. */

#include <stddef.h>
#include <stdint.h>

#include <complex.h>
#include <fftw3.h>
#include <pthread.h>

/* C11's CMPLX, which some C libraries provide only to GCC. */
#ifndef CMPLX
#define CMPLX(x, y) ((double _Complex)((double)(x) + I * (double)(y)))
#endif

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
  double _Complex *twiddle; /* with half: e^{-2 pi i k/n}, k <= n/4, or NULL (made per call) */
} SphRingFftPlan;

typedef struct {
  int nplans;
  SphRingFftPlan *plans;
  int *ring_plan;       /* per ring: index into plans */
  int *ring_shift;      /* per ring: index of its e^{i m phi0} table, -1 when phi0 = 0 */
  int *ring_parity;     /* per ring: p mod 2 when phi0 = pi p / nphi exactly (HEALPix), else -1 */
  int nshift;
  int shift_lo, shift_hi; /* e^{i m phi0} = hi[m / lo] lo[m % lo] */
  double _Complex *shift; /* nshift tables of shift_lo + shift_hi values */
  int64_t *shift_full;    /* per table: offset of the whole e^{i m phi0}, m <= mmax, in full, or -1 */
  double _Complex *full;  /* for the phi0 that many rings share */
  int64_t max_nphi;
  int mmax;
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
  double _Complex *shifted;  /* mmax + 1 */
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

/* SPH_ERR_INVALID naming the pixel when map holds NaN, infinities or UNSEEN. */
SphStatus sph_sht_check_map(const SphShtPlan *plan, const double *map, const char *what,
                            SphError *err);
/* The analyses without that check (for maps known to be finite). */
SphStatus sph_sht_map2alm_unchecked(const SphShtPlan *plan, const double *map, SphAlm *alm,
                                    SphJob *job, SphError *err);
SphStatus sph_sht_map2alm_spin_unchecked(const SphShtPlan *plan, int spin, const double *map_q,
                                         const double *map_u, SphAlm *alm_e, SphAlm *alm_b,
                                         SphJob *job, SphError *err);

/* map *= the quadrature weight of each pixel's ring. */
void sph_sht_apply_weights(const SphShtPlan *plan, double *map);

/* Threads to use for a plan. */
int sph_sht_threads(const SphShtPlan *plan);

/* The Legendre stage takes m in groups of this many consecutive values, so that each
 * ring's phases are written (and read) a whole cache line at a time. */
#define SPH_SHT_MGROUP 4

/* Phase rows are padded to whole groups (and so to 64 bytes). */
static inline size_t sph_phase_stride(const SphShtPlan *plan);

/* Per-thread scratch of the Legendre stage. */
typedef struct {
  double *tile; /* [SPH_SHT_MGROUP][4][SPH_LEG_LANES_MAX]: nr, ni, sr, si of each m */
  double *acc;  /* [K][4][acc_width] for the adjoint */
} SphLegScratch;

int sph_leg_scratch_init(SphLegScratch *s, const SphShtPlan *plan);
void sph_leg_scratch_free(SphLegScratch *s);

/* The Legendre stage of m = m0..m0+nm-1 (nm <= SPH_SHT_MGROUP) over blocks [b0, b1) of B.
 * Phase slots are relative to the chunk: pair p has its north ring at slot
 * 2 (p - b0 lanes), its south at the next; slot q, m is at phase[q * stride + m].
 * ct is the array of every m's transformed coefficients c~ (at sph_ct_offset).
 * Synthesis writes every slot's values for the group (zeros where the pair is
 * negligible); the adjoint adds to each m's c~. */
void sph_leg_synthesis_group(const SphShtPlan *plan, const SphPairBlocks *B, int m0, int nm,
                             const double *ct, int b0, int b1, double _Complex *phase,
                             size_t stride, SphLegScratch *ls);
void sph_leg_adjoint_group(const SphShtPlan *plan, const SphPairBlocks *B, int m0, int nm,
                           const double _Complex *phase, size_t stride, int b0, int b1,
                           double *ct, SphLegScratch *ls);

/* A chunk of the ring loop: blocks [b0, b1), pairs [p0, p1). Spin transforms hold two
 * fields' phases and take chunks half as long (sph_spin_chunk_blocks). */
typedef struct {
  int b0, b1, p0, p1;
} SphChunk;

static inline SphChunk sph_chunk_at(const SphShtPlan *plan, int b0, int chunk_blocks)
{
  const SphPairBlocks *B = &plan->blocks;
  SphChunk c;
  c.b0 = b0;
  c.b1 = b0 + chunk_blocks < B->nblocks ? b0 + chunk_blocks : B->nblocks;
  c.p0 = c.b0 * B->lanes;
  c.p1 = c.b1 * B->lanes < B->npairs ? c.b1 * B->lanes : B->npairs;
  return c;
}

static inline int sph_spin_chunk_blocks(const SphShtPlan *plan)
{
  return plan->chunk_blocks > 1 ? plan->chunk_blocks / 2 : 1;
}

/* The ring of a phase slot of a chunk (-1: the missing south ring of a lone ring). */
static inline int sph_slot_ring(const SphPairBlocks *B, const SphChunk *c, int slot)
{
  const SphRingPair *pair = &B->pairs[c->p0 + slot / 2];
  return (slot & 1) ? pair->south : pair->north;
}

static inline size_t sph_phase_stride(const SphShtPlan *plan)
{
  return ((size_t)plan->mmax + SPH_SHT_MGROUP) / SPH_SHT_MGROUP * SPH_SHT_MGROUP;
}

/* The number of m groups. */
static inline int sph_mgroups(const SphShtPlan *plan)
{
  return (plan->mmax + SPH_SHT_MGROUP) / SPH_SHT_MGROUP;
}

/* Offset of m's transformed coefficients in an array of all of them. */
static inline int64_t sph_ct_offset(const SphLegTables *t, int m)
{
  return 2 * t->offset[m];
}
