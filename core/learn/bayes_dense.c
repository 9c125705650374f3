/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bayes by backprop: the reparameterised weight draw, the Monte Carlo KL term against
 * the scale-mixture prior, and the Bayesian dense layer built from them. */
#include "sphaera/bayes.h"

#include <math.h>
#include <string.h>

#include "tape_internal.h"

SphScaleMixturePrior sph_scale_mixture_default(void)
{
  return (SphScaleMixturePrior){.pi = 0.5, .sigma1 = 1.0, .sigma2 = exp(-6.0)};
}

static bool prior_valid(const SphScaleMixturePrior *p)
{
  return p != NULL && p->pi > 0.0 && p->pi <= 1.0 && p->sigma1 > 0.0 && p->sigma2 > 0.0 &&
         isfinite(p->sigma1) && isfinite(p->sigma2);
}

static double log_normal0(double w, double sigma)
{
  return -0.5 * log(2.0 * M_PI) - log(sigma) - 0.5 * (w / sigma) * (w / sigma);
}

/* log p(w) and, in *dlogp, its derivative in w: a log-sum-exp over the two components,
 * whose responsibilities weight the two slopes -w / sigma_k^2. */
static double mixture_log_prob(const SphScaleMixturePrior *p, double w, double *dlogp)
{
  double a = log(p->pi) + log_normal0(w, p->sigma1);
  if (p->pi >= 1.0) {
    if (dlogp != NULL)
      *dlogp = -w / (p->sigma1 * p->sigma1);
    return a;
  }
  double b = log1p(-p->pi) + log_normal0(w, p->sigma2);
  double m = fmax(a, b);
  double ea = exp(a - m), eb = exp(b - m), s = ea + eb;
  if (dlogp != NULL)
    *dlogp = -(ea / s) * w / (p->sigma1 * p->sigma1) - (eb / s) * w / (p->sigma2 * p->sigma2);
  return m + log(s);
}

double sph_scale_mixture_log_prob(const SphScaleMixturePrior *prior, double w)
{
  return mixture_log_prob(prior, w, NULL);
}

static double softplus(double x)
{
  return fmax(x, 0.0) + log1p(exp(-fabs(x)));
}

static double sigmoid(double x)
{
  if (x >= 0.0)
    return 1.0 / (1.0 + exp(-x));
  double e = exp(x);
  return e / (1.0 + e);
}

/* aux holds eps. */
static void reparam_backward(SphVar *c)
{
  SphVar *mu = c->in[0], *rho = c->in[1];
  for (size_t i = 0; i < c->value->size; i++) {
    double g = sph_tensor_get(c->grad, i);
    if (mu->grad != NULL)
      sph_tensor_set(mu->grad, i, sph_tensor_get(mu->grad, i) + g);
    if (rho->grad != NULL)
      sph_tensor_set(rho->grad, i,
                     sph_tensor_get(rho->grad, i) +
                         g * sph_tensor_get(c->aux, i) * sigmoid(sph_tensor_get(rho->value, i)));
  }
}

/* The draw with eps either copied from eps or, when eps is NULL, drawn from rng. */
static SphVar *reparam(SphTape *tape, SphVar *mu, SphVar *rho, const SphTensor *eps, SphRng *rng)
{
  if (mu == NULL || rho == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "reparam_sample: an operand is missing");
  if (!tape_same_dtype(tape, "reparam_sample", mu, rho))
    return NULL;
  const SphTensor *m = mu->value;
  if (!sph_tensor_same_shape(m, rho->value) || (eps != NULL && !sph_tensor_same_shape(m, eps))) {
    char sm[64], sr[64];
    return tape_fail(tape, SPH_ERR_INVALID,
                     "reparam_sample: mean %s, rho %s and noise shapes differ",
                     sph_tensor_shape_str(m, sm, sizeof sm),
                     sph_tensor_shape_str(rho->value, sr, sizeof sr));
  }
  SphVar *in[2] = {mu, rho};
  SphVar *c = tape_record(tape, m->dtype, m->ndim, m->shape, in, 2, reparam_backward);
  if (c == NULL || tape_aux(tape, c, 0, m->ndim, m->shape) == NULL)
    return NULL;
  for (size_t i = 0; i < m->size; i++) {
    double e = eps != NULL ? sph_tensor_get(eps, i) : sph_rng_normal(rng);
    sph_tensor_set(c->aux, i, e);
    sph_tensor_set(c->value, i,
                   sph_tensor_get(m, i) + softplus(sph_tensor_get(rho->value, i)) * e);
  }
  return c;
}

SphVar *sph_reparam_sample(SphTape *tape, SphVar *mu, SphVar *rho, const SphTensor *eps)
{
  if (eps == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "reparam_sample: no noise tensor");
  return reparam(tape, mu, rho, eps, NULL);
}

/* aux holds dKL/dw per element; aux2 [2, n] holds dKL/dmu and dKL/drho. */
static void kl_backward(SphVar *c)
{
  double g = sph_tensor_get(c->grad, 0);
  size_t n = c->aux->size;
  for (int k = 0; k < 3; k++) {
    SphTensor *dst = c->in[k]->grad;
    if (dst == NULL)
      continue;
    for (size_t i = 0; i < n; i++) {
      double d = k == 0 ? sph_tensor_get(c->aux, i) : sph_tensor_get(c->aux2, (size_t)(k - 1) * n + i);
      sph_tensor_set(dst, i, sph_tensor_get(dst, i) + g * d);
    }
  }
}

