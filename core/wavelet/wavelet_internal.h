/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sphaera/wavelet_sphere.h"

/* Shared by the spin-0 and spin-s wavelet transforms (sphere_wavelets.c). */

/* The SHT plan of band b, or of the input grid at band limit L when b < 0. */
const SphShtPlan *sph_wavelet_plan_sht(const SphWaveletPlan *plan, int band);
/* Phi_l (band 0) or Psi^j_l, l = 0..L-1. */
const double *sph_wavelet_plan_band_kernel(const SphWaveletPlan *plan, int band);

/* out_lm = kernel_l in_lm for the (l, m) out holds (out->lmax <= in->lmax). */
void sph_wavelet_filter_truncate(const SphAlm *in, const double *kernel, SphAlm *out);
/* acc_lm += kernel_l band_lm for the (l, m) band holds. */
void sph_wavelet_filter_accumulate(const SphAlm *band, const double *kernel, SphAlm *acc);
