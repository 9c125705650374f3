/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Convergence diagnostics of a chain laid out steps x walkers x dim (SphChain's
 * samples, emcee's get_chain()). */

#include <stddef.h>

#include "sphaera/error.h"

/* The normalised autocorrelation function of one series x[0], x[stride], ...,
 * x[(n-1) stride] at lags 0..n-1, computed as emcee.autocorr.function_1d (FFT of the
 * mean-subtracted series zero-padded to twice the next power of two). Fails when the
 * series is constant (its autocorrelation is undefined) or n is 0. */
SphStatus sph_autocorr_function(const double *x, size_t n, size_t stride, double *acf,
                                SphError *err);

/* The integrated autocorrelation time of each parameter, exactly as
 * emcee.autocorr.integrated_time(x, c, tol): the autocorrelation functions of the
 * walkers are averaged, tau(M) = 2 sum_{t<=M} rho(t) - 1, and the window M is the
 * smallest with M >= c tau(M) (Sokal's automatic window; emcee's default c = 5).
 *
 * The chain is too short when tol x tau > steps for some parameter (emcee's default
 * tol = 50). Then, like emcee, tau is still written, and: when n_short is NULL this is
 * an error (SPH_ERR_INVALID, "the chain of N steps is shorter than 50 tau ...", as
 * emcee raises AutocorrError); when n_short is given the call succeeds and *n_short
 * says for how many parameters the chain is too short (as emcee's quiet=True). */
SphStatus sph_integrated_time(const double *x, size_t steps, size_t walkers, size_t dim,
                              double c, double tol, double *tau, size_t *n_short,
                              SphError *err);

/* Effective sample size of each parameter: steps x walkers / tau (emcee's rule). */
void sph_effective_sample_size(const double *tau, size_t steps, size_t walkers, size_t dim,
                               double *ess);

/* The classic split R-hat (Gelman et al., Bayesian Data Analysis, 3rd ed., 2013,
 * eq. 11.4; the form Stan used before Vehtari et al. 2021's rank normalisation): each
 * walker's chain is cut into halves of floor(steps / 2) steps (the middle step of an
 * odd length dropped), giving m = 2 walkers chains of n steps;
 *   W = mean of the chains' variances (denominator n - 1),
 *   B = n / (m - 1) sum_j (mean_j - mean)^2,
 *   R = sqrt(((n - 1) / n W + B / n) / W).
 * Needs at least 4 steps; fails for a parameter with W = 0 (constant chains). */
SphStatus sph_split_rhat(const double *x, size_t steps, size_t walkers, size_t dim,
                         double *rhat, SphError *err);
