/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/alm.h"
#include "sphaera/error.h"
#include "sphaera/job.h"
#include "sphaera/ring_geometry.h"
#include "sphaera/sht.h"
#include "sphaera/wavelet_kernels.h"

/* Axisymmetric (N = 1) spin-0 scale-discretised wavelet transform on the sphere, the
 * s2let_transform_axisym construction on any ring geometry the harmonic engine handles.
 *
 * With f_lm the harmonic coefficients of a map band-limited at L (l < L), the
 * coefficients are maps, one per "band":
 *     band 0 (scaling):          (S)_lm   = Phi_l f_lm
 *     band b = 1 + j - J_min:    (W^j)_lm = Psi^j_l f_lm
 * each synthesised by alm2map. Phi_l and Psi^j_l are the kernels of wavelet_kernels.h,
 * that is sqrt(4 pi/(2l+1)) times the wavelets' own coefficients phi_l0, psi^j_l0 (the
 * convolution with an axisymmetric function), exactly as s2let. Synthesis analyses each
 * band map and sums
 *     f_lm = Phi_l (S)_lm + sum_j Psi^j_l (W^j)_lm,
 * which inverts the analysis because Phi_l^2 + sum_j (Psi^j_l)^2 = 1.
 *
 * Storage: full resolution puts every band on the input grid at band limit L;
 * multiresolution puts band b on a grid of the same kind at the band's own limit
 * L_b = min(L, ceil(B^(j+1))) (scaling: min(L, ceil(B^J_min))): McEwen-Wiaux L_b,
 * Gauss-Legendre with L_b rings of 2 L_b - 1 pixels, Clenshaw-Curtis with 2 L_b - 1
 * rings, and HEALPix at NSIDE_b = the input NSIDE scaled by L_b / L (rounded up to a
 * power of two when the input's is one). The bands' maps lie one after the other in one
 * coefficient array of sph_wavelet_plan_size() doubles, band b at
 * sph_wavelet_plan_band_offset(plan, b).
 *
 * Accuracy: on McEwen-Wiaux, Gauss-Legendre and Clenshaw-Curtis grids analysis and
 * synthesis are exact (round trip to rounding, tests/test-wavelet-sphere.c); on HEALPix
 * they inherit the harmonic engine's map2alm, plain (iter 0) or iterative when options
 * are given.
 *
 * Adjoints: sph_wavelet_analysis_adjoint and sph_wavelet_synthesis_adjoint are the
 * exact transposes of the analysis and synthesis with plain map2alm (options NULL; on
 * exact grids that is the exact transform), under the plain sums over map pixels and
 * over coefficient samples. */

typedef struct SphWaveletPlan SphWaveletPlan;

enum {
  SPH_WAVELET_FULL_RESOLUTION = 0,
  SPH_WAVELET_MULTIRESOLUTION = 1u << 0,
};

/* geometry: the grid of the maps analysed and synthesised; L: band limit (lmax L - 1),
 * which the grid must carry (exact grids: L <= their band limit; HEALPix: L - 1 <=
 * 4 NSIDE). Multiresolution needs a HEALPix, McEwen-Wiaux, Gauss-Legendre or
 * Clenshaw-Curtis grid. */
SphWaveletPlan *sph_wavelet_plan_new(const SphRingGeometry *geometry, double B, int L, int j_min,
                                     unsigned flags, SphError *err);
void sph_wavelet_plan_free(SphWaveletPlan *plan);

