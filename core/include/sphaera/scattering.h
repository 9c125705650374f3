/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/error.h"
#include "sphaera/morlet.h"

/* The planar scattering transform (Bruna and Mallat 2013) as kymatio's Scattering2D
 * computes it, with the Morlet bank of morlet.h:
 *     S0          = x * phi                                     subsampled by 2^J
 *     U1[j1,l1]   = |x * psi_{j1,l1}|                           subsampled by 2^j1
 *     S1[j1,l1]   = U1 * phi                                    subsampled to 2^J
 *     U2[..,j2,l2] = |U1[j1,l1] * psi_{j2,l2}|, j2 > j1          subsampled by 2^j2
 *     S2[..,j2,l2] = U2 * phi                                    subsampled to 2^J
 * Each convolution is done in Fourier space on the grid of its input, and subsampling
 * by 2^k averages the spectrum's k x k blocks (kymatio's subsample_fourier), which is
 * exactly keeping every 2^k-th pixel. Filters at a coarse resolution are the alias sums
 * of sph_morlet_bank_psi_at() where kymatio crops the spectrum (see morlet.h).
 *
 * Coefficients come in kymatio's order: S0; then S1 for (j1, l1) with j1 slowest; then
 * S2 for (j1, l1) then (j2, l2), j2 > j1. That is 1 + J L + L^2 J (J - 1) / 2 of them at
 * order 2 (1 + J L at order 1), each a map of out_height x out_width pixels: the grid
 * subsampled by 2^J, less kymatio's one-pixel border under REFLECT. */

typedef struct SphScattering2D SphScattering2D;

typedef struct {
  int order;  /* 0, 1 or 2 */
  int j1, l1; /* -1 for order 0 */
  int j2, l2; /* -1 below order 2 */
} SphScatterLabel;

/* 1 + J L (+ L^2 J (J - 1) / 2 at order 2); -1 for arguments out of range. */
int64_t sph_scattering2d_count(int J, int L, int max_order);

/* A plan for images of height x width: the Morlet bank plus FFTW plans at every
 * resolution. max_order is 1 or 2; other failures as sph_morlet_bank_new(). */
SphScattering2D *sph_scattering2d_new(int64_t height, int64_t width, int J, int L,
                                      int max_order, SphBoundary boundary, SphError *err);
void sph_scattering2d_free(SphScattering2D *plan);

const SphMorletBank *sph_scattering2d_bank(const SphScattering2D *plan);
int64_t sph_scattering2d_ncoeffs(const SphScattering2D *plan);
void sph_scattering2d_out_size(const SphScattering2D *plan, int64_t *height, int64_t *width);
/* The label of coefficient index (0 <= index < ncoeffs). */
SphScatterLabel sph_scattering2d_label(const SphScattering2D *plan, int64_t index);

/* coeffs: ncoeffs maps of out_height x out_width, coefficient-major. */
SphStatus sph_scattering2d_forward(const SphScattering2D *plan, const double *image,
                                   double *coeffs, SphError *err);

/* The gradient with respect to the image of sum_i coeff_weights[i] coeffs[i] (the
 * vector-Jacobian product, by the hand-written adjoint of every step), into
 * image_grad (height x width). The modulus has gradient z / |z|, taken as 0 at z = 0. */
SphStatus sph_scattering2d_gradient(const SphScattering2D *plan, const double *image,
                                    const double *coeff_weights, double *image_grad,
                                    SphError *err);

/* The spatial mean of each coefficient map (ncoeffs values), the usual feature vector. */
SphStatus sph_scattering2d_means(const SphScattering2D *plan, const double *image,
                                 double *means, SphError *err);
