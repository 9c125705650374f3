/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "sphaera/layers.h"

/* Deep ensembles (Lakshminarayanan, Pritzel & Blundell 2017, "Simple and scalable
 * predictive uncertainty estimation using deep ensembles").
 *
 * Each of M networks, initialised and shuffled from its own seed, outputs two numbers
 * per input: a mean mu and a raw variance s, turned into the variance
 *   sigma^2 = softplus(s) + SPH_MIN_VARIANCE
 * (positive, smooth, and never zero so the likelihood stays bounded), and is trained on
 * the Gaussian negative log-likelihood 0.5 (log 2 pi + log sigma^2 + (y - mu)^2 / sigma^2).
 * The ensemble predicts the mixture of the members' Gaussians, summarised by its mean
 * and variance (the paper's equations): mu* = mean_m mu_m,
 * sigma*^2 = mean_m (sigma_m^2 + mu_m^2) - mu*^2. The same two-output head and mixture
 * serve the MC-dropout and Bayes-by-backprop regressors, whose Monte Carlo draws are
 * the mixture's components. */

#define SPH_MIN_VARIANCE 1e-6

/* out [n, 2] (mean, raw variance per row), target of n elements (any shape): the
 * mean over rows of the Gaussian negative log-likelihood above. */
SphVar *sph_mean_var_nll(SphTape *tape, SphVar *out, SphVar *target);

/* The variance of a raw variance output s. */
double sph_head_variance(double s);

/* The mixture mean and variance of m equally weighted Gaussians. */
void sph_mixture_moments(size_t m, const double *means, const double *vars, double *mean,
                         double *var);

typedef struct SphDeepEnsemble SphDeepEnsemble;

/* members networks of the architecture config (its last size must be 2), member k
 * initialised from seed + k (stream 0 as sph_mlp_new). */
SphDeepEnsemble *sph_deep_ensemble_new(const SphMlpConfig *config, size_t members, uint64_t seed,
                                       SphError *err);
/* An ensemble made of existing networks, which it takes over (model files). */
SphDeepEnsemble *sph_deep_ensemble_adopt(SphMlp **mlps, size_t members, SphError *err);
void sph_deep_ensemble_free(SphDeepEnsemble *ens);
size_t sph_deep_ensemble_size(const SphDeepEnsemble *ens);
SphMlp *sph_deep_ensemble_member(const SphDeepEnsemble *ens, size_t k);

/* For rows x [n, inputs] (dropout off): the mixture mean and variance of each row;
 * member_means and member_vars (each members x n, may be NULL) receive the members'. */
SphStatus sph_deep_ensemble_predict(const SphDeepEnsemble *ens, const SphTensor *x, double *mean,
                                    double *var, double *member_means, double *member_vars,
                                    SphError *err);