const SphWaveletKernels *sph_wavelet_plan_kernels(const SphWaveletPlan *plan);
int sph_wavelet_plan_L(const SphWaveletPlan *plan);
int64_t sph_wavelet_plan_npix(const SphWaveletPlan *plan);
/* 1 + number of wavelet scales. */
int sph_wavelet_plan_nbands(const SphWaveletPlan *plan);
/* Wavelet scale j of band b, or -1 for the scaling band 0. */
int sph_wavelet_plan_band_scale(const SphWaveletPlan *plan, int band);
int sph_wavelet_plan_band_lmax(const SphWaveletPlan *plan, int band);
const SphRingGeometry *sph_wavelet_plan_band_geometry(const SphWaveletPlan *plan, int band);
int64_t sph_wavelet_plan_band_npix(const SphWaveletPlan *plan, int band);
int64_t sph_wavelet_plan_band_offset(const SphWaveletPlan *plan, int band);
/* Total doubles of the coefficient array. */
int64_t sph_wavelet_plan_size(const SphWaveletPlan *plan);

/* Harmonic-space halves: alm (lmax = mmax = L - 1) to coefficient maps, and back. */
SphStatus sph_wavelet_analysis_alm(const SphWaveletPlan *plan, const SphAlm *alm, double *coeffs,
                                   SphJob *job, SphError *err);
SphStatus sph_wavelet_synthesis_alm(const SphWaveletPlan *plan, const double *coeffs,
                                    SphAlm *alm, const SphShtIterOptions *options, SphJob *job,
                                    SphError *err);

/* Map to coefficients and back; options NULL uses plain map2alm (exact on exact grids),
 * otherwise sph_sht_map2alm_iterative with a copy of *options. */
SphStatus sph_wavelet_analysis(const SphWaveletPlan *plan, const double *map, double *coeffs,
                               const SphShtIterOptions *options, SphJob *job, SphError *err);
SphStatus sph_wavelet_synthesis(const SphWaveletPlan *plan, const double *coeffs, double *map,
                                const SphShtIterOptions *options, SphJob *job, SphError *err);

/* Transposes (see above): coefficients to a map, and a map to coefficients. */
SphStatus sph_wavelet_analysis_adjoint(const SphWaveletPlan *plan, const double *coeffs,
                                       double *map, SphJob *job, SphError *err);
SphStatus sph_wavelet_synthesis_adjoint(const SphWaveletPlan *plan, const double *map,
                                        double *coeffs, SphJob *job, SphError *err);

/* ---- spin-weighted fields (spin s >= 1; s = 2 for polarisation) ----
 *
 * The same axisymmetric wavelets applied to the spin-s field Q + iU of the harmonic
 * engine (healpy's E/B conventions, sht.h): each band is the pair of maps
 *     (Q_b, U_b) = alm2map_spin(s, K_b E, K_b B)
 * with K_b = Phi_l or Psi^j_l, stored in two coefficient arrays of sph_wavelet_plan_size()
 * doubles laid out as the spin-0 ones. Bands whose band limit holds no l >= s are zero.
 * Synthesis inverts the analysis exactly on exact grids; the adjoints are exact as for
 * spin 0 (plain map2alm), under sum (Q g_Q + U g_U) on maps and on coefficients. */
SphStatus sph_wavelet_analysis_spin(const SphWaveletPlan *plan, int spin, const double *map_q,
                                    const double *map_u, double *coeffs_q, double *coeffs_u,
                                    const SphShtIterOptions *options, SphJob *job,
                                    SphError *err);
SphStatus sph_wavelet_synthesis_spin(const SphWaveletPlan *plan, int spin,
                                     const double *coeffs_q, const double *coeffs_u,
                                     double *map_q, double *map_u,
                                     const SphShtIterOptions *options, SphJob *job,
                                     SphError *err);
SphStatus sph_wavelet_analysis_spin_adjoint(const SphWaveletPlan *plan, int spin,
                                            const double *coeffs_q, const double *coeffs_u,
                                            double *map_q, double *map_u, SphJob *job,
                                            SphError *err);
SphStatus sph_wavelet_synthesis_spin_adjoint(const SphWaveletPlan *plan, int spin,
                                             const double *map_q, const double *map_u,
                                             double *coeffs_q, double *coeffs_u, SphJob *job,
                                             SphError *err);
