/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/alm.h"
#include "sphaera/error.h"
#include "sphaera/job.h"
#include "sphaera/ring_geometry.h"
#include "sphaera/sht.h"
#include "sphaera/wavelet_sphere.h"

/* Directional (N >= 1) spin-0 scale-discretised wavelets on the sphere: the s2let
 * construction of McEwen et al. (2015, "directional spin wavelets") with s2let's
 * normalisation.
 *
 * The wavelet of scale j has harmonic coefficients
 *     psi^j_lm = sqrt((2l+1)/(8 pi^2)) Psi^j_l s_lm
 * (Psi^j_l the kernel of wavelet_kernels.h, s_lm the binomial directional profile,
 * non-zero for |m| < N with N + m odd), and its coefficients are a function on SO(3),
 *     W^j(alpha, beta, gamma) = <f, R_(alpha,beta,gamma) psi^j>
 *                             = sum_lmn (2l+1)/(8 pi^2) W^j_lmn D^l*_mn(alpha, beta, gamma),
 *     W^j_lmn = 8 pi^2/(2l+1) f_lm conj(psi^j_ln),
 * with R = R_z(alpha) R_y(beta) R_z(gamma) (rotate.h's active rotation with psi = gamma,
 * theta = beta, phi = alpha). Since W^j is band-limited to |n| < N in gamma, the 2N - 1
 * samples gamma_k = 2 pi k / (2N - 1), k = 0..2N-2, hold it exactly; each sample is a map
 * in (beta, alpha) = (theta, phi). Per n the inverse Wigner transform is a spin -n
 * harmonic synthesis (the harmonic engine's spin transforms), and the gamma samples a
 * real DFT of the n >= 0 terms (W^j is real, so n < 0 is the conjugate of n > 0).
 *
 * The scaling coefficients are the axisymmetric ones, S_lm = Phi_l f_lm, exactly as in
 * wavelet_sphere.h. Synthesis is exact: with the forward Wigner transform of each W^j,
 *     f_lm = Phi_l S_lm + sum_j sum_n W^j_lmn psi^j_ln,
 * because Phi_l^2 + sum_j (Psi^j_l)^2 = 1 and sum_n |s_ln|^2 = 1. The frame is tight:
 * sum_j int_SO(3) |W^j|^2 + int_S2 |S|^2 = int_S2 |f|^2.
 * With N = 1 the wavelet maps are those of the axisymmetric transform times
 * 1/sqrt(2 pi) (s2let's normalisation, which makes the frame tight on SO(3)).
 *
 * Storage: band 0 is the scaling map; band b >= 1 (scale j = J_min + b - 1) holds 2N - 1
 * maps, direction k at sph_wavelet_dir_plan_map_offset(plan, b, k). The grids are those
 * of the axisymmetric plan (full resolution: the input grid; multiresolution: each band
 * at its own band limit, wavelet_sphere.h), so McEwen-Wiaux input gives the s2let
 * sampling of SO(3). Exact on McEwen-Wiaux, Gauss-Legendre and Clenshaw-Curtis grids; on
 * HEALPix to the accuracy of the harmonic engine's map2alm.
 *
 * Adjoints: the exact transposes of the analysis and the synthesis (plain map2alm) under
 * the plain sums over map pixels and over coefficient samples. */

typedef struct SphWaveletDirPlan SphWaveletDirPlan;

/* N directions, 1 <= N <= min(L, SPH_WAVELET_MAX_DIRECTIONS); the rest as
 * sph_wavelet_plan_new (B > 1, 0 <= j_min <= J_max, flags for multiresolution). */
SphWaveletDirPlan *sph_wavelet_dir_plan_new(const SphRingGeometry *geometry, double B, int L,
                                            int j_min, int N, unsigned flags, SphError *err);
void sph_wavelet_dir_plan_free(SphWaveletDirPlan *plan);

/* The axisymmetric plan whose kernels, bands, grids and band limits this one uses. */
const SphWaveletPlan *sph_wavelet_dir_plan_axisym(const SphWaveletDirPlan *plan);
int sph_wavelet_dir_plan_N(const SphWaveletDirPlan *plan);
/* 2N - 1: the gamma samples of every wavelet band. */
int sph_wavelet_dir_plan_ndirections(const SphWaveletDirPlan *plan);
/* gamma_k = 2 pi k / (2N - 1). */
double sph_wavelet_dir_plan_gamma(const SphWaveletDirPlan *plan, int k);
/* 1 + number of wavelet scales, as the axisymmetric plan. */
int sph_wavelet_dir_plan_nbands(const SphWaveletDirPlan *plan);
/* Maps in band b: 1 for the scaling band 0, 2N - 1 for the others. */
int sph_wavelet_dir_plan_band_nmaps(const SphWaveletDirPlan *plan, int band);
/* Offset of map k of band b in the coefficient array (k = 0 for band 0). */
int64_t sph_wavelet_dir_plan_map_offset(const SphWaveletDirPlan *plan, int band, int k);
/* Total doubles of the coefficient array. */
int64_t sph_wavelet_dir_plan_size(const SphWaveletDirPlan *plan);

/* psi^j_lm of scale j (J_min..J_max) into alm (lmax = mmax = L - 1): the wavelet is real,
 * so the m >= 0 half describes it. */
SphStatus sph_wavelet_dir_wavelet_alm(const SphWaveletDirPlan *plan, int j, SphAlm *alm,
                                      SphError *err);

/* Harmonic halves: alm (lmax = mmax = L - 1) to coefficients and back. */
SphStatus sph_wavelet_dir_analysis_alm(const SphWaveletDirPlan *plan, const SphAlm *alm,
                                       double *coeffs, SphJob *job, SphError *err);
SphStatus sph_wavelet_dir_synthesis_alm(const SphWaveletDirPlan *plan, const double *coeffs,
                                        SphAlm *alm, const SphShtIterOptions *options,
                                        SphJob *job, SphError *err);

/* Map to coefficients and back; options NULL: plain map2alm (exact on exact grids),
 * otherwise sph_sht_map2alm_iterative with a copy of *options. */
SphStatus sph_wavelet_dir_analysis(const SphWaveletDirPlan *plan, const double *map,
                                   double *coeffs, const SphShtIterOptions *options, SphJob *job,
                                   SphError *err);
SphStatus sph_wavelet_dir_synthesis(const SphWaveletDirPlan *plan, const double *coeffs,
                                    double *map, const SphShtIterOptions *options, SphJob *job,
                                    SphError *err);

/* Transposes of analysis (coefficients to map) and synthesis (map to coefficients). */
SphStatus sph_wavelet_dir_analysis_adjoint(const SphWaveletDirPlan *plan, const double *coeffs,
                                           double *map, SphJob *job, SphError *err);
SphStatus sph_wavelet_dir_synthesis_adjoint(const SphWaveletDirPlan *plan, const double *map,
                                            double *coeffs, SphJob *job, SphError *err);

/* Steerability: W^j at any gamma from the 2N - 1 samples of band b >= 1 (exact, by the
 * Dirichlet kernel of the band limit |n| < N), into out (the band's npix doubles). */
SphStatus sph_wavelet_dir_steer(const SphWaveletDirPlan *plan, const double *coeffs, int band,
                                double gamma, double *out, SphError *err);
