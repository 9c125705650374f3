/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Exact analysis on McEwen-Wiaux sampling (McEwen & Wiaux 2011), internal to the SHT.
 *
 * The MW rings theta_t = pi (2t+1)/(2L-1), t = 0..L-1, hold no exact quadrature of
 * their own. As in MW's paper, each Fourier coefficient G_m(theta) (a trigonometric
 * polynomial of degree L-1 in theta) is extended to the full circle with
 * G_m(2 pi - theta) = (-1)^(m+s) G_m(theta), which gives 2L-1 equispaced samples on
 * [0, 2 pi) and so G_m exactly (an FFT of length 2L-1). Where MW then convolve with the
 * Fourier weights of sin theta and sum Wigner d(pi/2), this evaluates G_m exactly at the
 * 2L Clenshaw-Curtis nodes theta_v = pi v/(2L-1) (an inverse FFT of length 4L-2): the
 * integrand G_m lambda_lm is a polynomial in cos theta of degree <= 2L-2, which that
 * rule integrates exactly, so the usual Legendre stage on those rings finishes the
 * exact analysis. It costs one more theta FFT pair per m and twice the Legendre work of
 * a Gauss-Legendre grid. */

#include "sht_internal.h"

typedef struct SphMwResampler SphMwResampler;

SphMwResampler *sph_mw_resampler_new(const SphShtPlan *plan, SphError *err);
void sph_mw_resampler_free(SphMwResampler *mw);

/* The ring pairs of the Clenshaw-Curtis grid the analysis integrates on. */
const SphPairBlocks *sph_mw_blocks(const SphMwResampler *mw);

/* The exact analysis of the MW map into alm (plan->mw must be set). */
SphStatus sph_mw_map2alm(const SphShtPlan *plan, const double *map, SphAlm *alm, SphJob *job,
                         SphError *err);

/* The adjoint of the analysis: alm -> map (see sph_sht_map2alm_adjoint). */
SphStatus sph_mw_map2alm_adjoint(const SphShtPlan *plan, const SphAlm *alm, double *map,
                                 SphJob *job, SphError *err);

/* The theta resampling alone: ncomp components of MW ring coefficients (ring t of
 * component c at mw_phase[(c * L + t) * stride]) to the Clenshaw-Curtis slots of
 * sph_mw_blocks (slot q of component c at cc_phase[(c * 2L + q) * stride]), each value
 * multiplied by its node's Clenshaw-Curtis weight. Extension parity (-1)^(m + spin). */
SphStatus sph_mw_resample(const SphShtPlan *plan, const double _Complex *mw_phase,
                          double _Complex *cc_phase, int ncomp, int spin);
/* Its conjugate transpose (per m), cc_phase -> mw_phase, weights included. */
SphStatus sph_mw_resample_adjoint(const SphShtPlan *plan, const double _Complex *cc_phase,
                                  double _Complex *mw_phase, int ncomp, int spin);
