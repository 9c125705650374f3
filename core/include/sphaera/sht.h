/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/alm.h"
#include "sphaera/error.h"
#include "sphaera/job.h"
#include "sphaera/ring_geometry.h"

/* Spherical harmonic transforms on any ring geometry, planned once and executed many
 * times (the FFTW and libsharp pattern). Maps are real, npix doubles laid out as the
 * geometry says; alm are SphAlm with the plan's lmax and mmax. Y_lm follow HEALPix
 * (orthonormal, Condon-Shortley phase), so results agree with healpy.
 *
 *   alm2map          f(p)  = sum_lm a_lm Y_lm(p)                          (synthesis, A)
 *   alm2map_adjoint  b_lm  = sum_p f(p) conj Y_lm(p)                     (A^T)
 *   map2alm          a_lm  = analysis: exact on Gauss-Legendre, Clenshaw-Curtis and
 *                    McEwen-Wiaux grids for lmax below their band limit, the quadrature
 *                    sum_p w(p) f(p) conj Y_lm(p) with the ring weights elsewhere
 *                    (HEALPix: 4 pi/npix, healpy's map2alm with iter=0; see
 *                    sph_sht_map2alm_iterative for healpy's iter > 0).
 *
 * A^T is the exact adjoint of A for the inner products sum_p f(p) g(p) on maps and
 * sph_alm_dot() on alm (the m = 0 imaginary parts, which a real map cannot hold, are
 * ignored by A and returned as 0 by A^T). Gradients through a transform use it.
 *
 * The method: per ring an FFT (FFTW, planned with the SHT plan), per m and per block
 * of north/south ring pairs the Legendre sums with values recomputed on the fly by
 * Ishioka's recurrence in cos^2 theta, three fused multiply-adds per (l, m, ring pair)
 * (kernels for AVX-512, AVX2 and portable C chosen at run time), exponent-scaled so
 * high m near the poles neither underflows nor loses accuracy. OpenMP threads share
 * the m loop; small transforms run on one thread.
 *
 * Accuracy: about 1e-14 relative at lmax of a few hundred; Legendre values stay within
 * about 1e-12 of exact to lmax 8192 away from the poles and 3e-11 within a few degrees
 * of them (tests/test-sht.c). Round trips on exact grids: 1e-13 at L = 1024.
 *
 * Memory: the plan keeps the recurrence coefficients (8 bytes per (l, m): 17 MB at
 * lmax 2048) and, between calls, its work buffers (16 bytes per (l, m) and 64 MB).
 *
 * A plan's results never change once it is made, and several threads may execute one
 * plan at once (each call that finds the plan's buffers in use allocates its own). */

typedef struct SphShtPlan SphShtPlan;

enum {
  SPH_SHT_DEFAULT = 0,
  /* Plan the FFTs with FFTW_MEASURE instead of FFTW_ESTIMATE (slower to plan). */
  SPH_SHT_FFTW_MEASURE = 1u << 0,
  /* Use a particular Legendre kernel (tests and benchmarks); planning fails with
   * SPH_ERR_UNSUPPORTED if this CPU cannot run it. */
  SPH_SHT_KERNEL_GENERIC = 1u << 4,
  SPH_SHT_KERNEL_AVX2 = 1u << 5,
  SPH_SHT_KERNEL_AVX512 = 1u << 6,
};

/* lmax >= 0, 0 <= mmax <= lmax (mmax < 0 means lmax). Refuses lmax beyond what the grid
 * can carry: for exact grids lmax < band limit; for HEALPix lmax <= 4 NSIDE. */
SphShtPlan *sph_sht_plan_new(const SphRingGeometry *geometry, int lmax, int mmax,
                             unsigned flags, SphError *err);
void sph_sht_plan_free(SphShtPlan *plan);

/* Threads for later executions: 0 (the default) = OpenMP's default. */
void sph_sht_plan_set_threads(SphShtPlan *plan, int nthreads);

int sph_sht_plan_lmax(const SphShtPlan *plan);
int sph_sht_plan_mmax(const SphShtPlan *plan);
int64_t sph_sht_plan_npix(const SphShtPlan *plan);
const SphRingGeometry *sph_sht_plan_geometry(const SphShtPlan *plan);
/* The Legendre kernel the plan runs: "avx512", "avx2" or "generic". */
const char *sph_sht_plan_kernel_name(const SphShtPlan *plan);

