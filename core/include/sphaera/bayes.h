/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stddef.h>

#include "sphaera/autodiff.h"
#include "sphaera/rng.h"

/* Bayes by backprop (Blundell, Cornebise, Kavukcuoglu & Wierstra 2015, "Weight
 * uncertainty in neural networks").
 *
 * Every weight has a Gaussian posterior N(mu, sigma^2) with sigma = softplus(rho), so
 * rho is unconstrained. A forward pass draws w = mu + sigma eps with eps ~ N(0, 1)
 * (the reparameterisation trick: the gradient flows to mu and rho through the draw),
 * and the loss adds the Monte Carlo estimate of KL(q || p) from that same draw,
 * sum_i [log q(w_i | mu_i, sigma_i) - log p(w_i)], as the paper does; its expectation
 * is the exact KL, and it needs no closed form for the scale-mixture prior
 *   p(w) = pi N(w; 0, sigma1^2) + (1 - pi) N(w; 0, sigma2^2),
 * a wide component sigma1 and a narrow one sigma2 << 1 that pulls unneeded weights to
 * zero. */

typedef struct {
  double pi, sigma1, sigma2;
} SphScaleMixturePrior;

/* pi 0.5, sigma1 1, sigma2 e^-6: one of the settings of the paper's Table. */
SphScaleMixturePrior sph_scale_mixture_default(void);
/* log p(w) of the prior, evaluated without underflow for any w. */
double sph_scale_mixture_log_prob(const SphScaleMixturePrior *prior, double w);

/* ---- tape operations ---- */
/* w = mu + softplus(rho) eps elementwise; eps (same shape as mu and rho) is copied, so
 * a caller fixes the noise simply by passing the same eps again (the gradient check). */
SphVar *sph_reparam_sample(SphTape *tape, SphVar *mu, SphVar *rho, const SphTensor *eps);
/* The one-element sum over elements of log N(w; mu, softplus(rho)^2) - log p(w), with
 * gradients to w, mu and rho. */
SphVar *sph_bayes_kl_mc(SphTape *tape, SphVar *w, SphVar *mu, SphVar *rho,
                        const SphScaleMixturePrior *prior);

/* A dense layer y = x W + b whose W [in, out] and b [out] are drawn from their
 * posteriors at every forward pass. */
typedef struct {
  SphVar *weight_mu, *weight_rho, *bias_mu, *bias_rho;
  size_t in, out;
  SphScaleMixturePrior prior;
} SphBayesDense;

/* Means drawn from N(0, gain / in) (as sph_dense_init), bias means zero, every rho
 * rho_init (softplus(-5) = 0.0067: the network starts nearly deterministic and learns
 * how much noise its weights can take). */
SphStatus sph_bayes_dense_init(SphBayesDense *layer, SphDType dtype, size_t in, size_t out,
                               double gain, double rho_init, const SphScaleMixturePrior *prior,
                               SphRng *rng, SphError *err);
void sph_bayes_dense_clear(SphBayesDense *layer);
/* The four parameters in the order weight_mu, weight_rho, bias_mu, bias_rho. */
SphVar *sph_bayes_dense_param(const SphBayesDense *layer, size_t i);
#define SPH_BAYES_DENSE_PARAMS 4

/* One forward pass with weights drawn from rng (rng NULL: the posterior means, no KL).
 * When kl != NULL and rng != NULL, *kl receives this layer's one-element KL estimate
 * (weights plus biases) for the caller to add to the loss. */
SphVar *sph_bayes_dense_forward(SphTape *tape, const SphBayesDense *layer, SphVar *x,
                                SphRng *rng, SphVar **kl);
