/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/alm.h"
#include "sphaera/error.h"
#include "sphaera/scattering.h"

/* The scattering transform on the sphere (McEwen et al. 2022, arXiv 2102.02828) with
 * the axisymmetric scale-discretised wavelets of wavelet_kernels.h (dilation B, band
 * limit L, scales j = J_min..J_max; larger j is finer):
 *     S0        = <f>
 *     U1[j1]    = |Psi^j1 * f|                      on a McEwen-Wiaux grid of band L_j1
 *     S1[j1]    = <U1[j1] * Phi> = <U1[j1]>
 *     U2[j1,j2] = |Psi^j2 * U1[j1]|, j2 < j1        on a grid of band L_j2 (coarser)
 *     S2[j1,j2] = <U2[j1,j2]>
 * where <.> is the mean over the sphere and L_j = sph_wavelet_band_limit(B, L, j). The
 * average by the scaling function keeps the mean (Phi_0 = 1), so each coefficient is the
 * mean of its low-passed map. Every grid is exact for band-limited functions (the MW
 * sampling theorem); the modulus is not band-limited, and sampling it at band L_j
 * aliases. With oversample = 2 each modulus is taken on the grid of band 2 L_j, which
 * removes most of that error and with it most of the change under rotations.
 *
 * Coefficients: S0, S1 for j1 = J_min..J_max, then S2 for j1 ascending and j2 = J_min..
 * j1 - 1: 1 + n + n (n - 1) / 2 at order 2 for n scales. Labels as planar scattering's
 * SphScatterLabel with the orientations l1 = l2 = -1. */

typedef struct SphSphereScattering SphSphereScattering;

/* Fails with SPH_ERR_INVALID for B <= 1, L < 2, j_min outside 0..J_max, max_order not 1
 * or 2, or oversample not 1 or 2. */
SphSphereScattering *sph_sphere_scattering_new(double B, int L, int j_min, int max_order,
                                               int oversample, SphError *err);
void sph_sphere_scattering_free(SphSphereScattering *plan);

int64_t sph_sphere_scattering_ncoeffs(const SphSphereScattering *plan);
SphScatterLabel sph_sphere_scattering_label(const SphSphereScattering *plan, int64_t index);

/* The coefficients of the field with harmonic coefficients alm (lmax >= L - 1 is
 * truncated to L - 1; a smaller lmax counts as zeros above it). */
SphStatus sph_sphere_scattering_alm(const SphSphereScattering *plan, const SphAlm *alm,
                                    double *coeffs, SphError *err);

/* The gradient with respect to alm of sum_i weights[i] coeffs[i], by the hand-written
 * adjoint of every step (the transforms' adjoints of sht.h; the modulus has gradient
 * sign(w)), under sph_alm_dot()'s inner product: for any direction v the derivative is
 * sph_alm_dot(grad, v). grad must have alm's lmax and mmax. A map's gradient follows
 * through sph_sht_map2alm_adjoint() (or its iterative analysis's adjoint). */
SphStatus sph_sphere_scattering_gradient_alm(const SphSphereScattering *plan, const SphAlm *alm,
                                             const double *weights, SphAlm *grad, SphError *err);