SphVar *sph_bayes_kl_mc(SphTape *tape, SphVar *w, SphVar *mu, SphVar *rho,
                        const SphScaleMixturePrior *prior)
{
  if (w == NULL || mu == NULL || rho == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "bayes_kl: an operand is missing");
  if (!prior_valid(prior))
    return tape_fail(tape, SPH_ERR_INVALID,
                     "bayes_kl: the prior needs 0 < pi <= 1 and positive finite sigmas");
  if (!tape_same_dtype(tape, "bayes_kl", w, mu) || !tape_same_dtype(tape, "bayes_kl", w, rho))
    return NULL;
  if (!sph_tensor_same_shape(w->value, mu->value) || !sph_tensor_same_shape(w->value, rho->value)) {
    char sw[64], sm[64];
    return tape_fail(tape, SPH_ERR_INVALID, "bayes_kl: weights %s and posterior %s differ in shape",
                     sph_tensor_shape_str(w->value, sw, sizeof sw),
                     sph_tensor_shape_str(mu->value, sm, sizeof sm));
  }
  size_t one = 1, n = w->value->size, two_n = 2 * n;
  SphVar *in[3] = {w, mu, rho};
  SphVar *c = tape_record(tape, w->value->dtype, 1, &one, in, 3, kl_backward);
  if (c == NULL || tape_aux(tape, c, 0, 1, &n) == NULL || tape_aux(tape, c, 1, 1, &two_n) == NULL)
    return NULL;
  double kl = 0.0;
  for (size_t i = 0; i < n; i++) {
    double wi = sph_tensor_get(w->value, i), mi = sph_tensor_get(mu->value, i);
    double ri = sph_tensor_get(rho->value, i), s = softplus(ri);
    double z = (wi - mi) / s, dlogp;
    double logq = -0.5 * log(2.0 * M_PI) - log(s) - 0.5 * z * z;
    kl += logq - mixture_log_prob(prior, wi, &dlogp);
    sph_tensor_set(c->aux, i, -z / s - dlogp);
    sph_tensor_set(c->aux2, i, z / s);
    sph_tensor_set(c->aux2, n + i, (z * z - 1.0) / s * sigmoid(ri));
  }
  sph_tensor_set(c->value, 0, kl);
  return c;
}

SphStatus sph_bayes_dense_init(SphBayesDense *layer, SphDType dtype, size_t in, size_t out,
                               double gain, double rho_init, const SphScaleMixturePrior *prior,
                               SphRng *rng, SphError *err)
{
  memset(layer, 0, sizeof *layer);
  if (in == 0 || out == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "Bayesian dense layer: %zu inputs and %zu outputs",
                         in, out);
  if (!prior_valid(prior))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "Bayesian dense layer: the prior needs 0 < pi <= 1 and positive sigmas "
                         "(pi %g, sigma1 %g, sigma2 %g)",
                         prior ? prior->pi : NAN, prior ? prior->sigma1 : NAN,
                         prior ? prior->sigma2 : NAN);
  size_t wshape[2] = {in, out};
  SphVar **slots[4] = {&layer->weight_mu, &layer->weight_rho, &layer->bias_mu, &layer->bias_rho};
  for (int k = 0; k < 4; k++) {
    *slots[k] = sph_var_new_param(sph_tensor_new(dtype, k < 2 ? 2 : 1, k < 2 ? wshape : &out, err),
                                  err);
    if (*slots[k] == NULL) {
      sph_bayes_dense_clear(layer);
      return err ? err->code : SPH_ERR_NOMEM;
    }
  }
  layer->in = in;
  layer->out = out;
  layer->prior = *prior;
  SphTensor *w = sph_var_value(layer->weight_mu);
  double sd = sqrt(gain / (double)in);
  for (size_t i = 0; i < w->size; i++)
    sph_tensor_set(w, i, sd * sph_rng_normal(rng));
  sph_tensor_fill(sph_var_value(layer->weight_rho), rho_init);
  sph_tensor_fill(sph_var_value(layer->bias_rho), rho_init);
  return SPH_OK;
}

void sph_bayes_dense_clear(SphBayesDense *layer)
{
  sph_var_free(layer->weight_mu);
  sph_var_free(layer->weight_rho);
  sph_var_free(layer->bias_mu);
  sph_var_free(layer->bias_rho);
  memset(layer, 0, sizeof *layer);
}

SphVar *sph_bayes_dense_param(const SphBayesDense *layer, size_t i)
{
  switch (i) {
  case 0: return layer->weight_mu;
  case 1: return layer->weight_rho;
  case 2: return layer->bias_mu;
  case 3: return layer->bias_rho;
  default: return NULL;
  }
}

SphVar *sph_bayes_dense_forward(SphTape *tape, const SphBayesDense *layer, SphVar *x,
                                SphRng *rng, SphVar **kl)
{
  if (kl != NULL)
    *kl = NULL;
  if (rng == NULL)
    return sph_add_bias(tape, sph_matmul(tape, x, layer->weight_mu), layer->bias_mu);
  SphVar *w = reparam(tape, layer->weight_mu, layer->weight_rho, NULL, rng);
  SphVar *b = reparam(tape, layer->bias_mu, layer->bias_rho, NULL, rng);
  if (kl != NULL)
    *kl = sph_add(tape, sph_bayes_kl_mc(tape, w, layer->weight_mu, layer->weight_rho, &layer->prior),
                  sph_bayes_kl_mc(tape, b, layer->bias_mu, layer->bias_rho, &layer->prior));
  return sph_add_bias(tape, sph_matmul(tape, x, w), b);
}
