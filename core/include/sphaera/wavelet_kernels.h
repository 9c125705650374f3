/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sphaera/error.h"

/* Scale-discretised wavelet kernels on the sphere (Wiaux et al. 2008; Leistedt et al.
 * 2013, the s2let construction), for dilation B > 1 (s2let's lambda), lowest wavelet
 * scale J_min and band limit L (multipoles l = 0..L-1).
 *
 * From the smooth function s(t) = exp(-1/(1-t^2)) on (-1, 1), rescaled to
 * s_B(x) = s(2B/(B-1) (x - 1/B) - 1) on (1/B, 1), the kernel function
 *     k_B(x) = int_x^1 s_B(u)^2 du/u / int_{1/B}^1 s_B(u)^2 du/u
 * is 1 for x <= 1/B, 0 for x >= 1, and smooth between (s2let_tiling.c's phi2). Then
 *     Phi_l   = sqrt(k_B(l / B^J_min))                              (scaling function)
 *     Psi^j_l = sqrt(k_B(l / B^(j+1)) - k_B(l / B^j)),  j = J_min..J_max
 * with J_max = ceil(log_B(L - 1)), the smallest J with B^J >= L - 1. The squares
 * telescope: |Phi_l|^2 + sum_j |Psi^j_l|^2 = k_B(l / B^(J_max+1)) = 1 for l < L.
 * (Current s2let takes ceil(log_B L), one more scale when B^J lies in [L - 1, L); that
 * scale is identically zero for l < L, so the transforms agree.)
 * Psi^j_l is nonzero only for B^(j-1) < l < B^(j+1), and Phi_l only for l < B^J_min.
 *
 * These are s2let's kappa (wavelets) and kappa0 (scaling). The harmonic coefficients of
 * the axisymmetric wavelet itself are psi^j_l0 = sqrt((2l+1)/(4 pi)) Psi^j_l (s2let's
 * wav_lm), so that the convolution (f * psi^j)_lm = sqrt(4 pi/(2l+1)) psi^j_l0 f_lm
 * = Psi^j_l f_lm; sph_wavelet_kernels_harmonic() returns those coefficients.
 *
 * s2let integrates k_B by a 300-point trapezoid rule; here the integral is computed by
 * composite Gauss-Legendre quadrature to about 1e-15 relative, so values differ from
 * s2let's by s2let's quadrature error (about 1e-7) but satisfy the identity exactly
 * to rounding either way. */

typedef struct {
  double B;        /* dilation, > 1 */
  int L;           /* band limit, >= 2 */
  int j_min;       /* 0 <= j_min <= j_max */
  int j_max;       /* ceil(log_B(L - 1)) */
  double *scaling; /* Phi_l, l = 0..L-1 */
  double *wavelet; /* Psi^j_l at [(j - j_min) L + l], j = j_min..j_max */
} SphWaveletKernels;

/* k_B(x) as above, for B > 1 and any x (1 below 1/B, 0 above 1). */
double sph_wavelet_kernel_k(double B, double x);

/* The most scales a kernel set may have (B very close to 1 would need more). */
#define SPH_WAVELET_MAX_SCALES 4096

/* ceil(log_B(L - 1)) computed exactly in powers of B; -1 when B <= 1, L < 2, or it
 * exceeds SPH_WAVELET_MAX_SCALES. */
int sph_wavelet_j_max(double B, int L);

/* Band limit of scale j (j = j_min..j_max): min(L, ceil(B^(j+1))), the smallest band
 * limit holding every l with Psi^j_l != 0. j = j_min - 1 stands for the scaling
 * function: min(L, ceil(B^j_min)). */
int sph_wavelet_band_limit(double B, int L, int j);

/* Fails with SPH_ERR_INVALID for B <= 1 (or not finite), L < 2, more than
 * SPH_WAVELET_MAX_SCALES scales, or j_min outside 0..j_max. */
SphWaveletKernels *sph_wavelet_kernels_new(double B, int L, int j_min, SphError *err);
void sph_wavelet_kernels_free(SphWaveletKernels *kernels);

static inline int sph_wavelet_kernels_nscales(const SphWaveletKernels *kernels)
{
  return kernels->j_max - kernels->j_min + 1;
}

static inline const double *sph_wavelet_kernels_scale(const SphWaveletKernels *kernels, int j)
{
  return kernels->wavelet + (j - kernels->j_min) * kernels->L;
}

/* s2let's wav_lm and scal_lm: psi^j_l0 = sqrt((2l+1)/(4 pi)) Psi^j_l at
 * [(j - j_min) L + l] and phi_l0 = sqrt((2l+1)/(4 pi)) Phi_l, into caller arrays of
 * nscales L and L doubles. */
void sph_wavelet_kernels_harmonic(const SphWaveletKernels *kernels, double *wav_l0,
                                  double *scal_l0);

/* ---- directionality (N >= 1 directions) ----
 *
 * s2let's directional profile (McEwen et al. 2015, s2let_tiling_direction): for l >= 1,
 *     s_lm = nu sqrt(C(gamma, (gamma - m)/2) / 2^gamma)   for |m| < N with N + m odd,
 * 0 otherwise, with nu = 1 for odd N and i for even N, and gamma = min(N - 1, l) when
 * N + l is odd, min(N - 1, l - 1) when it is even; s_00 = 0. Then sum_m |s_lm|^2 = 1
 * for every l >= 1, and s_l,-m = (-1)^m conj(s_lm), so the wavelets are real. N = 1
 * gives the axisymmetric s_lm = delta_m0. s_lm is written at l^2 + l + m (ssht's
 * layout), for l < L: L^2 complex values. */
#define SPH_WAVELET_MAX_DIRECTIONS 512
SphStatus sph_wavelet_directional_profile(int L, int N, double _Complex *s_lm, SphError *err);