/* Every transform checks that alm has the plan's lmax and mmax, accepts a NULL job (or
 * reports progress to it and stops with SPH_ERR_CANCELLED when it is cancelled), and
 * overwrites its output. */
SphStatus sph_sht_alm2map(const SphShtPlan *plan, const SphAlm *alm, double *map, SphJob *job,
                          SphError *err);
SphStatus sph_sht_alm2map_adjoint(const SphShtPlan *plan, const double *map, SphAlm *alm,
                                  SphJob *job, SphError *err);
SphStatus sph_sht_map2alm(const SphShtPlan *plan, const double *map, SphAlm *alm, SphJob *job,
                          SphError *err);
/* The exact adjoint of map2alm (for gradients through an analysis): W A on grids with
 * ring weights, and the transpose of the McEwen-Wiaux resampling on MW grids. */
SphStatus sph_sht_map2alm_adjoint(const SphShtPlan *plan, const SphAlm *alm, double *map,
                                  SphJob *job, SphError *err);

/* ---- spin-weighted transforms (spin s >= 1; s = 2 for polarisation) ----
 *
 * The pair of real maps (Q, U) is the spin-s field Q + iU = -sum_lm (E_lm + i B_lm) sY_lm
 * and the spin -s field its conjugate: healpy's alm2map_spin/map2alm_spin conventions,
 * so (E, B) from (Q, U) are healpy's T, E, B polarisation for s = 2. The adjoint is exact
 * under sum_p (Q g_Q + U g_U) and sph_alm_dot(E, .) + sph_alm_dot(B, .). */
SphStatus sph_sht_alm2map_spin(const SphShtPlan *plan, int spin, const SphAlm *alm_e,
                               const SphAlm *alm_b, double *map_q, double *map_u, SphJob *job,
                               SphError *err);
SphStatus sph_sht_alm2map_spin_adjoint(const SphShtPlan *plan, int spin, const double *map_q,
                                       const double *map_u, SphAlm *alm_e, SphAlm *alm_b,
                                       SphJob *job, SphError *err);
SphStatus sph_sht_map2alm_spin(const SphShtPlan *plan, int spin, const double *map_q,
                               const double *map_u, SphAlm *alm_e, SphAlm *alm_b, SphJob *job,
                               SphError *err);
SphStatus sph_sht_map2alm_spin_adjoint(const SphShtPlan *plan, int spin, const SphAlm *alm_e,
                                       const SphAlm *alm_b, double *map_q, double *map_u,
                                       SphJob *job, SphError *err);

/* ---- iterative analysis (HEALPix and other inexact grids) ----
 *
 * healpy's map2alm(iter=n): a = A^T W f, then n times a += A^T W (f - A a).
 * With tolerance > 0 instead, conjugate gradients on the normal equations
 * (A^T W A) a = A^T W f, stopped when the relative residual |A^T W (f - A a)| / |A^T W f|
 * falls below tolerance (or after max_iter iterations). */
typedef struct {
  int iterations;   /* healpy's iter (default 3) when tolerance == 0 */
  double tolerance; /* > 0: CG to this relative residual */
  int max_iter;     /* CG limit; 0 = 100 */
  /* Filled on return: */
  int transforms;   /* synthesis + adjoint transforms used */
  double residual;  /* final relative residual (CG), or the last update's relative size */
} SphShtIterOptions;

#define SPH_SHT_ITER_DEFAULT { 3, 0.0, 0, 0, 0.0 }

/* Where the user asks to mask missing pixels instead of refusing them: sets NaN,
 * infinite and UNSEEN pixels to 0, healpy's map2alm treatment of UNSEEN (an analysis
 * then sees them as masked). Returns how many were set. */
int64_t sph_sht_zero_bad_pixels(double *map, int64_t npix);

/* options may be NULL (iter = 3). Refuses maps holding NaN or UNSEEN pixels. */
SphStatus sph_sht_map2alm_iterative(const SphShtPlan *plan, const double *map, SphAlm *alm,
                                    SphShtIterOptions *options, SphJob *job, SphError *err);
SphStatus sph_sht_map2alm_spin_iterative(const SphShtPlan *plan, int spin, const double *map_q,
                                         const double *map_u, SphAlm *alm_e, SphAlm *alm_b,
                                         SphShtIterOptions *options, SphJob *job, SphError *err);
