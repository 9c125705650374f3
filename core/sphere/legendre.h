/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Internal to the SHT: normalised associated Legendre functions lambda_lm(cos theta)
 * (Y_lm = lambda_lm e^{i m phi}, Condon-Shortley phase included, as HEALPix) summed
 * against coefficients for blocks of ring pairs, recomputed on the fly.
 *
 * The recurrence is Ishioka's (2018) in x^2 = cos^2 theta, which needs one two-term
 * step per two degrees l. With eps_j = sqrt((j^2 - m^2)/(4 j^2 - 1)) and l = m + 2k:
 *     u_0 = lambda_mm,  u_{-1} = 0,
 *     u_{k+1} = (a_k x^2 + b_k) u_k + u_{k-1},
 *     lambda_{l+1} = alpha_k x u_k,
 *     lambda_l     = alpha_k eps_{l+1} u_k + alpha_{k-1} eps_l u_{k-1},
 * where alpha_0 = 1/eps_{m+1}, alpha_{k+1} = (-1)^k / (eps_{l+2} eps_{l+3} alpha_k),
 * a_k = (-1)^k alpha_k^2 and b_k = -a_k (eps_{l+1}^2 + eps_{l+2}^2). So
 *     sum_l c_l lambda_l(x) = sum_k (c~_{2k} + x c~_{2k+1}) u_k(x^2)
 * with c~ = T c, T: c~_l = alpha_k (eps_{l+1} c_l + eps_{l+2} c_{l+2}), c~_{l+1} = alpha_k c_{l+1},
 * and the ring at -x (the southern mirror) gets the same sums with the odd part negated.
 *
 * Values too small for a double near the poles (lambda_mm ~ sin^m theta) are carried
 * as v 2^(800 s) with an integer scale s per lane, as in libsharp, until they become
 * significant; terms below 2^-60 of unity that never get there are dropped, in the
 * synthesis and its adjoint alike. */

#include <stdint.h>

/* What a kernel needs to know about one m. */
typedef struct {
  int m;
  int nsteps;          /* K = (lmax - m)/2 + 1: steps k = 0..K-1 cover l = m..lmax */
  const double *coef;  /* a_k, b_k for k = 0..K-1 */
  double lambda_mm;    /* (-1)^m sqrt((2m+1)!!/(2m)!!)/sqrt(4 pi): lambda_mm / sin^m theta */
} SphLegM;

/* ---- spin s >= 1 ----
 *
 * Both sY_lm = lambda+_lm(theta) e^{i m phi} and -sY_lm (lambda-), in the convention of
 * Goldberg et al. (1967) that healpy follows (lambda+ = sqrt((2l+1)/4 pi) d^l_{m,-s} up
 * to sign), by the Wigner-d recurrence in l
 *     lambda+-_{l+1} = A_l (x +- m s/(l(l+1))) lambda+-_l - G_l lambda+-_{l-1},
 * written in scaled form mu_l = lambda_l / w_l so the last coefficient is -1:
 *     mu+_{l+1} = (f0_l x + f1_l) mu+_l - mu+_{l-1},
 *     mu-_{l+1} = (f0_l x - f1_l) mu-_l - mu-_{l-1},
 * from l0 = max(m, s). The southern mirror follows from
 * lambda+-(pi - theta) = (-1)^(l+m) lambda-+(theta). */
typedef struct {
  int m, spin;
  int l0;             /* first degree */
  int nl;             /* degrees l0..l0+nl-1 */
  const double *coef; /* f0, f1 per degree */
  /* lambda+_l0 = fa sin^e_sin(theta) sin^ea_s2(theta/2) cos^ea_c2(theta/2), lambda- likewise */
  double fa, fb;
  int e_sin, ea_s2, ea_c2, eb_s2, eb_c2;
} SphLegSpinM;

/* Per-lane arrays of a spin block, SPH_LEG_LANES_MAX doubles each, in this order. */
enum { SPH_SPIN_QNR, SPH_SPIN_QNI, SPH_SPIN_UNR, SPH_SPIN_UNI,
       SPH_SPIN_QSR, SPH_SPIN_QSI, SPH_SPIN_USR, SPH_SPIN_USI, SPH_SPIN_NARRAYS };

typedef struct {
  /* ct: 8 doubles per degree (P, eps M, sigma M, eps sigma P with P = E' + i B',
   * M = E' - i B', E' = w E, B' = w B, eps = (-1)^(l+m+s), sigma = (-1)^s);
   * out: the Fourier coefficients of Q and U on both rings of each pair. */
  void (*synthesis)(const SphLegSpinM *mm, const double *ct, const double *x, const double *s,
                    const double *s2, const double *c2, int form, double *out);
  /* The adjoint: in as out above; acc[l - l0][4][acc_width] += the lane sums of
   * (E sum re, im, B sum re, im), E_l = -w_l/2 E sum, B_l = i w_l/2 B sum. */
  void (*adjoint)(const SphLegSpinM *mm, const double *x, const double *s, const double *s2,
                  const double *c2, int form, const double *in, double *acc, int *acc_from);
} SphLegSpinKernel;

/* A block of ring pairs, SoA: lanes x = cos theta and s = sin theta of the northern ring
 * (any theta for a lone ring). Arrays hold SPH_LEG_LANES_MAX doubles, 64-byte aligned.
 * form is +1 when every lane has x >= 1/sqrt2, -1 when every lane has x <= -1/sqrt2, 0
 * otherwise: near a pole the kernels step in the distance to it (sin^2 theta, or
 * x -+ 1 = -+2 sin^2, cos^2 of theta/2), which cos theta alone does not carry to full
 * precision. */
#define SPH_LEG_LANES_MAX 32

typedef struct {
  /* Fills north/south (re, im) with sum_l c_l lambda_l(+-x) for the transformed
   * coefficients ct (2K complex as interleaved doubles, c~_{m..m+2K-1}). */
  void (*synthesis)(const SphLegM *mm, const double *ct, const double *x, const double *s,
                    int form, double *nr, double *ni, double *sr, double *si);
  /* Adds sum over lanes of u_k (n + s) and u_k x (n - s) to acc, laid out as
   * [k][4][acc_width] doubles (re, im of the even part, re, im of the odd part), valid
   * from step *acc_from on: set *acc_from = K before the first block, and the kernels
   * zero what they newly reach; reduce() then turns acc into c~. */
  void (*adjoint)(const SphLegM *mm, const double *x, const double *s, int form, const double *nr,
                  const double *ni, const double *sr, const double *si, double *acc,
                  int *acc_from);
  /* c~[4k + c] += the lane sums of acc[k][c], from <= k < nsteps. */
  void (*reduce)(int from, int nsteps, const double *acc, double *ct);
  SphLegSpinKernel spin;
  int lanes;      /* ring pairs per block */
  int acc_width;  /* doubles per accumulator vector */
  const char *name;
} SphLegKernel;

/* The fastest kernel this CPU runs (AVX-512, AVX2+FMA, or portable C). name selects
 * one explicitly ("avx512", "avx2", "generic"; NULL or "" = best); NULL if unknown or
 * not supported here. */
const SphLegKernel *sph_leg_kernel_select(const char *name);

/* The recurrence tables for every m <= mmax at lmax (computed in long double: the alpha
 * recursion multiplies thousands of factors). */
typedef struct {
  int lmax, mmax;
  int64_t *offset; /* per m: index of a_0 in coef */
  double *coef;
  double *lambda_mm;
} SphLegTables;

int sph_leg_tables_init(SphLegTables *t, int lmax, int mmax);
void sph_leg_tables_free(SphLegTables *t);
void sph_leg_tables_get(const SphLegTables *t, int m, SphLegM *mm);

/* c~ = T c for one m: c holds lmax - m + 1 complex coefficients (interleaved), ct
 * receives 2K. */
void sph_leg_forward_coefficients(const SphLegM *mm, int lmax, const double *c, double *ct);
/* c = T^T c~ (the adjoint), c~ of 2K complex, c of lmax - m + 1 (all written). */
void sph_leg_adjoint_coefficients(const SphLegM *mm, int lmax, const double *ct, double *c);

/* The recurrence of spin s for one m: fills mm and coef (2 (lmax - l0 + 1) doubles) and
 * w (lmax - l0 + 1 doubles, the scale of each degree). Returns 0, or -1 when
 * lmax < max(m, s) (nothing to do). */
int sph_leg_spin_prepare(int lmax, int m, int spin, double lambda_mm, double *coef, double *w,
                         SphLegSpinM *mm);
/* The number of degrees of spin s for m: lmax - max(m, s) + 1, or 0 when that is < 1. */
int sph_leg_spin_nl(int lmax, int m, int spin);
